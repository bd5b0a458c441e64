"""The planner's proposal: a term's weekly times from what courses need and when teachers
are free, worked out by the engine (classes/timetable/engine.py), with each course it
cannot place explained in a sentence, and the weeks that differ: classes moved for a week
because their teacher is away that day."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from classes.models import (
    AvailabilityException,
    AvailabilitySlot,
    CourseNeed,
    ExceptionKind,
    Room,
    Term,
    TimetableSlot,
    Weekday,
)
from classes.models.timetable import minutes_of, time_of
from classes.timetable import engine


def free_time(*, teacher_ids) -> dict[int, list[engine.Interval]]:
    """Each teacher's weekly free stretches, as the proposal engine reads them."""
    free: dict[int, list[engine.Interval]] = {teacher_id: [] for teacher_id in teacher_ids}
    for slot in AvailabilitySlot.objects.filter(teacher_id__in=teacher_ids):
        free[slot.teacher_id].append(engine.Interval(slot.weekday, minutes_of(slot.starts), minutes_of(slot.ends)))
    return free


def term_first_monday(term: Term) -> date:
    return term.starts_on - timedelta(days=term.starts_on.weekday())


def term_date(*, term: Term, week: int, weekday: int) -> date:
    """The date of a weekday in a week of the term (week 0 holds its first day)."""
    return term_first_monday(term) + timedelta(days=7 * week + weekday)


def term_weeks(*, term: Term, teacher_ids) -> engine.TermWeeks:
    """The term's dates as the engine reads them: its weeks, the days without classes
    (holidays, and days of the first and last week outside the term) and the teachers'
    away days and extra free time on its dates."""
    monday = term_first_monday(term)
    count = (term.ends_on - monday).days // 7 + 1
    holidays = term.holiday_dates()
    closed = set()
    for week in range(count):
        for weekday in range(7):
            day = monday + timedelta(days=7 * week + weekday)
            if day < term.starts_on or day > term.ends_on or day in holidays:
                closed.add((week, weekday))
    changes = []
    for exception in AvailabilityException.objects.filter(
        teacher_id__in=teacher_ids, date__gte=term.starts_on, date__lte=term.ends_on
    ).order_by("date", "starts", "pk"):
        start, end = (
            engine.WHOLE_DAY if exception.all_day else (minutes_of(exception.starts), minutes_of(exception.ends))
        )
        changes.append(engine.DatedChange(
            week=(exception.date - monday).days // 7, teacher=exception.teacher_id,
            interval=engine.Interval(exception.date.weekday(), start, end), away=exception.kind == ExceptionKind.AWAY,
        ))
    return engine.TermWeeks(count=count, closed=frozenset(closed), changes=tuple(changes))


def hhmm(minutes: int) -> str:
    return time_of(minutes).strftime("%H:%M")


def day_name(weekday: int) -> str:
    return str(Weekday(weekday).label)


# ------------------------------------------------------------------ proposal


def _engine_need(need: CourseNeed) -> engine.Need:
    preferred = None
    if need.preferred_from and need.preferred_to:
        preferred = (minutes_of(need.preferred_from), minutes_of(need.preferred_to))
    return engine.Need(
        key=need.pk,
        teacher=need.teacher_id,
        sessions=need.sessions_per_week,
        duration=need.duration_minutes,
        preferred=preferred,
        seats=need.course.centre_seats if need.in_centre else 0,
        room=need.room_id if need.in_centre else None,
    )


def reason_text(*, need: CourseNeed, reason: engine.Reason, needs: dict[int, CourseNeed]) -> str:
    """The sentence a coordinator reads for a course the proposal could not place."""
    teacher = need.teacher.name
    if reason.code == engine.Blocked.NO_FREE_TIME:
        return _("%(teacher)s has not given any free time yet.") % {"teacher": teacher}
    if reason.code == engine.Blocked.TOO_SHORT:
        return _("A class lasts %(duration)s minutes, but %(teacher)s's longest free stretch is %(longest)s minutes.") % {
            "duration": need.duration_minutes, "teacher": teacher, "longest": reason.value,
        }
    if reason.code == engine.Blocked.TOO_FEW_DAYS:
        return _(
            "The course meets %(sessions)s times a week on different days, but %(teacher)s is free on only %(days)s days."
        ) % {"sessions": need.sessions_per_week, "teacher": teacher, "days": reason.value}
    if reason.code == engine.Blocked.NO_ROOM:
        return _("%(seats)s seats at the centre are needed, but the largest room holds %(largest)s.") % {
            "seats": need.course.centre_seats, "largest": reason.value,
        }
    others = "、".join(str(needs[key].course) for key in reason.blocked_by if key in needs)
    return _("Every time %(teacher)s is free is already taken by: %(others)s. Add free time or move one of them.") % {
        "teacher": teacher, "others": others or _("other courses"),
    }


@dataclass
class ProposalResult:
    slots: list[TimetableSlot] = field(default_factory=list)
    problems: list[tuple[CourseNeed, str]] = field(default_factory=list)
    # Proven best by the solver; False when its time limit ran out first.
    proven: bool = True


def _term_needs(term: Term) -> list[CourseNeed]:
    return list(term.needs.select_related("course", "teacher", "room").order_by("sort_order", "pk"))


