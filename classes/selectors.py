"""Read-only queries about courses and sessions, shared by pages and views."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, QuerySet
from django.utils import timezone

from classes.models import (
    CalendarFeed,
    ClassSession,
    CourseCategory,
    CourseIndexPage,
    CoursePage,
    Enrolment,
    EnrolmentStatus,
    Learner,
    SeatPool,
    Teacher,
)
from classes.roles import COORDINATORS

# The home page looks a week ahead: the classes a learner plans around.
WEEK_AHEAD = timedelta(days=7)
# How many upcoming sessions a course page lists.
COURSE_PAGE_SESSIONS = 6


def course_index_page() -> CourseIndexPage | None:
    return CourseIndexPage.objects.live().first()


def courses_live(*, category: CourseCategory | None = None) -> QuerySet[CoursePage]:
    courses = CoursePage.objects.live().select_related("category").prefetch_related("teachers__photo")
    if category is not None:
        courses = courses.filter(category=category)
    return courses.order_by("category__sort_order", "path")


def course_categories_in_use() -> list[CourseCategory]:
    return list(CourseCategory.objects.filter(courses__live=True).distinct())


def _sessions_between(start: datetime, end: datetime) -> QuerySet[ClassSession]:
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
    today = [s for s in _sessions_between(now - timedelta(hours=3), tomorrow) if s.ends_at > now]
    week = list(_sessions_between(tomorrow, tomorrow + WEEK_AHEAD))
    return today, week


def sessions_upcoming_for_course(*, course: CoursePage, now: datetime | None = None) -> list[ClassSession]:
    now = now or timezone.now()
    return list(course.sessions.filter(starts_at__gte=now).order_by("starts_at")[:COURSE_PAGE_SESSIONS])


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
    enrolment: Enrolment
    next_session: ClassSession | None
    waitlist_position: int | None
    unread: int = 0


def learner_courses(*, learner: Learner, now: datetime | None = None) -> list[LearnerCourse]:
    """The learner's current courses for 我的课程, soonest class first."""
    now = now or timezone.now()
    enrolments = (
        Enrolment.objects.filter(learner=learner, course__live=True)
        .exclude(status=EnrolmentStatus.WITHDRAWN)
        .select_related("course", "course__category")
        .prefetch_related("course__teachers")
    )
    rows = []
    for enrolment in enrolments:
        from classes.groups import unread_count

        next_session = session_next_for_course(course=enrolment.course, now=now)
        unread = unread_count(course=enrolment.course, learner=learner) if enrolment.status == EnrolmentStatus.ENROLLED else 0
        rows.append(LearnerCourse(enrolment, next_session, waitlist_position(enrolment=enrolment), unread))
    far_future = now + timedelta(days=3650)
    return sorted(rows, key=lambda row: row.next_session.starts_at if row.next_session else far_future)


def session_next_for_course(*, course: CoursePage, now: datetime | None = None) -> ClassSession | None:
    """The class happening now or next: a learner who is a little late still gets in."""
    now = now or timezone.now()
    for session in course.sessions.filter(starts_at__gte=now - timedelta(hours=8)).order_by("starts_at")[:4]:
        if session.ends_at > now:
            return session
    return None


def learner_may_attend(*, learner: Learner, course: CoursePage) -> bool:
    return Enrolment.objects.filter(learner=learner, course=course, status=EnrolmentStatus.ENROLLED).exists()


def teacher_courses(*, user) -> list[CoursePage]:
    teacher = getattr(user, "teacher", None) if user.is_authenticated else None
    if teacher is None:
        return []
    return list(teacher.courses.live().order_by("path"))


def user_is_coordinator(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.groups.filter(name=COORDINATORS).exists())


def user_may_see_roster(*, user, course: CoursePage) -> bool:
    if user_is_coordinator(user):
        return True
    teacher = getattr(user, "teacher", None) if user.is_authenticated else None
    return teacher is not None and course.teachers.filter(pk=teacher.pk).exists()


@dataclass
class RosterRow:
    enrolment: Enrolment
    waitlist_position: int | None
    # Filled in by the roster page from volunteers.selectors.readiness (learners with a seat).
    readiness: object | None = None


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


def seats_summary(*, course: CoursePage) -> dict[str, dict[str, int]]:
    """Per pool: capacity, seats taken, seats free and how many are waiting."""
    counts = {
        (row["pool"], row["status"]): row["n"]
        for row in Enrolment.objects.filter(course=course).values("pool", "status").annotate(n=Count("pk"))
    }
    summary = {}
    for pool in SeatPool.values:
        capacity = course.seats_in(pool)
        taken = counts.get((pool, EnrolmentStatus.ENROLLED), 0)
        summary[pool] = {
            "capacity": capacity,
            "taken": taken,
            "free": max(capacity - taken, 0),
            "waiting": counts.get((pool, EnrolmentStatus.WAITLISTED), 0),
        }
    return summary


