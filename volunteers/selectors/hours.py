"""Volunteer service hours, from what the platform already records:

- calls: the minutes a volunteer logged for each call (CallLog.minutes);
- setup visits: the whole length of each setup visit time they were on duty for, if
  at least one learner checked in;
- in class: the time they spent in live classes in the volunteer role (Visit).

Each activity belongs to the period its start falls in. Everything is in minutes;
pages show hours.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from classes.models import RoomRole, Term, Visit
from volunteers.models import CallLog, SetupBooking, SetupSlot, Volunteer, VolunteerStatus

PERIOD_MONTH = "month"
PERIOD_TERM = "term"
PERIOD_ALL = "all"
PERIOD_CUSTOM = "custom"
PERIODS = (PERIOD_TERM, PERIOD_MONTH, PERIOD_ALL)

CATEGORY_CALLS = "calls"
CATEGORY_SETUP = "setup"
CATEGORY_CLASS = "in_class"


@dataclass(frozen=True)
class Period:
    """From `starts_on` to `ends_on`, both days included; None means open-ended."""

    kind: str
    starts_on: date | None = None
    ends_on: date | None = None
    term_name: str = ""

    @property
    def start(self) -> datetime | None:
        return timezone.make_aware(datetime.combine(self.starts_on, time.min)) if self.starts_on else None

    @property
    def end(self) -> datetime | None:
        """The first moment after the period (exclusive)."""
        if self.ends_on is None:
            return None
        return timezone.make_aware(datetime.combine(self.ends_on + timedelta(days=1), time.min))

    def filter(self, field_name: str) -> Q:
        q = Q()
        if self.start is not None:
            q &= Q(**{f"{field_name}__gte": self.start})
        if self.end is not None:
            q &= Q(**{f"{field_name}__lt": self.end})
        return q

    @property
    def label(self) -> str:
        if self.kind == PERIOD_ALL:
            return _("All time")
        if self.starts_on is None:
            return _("Until %(end)s") % {"end": self.ends_on.isoformat()}
        dates = _("%(start)s to %(end)s") % {"start": self.starts_on.isoformat(), "end": self.ends_on.isoformat()}
        if self.kind == PERIOD_TERM and self.term_name:
            return _("This term (%(term)s, %(dates)s)") % {"term": self.term_name, "dates": dates}
        if self.kind == PERIOD_TERM:
            return _("This term (%(dates)s)") % {"dates": dates}
        if self.kind == PERIOD_MONTH:
            return _("This month (%(dates)s)") % {"dates": dates}
        return dates


def _school_term_around(today: date) -> tuple[date, date]:
    """Without a term in the timetable: the school half-year, spring February–July and
    autumn August–January, which is how the centre's classes follow the schools."""
    if 2 <= today.month <= 7:
        return date(today.year, 2, 1), date(today.year, 7, 31)
    year = today.year if today.month >= 8 else today.year - 1
    return date(year, 8, 1), date(year + 1, 1, 31)


def period_for(*, kind: str = PERIOD_TERM, date_from: date | None = None, date_to: date | None = None,
               today: date | None = None) -> Period:
    """The period to count. Dates given win over `kind` (the form has checked them)."""
    today = today or timezone.localdate()
    if date_from or date_to:
        return Period(kind=PERIOD_CUSTOM, starts_on=date_from, ends_on=date_to)
    if kind == PERIOD_ALL:
        return Period(kind=PERIOD_ALL)
    if kind == PERIOD_MONTH:
        first = today.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        return Period(kind=PERIOD_MONTH, starts_on=first, ends_on=last)
    # This term: the one under way, else the last one that has begun (between terms the
    # hours of the term just ended are what a coordinator reports), else the half-year.
    term = (
        Term.objects.filter(starts_on__lte=today, ends_on__gte=today).order_by("-starts_on").first()
        or Term.objects.filter(starts_on__lte=today).order_by("-starts_on").first()
    )
    if term is not None:
        return Period(kind=PERIOD_TERM, starts_on=term.starts_on, ends_on=term.ends_on, term_name=term.name)
    starts_on, ends_on = _school_term_around(today)
    return Period(kind=PERIOD_TERM, starts_on=starts_on, ends_on=ends_on)


