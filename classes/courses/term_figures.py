"""The coordinators' term overview, courses' side: which term, its courses, and their seats.

Every function here runs a fixed number of queries however many courses, learners and
classes the term has (the overview must stay quick in the busiest week)."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from classes.models import ClassSession, CourseNeed, CoursePage, Enrolment, Room, SeatPool, SessionMode, Term


@dataclass(frozen=True)
class TermChoice:
    """The term shown and the terms a coordinator may switch to, newest first."""

    term: Term | None
    terms: list[Term]


def term_choose(*, term_id: int | None = None, today: date | None = None) -> TermChoice:
    """The term asked for (?term=<id>), else the one under way today, else the latest; one query."""
    today = today or timezone.localdate()
    terms = list(Term.objects.order_by("-starts_on", "-pk"))
    chosen = next((term for term in terms if term.pk == term_id), None) if term_id is not None else None
    if chosen is None:
        chosen = next((term for term in terms if term.starts_on <= today <= term.ends_on), None)
    if chosen is None and terms:
        chosen = terms[0]
    return TermChoice(term=chosen, terms=terms)


def term_bounds(term: Term) -> tuple[datetime, datetime]:
    """From the first moment of the term's first day to the first moment after its last, local time."""
    start = timezone.make_aware(datetime.combine(term.starts_on, time.min))
    end = timezone.make_aware(datetime.combine(term.ends_on + timedelta(days=1), time.min))
    return start, end


def term_sessions(term: Term):
    """The classes dated in the term, cancelled ones too (callers choose)."""
    start, end = term_bounds(term)
    return ClassSession.objects.filter(starts_at__gte=start, starts_at__lt=end, course__live=True)


@dataclass
class TermCourses:
    """The term's courses: those the planner was told of (CourseNeed) and those with a class
    in the term's dates (classes added by hand have no CourseNeed), in the course list's order;
    and the room each meets in at the centre, when it has one."""

    courses: list[CoursePage]
    rooms: dict[int, Room] = field(default_factory=dict)


def term_courses(*, term: Term) -> TermCourses:
    """Four queries."""
    rooms: dict[int, Room] = {}
    course_ids = set()
    for need in CourseNeed.objects.filter(term=term).select_related("room"):
        course_ids.add(need.course_id)
        if need.room is not None and need.mode != SessionMode.ONLINE:
            rooms[need.course_id] = need.room
    # A class's own room wins when the planner gave it another room than the one wished for.
    in_rooms = term_sessions(term).filter(room__isnull=False).select_related("room").order_by("starts_at")
    for session in in_rooms:
        rooms[session.course_id] = session.room
    course_ids |= set(term_sessions(term).order_by().values_list("course_id", flat=True).distinct())
    courses = list(CoursePage.objects.live().filter(pk__in=course_ids).order_by("path"))
    return TermCourses(courses=courses, rooms={pk: room for pk, room in rooms.items() if pk in course_ids})


@dataclass(frozen=True)
class CourseSeats:
    """One course's seats, as the roster says them ("Online: x of y seats taken, z waiting")."""

    course: CoursePage
    online: dict[str, int]   # capacity, taken, free, waiting (CoursePage.seats_summary)
    centre: dict[str, int]
    room: Room | None
    online_room_holds: int | None  # how many the live room carries; None when it has no limit
    notes: list[str]

    @property
    def seated(self) -> int:
        return self.online["taken"] + self.centre["taken"]


@dataclass(frozen=True)
class SeatTotals:
    online_taken: int
    online_capacity: int
    online_waiting: int
    centre_taken: int
    centre_capacity: int
    centre_waiting: int


def _seat_notes(course: CoursePage, seats: dict, room: Room | None, online_room_holds: int | None) -> list[str]:
    """What a coordinator should act on, in words (never a colour alone)."""
    notes = []
    if room is not None and course.centre_seats > room.capacity:
        notes.append(_("%(room)s holds %(capacity)s, but the course has %(seats)s seats at the centre.") % {
            "room": room.name, "capacity": room.capacity, "seats": course.centre_seats})
    if online_room_holds is not None and seats[SeatPool.ONLINE]["taken"] > online_room_holds:
        notes.append(_("%(count)s learners online, but the live room can carry %(most)s without the video server.")
                     % {"count": seats[SeatPool.ONLINE]["taken"], "most": online_room_holds})
    for pool, label in ((SeatPool.ONLINE, _("online")), (SeatPool.CENTRE, _("at the centre"))):
        if seats[pool]["waiting"] and seats[pool]["free"]:
            notes.append(_("%(free)s seats free %(where)s while %(waiting)s wait: check the waiting list.") % {
                "free": seats[pool]["free"], "where": label, "waiting": seats[pool]["waiting"]})
    return notes


def term_seats(*, term_courses: TermCourses, online_room_holds: int | None = None) -> list[CourseSeats]:
    """Each course's seats taken against capacity and its waiting lists, in one query."""
    counts: dict[int, dict[tuple[str, str], int]] = {course.pk: {} for course in term_courses.courses}
    grouped = (
        Enrolment.objects.filter(course_id__in=counts).values("course_id", "pool", "status").annotate(n=Count("pk"))
    )
    for row in grouped:
        counts[row["course_id"]][row["pool"], row["status"]] = row["n"]
    rows = []
    for course in term_courses.courses:
        seats = course.seats_summary(counts=counts[course.pk])
        room = term_courses.rooms.get(course.pk)
        rows.append(CourseSeats(
            course=course, online=seats[SeatPool.ONLINE], centre=seats[SeatPool.CENTRE], room=room,
            online_room_holds=online_room_holds, notes=_seat_notes(course, seats, room, online_room_holds),
        ))
    return rows


def seat_totals(rows: list[CourseSeats]) -> SeatTotals:
    return SeatTotals(
        online_taken=sum(r.online["taken"] for r in rows), online_capacity=sum(r.online["capacity"] for r in rows),
        online_waiting=sum(r.online["waiting"] for r in rows),
        centre_taken=sum(r.centre["taken"] for r in rows), centre_capacity=sum(r.centre["capacity"] for r in rows),
        centre_waiting=sum(r.centre["waiting"] for r in rows),
    )


def sessions_counted(*, term: Term, now: datetime | None = None) -> dict[str, int]:
    """How many classes the term plans, how many are held so far and how many were cancelled."""
    now = now or timezone.now()
    return term_sessions(term).aggregate(
        planned=Count("pk", filter=Q(cancelled_at__isnull=True)),
        held=Count("pk", filter=Q(live_started_at__isnull=False, live_started_at__lte=now)),
        cancelled=Count("pk", filter=Q(cancelled_at__isnull=False)),
    )
