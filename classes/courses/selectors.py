"""Read-only queries about courses, sessions, enrolments and rosters."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from classes.models import (
    ClassSession,
    CourseIndexPage,
    CoursePage,
    Enrolment,
    EnrolmentStatus,
    Learner,
    Teacher,
)
from core.roles import user_is_coordinator

# The home page looks a week ahead: the classes a learner plans around.
WEEK_AHEAD = timedelta(days=7)
# The longest class lasts 8 hours: a room its teacher forgot to end is not "正在上课" the next day.
LIVE_AT_MOST = timedelta(hours=8)
# A class that began up to this long ago can still be the one a late learner joins.
LATE_BY_AT_MOST = timedelta(hours=8)


def course_index_page() -> CourseIndexPage | None:
    return CourseIndexPage.objects.live().first()


def sessions_between(start: datetime, end: datetime) -> QuerySet[ClassSession]:
    return (
        ClassSession.objects.filter(starts_at__gte=start, starts_at__lt=end, course__live=True)
        .select_related("course", "course__category")
        .prefetch_related("course__teachers")
        .order_by("starts_at")
    )


def sessions_this_week(*, now: datetime | None = None) -> tuple[list[ClassSession], list[ClassSession]]:
    """Today's sessions still to finish, and those of the following seven days."""
    now = now or timezone.now()
    local_now = timezone.localtime(now)
    tomorrow = timezone.make_aware(datetime.combine(local_now.date() + timedelta(days=1), time.min))
    # A class that started a moment ago is still worth showing: a learner may be late.
    today = [s for s in sessions_between(now - timedelta(hours=3), tomorrow) if s.ends_at > now]
    week = list(sessions_between(tomorrow, tomorrow + WEEK_AHEAD))
    return today, week


def waitlist_position(*, enrolment: Enrolment) -> int | None:
    """1 for the first in line; None when the learner has a seat or has left."""
    if enrolment.status != EnrolmentStatus.WAITLISTED:
        return None
    ahead = Enrolment.objects.filter(
        course_id=enrolment.course_id, pool=enrolment.pool, status=EnrolmentStatus.WAITLISTED, pk__lt=enrolment.pk
    ).count()
    return ahead + 1


@dataclass
class LearnerCourse:
    """One of a learner's courses as 我的课程 and the course page show it."""

    enrolment: Enrolment
    next_session: ClassSession | None  # the live class when there is one, else the next
    waitlist_position: int | None
    is_live: bool = False  # its teacher has started the class and not ended it: 正在上课


def _learner_course_rows(enrolments: list[Enrolment], now: datetime) -> list[LearnerCourse]:
    """Each enrolment's live or next class and waiting place, in two queries however many
    courses the learner is in (the rules are those of session_live_for_course,
    session_next_for_course and waitlist_position, applied to rows fetched together)."""
    course_ids = {enrolment.course_id for enrolment in enrolments}
    if not course_ids:
        return []
    live, upcoming = {}, {}
    sessions = ClassSession.objects.filter(
        Q(live_started_at__gte=now - LIVE_AT_MOST, live_ended_at__isnull=True)
        | Q(starts_at__gte=now - LATE_BY_AT_MOST, cancelled_at__isnull=True),
        course_id__in=course_ids,
    ).order_by("starts_at")
    for session in sessions:
        if _is_live(session, now) and (session.course_id not in live
                                       or session.live_started_at > live[session.course_id].live_started_at):
            live[session.course_id] = session
        if (session.course_id not in upcoming and session.cancelled_at is None
                and session.starts_at >= now - LATE_BY_AT_MOST and session.ends_at > now):
            upcoming[session.course_id] = session
    courses = {enrolment.course_id: enrolment.course for enrolment in enrolments}
    for session in (*live.values(), *upcoming.values()):
        session.course = courses[session.course_id]  # already here: the page shows its title
    positions = {}
    if any(enrolment.status == EnrolmentStatus.WAITLISTED for enrolment in enrolments):
        in_line = {}
        waiting = Enrolment.objects.filter(course_id__in=course_ids, status=EnrolmentStatus.WAITLISTED)
        for pk, course_id, pool in waiting.order_by("pk").values_list("pk", "course_id", "pool"):
            positions[pk] = in_line[course_id, pool] = in_line.get((course_id, pool), 0) + 1
    return [
        LearnerCourse(enrolment, live.get(enrolment.course_id) or upcoming.get(enrolment.course_id),
                      positions.get(enrolment.pk), is_live=enrolment.course_id in live)
        for enrolment in enrolments
    ]


