"""Read-only queries of the timetable: the week grid, personal timetables and calendar feeds."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from classes.courses.selectors import session_teachers, sessions_between
from classes.models import CalendarFeed, ClassSession, Enrolment, EnrolmentStatus, Learner, Teacher, Term

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
    joinable: bool = False  # today's class, not over, not cancelled: 去教室 is shown


@dataclass
class TimetableDay:
    day: date
    entries: list[TimetableEntry]


def _timetable_sessions(start: datetime, end: datetime) -> QuerySet[ClassSession]:
    """Cancelled ones too: a timetable says a class is off rather than leaving a gap."""
    return sessions_between(start, end).select_related("room", "series__need__teacher")


def _of_teacher(sessions: QuerySet[ClassSession], teacher: Teacher) -> QuerySet[ClassSession]:
    # This term's teacher (from the planner), or one of the course's teachers.
    return sessions.filter(series__need__teacher=teacher) | sessions.filter(course__in=teacher.courses.values("pk"))


def _of_learner(sessions: QuerySet[ClassSession], learner: Learner) -> QuerySet[ClassSession]:
    # A seat, not a waiting place: the classes the learner will actually go to.
    seats = Enrolment.objects.filter(learner=learner, status=EnrolmentStatus.ENROLLED).values("course_id")
    return sessions.filter(course_id__in=seats)


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


def sessions_of_term(*, term: Term):
    return ClassSession.objects.filter(series__need__term=term).select_related("course", "room").order_by("starts_at")
