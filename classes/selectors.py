"""Read-only queries about courses and sessions, shared by pages and views."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import Count, QuerySet
from django.utils import timezone

from classes.models import (
    ClassSession,
    CourseCategory,
    CourseIndexPage,
    CoursePage,
    Enrolment,
    EnrolmentStatus,
    Learner,
    SeatPool,
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
