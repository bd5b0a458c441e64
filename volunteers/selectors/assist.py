"""Reads for remote assist: the steps a learner's phone took lately, as the frames the
assist socket sends and as the volunteer's checklist."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from classes.models import CoursePage, Enrolment, EnrolmentStatus, Learner
from volunteers import events
from volunteers.models import AssistEvent, AssistStep, HelpRequest, HelpStatus
from volunteers.selectors.readiness import Readiness, readiness_for_courses

# A call and the tries around it fit in an evening; older steps belong to another day's story.
HISTORY_HOURS = 6
# More than this many steps in six hours is a phone reloading in a loop: the latest tell the story.
HISTORY_LIMIT = 200

# The volunteer's checklist: one row per thing the learner must get right, in the order
# they meet them. Each step a phone reports sets its row's state; the latest step wins.
DONE, WAITING, PROBLEM, LEFT = "done", "waiting", "problem", "left"
CHECKLIST: tuple[tuple[str, dict[str, str]], ...] = (
    ("link", {AssistStep.LINK_OPENED: DONE}),
    ("page", {AssistStep.PAGE_OPENED: DONE}),
    ("camera", {AssistStep.CAMERA_ALLOWED: DONE, AssistStep.CAMERA_BLOCKED: PROBLEM}),
    ("microphone", {AssistStep.MICROPHONE_ALLOWED: DONE, AssistStep.MICROPHONE_BLOCKED: PROBLEM}),
    ("sound", {AssistStep.SOUND_HEARD: DONE, AssistStep.SOUND_NOT_HEARD: PROBLEM}),
    ("room", {AssistStep.ROOM_JOINED: DONE, AssistStep.ROOM_LEFT: LEFT}),
)
# step → (row, state), for the page's script.
STEP_ROWS: dict[str, tuple[str, str]] = {
    str(step): (row, state) for row, steps in CHECKLIST for step, state in steps.items()
}


def assist_events_recent(*, learner_id: int, now: datetime | None = None) -> list[AssistEvent]:
    """The learner's steps of the last few hours, oldest first."""
    since = (now or timezone.now()) - timedelta(hours=HISTORY_HOURS)
    latest = AssistEvent.objects.filter(learner_id=learner_id, at__gte=since).order_by("-pk")[:HISTORY_LIMIT]
    return list(reversed(latest))


def assist_event_payload(event: AssistEvent) -> dict:
    """One step as the socket sends it: plain data, the words are the page's."""
    return {
        "id": event.pk,
        "step": event.step,
        "at": event.at.isoformat(),
        # The centre's clock, so the volunteer and the learner talk about the same time.
        "time": timezone.localtime(event.at).strftime("%H:%M"),
    }


def assist_step_frame(event: AssistEvent) -> dict:
    return {"type": events.STEP, **assist_event_payload(event)}


def assist_history_frame(*, learner_id: int) -> dict:
    """What a watcher gets on connecting (and again on every reconnect): the recent steps."""
    return {
        "type": events.HISTORY,
        "learner": learner_id,
        "events": [assist_event_payload(event) for event in assist_events_recent(learner_id=learner_id)],
    }


@dataclass(frozen=True)
class ChecklistRow:
    key: str
    state: str  # DONE, WAITING, PROBLEM or LEFT
    step: str = ""  # the step that set the state
    time: str = ""  # when, "14:05"


def assist_checklist(*, events_so_far: list[AssistEvent]) -> list[ChecklistRow]:
    """Each checklist row as the latest of its steps left it; "waiting" when none came yet."""
    latest: dict[str, AssistEvent] = {}
    for event in events_so_far:
        row = STEP_ROWS.get(event.step)
        if row and (row[0] not in latest or latest[row[0]].pk < event.pk):
            latest[row[0]] = event
    rows = []
    for key, _steps in CHECKLIST:
        event = latest.get(key)
        if event is None:
            rows.append(ChecklistRow(key, WAITING))
        else:
            rows.append(ChecklistRow(key, STEP_ROWS[event.step][1], event.step, assist_event_payload(event)["time"]))
    return rows


@dataclass(frozen=True)
class LearnerCourseReadiness:
    course: CoursePage
    readiness: Readiness


def assist_learner_courses(*, learner: Learner) -> list[LearnerCourseReadiness]:
    """The courses the learner has a seat in, each with how ready they are for it."""
    enrolments = (
        Enrolment.objects.filter(learner=learner, status=EnrolmentStatus.ENROLLED)
        .select_related("course").order_by("course__title")
    )
    enrolments = list(enrolments)
    readiness = readiness_for_courses(course_ids=[e.course_id for e in enrolments], learner_ids=[learner.pk])
    return [LearnerCourseReadiness(e.course, readiness[e.course_id][learner.pk]) for e in enrolments]


def assist_open_request(*, learner: Learner) -> HelpRequest | None:
    """The learner's open help request (there is at most one), to link back to it."""
    return HelpRequest.objects.filter(learner=learner).exclude(status=HelpStatus.CLOSED).first()
