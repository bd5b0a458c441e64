"""Setup visits at the centre (错时到中心): coordinators open times, volunteers book their
learners into them, and the volunteer on duty checks people in when they arrive.

A time holds only a few people, so they are kept apart. It is never overbooked: every
booking locks the time's row and counts inside the same transaction (PostgreSQL waits on
the row lock; SQLite takes its write lock when the transaction begins)."""

from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from classes.models import Learner
from core.inputs import DAY_EARLIEST, DAY_LATEST, day_in_range
from core.roles import user_is_coordinator
from core.timefmt import class_time
from volunteers.models import HelpRequest, HelpStatus, SetupBooking, SetupSlot
from volunteers.selectors.access import user_is_volunteer
from volunteers.selectors.visits import user_may_book_learner, user_may_change_booking, user_may_check_in

# The model's own bounds, repeated here so a coordinator reads a sentence, not "Ensure this value…".
CAPACITY_MIN, CAPACITY_MAX = 1, 20
MINUTES_MIN, MINUTES_MAX = 10, 240
# A day at the centre has room for about this many times; more in one go is a typing slip.
SERIES_MAX = 24


def _when(moment: datetime) -> str:
    return class_time(moment)


def _clock(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


# ---------------------------------------------------------------- times (slots)


def _slot_check(slot: SetupSlot, *, now: datetime) -> None:
    """Everything that makes a new time wrong, as one clear sentence."""
    if not CAPACITY_MIN <= (slot.capacity or 0) <= CAPACITY_MAX:
        raise ValidationError(
            _("A time can hold %(min)s to %(max)s learners.") % {"min": CAPACITY_MIN, "max": CAPACITY_MAX},
            code="bad_capacity",
        )
    if not MINUTES_MIN <= (slot.minutes or 0) <= MINUTES_MAX:
        raise ValidationError(
            _("A visit lasts %(min)s to %(max)s minutes.") % {"min": MINUTES_MIN, "max": MINUTES_MAX},
            code="bad_minutes",
        )
    if slot.starts_at <= now:
        raise ValidationError(
            _("%(when)s has already passed. Please choose a later time.") % {"when": _when(slot.starts_at)},
            code="past",
        )
    # Any time that could reach into this one: none is longer than MINUTES_MAX.
    nearby = SetupSlot.objects.filter(
        place=slot.place, starts_at__lt=slot.ends_at, starts_at__gt=slot.starts_at - timedelta(minutes=MINUTES_MAX)
    )
    for other in nearby:
        if other.ends_at > slot.starts_at:
            raise ValidationError(
                _("%(starts)s–%(ends)s at %(place)s overlaps a time already there (%(other_starts)s–%(other_ends)s).")
                % {
                    "starts": _when(slot.starts_at), "ends": _clock(slot.ends_at),
                    "place": slot.place or _("the centre"),
                    "other_starts": _clock(other.starts_at), "other_ends": _clock(other.ends_at),
                },
                code="overlap",
            )
    slot.full_clean()


def setup_slots_create(
    *, day: date, starts: time, count: int = 1, minutes: int = 30, capacity: int = 3, place: str = "", volunteer=None
) -> list[SetupSlot]:
    """One time, or a series back to back ("from 09:30, 6 times of 30 minutes"): all of them or none."""
    if not 1 <= count <= SERIES_MAX:
        raise ValidationError(
            _("Add 1 to %(max)s times at once.") % {"max": SERIES_MAX}, code="bad_count"
        )
    # Checked before any time arithmetic, which a far date or a huge length would overflow.
    if not day_in_range(day):
        raise ValidationError(
            _("Please enter a date between %(first)s and %(last)s.")
            % {"first": DAY_EARLIEST.isoformat(), "last": DAY_LATEST.isoformat()}, code="bad_day"
        )
    if not MINUTES_MIN <= (minutes or 0) <= MINUTES_MAX:
        raise ValidationError(
            _("A visit lasts %(min)s to %(max)s minutes.") % {"min": MINUTES_MIN, "max": MINUTES_MAX},
            code="bad_minutes",
        )
    if volunteer is not None and not (user_is_volunteer(volunteer) or user_is_coordinator(volunteer)):
        raise ValidationError(_("The person on duty must be an approved volunteer."), code="not_volunteer")
    first = timezone.make_aware(datetime.combine(day, starts))
    length = timedelta(minutes=minutes or 0)
    if count > 1 and timezone.localtime(first + length * count - timedelta(seconds=1)).date() != day:
        raise ValidationError(_("These times would run past midnight. Please add fewer."), code="past_midnight")
    now = timezone.now()
    created = []
    with transaction.atomic():
        for number in range(count):
            slot = SetupSlot(
                starts_at=first + length * number, minutes=minutes, capacity=capacity,
                place=(place or "").strip(), volunteer=volunteer,
            )
            _slot_check(slot, now=now)
            slot.save()
            created.append(slot)
    return created


# ---------------------------------------------------------------- bookings


def _lock_slot(slot: SetupSlot) -> SetupSlot:
    """Lock the time's row for the rest of the transaction, so the count read next cannot change under us."""
    return SetupSlot.objects.select_for_update().get(pk=slot.pk)


def _lock_learner(learner: Learner) -> Learner:
    """One learner's bookings are decided one at a time (two volunteers booking the same person at once)."""
    return Learner.objects.select_for_update().get(pk=learner.pk)


def _places_taken(slot: SetupSlot) -> int:
    return SetupBooking.objects.filter(slot=slot).count()


def _check_bookable(slot: SetupSlot, *, learner: Learner, now: datetime) -> None:
    if slot.starts_at <= now:
        raise ValidationError(
            _("%(when)s has already begun. Please choose a later time.") % {"when": _when(slot.starts_at)},
            code="past",
        )
    if SetupBooking.objects.filter(slot=slot, learner=learner).exists():
        raise ValidationError(
            _("%(name)s is already booked for %(when)s.") % {"name": learner.name, "when": _when(slot.starts_at)},
            code="duplicate",
        )
    if _places_taken(slot) >= slot.capacity:
        raise ValidationError(
            _("%(when)s is full. Please choose another time.") % {"when": _when(slot.starts_at)}, code="full"
        )


def visit_book(*, slot: SetupSlot, learner: Learner, booked_by) -> SetupBooking:
    """Book the learner into the time. A volunteer books only learners assigned to them."""
    if not user_may_book_learner(user=booked_by, learner=learner):
        raise PermissionDenied(_("You can only book learners whose help request is assigned to you."))
    try:
        with transaction.atomic():
            learner = _lock_learner(learner)
            slot = _lock_slot(slot)
            now = timezone.now()
            existing = (
                SetupBooking.objects.filter(learner=learner, slot__starts_at__gt=now)
                .exclude(slot=slot).select_related("slot", "learner").first()
            )
            if existing is not None:
                # The page then offers to move that visit (visit_move) to this time.
                raise ValidationError(
                    _("%(name)s already has a visit at %(when)s. Move that visit instead of booking another.")
                    % {"name": learner.name, "when": _when(existing.slot.starts_at)},
                    code="has_booking",
                )
            _check_bookable(slot, learner=learner, now=now)
            booking = SetupBooking(slot=slot, learner=learner, booked_by=booked_by)
            booking.full_clean()
            booking.save()
            return booking
    except IntegrityError:
        # The unique constraint caught a double tap that slipped past the check above.
        raise ValidationError(
            _("%(name)s is already booked for %(when)s.") % {"name": learner.name, "when": _when(slot.starts_at)},
            code="duplicate",
        ) from None


def visit_move(*, booking: SetupBooking, slot: SetupSlot, moved_by) -> SetupBooking:
    """Move a learner's visit to another time, keeping their place until the new one is sure."""
    if not user_may_book_learner(user=moved_by, learner=booking.learner):
        raise PermissionDenied(_("You can only book learners whose help request is assigned to you."))
    if booking.slot_id == slot.pk:
        return booking
    with transaction.atomic():
        learner = _lock_learner(booking.learner)
        # Both times, in a fixed order, so two moves between the same times cannot deadlock.
        locked = {s.pk: s for s in SetupSlot.objects.select_for_update().filter(pk__in=[booking.slot_id, slot.pk])}
        booking = SetupBooking.objects.select_related("slot").filter(pk=booking.pk).first()
        if booking is None:
            raise ValidationError(_("This visit was cancelled meanwhile."), code="gone")
        if booking.checked_in_at is not None:
            raise ValidationError(
                _("%(name)s has already come to the centre.") % {"name": learner.name}, code="checked_in"
            )
        target = locked[slot.pk]
        _check_bookable(target, learner=learner, now=timezone.now())
        booking.slot = target
        booking.save(update_fields=["slot"])
        return booking


def visit_cancel(*, booking: SetupBooking, cancelled_by) -> None:
    """Free the learner's place. A visit they already came to stays, since it made them ready."""
    if not user_may_change_booking(user=cancelled_by, booking=booking):
        raise PermissionDenied(_("Only the volunteer who booked this visit, the volunteer on duty or a coordinator can change it."))
    with transaction.atomic():
        _lock_slot(booking.slot)
        current = SetupBooking.objects.filter(pk=booking.pk).first()
        if current is None:
            return  # a double tap: already cancelled
        if current.checked_in_at is not None:
            raise ValidationError(
                _("%(name)s has already come to the centre, so the visit stays.") % {"name": booking.learner.name},
                code="checked_in",
            )
        current.delete()


def visit_check_in(*, booking: SetupBooking, checked_in_by) -> tuple[SetupBooking, bool]:
    """The learner has arrived: they count as ready, and their open help request is done.
    Returns the booking and whether this call checked them in (False on a double tap)."""
    if not user_may_check_in(user=checked_in_by, slot=booking.slot):
        raise PermissionDenied(_("Only the volunteer on duty or a coordinator can check people in."))
    with transaction.atomic():
        booking = SetupBooking.objects.select_for_update().select_related("slot", "learner").get(pk=booking.pk)
        if booking.checked_in_at is not None:
            return booking, False
        now = timezone.now()
        if timezone.localtime(booking.slot.starts_at).date() > timezone.localdate(now):
            raise ValidationError(
                _("This visit is on %(date)s. Check people in on the day they come.")
                % {"date": date_format(timezone.localtime(booking.slot.starts_at), "DATE_FORMAT")},
                code="too_early",
            )
        booking.checked_in_at = now
        booking.save(update_fields=["checked_in_at"])
        HelpRequest.objects.filter(learner=booking.learner).exclude(status=HelpStatus.CLOSED).update(
            status=HelpStatus.CLOSED, closed_at=now
        )
        return booking, True