def timetable_propose(*, term: Term) -> ProposalResult:
    """Replace the term's draft weekly times with a new proposal."""
    if term.published_at:
        raise ValidationError(_("This term's timetable is published. Move or cancel single classes instead."))
    needs = _term_needs(term)
    if not needs:
        raise ValidationError(_("Add the courses this term first: each needs a teacher, how often and how long."))
    by_key = {need.pk: need for need in needs}
    teacher_ids = {need.teacher_id for need in needs}
    proposal = engine.propose(
        needs=[_engine_need(need) for need in needs],
        free_time=free_time(teacher_ids=teacher_ids),
        rooms=dict(Room.objects.values_list("pk", "capacity")),
        time_limit=settings.TIMETABLE_SOLVER_SECONDS,
        weeks=term_weeks(term=term, teacher_ids=teacher_ids),
    )
    result = ProposalResult(proven=proposal.proven)
    with transaction.atomic():
        TimetableSlot.objects.filter(need__term=term).delete()
        result.slots = TimetableSlot.objects.bulk_create(
            TimetableSlot(need_id=p.need, weekday=p.weekday, starts=time_of(p.start), room_id=p.room)
            for p in proposal.placements
        )
    result.problems = [
        (by_key[key], reason_text(need=by_key[key], reason=reason, needs=by_key))
        for key, reason in sorted(proposal.unplaced.items())
    ]
    return result


def timetable_problems(*, term: Term, hint_before_proposal: bool = True) -> list[tuple[CourseNeed, str]]:
    """Courses of the term without all their weekly times, with the reason the engine gives
    or the hint to add the missing ones by hand. hint_before_proposal=False leaves the hint out
    while the term has no weekly time yet (the planner page before 自动排课); publishing
    names every course all the same."""
    needs = _term_needs(term)
    counts = {need.pk: 0 for need in needs}
    for slot in TimetableSlot.objects.filter(need__term=term):
        counts[slot.need_id] += 1
    missing = [need for need in needs if counts[need.pk] < need.sessions_per_week]
    if not missing:
        return []
    # "Add the missing ones by hand" is for a course a proposal left short. A term with no
    # weekly time at all has had no proposal yet: every course is short, and the hint would
    # only say what 自动排课 is for. Reasons that would stop a proposal are said all the same.
    hint = hint_before_proposal or any(counts.values())
    by_key = {need.pk: need for need in needs}
    free = free_time(teacher_ids={need.teacher_id for need in missing})
    rooms = dict(Room.objects.values_list("pk", "capacity"))
    problems = []
    for need in missing:
        reason = engine.unplaceable_reason(need=_engine_need(need), free_time=free, rooms=rooms)
        if reason is None:
            if not hint:
                continue
            text = _("%(course)s has %(placed)s of its %(needed)s weekly classes. Add the missing ones by hand.") % {
                "course": need.course, "placed": counts[need.pk], "needed": need.sessions_per_week,
            }
        else:
            text = reason_text(need=need, reason=reason, needs=by_key)
        problems.append((need, text))
    return problems




# ------------------------------------------------------------------ weeks that differ


@dataclass(frozen=True)
class WeekChange:
    """One week's class of a weekly time that its teacher misses, and where it goes instead."""

    slot: TimetableSlot
    missed_on: date
    moved_on: date | None  # None: the teacher is free at no other time that week
    moved_starts: time | None = None
    moved_room: Room | None = None


def timetable_week_changes(*, term: Term) -> list[WeekChange]:
    """The classes of the term's weekly times that fall where their teacher is away, each
    with the time that week the engine moves it to, in date order. Worked out from the
    weekly times as they are now, so hand edits and newly entered away days count."""
    slots = list(TimetableSlot.objects.filter(need__term=term).select_related("need__course", "need__teacher", "room"))
    if not slots:
        return []
    needs = {slot.need_id: slot.need for slot in slots}
    teacher_ids = {need.teacher_id for need in needs.values()}
    by_place = {(slot.need_id, slot.weekday, slot.start_minute): slot for slot in slots}
    rooms = Room.objects.in_bulk()
    makeups = engine.makeups(
        placements=[engine.Placement(s.need_id, s.weekday, s.start_minute, s.end_minute, s.room_id) for s in slots],
        needs={key: _engine_need(need) for key, need in needs.items()},
        free_time=free_time(teacher_ids=teacher_ids),
        rooms={room.pk: room.capacity for room in rooms.values()},
        weeks=term_weeks(term=term, teacher_ids=teacher_ids),
    )
    changes = []
    for makeup in makeups:
        missed = makeup.missed
        to = makeup.moved_to
        changes.append(WeekChange(
            slot=by_place[(missed.need, missed.weekday, missed.start)],
            missed_on=term_date(term=term, week=makeup.week, weekday=missed.weekday),
            moved_on=term_date(term=term, week=makeup.week, weekday=to.weekday) if to else None,
            moved_starts=time_of(to.start) if to else None,
            moved_room=rooms.get(to.room) if to else None,
        ))
    return sorted(changes, key=lambda change: (change.missed_on, change.slot.start_minute, change.slot.pk))
