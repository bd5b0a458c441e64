"""Timetable services: the teachers' free time, the planner's hand edits (each checked
for clashes), and publishing a term as class sessions.

Every check raises ValidationError with a sentence naming the conflict, and every
write is one transaction, so a refused change leaves nothing half-saved."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from classes.models import (
    AvailabilityException,
    AvailabilitySlot,
    ClassSession,
    CourseNeed,
    ExceptionKind,
    Room,
    Teacher,
    Term,
    TimetableSlot,
)
from classes.models.timetable import local_datetime, minutes_of, time_of
from classes.notifications.services import reminders_schedule
from classes.timetable.planner import day_name, hhmm, timetable_problems, timetable_week_changes


# ------------------------------------------------------------------ availability


def availability_add(*, teacher: Teacher, weekday: int, starts: time, ends: time) -> AvailabilitySlot:
    slot = AvailabilitySlot(teacher=teacher, weekday=weekday, starts=starts, ends=ends)
    with transaction.atomic():
        slot.full_clean()
        slot.save()
    return slot


def availability_exception_add(
    *, teacher: Teacher, date: date, kind: str, starts: time | None = None, ends: time | None = None, note: str = ""
) -> AvailabilityException:
    exception = AvailabilityException(teacher=teacher, date=date, kind=kind, starts=starts, ends=ends, note=note)
    exception.full_clean()
    exception.save()
    return exception


# ------------------------------------------------------------------ clash checks


def teacher_free_weekly(teacher_id: int, weekday: int, start: int, end: int) -> bool:
    return AvailabilitySlot.objects.filter(
        teacher_id=teacher_id, weekday=weekday, starts__lte=time_of(start), ends__gte=time_of(end)
    ).exists()


def _slot_clash(*, need: CourseNeed, weekday: int, start: int, room: Room | None, exclude_pk: int | None) -> str | None:
    end = start + need.duration_minutes
    if end >= 24 * 60:
        return _("A class must end before midnight.")
    if not teacher_free_weekly(need.teacher_id, weekday, start, end):
        return _("%(teacher)s is not free on %(day)s %(starts)s–%(ends)s. Add it to their free time first.") % {
            "teacher": need.teacher.name, "day": day_name(weekday), "starts": hhmm(start), "ends": hhmm(end),
        }
    if need.in_centre and room is None:
        return _("Choose a room: this course meets at the centre.")
    if room is not None and room.capacity < need.course.centre_seats:
        return _("%(room)s holds %(capacity)s, but the course has %(seats)s seats at the centre.") % {
            "room": room.name, "capacity": room.capacity, "seats": need.course.centre_seats,
        }
    others = TimetableSlot.objects.filter(need__term_id=need.term_id, weekday=weekday).exclude(pk=exclude_pk)
    for other in others.select_related("need__course", "need__teacher", "room"):
        if other.need_id == need.pk:
            return _("%(course)s already meets on %(day)s. Its classes must be on different days.") % {
                "course": need.course, "day": day_name(weekday),
            }
        if not (other.start_minute < end and start < other.end_minute):
            continue
        if other.need.teacher_id == need.teacher_id:
            return _("%(teacher)s already teaches %(other)s on %(day)s %(starts)s–%(ends)s.") % {
                "teacher": need.teacher.name, "other": other.need.course, "day": day_name(weekday),
                "starts": hhmm(other.start_minute), "ends": hhmm(other.end_minute),
            }
        if room is not None and other.room_id == room.pk:
            return _("%(room)s is used by %(other)s on %(day)s %(starts)s–%(ends)s.") % {
                "room": room.name, "other": other.need.course, "day": day_name(weekday),
                "starts": hhmm(other.start_minute), "ends": hhmm(other.end_minute),
            }
    return None


def _refuse_if_published(need: CourseNeed) -> None:
    if need.term.published_at:
        raise ValidationError(_("This term's timetable is published. Move or cancel single classes instead."))


def timetable_slot_save(
    *, need: CourseNeed, weekday: int, starts: time, room: Room | None = None, slot: TimetableSlot | None = None
) -> TimetableSlot:
    """Add a weekly time by hand, or move one; refused with the clash it would cause."""
    _refuse_if_published(need)
    if not need.in_centre:
        room = None
    with transaction.atomic():
        # Hold the term's slots while checking, so two coordinators cannot both take the last free hour.
        list(TimetableSlot.objects.select_for_update().filter(need__term_id=need.term_id).values_list("pk"))
        if slot is None and need.slots.count() >= need.sessions_per_week:
            raise ValidationError(
                _("%(course)s already has its %(count)s weekly classes. Move one instead.")
                % {"course": need.course, "count": need.sessions_per_week}
            )
        problem = _slot_clash(
            need=need, weekday=weekday, start=minutes_of(starts), room=room, exclude_pk=slot.pk if slot else None
        )
        if problem:
            raise ValidationError(problem)
        slot = slot or TimetableSlot(need=need)
        slot.weekday, slot.starts, slot.room = weekday, starts, room
        slot.save()
    return slot


def timetable_slot_delete(*, slot: TimetableSlot) -> None:
    _refuse_if_published(slot.need)
    slot.delete()


# ------------------------------------------------------------------ publish


@dataclass
class PublishResult:
    created: list[ClassSession] = field(default_factory=list)
    skipped: list[tuple[CourseNeed, date, str]] = field(default_factory=list)
    # A week's class held at another time because the teacher is away: (course, the missed date, the new class).
    moved: list[tuple[CourseNeed, date, ClassSession]] = field(default_factory=list)


def teacher_away_on(teacher_id: int, day: date, starts_at: datetime, ends_at: datetime) -> AvailabilityException | None:
    for exception in AvailabilityException.objects.filter(teacher_id=teacher_id, date=day, kind=ExceptionKind.AWAY):
        if exception.covers(starts_at, ends_at):
            return exception
    return None


def timetable_publish(*, term: Term) -> PublishResult:
    """Create a class session for every weekly time on every teaching day of the term.
    Holidays are skipped; a class whose teacher is away that day is held that week at the
    time the planner shows (timetable_week_changes), or skipped when there is none. Both
    are listed."""
    if term.published_at:
        raise ValidationError(_("This term's timetable is already published."))
    problems = timetable_problems(term=term)
    if problems:
        raise ValidationError(
            [_("Every course needs all its weekly classes before publishing.")] + [text for _need, text in problems]
        )
    result = PublishResult()
    slots = list(TimetableSlot.objects.filter(need__term=term).select_related("need__course", "need__teacher"))
    holidays = term.holiday_dates()
    week_changes = {(change.slot.pk, change.missed_on): change for change in timetable_week_changes(term=term)}
    with transaction.atomic():
        term = Term.objects.select_for_update().get(pk=term.pk)
        if term.published_at:
            raise ValidationError(_("This term's timetable is already published."))
        day = term.starts_on
        while day <= term.ends_on:
            for slot in (s for s in slots if s.weekday == day.weekday()):
                starts_at = local_datetime(day, slot.starts)
                if day in holidays:
                    result.skipped.append((slot.need, day, _("holiday")))
                    continue
                change = week_changes.get((slot.pk, day))
                if change and change.moved_on is None:
                    result.skipped.append((slot.need, day, _(
                        "%(teacher)s is away, and free at no other time that week"
                    ) % {"teacher": slot.need.teacher.name}))
                    continue
                room = slot.room
                if change:
                    starts_at, room = local_datetime(change.moved_on, change.moved_starts), change.moved_room
                session, created = ClassSession.objects.get_or_create(
                    course=slot.need.course, starts_at=starts_at,
                    defaults={
                        "duration_minutes": slot.need.duration_minutes, "mode": slot.need.mode,
                        "room": room, "series": slot,
                    },
                )
                if created:
                    result.created.append(session)
                    if change:
                        result.moved.append((slot.need, day, session))
            day += timedelta(days=1)
        term.published_at = timezone.now()
        term.save(update_fields=["published_at"])
        transaction.on_commit(lambda: reminders_schedule(sessions=result.created))
    return result


