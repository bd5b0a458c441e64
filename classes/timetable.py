"""Timetable services: propose a term's weekly times from what courses need and when
teachers are free, check every hand edit for clashes, publish the term as class
sessions, and move or cancel sessions afterwards (telling everyone concerned).

Every check raises ValidationError with a sentence naming the conflict, and every
write is one transaction, so a refused change leaves nothing half-saved."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from classes import scheduling
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
    Weekday,
)
from classes.models.timetable import local_datetime, minutes_of, time_of
from classes.notifications import notify_session_change, reminders_schedule
from classes.selectors import session_teachers
from classes.models.notifications import NotificationKind


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


def free_time(*, teacher_ids) -> dict[int, list[scheduling.Interval]]:
    """Each teacher's weekly free stretches, as the proposal engine reads them."""
    free: dict[int, list[scheduling.Interval]] = {teacher_id: [] for teacher_id in teacher_ids}
    for slot in AvailabilitySlot.objects.filter(teacher_id__in=teacher_ids):
        free[slot.teacher_id].append(scheduling.Interval(slot.weekday, minutes_of(slot.starts), minutes_of(slot.ends)))
    return free


def _hhmm(minutes: int) -> str:
    return time_of(minutes).strftime("%H:%M")


def _day_name(weekday: int) -> str:
    return str(Weekday(weekday).label)


# ------------------------------------------------------------------ proposal


def _engine_need(need: CourseNeed) -> scheduling.Need:
    preferred = None
    if need.preferred_from and need.preferred_to:
        preferred = (minutes_of(need.preferred_from), minutes_of(need.preferred_to))
    return scheduling.Need(
        key=need.pk,
        teacher=need.teacher_id,
        sessions=need.sessions_per_week,
        duration=need.duration_minutes,
        preferred=preferred,
        seats=need.course.centre_seats if need.in_centre else 0,
        room=need.room_id if need.in_centre else None,
    )


def reason_text(*, need: CourseNeed, reason: scheduling.Reason, needs: dict[int, CourseNeed]) -> str:
    """The sentence a coordinator reads for a course the proposal could not place."""
    teacher = need.teacher.name
    if reason.code == scheduling.Blocked.NO_FREE_TIME:
        return _("%(teacher)s has not given any free time yet.") % {"teacher": teacher}
    if reason.code == scheduling.Blocked.TOO_SHORT:
        return _("A class lasts %(duration)s minutes, but %(teacher)s's longest free stretch is %(longest)s minutes.") % {
            "duration": need.duration_minutes, "teacher": teacher, "longest": reason.value,
        }
    if reason.code == scheduling.Blocked.TOO_FEW_DAYS:
        return _(
            "The course meets %(sessions)s times a week on different days, but %(teacher)s is free on only %(days)s days."
        ) % {"sessions": need.sessions_per_week, "teacher": teacher, "days": reason.value}
    if reason.code == scheduling.Blocked.NO_ROOM:
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
    complete: bool = True


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
    proposal = scheduling.propose(
        needs=[_engine_need(need) for need in needs],
        free_time=free_time(teacher_ids={need.teacher_id for need in needs}),
        rooms=dict(Room.objects.values_list("pk", "capacity")),
    )
    result = ProposalResult(complete=proposal.complete)
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


def timetable_problems(*, term: Term) -> list[tuple[CourseNeed, str]]:
    """Courses of the term without all their weekly times, with the reason the engine gives."""
    needs = _term_needs(term)
    counts = {need.pk: 0 for need in needs}
    for slot in TimetableSlot.objects.filter(need__term=term):
        counts[slot.need_id] += 1
    missing = [need for need in needs if counts[need.pk] < need.sessions_per_week]
    if not missing:
        return []
    by_key = {need.pk: need for need in needs}
    free = free_time(teacher_ids={need.teacher_id for need in missing})
    rooms = dict(Room.objects.values_list("pk", "capacity"))
    problems = []
    for need in missing:
        reason = scheduling.unplaceable_reason(need=_engine_need(need), free_time=free, rooms=rooms)
        if reason is None:
            text = _("%(course)s has %(placed)s of its %(needed)s weekly classes. Add the missing ones by hand.") % {
                "course": need.course, "placed": counts[need.pk], "needed": need.sessions_per_week,
            }
        else:
            text = reason_text(need=need, reason=reason, needs=by_key)
        problems.append((need, text))
    return problems


# ------------------------------------------------------------------ clash checks


def _teacher_free_weekly(teacher_id: int, weekday: int, start: int, end: int) -> bool:
    return AvailabilitySlot.objects.filter(
        teacher_id=teacher_id, weekday=weekday, starts__lte=time_of(start), ends__gte=time_of(end)
    ).exists()


