"""Moving or cancelling classes after a term is published: refused whole if any of
them would clash, and told to everyone concerned (learners, the teacher, the volunteers)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from classes.courses.selectors import session_teachers
from classes.models import (
    AvailabilityException,
    ClassSession,
    ExceptionKind,
    NotificationKind,
    Room,
    Teacher,
    Term,
)
from classes.models.timetable import minutes_of
from classes.notifications.services import notify_session_change, reminders_schedule
from classes.timetable.services import teacher_away_on, teacher_free_weekly


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
    if teacher_away_on(teacher_id, day, local_start, local_end):
        return False
    start, end = minutes_of(local_start.time()), minutes_of(local_end.time())
    if teacher_free_weekly(teacher_id, day.weekday(), start, end):
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