def learner_courses(*, learner: Learner, now: datetime | None = None) -> list[LearnerCourse]:
    """The learner's current courses for 我的课程, soonest class first."""
    now = now or timezone.now()
    enrolments = (
        Enrolment.objects.filter(learner=learner, course__live=True)
        .exclude(status=EnrolmentStatus.WITHDRAWN)
        .select_related("course")  # its title and its class; 我的课程 shows no more of it
    )
    rows = _learner_course_rows(list(enrolments), now)
    far_future = now + timedelta(days=3650)
    return sorted(rows, key=lambda row: row.next_session.starts_at if row.next_session else far_future)


def learner_course(*, learner: Learner | None, course: CoursePage, now: datetime | None = None) -> LearnerCourse | None:
    """The learner's place in this course (a seat or a waiting place), or None if they have none."""
    if learner is None:
        return None
    enrolment = (
        Enrolment.objects.filter(learner=learner, course=course).exclude(status=EnrolmentStatus.WITHDRAWN)
        .select_related("course").first()
    )
    return _learner_course_rows([enrolment], now or timezone.now())[0] if enrolment else None


def _is_live(session: ClassSession, now: datetime) -> bool:
    return (session.live_started_at is not None and session.live_started_at >= now - LIVE_AT_MOST
            and session.live_ended_at is None)


def session_live_for_course(*, course: CoursePage, now: datetime | None = None) -> ClassSession | None:
    """The course's class its teacher has started and not yet ended, if any."""
    now = now or timezone.now()
    return (
        course.sessions.filter(live_started_at__gte=now - LIVE_AT_MOST, live_ended_at__isnull=True)
        .order_by("-live_started_at").first()
    )


def learner_text_number(*, learner: Learner) -> str:
    """The mobile number a learner's text messages go to: a child's go to the guardian's phone."""
    return learner.guardian_phone or learner.phone


def session_next_for_course(*, course: CoursePage, now: datetime | None = None) -> ClassSession | None:
    """The class happening now or next: a learner who is a little late still gets in. A
    cancelled class is never the next one (the timetable shows it, crossed out)."""
    now = now or timezone.now()
    sessions = course.sessions.filter(starts_at__gte=now - LATE_BY_AT_MOST, cancelled_at__isnull=True)
    for session in sessions.order_by("starts_at")[:4]:
        if session.ends_at > now:
            return session
    return None


def teacher_courses(*, user) -> list[CoursePage]:
    teacher = getattr(user, "teacher", None) if user.is_authenticated else None
    if teacher is None:
        return []
    return list(teacher.courses.live().order_by("path"))


def user_may_see_roster(*, user, course: CoursePage) -> bool:
    if user_is_coordinator(user):
        return True
    teacher = getattr(user, "teacher", None) if user.is_authenticated else None
    return teacher is not None and course.teachers.filter(pk=teacher.pk).exists()


@dataclass
class RosterRow:
    enrolment: Enrolment
    waitlist_position: int | None


def course_roster(*, course: CoursePage) -> list[RosterRow]:
    """Everyone enrolled or waiting, by pool: seats first, then the waiting list in order."""
    enrolments = (
        Enrolment.objects.filter(course=course)
        .exclude(status=EnrolmentStatus.WITHDRAWN)
        .select_related("learner")
        .order_by("pool", "status", "pk")
    )
    rows, waiting = [], {}
    for enrolment in enrolments:
        position = None
        if enrolment.status == EnrolmentStatus.WAITLISTED:
            waiting[enrolment.pool] = position = waiting.get(enrolment.pool, 0) + 1
        rows.append(RosterRow(enrolment, position))
    return rows


def session_teachers(session: ClassSession) -> list[Teacher]:
    """Who teaches this session: the term's teacher when the planner placed it, else the course's."""
    if session.series_id and session.series.need.teacher_id:
        return [session.series.need.teacher]
    return list(session.course.teachers.all())


def courses_matching_text(*, query: str) -> QuerySet[CoursePage]:
    """Courses whose title, summary, category or teacher contains a word of `query`
    (Chinese is written without spaces, so a full-text index misses words inside a sentence)."""
    words = [word for word in query.split() if word]
    match = Q()
    for word in words:
        match |= (
            Q(title__icontains=word)
            | Q(summary__icontains=word)
            | Q(category__name__icontains=word)
            | Q(teachers__name__icontains=word)
        )
    return CoursePage.objects.live().public().filter(match).distinct().order_by("path")
