"""What volunteers hear from classes (classes/signals.py), connected in VolunteersConfig.ready():
each step a learner takes towards class, shown at once to the volunteer on the phone
with them (remote assist), and the reminders sweep, which puts the learners not yet
ready for a class on the volunteers' call list."""

from django.db.models.signals import post_delete

from classes import signals
from core.pagecache import public_pages_shown_by
from volunteers.models import AssistStep, Initiative, LearnerWork
from volunteers.services.assist import assist_step_record, assist_steps_from_check
from volunteers.services.help import call_lists_build
from volunteers.services.works import work_files_remove


def link_opened(*, learner, **kwargs) -> None:
    assist_step_record(learner=learner, step=AssistStep.LINK_OPENED)


def device_checked(*, learner, result, **kwargs) -> None:
    assist_steps_from_check(learner=learner, result=result)


def room_entered(*, learner, **kwargs) -> None:
    assist_step_record(learner=learner, step=AssistStep.ROOM_JOINED)


def room_left(*, learner, **kwargs) -> None:
    assist_step_record(learner=learner, step=AssistStep.ROOM_LEFT)


def reminders_swept(*, now, **kwargs) -> None:
    call_lists_build(now=now)


def work_deleted(*, instance, **kwargs) -> None:
    work_files_remove(work=instance)


def connect() -> None:
    for signal, receiver in (
        (signals.learner_link_opened, link_opened),
        (signals.learner_device_checked, device_checked),
        (signals.learner_room_entered, room_entered),
        (signals.learner_room_left, room_left),
        (signals.reminders_swept, reminders_swept),
    ):
        signal.connect(receiver, dispatch_uid=f"volunteers.{receiver.__name__}")
    # A deleted work (by a coordinator, or with its learner) leaves no public copy or file behind.
    post_delete.connect(work_deleted, sender=LearnerWork, dispatch_uid="volunteers.work_deleted")
    # Initiatives are on the home page, works in the galleries and on course pages (core/pagecache.py).
    public_pages_shown_by(Initiative, LearnerWork)