@dataclass
class Hours:
    calls: int = 0
    setup: int = 0
    in_class: int = 0

    @property
    def total(self) -> int:
        return self.calls + self.setup + self.in_class


def minutes_as_hours(minutes: int) -> float:
    return round(minutes / 60, 1)


# ---------------------------------------------------------------- the three sources


def _calls(period: Period, users=None):
    calls = CallLog.objects.filter(period.filter("called_at"))
    return calls.filter(volunteer__in=users) if users is not None else calls


def _setup_slots(period: Period, users=None):
    # A slot counts when someone came: a volunteer waiting in an empty room has given
    # their time too, but an empty slot cannot be told apart from one nobody staffed
    # (the duty is planned, not recorded), so only a check-in proves the visit happened.
    # Exists() rather than a join, so three check-ins do not count the slot three times.
    checked_in = SetupBooking.objects.filter(slot=OuterRef("pk"), checked_in_at__isnull=False)
    slots = SetupSlot.objects.filter(period.filter("starts_at"), Exists(checked_in), volunteer__isnull=False)
    return slots.filter(volunteer__in=users) if users is not None else slots


def _class_visits(period: Period, users=None):
    visits = Visit.objects.filter(
        period.filter("joined_at"), participant__role=RoomRole.VOLUNTEER, participant__user__isnull=False
    ).select_related("participant__session__course")
    return visits.filter(participant__user__in=users) if users is not None else visits


def _visit_end(visit: Visit, now: datetime) -> datetime:
    """An open visit (still in class, or the socket died without a goodbye and the sweep
    has not closed it yet) counts up to its last frame, the class's planned end or now,
    whichever is earliest: never past the last heartbeat."""
    if visit.left_at is not None:
        return visit.left_at
    return min(visit.participant.session.ends_at, now, visit.last_seen_at)