# ---------------------------------------------------------------- timetables and calendar feeds

# A calendar keeps the last month, so a learner can look back at what they went to.
FEED_PAST = timedelta(days=30)
# Longer than any term, so a feed holds the whole published timetable.
FEED_AHEAD = timedelta(days=366)
# The personal timetables look two months ahead: about half a term.
TIMETABLE_AHEAD = timedelta(weeks=8)
# The longest class lasts 8 hours; one that began that long ago may still be on.
LONGEST_CLASS = timedelta(hours=8)


@dataclass
class TimetableEntry:
    session: ClassSession
    teachers: list[Teacher]
    day: date  # in the centre's time zone, for grouping by day
    joinable: bool = False  # today's class, not over, not cancelled: 进入课堂 is shown


@dataclass
class TimetableDay:
    day: date
    entries: list[TimetableEntry]


def _timetable_sessions(start: datetime, end: datetime) -> QuerySet[ClassSession]:
    """Cancelled ones too: a timetable says a class is off rather than leaving a gap."""
    return _sessions_between(start, end).select_related("room", "series__need__teacher")


def _of_teacher(sessions: QuerySet[ClassSession], teacher: Teacher) -> QuerySet[ClassSession]:
    # This term's teacher (from the planner), or one of the course's teachers.
    return sessions.filter(series__need__teacher=teacher) | sessions.filter(course__in=teacher.courses.values("pk"))


def _of_learner(sessions: QuerySet[ClassSession], learner: Learner) -> QuerySet[ClassSession]:
    # A seat, not a waiting place: the classes the learner will actually go to.
    seats = Enrolment.objects.filter(learner=learner, status=EnrolmentStatus.ENROLLED).values("course_id")
    return sessions.filter(course_id__in=seats)


def session_teachers(session: ClassSession) -> list[Teacher]:
    """Who teaches this session: the term's teacher when the planner placed it, else the course's."""
    if session.series_id and session.series.need.teacher_id:
        return [session.series.need.teacher]
    return list(session.course.teachers.all())


def _entries(sessions, now: datetime) -> list[TimetableEntry]:
    today = timezone.localdate(now)
    entries = []
    for session in sessions:
        day = timezone.localdate(session.starts_at)
        joinable = day == today and not session.is_cancelled and session.ends_at > now
        entries.append(TimetableEntry(session, session_teachers(session), day, joinable))
    return entries


def sessions_for_feed(*, feed: CalendarFeed, now: datetime | None = None) -> list[ClassSession]:
    """A calendar feed's classes, from a month ago on, cancelled ones included."""
    now = now or timezone.now()
    sessions = _timetable_sessions(now - FEED_PAST, now + FEED_AHEAD)
    if feed.course_id:
        return list(sessions.filter(course_id=feed.course_id))
    if feed.teacher_id:
        return list(_of_teacher(sessions, feed.teacher))
    return list(_of_learner(sessions, feed.learner))


def week_monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def timetable_week(*, monday: date, now: datetime | None = None) -> list[TimetableDay]:
    """Monday to Sunday of one week, every day listed, with that day's classes."""
    now = now or timezone.now()
    start = timezone.make_aware(datetime.combine(monday, time.min))
    by_day = {monday + timedelta(days=n): [] for n in range(7)}
    for entry in _entries(_timetable_sessions(start, start + timedelta(days=7)), now):
        by_day[entry.day].append(entry)
    return [TimetableDay(day, entries) for day, entries in by_day.items()]


def _upcoming(sessions: QuerySet[ClassSession], now: datetime) -> list[TimetableEntry]:
    return _entries([s for s in sessions if s.ends_at > now], now)


def teacher_timetable(*, teacher: Teacher, now: datetime | None = None) -> list[TimetableEntry]:
    """The teacher's classes of the next eight weeks, one still on included."""
    now = now or timezone.now()
    return _upcoming(_of_teacher(_timetable_sessions(now - LONGEST_CLASS, now + TIMETABLE_AHEAD), teacher), now)


def learner_timetable(*, learner: Learner, now: datetime | None = None) -> list[TimetableEntry]:
    """The classes of the learner's courses in the next eight weeks, one still on included."""
    now = now or timezone.now()
    return _upcoming(_of_learner(_timetable_sessions(now - LONGEST_CLASS, now + TIMETABLE_AHEAD), learner), now)
