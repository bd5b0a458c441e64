"""The coordinators' term overview, live rooms' side: today's classes as they happen, and
who came to the term's classes.

A learner attended a class when they joined its live room at or after the teacher started
it (a Visit joined at or after `live_started_at`): the rule of the volunteers' readiness
(volunteers/selectors/readiness.py), so the two pages never disagree. Every function runs a
fixed number of queries however many learners and classes there are."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

from classes.courses.term_figures import term_sessions
from classes.live.selectors import room_status
from classes.live.sfu import sfu_configured
from classes.live.strings import classroom_strings
from classes.models import ClassSession, CoursePage, Enrolment, EnrolmentStatus, Participant, Term, Visit

# The states of a class today, in the order of a day; the words are in TodayClass.state_words.
CANCELLED = "cancelled"
NOT_STARTED = "not_started"
OVERDUE = "overdue"  # its time has come and the teacher has not started it
NOT_HELD = "not_held"  # its time is over and the teacher never started it
LIVE = "live"
ENDED = "ended"


def live_room_holds() -> int | None:
    """How many learners one live room carries: without the video server the teacher's browser
    sends the class to each learner itself, which carries EMBEDDED_MAX_LEARNERS; None: no limit."""
    return None if sfu_configured() else settings.EMBEDDED_MAX_LEARNERS


@dataclass(frozen=True)
class TodayClass:
    session: ClassSession  # its course loaded
    state: str
    joined: int    # learners who have entered the live room, at any time
    enrolled: int  # learners with a seat in the course

    @property
    def state_words(self) -> str:
        words = classroom_strings()
        return {
            CANCELLED: _("Cancelled"),
            NOT_STARTED: _("Not started yet"),
            OVERDUE: _("Time to start: the teacher has not started the class yet"),
            NOT_HELD: _("Not held: its time is over and the teacher did not start it"),
            LIVE: words["live"],
            ENDED: words["ended"],
        }[self.state]


def _state_today(session: ClassSession, now: datetime) -> str:
    if session.is_cancelled:
        return CANCELLED
    status = room_status(session=session)
    if status == "live":
        return LIVE
    if status == "ended":
        return ENDED
    if session.ends_at <= now:
        return NOT_HELD
    return OVERDUE if session.starts_at <= now else NOT_STARTED


def classes_today(*, now: datetime | None = None) -> list[TodayClass]:
    """Today's classes (the centre's day), each with its live state and who has joined; three queries."""
    now = now or timezone.now()
    day = timezone.localtime(now).date()
    start = timezone.make_aware(datetime.combine(day, time.min))
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    sessions = list(
        ClassSession.objects.filter(starts_at__gte=start, starts_at__lt=end, course__live=True)
        .select_related("course").order_by("starts_at", "pk")
    )
    joined = dict(
        Participant.objects.filter(session__in=[s.pk for s in sessions], learner__isnull=False, visits__isnull=False)
        .values("session_id").annotate(n=Count("learner_id", distinct=True)).values_list("session_id", "n")
    )
    enrolled = dict(
        Enrolment.objects.filter(course_id__in={s.course_id for s in sessions}, status=EnrolmentStatus.ENROLLED)
        .values("course_id").annotate(n=Count("pk")).values_list("course_id", "n")
    )
    return [
        TodayClass(session=s, state=_state_today(s, now), joined=joined.get(s.pk, 0), enrolled=enrolled.get(s.course_id, 0))
        for s in sessions
    ]


def percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


@dataclass(frozen=True)
class SessionAttendance:
    """One held class: learners who came, of the learners with a seat who had signed up by then."""

    session: ClassSession  # its course loaded
    attended: int
    enrolled: int

    @property
    def rate(self) -> int | None:
        return percent(self.attended, self.enrolled)


@dataclass(frozen=True)
class LearnerAttendance:
    """One learner in one course: classes they came to, of the classes held since they signed up."""

    learner_id: int
    name: str
    course: CoursePage
    attended: int
    held: int
    missed_last_two: bool  # the course's last two held classes, both missed: 连续两次没来

    @property
    def rate(self) -> int | None:
        return percent(self.attended, self.held)


@dataclass(frozen=True)
class TermAttendance:
    sessions: list[SessionAttendance]
    learners: list[LearnerAttendance]

    @property
    def missed_last_two(self) -> list[LearnerAttendance]:
        return [row for row in self.learners if row.missed_last_two]


def term_attendance(*, term: Term, courses: list[CoursePage], now: datetime | None = None) -> TermAttendance:
    """Attendance of the term's held classes (the teacher started them), per class and per
    learner with a seat, in three queries. A class counts for a learner when they had signed up
    by the time it started, or came anyway; a learner who has since left the course is not counted."""
    now = now or timezone.now()
    by_id = {course.pk: course for course in courses}
    held_classes = term_sessions(term).filter(
        course_id__in=list(by_id), live_started_at__isnull=False, live_started_at__lte=now
    )
    held = list(held_classes.order_by("starts_at", "pk"))
    for session in held:
        session.course = by_id[session.course_id]
    seats = list(
        Enrolment.objects.filter(course_id__in=list(by_id), status=EnrolmentStatus.ENROLLED)
        .values_list("learner_id", "learner__name", "course_id", "created_at")
    )
    came = set(
        Visit.objects.filter(
            participant__session__in=held_classes.values("pk"), participant__learner__isnull=False,
            joined_at__gte=F("participant__session__live_started_at"),
        ).values_list("participant__session_id", "participant__learner_id").distinct()
    )

    held_of_course: dict[int, list[ClassSession]] = {}
    for session in held:
        held_of_course.setdefault(session.course_id, []).append(session)
    seats_of_course: dict[int, list[tuple]] = {}
    for seat in seats:
        seats_of_course.setdefault(seat[2], []).append(seat)

    def due(session: ClassSession, learner_id: int, signed_up: datetime) -> bool:
        return signed_up <= session.live_started_at or (session.pk, learner_id) in came

    per_session = []
    for session in held:
        learners = [(learner_id, signed_up) for learner_id, _name, _course, signed_up in
                    seats_of_course.get(session.course_id, [])]
        per_session.append(SessionAttendance(
            session=session,
            attended=sum(1 for learner_id, _signed_up in learners if (session.pk, learner_id) in came),
            enrolled=sum(1 for learner_id, signed_up in learners if due(session, learner_id, signed_up)),
        ))

    per_learner = []
    for course in courses:
        classes = held_of_course.get(course.pk, [])
        last_two = classes[-2:]
        for learner_id, name, _course, signed_up in sorted(seats_of_course.get(course.pk, []), key=lambda s: (s[1], s[0])):
            mine = [s for s in classes if due(s, learner_id, signed_up)]
            per_learner.append(LearnerAttendance(
                learner_id=learner_id, name=name, course=course,
                attended=sum(1 for s in mine if (s.pk, learner_id) in came), held=len(mine),
                missed_last_two=len(last_two) == 2 and all(
                    due(s, learner_id, signed_up) and (s.pk, learner_id) not in came for s in last_two
                ),
            ))
    return TermAttendance(sessions=per_session, learners=per_learner)