def _merged_minutes(intervals: list[tuple[datetime, datetime]]) -> int:
    """Minutes covered by the intervals, overlaps counted once: a volunteer with the
    class open on a phone and a laptop at once is one volunteer in class."""
    total = timedelta()
    current_start = current_end = None
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if current_end is None or start > current_end:
            if current_end is not None:
                total += current_end - current_start
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_end is not None:
        total += current_end - current_start
    return int(total.total_seconds() // 60)


def _class_minutes_by_user(period: Period, users=None, now: datetime | None = None) -> dict[int, int]:
    now = now or timezone.now()
    intervals = defaultdict(list)
    for visit in _class_visits(period, users):
        intervals[visit.participant.user_id].append((visit.joined_at, _visit_end(visit, now)))
    return {user_id: _merged_minutes(spans) for user_id, spans in intervals.items()}


# ---------------------------------------------------------------- one volunteer


def volunteer_hours(*, user, period: Period, now: datetime | None = None) -> Hours:
    """One person's minutes in each category, in three queries."""
    users = [user.pk]
    return Hours(
        calls=_calls(period, users).aggregate(total=Sum("minutes"))["total"] or 0,
        setup=_setup_slots(period, users).aggregate(total=Sum("minutes"))["total"] or 0,
        in_class=_class_minutes_by_user(period, users, now).get(user.pk, 0),
    )


@dataclass(frozen=True)
class Activity:
    at: datetime
    category: str
    description: str
    minutes: int

    @property
    def category_label(self) -> str:
        return category_label(self.category)


def category_label(category: str) -> str:
    return {
        CATEGORY_CALLS: _("Phone calls"),
        CATEGORY_SETUP: _("Setup visits"),
        CATEGORY_CLASS: _("Helping in class"),
    }[category]


def volunteer_activities(*, user, period: Period, limit: int | None = None,
                         now: datetime | None = None) -> list[Activity]:
    """What the hours are made of, newest first. Class visits are listed one per class,
    with overlapping visits (two devices) counted once, as in the totals."""
    now = now or timezone.now()
    users = [user.pk]
    activities = []
    for call in _calls(period, users).select_related("request__learner"):
        activities.append(Activity(
            at=call.called_at, category=CATEGORY_CALLS, minutes=call.minutes,
            description=_("Call with %(learner)s: %(outcome)s") % {
                "learner": call.request.learner.name, "outcome": call.get_outcome_display()},
        ))
    slots = _setup_slots(period, users).annotate(
        came=Count("bookings", filter=Q(bookings__checked_in_at__isnull=False))
    )
    for slot in slots:
        activities.append(Activity(
            at=slot.starts_at, category=CATEGORY_SETUP, minutes=slot.minutes,
            description=_("Setup visit at %(place)s, %(count)s learners came") % {
                "place": slot.place or _("the centre"), "count": slot.came},
        ))
    by_session = defaultdict(list)
    for visit in _class_visits(period, users):
        by_session[visit.participant.session].append((visit.joined_at, _visit_end(visit, now)))
    for session, spans in by_session.items():
        activities.append(Activity(
            at=min(start for start, _end in spans), category=CATEGORY_CLASS, minutes=_merged_minutes(spans),
            description=_("Helped in class: %(course)s") % {"course": session.course.title},
        ))
    activities.sort(key=lambda activity: activity.at, reverse=True)
    return activities[:limit] if limit else activities


# ---------------------------------------------------------------- the centre


@dataclass
class VolunteerHoursRow:
    user_id: int
    name: str
    hours: Hours = field(default_factory=Hours)


@dataclass
class CentreHours:
    period: Period
    rows: list[VolunteerHoursRow]

    @property
    def total(self) -> Hours:
        return Hours(
            calls=sum(row.hours.calls for row in self.rows),
            setup=sum(row.hours.setup for row in self.rows),
            in_class=sum(row.hours.in_class for row in self.rows),
        )


def centre_hours(*, period: Period, now: datetime | None = None) -> CentreHours:
    """Every approved volunteer (nothing done = a row of zeros), and anyone else with
    service hours in the period (a coordinator who took calls), most hours first."""
    rows: dict[int, VolunteerHoursRow] = {}

    def row(user_id: int) -> VolunteerHoursRow:
        if user_id not in rows:
            rows[user_id] = VolunteerHoursRow(user_id=user_id, name="")
        return rows[user_id]

    for user_id in Volunteer.objects.filter(status=VolunteerStatus.APPROVED).values_list("user_id", flat=True):
        row(user_id)
    for item in _calls(period).values("volunteer").annotate(total=Sum("minutes")):
        row(item["volunteer"]).hours.calls = item["total"] or 0
    for item in _setup_slots(period).values("volunteer").annotate(total=Sum("minutes")):
        row(item["volunteer"]).hours.setup = item["total"] or 0
    for user_id, minutes in _class_minutes_by_user(period, now=now).items():
        row(user_id).hours.in_class = minutes

    profiles = dict(Volunteer.objects.filter(user_id__in=rows).values_list("user_id", "name"))
    for user in get_user_model().objects.filter(pk__in=rows):
        rows[user.pk].name = profiles.get(user.pk) or user.get_full_name() or user.get_username()
    ordered = sorted(rows.values(), key=lambda r: (-r.hours.total, r.name))
    return CentreHours(period=period, rows=ordered)


# ---------------------------------------------------------------- the chart


@dataclass(frozen=True)
class Bar:
    name: str
    hours: float
    y: int
    text_y: int
    width: float


# The chart's own units: text at 20 units stays readable on a 320 px phone.
CHART_WIDTH = 320
CHART_ROW = 64
CHART_BAR_HEIGHT = 20
CHART_TEXT_BASELINE = 24


def hours_chart(*, centre: CentreHours) -> dict:
    """Bars for a server-drawn SVG: one row per volunteer, name above a bar as long as their hours."""
    longest = max((row.hours.total for row in centre.rows), default=0)
    bars = []
    for index, row in enumerate(centre.rows):
        top = index * CHART_ROW
        width = CHART_WIDTH * row.hours.total / longest if longest else 0
        bars.append(Bar(name=row.name, hours=minutes_as_hours(row.hours.total), text_y=top + CHART_TEXT_BASELINE,
                        y=top + CHART_TEXT_BASELINE + 8, width=round(max(width, 2 if row.hours.total else 0), 1)))
    return {"bars": bars, "width": CHART_WIDTH, "height": max(len(bars), 1) * CHART_ROW,
            "bar_height": CHART_BAR_HEIGHT}