def _slot_clash(*, need: CourseNeed, weekday: int, start: int, room: Room | None, exclude_pk: int | None) -> str | None:
    end = start + need.duration_minutes
    if end >= 24 * 60:
        return _("A class must end before midnight.")
    if not _teacher_free_weekly(need.teacher_id, weekday, start, end):
        return _("%(teacher)s is not free on %(day)s %(starts)s–%(ends)s. Add it to their free time first.") % {
            "teacher": need.teacher.name, "day": _day_name(weekday), "starts": _hhmm(start), "ends": _hhmm(end),
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
                "course": need.course, "day": _day_name(weekday),
            }
        if not (other.start_minute < end and start < other.end_minute):
            continue
        if other.need.teacher_id == need.teacher_id:
            return _("%(teacher)s already teaches %(other)s on %(day)s %(starts)s–%(ends)s.") % {
                "teacher": need.teacher.name, "other": other.need.course, "day": _day_name(weekday),
                "starts": _hhmm(other.start_minute), "ends": _hhmm(other.end_minute),
            }
        if room is not None and other.room_id == room.pk:
            return _("%(room)s is used by %(other)s on %(day)s %(starts)s–%(ends)s.") % {
                "room": room.name, "other": other.need.course, "day": _day_name(weekday),
                "starts": _hhmm(other.start_minute), "ends": _hhmm(other.end_minute),
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


def _away_on(teacher_id: int, day: date, starts_at: datetime, ends_at: datetime) -> AvailabilityException | None:
    for exception in AvailabilityException.objects.filter(teacher_id=teacher_id, date=day, kind=ExceptionKind.AWAY):
        if exception.covers(starts_at, ends_at):
            return exception
    return None


def timetable_publish(*, term: Term) -> PublishResult:
    """Create a class session for every weekly time on every teaching day of the term.
    Holidays and days the teacher is away are skipped and listed."""
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
    with transaction.atomic():
        term = Term.objects.select_for_update().get(pk=term.pk)
        if term.published_at:
            raise ValidationError(_("This term's timetable is already published."))
        day = term.starts_on
        while day <= term.ends_on:
            for slot in (s for s in slots if s.weekday == day.weekday()):
                starts_at = local_datetime(day, slot.starts)
                ends_at = starts_at + timedelta(minutes=slot.need.duration_minutes)
                if day in holidays:
                    result.skipped.append((slot.need, day, _("holiday")))
                    continue
                away = _away_on(slot.need.teacher_id, day, starts_at, ends_at)
                if away:
                    result.skipped.append((slot.need, day, _("%(teacher)s is away") % {"teacher": slot.need.teacher.name}))
                    continue
                session, created = ClassSession.objects.get_or_create(
                    course=slot.need.course, starts_at=starts_at,
                    defaults={
                        "duration_minutes": slot.need.duration_minutes, "mode": slot.need.mode,
                        "room": slot.room, "series": slot,
                    },
                )
                if created:
                    result.created.append(session)
            day += timedelta(days=1)
        term.published_at = timezone.now()
        term.save(update_fields=["published_at"])
        transaction.on_commit(lambda: reminders_schedule(sessions=result.created))
    return result


# ------------------------------------------------------------------ moving and cancelling


def _term_of(session: ClassSession) -> Term | None:
    return session.series.need.term if session.series_id else None


def _teacher_ids(session: ClassSession) -> list[int]:
    return [teacher.pk for teacher in session_teachers(session)]


def _teacher_free_at(teacher_id: int, starts_at: datetime, ends_at: datetime) -> bool:
    local_start, local_end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    day = local_start.date()
    if local_end.date() != day:
        return False  # classes end before midnight
    if _away_on(teacher_id, day, local_start, local_end):
        return False
    start, end = minutes_of(local_start.time()), minutes_of(local_end.time())
    if _teacher_free_weekly(teacher_id, day.weekday(), start, end):
        return True
    return AvailabilityException.objects.filter(
        teacher_id=teacher_id, date=day, kind=ExceptionKind.EXTRA, starts__lte=local_start.time(),
        ends__gte=local_end.time(),
    ).exists()


def _session_clash(*, session: ClassSession, starts_at: datetime, room: Room | None, moving: set[int]) -> str | None:
    """Why the session may not take place at starts_at, or None. `moving` are the
    sessions being moved together, which do not block one another."""
    ends_at = starts_at + timedelta(minutes=session.duration_minutes)
    local = timezone.localtime(starts_at)
    when = date_format(local, "SHORT_DATETIME_FORMAT")
    term = _term_of(session)
    if term is not None:
        if not term.starts_on <= local.date() <= term.ends_on:
            return _("%(when)s is outside the term (%(first)s to %(last)s).") % {
                "when": when, "first": term.starts_on, "last": term.ends_on,
            }
        if local.date() in term.holiday_dates():
            return _("%(day)s is a holiday.") % {"day": local.date()}
    if starts_at <= timezone.now():
        return _("%(when)s has already passed.") % {"when": when}
    teacher_ids = _teacher_ids(session)
    for teacher in Teacher.objects.filter(pk__in=teacher_ids):
        if not _teacher_free_at(teacher.pk, starts_at, ends_at):
            return _("%(teacher)s is not free at %(when)s. Add it to their free time first.") % {
                "teacher": teacher.name, "when": when,
            }
    overlapping = (
        ClassSession.objects.filter(cancelled_at__isnull=True, starts_at__lt=ends_at)
        .exclude(pk__in=moving)
        .select_related("course", "room")
    )
    # The database cannot add minutes portably, so the end time is checked here on a small set.
    overlapping = [
        other for other in overlapping.filter(starts_at__gt=starts_at - timedelta(hours=8)) if other.ends_at > starts_at
    ]
    for other in overlapping:
        if other.course_id == session.course_id:
            return _("%(course)s already has a class at %(when)s.") % {"course": session.course, "when": when}
        if room is not None and other.room_id == room.pk:
            return _("%(room)s is used by %(other)s at that time.") % {"room": room.name, "other": other.course}
        if set(_teacher_ids(other)) & set(teacher_ids):
            return _("The teacher already teaches %(other)s at that time.") % {"other": other.course}
    if room is not None and room.capacity < session.course.centre_seats and session.mode != "online":
        return _("%(room)s holds %(capacity)s, but the course has %(seats)s seats at the centre.") % {
            "room": room.name, "capacity": room.capacity, "seats": session.course.centre_seats,
        }
    return None


def _locked(session: ClassSession) -> ClassSession:
    """The session as it is now, its row locked (only its own row: it may have no series to join)."""
    return (
        ClassSession.objects.select_for_update(of=("self",)).select_related("course", "series__need__term")
        .get(pk=session.pk)
    )


def _series_from(session: ClassSession, whole_series: bool) -> list[ClassSession]:
    if not (whole_series and session.series_id):
        return [session]
    return list(
        ClassSession.objects.filter(series_id=session.series_id, starts_at__gte=session.starts_at, cancelled_at__isnull=True)
        .select_related("course", "series__need__term", "room")
        .order_by("starts_at")
    )


def session_move(
    *, session: ClassSession, starts_at: datetime, room: Room | None = None, whole_series: bool = False
) -> list[ClassSession]:
    """Move one session, or it and the rest of its series by the same shift; everyone
    concerned is told. Refused whole if any one of them would clash."""
    with transaction.atomic():
        # Decide on the locked row, not the caller's copy: a double-submitted form or two
        # coordinators at once must not move a class that has just been cancelled.
        session = _locked(session)
        if session.is_cancelled:
            raise ValidationError(_("This class is cancelled; it cannot be moved."))
        shift = starts_at - session.starts_at
        sessions = _series_from(session, whole_series)
        moving = {s.pk for s in sessions}
        for each in sessions:
            new_room = room if room is not None else each.room
            problem = _session_clash(session=each, starts_at=each.starts_at + shift, room=new_room, moving=moving)
            if problem:
                raise ValidationError(problem)
        for each in sessions:
            each.starts_at += shift
            if room is not None:
                each.room = room
            each.sequence += 1
            each.save(update_fields=["starts_at", "room", "sequence"])
            notify_session_change(session=each, kind=NotificationKind.MOVED)
        transaction.on_commit(lambda: reminders_schedule(sessions=sessions))
    return sessions


def session_cancel(*, session: ClassSession, reason: str, whole_series: bool = False) -> list[ClassSession]:
    """Cancel one session, or it and the rest of its series; everyone concerned is told."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Please say why the class is cancelled; learners will read it."))
    with transaction.atomic():
        session = _locked(session)
        if session.is_cancelled:
            raise ValidationError(_("This class is already cancelled."))
        if session.live_started_at and not session.live_ended_at:
            raise ValidationError(_("This class is live now. End it in the classroom first."))
        sessions = _series_from(session, whole_series)
        now = timezone.now()
        for each in sessions:
            each.cancelled_at = now
            each.cancel_reason = reason[:200]
            each.sequence += 1
            each.save(update_fields=["cancelled_at", "cancel_reason", "sequence"])
            notify_session_change(session=each, kind=NotificationKind.CANCELLED)
    return sessions


def sessions_of_term(*, term: Term):
    return ClassSession.objects.filter(series__need__term=term).select_related("course", "room").order_by("starts_at")
