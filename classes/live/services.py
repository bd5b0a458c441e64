"""Live class rooms, what changes them: people coming and going, hands, voices, the
class starting and ending, device checks.

Everything a room knows lives in the database (Participant, Visit, ClassSession),
so every Daphne process sees the same room and a reconnecting learner gets
their raised hand back. Who may come in is classes.courses.people's one rule.
"""

import time
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task

from classes.courses.people import CoursePerson
from classes.live.chat import chat_room_create
from classes.live.selectors import PRESENCE_TIMEOUT, room_snapshot
from classes.models import ClassSession, DeviceCheck, Participant, RoomRole, Visit

# Time for the sweep's task to start after the timeout it waits for.
SWEEP_MARGIN = timedelta(seconds=15)
# A socket's visit notes its last frame at most this often: each frame would be a write, and
# quality reports alone come every few seconds from each of two dozen phones. The visit then
# ends at most this much before the real last frame — never after it.
TOUCH_EVERY = timedelta(seconds=5)


def room_chat_id(*, session: ClassSession) -> int:
    """The class's chat, created the first time anyone needs it."""
    if session.chat_id is None:
        with transaction.atomic():
            locked = ClassSession.objects.select_for_update().get(pk=session.pk)
            if locked.chat_id is None:
                locked.chat = chat_room_create()
                locked.save(update_fields=["chat"])
            session.chat_id = locked.chat_id
    return session.chat_id


def participant_join(*, session: ClassSession, person: CoursePerson) -> tuple[Participant, Visit] | None:
    """Count one more socket for this person and open a visit; None if the teacher removed them."""
    with transaction.atomic():
        # The desk camera (the teacher's phone, classes/live/desk.py) is no one's account: the
        # class has one, whichever phone holds it.
        key = ({"learner": person.learner} if person.learner else {"user": person.user} if person.user
               else {"role": RoomRole.DESK})
        participant, _created = Participant.objects.select_for_update().get_or_create(
            session=session, **key, defaults={"name": person.name, "role": person.role}
        )
        if participant.removed_at is not None:
            return None
        Participant.objects.filter(pk=participant.pk).update(
            connections=F("connections") + 1, last_seen_at=timezone.now()
        )
        visit = Visit.objects.create(participant=participant)
    # However this socket ends, the sweep closes its visit once it falls silent.
    transaction.on_commit(lambda: presence_sweep_later())
    return participant, visit


def participant_leave(*, participant_id: int, visit_id: int) -> None:
    now = timezone.now()
    with transaction.atomic():
        Participant.objects.filter(pk=participant_id, connections__gt=0).update(connections=F("connections") - 1)
        Visit.objects.filter(pk=visit_id, left_at__isnull=True).update(left_at=now)


def participant_touch(*, participant_id: int, visit_id: int | None = None) -> bool:
    """Note the person (and this socket's visit) is still here; False if the teacher has removed them."""
    now = timezone.now()
    if visit_id is not None:
        Visit.objects.filter(pk=visit_id, left_at__isnull=True, last_seen_at__lt=now - TOUCH_EVERY)\
            .update(last_seen_at=now)
    stale = Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=now - TOUCH_EVERY)
    if Participant.objects.filter(stale, pk=participant_id, removed_at__isnull=True).update(last_seen_at=now):
        return True
    return Participant.objects.filter(pk=participant_id, removed_at__isnull=True).exists()


def room_state_publish(*, session: ClassSession) -> dict:
    """The room's state with a new, higher version, to broadcast.

    A version is the time of publishing in milliseconds, or one more than the last if that is
    later: it only ever grows, also past a database put back from a copy, so a page that keeps
    the highest version it has seen can never be stuck on a state from before."""
    with transaction.atomic():
        # Locked, so two processes publishing at once take two versions, in order.
        current = ClassSession.objects.select_for_update().values_list("state_version", flat=True).get(pk=session.pk)
        version = max(current + 1, int(time.time() * 1000))
        ClassSession.objects.filter(pk=session.pk).update(state_version=version)
        return room_snapshot(session=session)


