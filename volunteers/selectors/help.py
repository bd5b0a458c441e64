"""Reads for help requests: the open requests volunteers may claim (never with a phone
number), a volunteer's own calls to make (with phone numbers, through the access rule),
the coordinators' list of everything, one request's page, and the call list's sessions."""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone

from classes.models import ClassSession, CoursePage, Enrolment, EnrolmentStatus, Learner, SeatPool, SessionMode
from core.roles import VOLUNTEERS
from classes.courses.selectors import session_next_for_course
from core.roles import user_is_coordinator
from volunteers.models import CallLog, HelpRequest, HelpStatus, VolunteerStatus
from volunteers.selectors.access import learners_assigned_to, user_is_volunteer, user_may_see_learner
from volunteers.selectors.readiness import Readiness, readiness_of_pairs

# The call list looks two days ahead: time for a volunteer to call, and a second try.
CALL_LIST_AHEAD = timedelta(hours=48)


def readiness_missing(readiness: Readiness | None) -> list[str]:
    """What is still to do, in the readiness steps' words, e.g. ["device check"]; [] when ready."""
    return (readiness or Readiness()).missing


@dataclass(frozen=True)
class HelpRow:
    """One help request as a list shows it. `phone` is empty unless the viewer may see
    the learner (volunteers.selectors.access): open requests never carry it."""

    pk: int
    learner_id: int
    name: str
    phone: str
    course: CoursePage | None
    next_session: ClassSession | None
    readiness: Readiness | None
    missing: list[str]
    asks: int
    source: str
    status: str
    status_label: str
    asked_at: datetime
    volunteer_id: int | None
    volunteer_name: str
    note: str

    @property
    def ready(self) -> bool:
        return bool(self.readiness and self.readiness.ready)


def _readiness_by_request(requests: list[HelpRequest]) -> dict[int, Readiness]:
    """Each request's learner's readiness for the request's course, in a fixed number of queries."""
    with_course = [r for r in requests if r.course_id]
    readiness = readiness_of_pairs(pairs={(r.course_id, r.learner_id) for r in with_course})
    return {r.pk: readiness[r.course_id, r.learner_id] for r in with_course}


def requests_readiness(*, requests) -> dict[int, Readiness]:
    """Request id → the learner's readiness for its course (requests without a course are left out)."""
    return _readiness_by_request(list(requests))


def _visible_learner_ids(user, learner_ids: set[int]) -> set[int]:
    """The learners among these whose phone this user may see: the access rule, in two queries."""
    if not learner_ids or not user.is_authenticated:
        return set()
    if user_is_coordinator(user):
        return set(learner_ids)
    if not user_is_volunteer(user):
        return set()
    return set(learners_assigned_to(user=user).filter(pk__in=learner_ids).values_list("pk", flat=True))


def _volunteer_name(user) -> str:
    if user is None:
        return ""
    profile = getattr(user, "volunteer", None)
    return (profile.name if profile else "") or user.get_full_name() or user.get_username()


def _rows(requests: QuerySet[HelpRequest], *, user) -> list[HelpRow]:
    requests = list(requests.select_related("learner", "course", "session", "volunteer__volunteer"))
    readiness = _readiness_by_request(requests)
    visible = _visible_learner_ids(user, {r.learner_id for r in requests})
    next_sessions: dict[int, ClassSession | None] = {}
    rows = []
    for r in requests:
        if r.course_id and r.course_id not in next_sessions:
            next_sessions[r.course_id] = session_next_for_course(course=r.course)
        next_session = r.session if r.session and r.session.ends_at > timezone.now() else next_sessions.get(r.course_id)
        shows_person = r.learner_id in visible
        rows.append(HelpRow(
            pk=r.pk, learner_id=r.learner_id, name=r.learner.name,
            phone=r.learner.phone if shows_person else "",
            course=r.course, next_session=next_session, readiness=readiness.get(r.pk),
            missing=readiness_missing(readiness.get(r.pk)) if r.course_id else [],
            asks=r.asks, source=r.get_source_display(), status=r.status, status_label=r.get_status_display(),
            asked_at=r.created_at, volunteer_id=r.volunteer_id, volunteer_name=_volunteer_name(r.volunteer),
            # A note may name a relative's number; only those who may see the learner read it.
            note=r.note if shows_person else "",
        ))
    return rows


def help_requests_open(*, user) -> list[HelpRow]:
    """Requests waiting for a volunteer, oldest first. No phone numbers and no notes:
    a volunteer sees who and why, and gets the number by claiming."""
    rows = _rows(HelpRequest.objects.filter(status=HelpStatus.OPEN).order_by("created_at"), user=user)
    return [_without_person(row) for row in rows]


def _without_person(row: HelpRow) -> HelpRow:
    return replace(row, phone="", note="")


