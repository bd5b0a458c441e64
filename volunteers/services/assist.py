"""Writes for remote assist: note each step a learner's phone takes, and tell the
volunteers watching at once (docs/realtime.md, "Remote assist protocol")."""

import json
from datetime import timedelta

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from classes.models import Learner
from volunteers import events
from volunteers.models import AssistEvent, AssistStep
from volunteers.selectors.assist import assist_step_frame

# Steps only the server can witness (a link opened, a socket joined) are never taken
# from the browser: a page could claim them without doing them.
BROWSER_STEPS = frozenset({
    AssistStep.PAGE_OPENED,
    AssistStep.CAMERA_ALLOWED, AssistStep.CAMERA_BLOCKED,
    AssistStep.MICROPHONE_ALLOWED, AssistStep.MICROPHONE_BLOCKED,
    AssistStep.SOUND_HEARD, AssistStep.SOUND_NOT_HEARD,
})
# A phone on a poor network retries a report, and an impatient finger taps twice: the
# same step again this soon is the same moment, not a new one.
DUPLICATE_WINDOW = timedelta(seconds=5)


def assist_step_record(*, learner: Learner, step: str) -> AssistEvent | None:
    """Note that the learner's phone took `step`, and send it to everyone watching
    once it is saved. Returns None when the same step was noted moments ago."""
    if step not in AssistStep.values:
        raise ValidationError(_("“%(step)s” is not a step we know.") % {"step": str(step)[:40]}, code="bad_step")
    event = AssistEvent(learner=learner, step=step)
    event.full_clean(exclude=["learner"])
    with transaction.atomic():
        # Two requests of one double tap arrive together: the second waits, then sees the first.
        Learner.objects.select_for_update().filter(pk=learner.pk).exists()
        since = timezone.now() - DUPLICATE_WINDOW
        if AssistEvent.objects.filter(learner=learner, step=step, at__gte=since).exists():
            return None
        event.save()
        text = json.dumps(assist_step_frame(event), ensure_ascii=False)  # serialised once, for every watcher
        # A layer that is down must not undo the step: the page reads it from the history next time.
        transaction.on_commit(lambda: _broadcast(learner_id=learner.pk, text=text), robust=True)
    return event


def assist_steps_from_check(*, learner: Learner, result: dict) -> list[AssistEvent]:
    """The device check's findings (camera_ok, microphone_ok, sound_heard: true, false,
    or absent when not tried) as steps."""
    found = {
        "camera_ok": (AssistStep.CAMERA_ALLOWED, AssistStep.CAMERA_BLOCKED),
        "microphone_ok": (AssistStep.MICROPHONE_ALLOWED, AssistStep.MICROPHONE_BLOCKED),
        "sound_heard": (AssistStep.SOUND_HEARD, AssistStep.SOUND_NOT_HEARD),
    }
    recorded = []
    for field, (good, bad) in found.items():
        value = result.get(field)
        if isinstance(value, bool):
            event = assist_step_record(learner=learner, step=good if value else bad)
            if event is not None:
                recorded.append(event)
    return recorded


def _broadcast(*, learner_id: int, text: str) -> None:
    async_to_sync(get_channel_layer().group_send)(
        events.assist_group(learner_id), {"type": events.LAYER_FRAME, "text": text}
    )