def presence_sweep(*, now=None) -> int:
    """Close the visits of sockets silent for longer than the presence timeout, as of their
    last frame, and count each person's sockets again. Returns how many visits it closed."""
    now = now or timezone.now()
    with transaction.atomic():
        stale = Visit.objects.select_for_update().filter(
            left_at__isnull=True, last_seen_at__lt=now - PRESENCE_TIMEOUT
        )
        participant_ids = set(stale.values_list("participant_id", flat=True))
        closed = stale.update(left_at=F("last_seen_at"))
        for participant_id in participant_ids:
            open_visits = Visit.objects.filter(participant_id=participant_id, left_at__isnull=True).count()
            Participant.objects.filter(pk=participant_id).update(connections=open_visits)
    return closed


@task(backend="notifications")  # the platform's one task worker (make run starts it)
def sweep_presence() -> int:
    """Sweep now, and again later while anyone is still in a room."""
    closed = presence_sweep()
    if Visit.objects.filter(left_at__isnull=True).exists():
        presence_sweep_later()
    return closed


def presence_sweep_later() -> None:
    # Just after the timeout: a socket that went silent at join is closed by then.
    sweep_presence.using(run_after=timezone.now() + PRESENCE_TIMEOUT + SWEEP_MARGIN).enqueue()


def media_mode_set(*, session: ClassSession, mode: str, fallback: bool) -> bool:
    """Note how the room's video travels; True if that changed."""
    changed = ClassSession.objects.filter(pk=session.pk).exclude(media_mode=mode, media_fallback=fallback)\
        .update(media_mode=mode, media_fallback=fallback)
    session.media_mode, session.media_fallback = mode, fallback
    return bool(changed)


def class_start(*, session: ClassSession) -> None:
    ClassSession.objects.filter(pk=session.pk, live_started_at__isnull=True).update(live_started_at=timezone.now())
    # Starting again after an early "end" reopens the room.
    ClassSession.objects.filter(pk=session.pk).update(live_ended_at=None)


def class_end(*, session: ClassSession) -> list[int]:
    """End the class, lowering every hand and taking every voice back; returns who had a voice."""
    with transaction.atomic():
        ClassSession.objects.filter(pk=session.pk).update(live_ended_at=timezone.now())
        speaking = mute_all(session=session)
        Participant.objects.filter(session=session).update(may_speak=False, hand_raised_at=None)
    return speaking


def hand_set(*, participant_id: int, raised: bool) -> bool:
    """Raise or lower a hand; False if it already was (nothing to tell the room)."""
    hands = Participant.objects.filter(pk=participant_id, hand_raised_at__isnull=raised)
    return bool(hands.update(hand_raised_at=timezone.now() if raised else None))


def speak_set(*, session: ClassSession, participant_id: int, allowed: bool) -> bool:
    """Let one learner speak (lowering their hand), or take it back. False if no such learner here."""
    changes = {"may_speak": allowed}
    if allowed:
        changes["hand_raised_at"] = None
    return bool(
        Participant.objects.filter(pk=participant_id, session=session, removed_at__isnull=True).update(**changes)
    )


def mute_all(*, session: ClassSession) -> list[int]:
    """Take everyone's voice back; returns who had it."""
    with transaction.atomic():
        speaking = list(
            Participant.objects.select_for_update().filter(session=session, may_speak=True).values_list("pk", flat=True)
        )
        Participant.objects.filter(pk__in=speaking).update(may_speak=False)
    return speaking


def participant_remove(*, session: ClassSession, participant_id: int) -> bool:
    return bool(
        Participant.objects.filter(pk=participant_id, session=session)
        .exclude(role=RoomRole.TEACHER)
        .update(removed_at=timezone.now(), may_speak=False, hand_raised_at=None)
    )


QUALITY_LEVELS = ("good", "poor", "bad")


def quality_set(*, participant_id: int, level: str) -> bool:
    """Note a connection's quality; False if unknown or unchanged. Pages report it every few
    seconds: only a change is worth a state to everyone (a flood of states fills the
    channel layer's queues and crowds out chat)."""
    if level not in QUALITY_LEVELS:
        return False
    return bool(Participant.objects.filter(pk=participant_id).exclude(quality=level).update(quality=level))


def device_check_record(*, session: ClassSession, person: CoursePerson, result: dict, user_agent: str) -> DeviceCheck:
    def flag(name):
        value = result.get(name)
        return value if isinstance(value, bool) else None

    return DeviceCheck.objects.create(
        learner=person.learner, user=person.user, session=session, sound_heard=flag("sound_heard"),
        camera_ok=flag("camera_ok"), microphone_ok=flag("microphone_ok"), user_agent=user_agent[:300],
    )
