"""Read-only queries about courses and sessions, shared by pages and views."""

from datetime import datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from classes.models import ClassSession, CourseCategory, CourseIndexPage, CoursePage

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