def help_requests_assigned_to(*, user) -> list[HelpRow]:
    """The volunteer's own calls to make, with phone numbers (only learners the access rule allows)."""
    learners = learners_assigned_to(user=user)
    requests = HelpRequest.objects.filter(
        status=HelpStatus.ASSIGNED, volunteer=user, learner__in=learners
    ).order_by("assigned_at", "pk")
    return [row for row in _rows(requests, user=user) if row.phone]


def help_requests_all(*, user, include_closed: bool = False) -> list[HelpRow]:
    """Every request not yet closed (coordinators): open ones first, then assigned."""
    requests = HelpRequest.objects.all()
    if not include_closed:
        requests = requests.exclude(status=HelpStatus.CLOSED)
    return sorted(_rows(requests.order_by("created_at"), user=user),
                  key=lambda row: (row.status != HelpStatus.OPEN, row.asked_at))


def calls_to_make(*, user) -> list[HelpRow]:
    """The rows of the "my calls to make" export: a volunteer's assigned learners; a coordinator's, everyone's."""
    if user_is_coordinator(user):
        return [row for row in help_requests_all(user=user) if row.phone]
    if user_is_volunteer(user):
        return help_requests_assigned_to(user=user)
    return []


def help_request_get(*, pk: int) -> HelpRequest | None:
    return HelpRequest.objects.select_related("learner", "course", "session", "volunteer__volunteer").filter(pk=pk).first()


def user_may_open_request(*, user, help_request: HelpRequest) -> bool:
    """A request's page shows the learner's phone: coordinators, and the volunteer it is assigned to."""
    if user_is_coordinator(user):
        return True
    return (
        help_request.status == HelpStatus.ASSIGNED and help_request.volunteer_id == user.pk
        and user_may_see_learner(user=user, learner=help_request.learner)
    )


def help_request_row(*, help_request: HelpRequest, user) -> HelpRow:
    return _rows(HelpRequest.objects.filter(pk=help_request.pk), user=user)[0]


def help_request_calls(*, help_request: HelpRequest) -> QuerySet[CallLog]:
    return help_request.calls.select_related("volunteer__volunteer").order_by("-called_at", "-pk")


def volunteers_approved() -> QuerySet:
    """Accounts a coordinator may assign a request to: active, in the Volunteers group, not
    waiting for approval nor declined (the same rule as access.user_is_volunteer)."""
    return (
        get_user_model().objects.filter(is_active=True, groups__name=VOLUNTEERS)
        .exclude(volunteer__status__in=[VolunteerStatus.PENDING, VolunteerStatus.DECLINED])
        .select_related("volunteer").order_by("volunteer__name", "username").distinct()
    )


def volunteer_label(user) -> str:
    return _volunteer_name(user)


def learner_help_course(*, learner: Learner, course: CoursePage | None = None) -> CoursePage | None:
    """The course a learner's request is about: the page's course when they are in it,
    else their first current course (a seat before a waiting place)."""
    enrolments = Enrolment.objects.filter(learner=learner, course__live=True).exclude(status=EnrolmentStatus.WITHDRAWN)
    if course is not None and enrolments.filter(course=course).exists():
        return course
    first = enrolments.select_related("course").order_by("status", "pk").first()
    return first.course if first else None


def learner_open_request(*, learner: Learner) -> HelpRequest | None:
    return HelpRequest.objects.exclude(status=HelpStatus.CLOSED).filter(learner=learner).first()


@dataclass(frozen=True)
class CallListEntry:
    learner_id: int
    course: CoursePage
    session: ClassSession


def call_list_due(*, now: datetime | None = None) -> list[CallListEntry]:
    """Learners with a seat in a class starting within two days who are not ready, once
    each (their soonest class). Classes held at the centre, and seats at the centre,
    need no phone set up, so they are left out."""
    now = now or timezone.now()
    sessions = (
        ClassSession.objects.filter(
            starts_at__gt=now, starts_at__lte=now + CALL_LIST_AHEAD, cancelled_at__isnull=True, course__live=True,
        )
        .exclude(mode=SessionMode.CENTRE)
        .select_related("course")
        .order_by("starts_at", "pk")
    )
    next_by_course: dict[int, ClassSession] = {}
    for session in sessions:
        next_by_course.setdefault(session.course_id, session)
    seats = list(
        Enrolment.objects.filter(course_id__in=list(next_by_course), status=EnrolmentStatus.ENROLLED)
        .exclude(pool=SeatPool.CENTRE).values_list("course_id", "learner_id")
    )
    readiness = readiness_of_pairs(pairs=seats)
    seated: dict[int, list[int]] = {}
    for course_id, learner_id in seats:
        seated.setdefault(course_id, []).append(learner_id)
    entries: dict[int, CallListEntry] = {}
    for session in sorted(next_by_course.values(), key=lambda s: (s.starts_at, s.pk)):
        for learner_id in seated.get(session.course_id, []):
            if not readiness[session.course_id, learner_id].ready and learner_id not in entries:
                entries[learner_id] = CallListEntry(learner_id=learner_id, course=session.course, session=session)
    return list(entries.values())
