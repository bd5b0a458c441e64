"""Reads for setup visits at the centre: who may do what, the coming times with their
free places, and one day's sheet for the volunteer on duty."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.utils import timezone

from classes.models import Learner
from core.phones import phone_masked
from core.roles import VOLUNTEERS
from core.roles import user_is_coordinator
from volunteers.models import SetupBooking, SetupSlot, VolunteerStatus
from volunteers.selectors.access import learners_assigned_to, user_is_volunteer, user_may_see_learner

# ---------------------------------------------------------------- permissions


def user_may_use_visits(user) -> bool:
    """The visits pages are for volunteers and coordinators."""
    return user_is_coordinator(user) or user_is_volunteer(user)


def user_is_on_duty(*, user, slot: SetupSlot) -> bool:
    return user.is_authenticated and slot.volunteer_id == user.pk and user_is_volunteer(user)


def user_may_book_learner(*, user, learner: Learner) -> bool:
    """A coordinator books anyone; a volunteer books only the learners assigned to them."""
    if user_is_coordinator(user):
        return True
    return user_is_volunteer(user) and learners_assigned_to(user=user).filter(pk=learner.pk).exists()


def user_may_check_in(*, user, slot: SetupSlot) -> bool:
    return user_is_coordinator(user) or user_is_on_duty(user=user, slot=slot)


def user_may_change_booking(*, user, booking: SetupBooking) -> bool:
    """Cancel a visit: whoever may book that learner, the one who booked it, or the volunteer on duty."""
    if user_is_coordinator(user):
        return True
    if not user_is_volunteer(user):
        return False
    return (
        booking.booked_by_id == user.pk
        or user_is_on_duty(user=user, slot=booking.slot)
        or user_may_book_learner(user=user, learner=booking.learner)
    )


def user_may_see_visit_phone(*, user, booking: SetupBooking) -> bool:
    """The shared rule (coordinators, and the learner's assigned volunteer), plus the
    volunteer who booked this visit, who arranged it with the learner and calls if they do
    not come. Being on duty is not enough: checking people in needs their names, times and
    what to bring, not the numbers of learners who are not the volunteer's."""
    if booking.booked_by_id == user.pk and user_is_volunteer(user):
        return True
    return user_may_see_learner(user=user, learner=booking.learner)


def visit_phone(*, user, booking: SetupBooking) -> str:
    """The learner's number as this person may see it on the visits pages: whole, or its last four digits."""
    phone = booking.learner.phone
    return phone if user_may_see_visit_phone(user=user, booking=booking) else phone_masked(phone)


def user_may_see_day_sheet(*, user, day: date) -> bool:
    if user_is_coordinator(user):
        return True
    return user_is_volunteer(user) and slots_on_day(day=day).filter(volunteer=user).exists()


# ---------------------------------------------------------------- lists


def bookable_learners(*, user):
    """Whom this person may book: everyone for a coordinator, their assigned learners for a volunteer."""
    if user_is_coordinator(user):
        return Learner.objects.order_by("name", "pk")
    if user_is_volunteer(user):
        return learners_assigned_to(user=user).order_by("name", "pk")
    return Learner.objects.none()


def volunteers_for_duty():
    """The people a coordinator can put on duty: approved, active volunteers."""
    return (
        get_user_model().objects.filter(is_active=True, groups__name=VOLUNTEERS)
        .exclude(volunteer__status__in=[VolunteerStatus.PENDING, VolunteerStatus.DECLINED])
        .select_related("volunteer").order_by("volunteer__name", "username").distinct()
    )


def person_name(user) -> str:
    """A volunteer's own name when they have a profile, else their account's."""
    if user is None:
        return ""
    volunteer = getattr(user, "volunteer", None)
    return (volunteer.name if volunteer else "") or user.get_full_name() or user.get_username()


def slots_on_day(*, day: date):
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    return SetupSlot.objects.filter(starts_at__gte=start, starts_at__lt=start + timedelta(days=1))


def future_booking_of(*, learner: Learner):
    """The learner's coming visit, if they have one."""
    return (
        SetupBooking.objects.filter(learner=learner, slot__starts_at__gt=timezone.now())
        .select_related("slot", "learner").first()
    )


@dataclass
class BookingRow:
    booking: SetupBooking
    phone: str  # whole or masked, as this person may see it (visit_phone)
    may_cancel: bool
    may_check_in: bool


@dataclass
class SlotRow:
    slot: SetupSlot
    volunteer_name: str
    taken: int
    bookings: list[BookingRow] = field(default_factory=list)
    past: bool = False
    may_check_in: bool = False

    @property
    def free(self) -> int:
        return max(self.slot.capacity - self.taken, 0)

    @property
    def full(self) -> bool:
        return self.free == 0

    @property
    def open(self) -> bool:
        """Still taking bookings."""
        return not self.past and not self.full

    @property
    def free_rows(self) -> range:
        """Empty lines on the printed sheet, for someone who turns up without a booking."""
        return range(self.free)


@dataclass
class DayRows:
    day: date
    slots: list[SlotRow]
    may_see_sheet: bool


def _slot_rows(slots, *, user) -> list[SlotRow]:
    now = timezone.now()
    today = timezone.localdate(now)
    bookings = SetupBooking.objects.select_related("learner", "booked_by")
    slots = slots.select_related("volunteer__volunteer").prefetch_related(Prefetch("bookings", queryset=bookings))
    rows = []
    for slot in slots.order_by("starts_at", "place", "pk"):
        slot_bookings = list(slot.bookings.all())
        row = SlotRow(
            slot=slot, volunteer_name=person_name(slot.volunteer), taken=len(slot_bookings),
            past=slot.starts_at <= now,
            # People are checked in on the day they come, not before.
            may_check_in=timezone.localtime(slot.starts_at).date() <= today and user_may_check_in(user=user, slot=slot),
        )
        for booking in slot_bookings:
            booking.slot = slot  # already here; spares a query per row in the checks below
            row.bookings.append(BookingRow(
                booking=booking,
                phone=visit_phone(user=user, booking=booking),
                may_cancel=booking.checked_in_at is None and user_may_change_booking(user=user, booking=booking),
                may_check_in=row.may_check_in and booking.checked_in_at is None,
            ))
        rows.append(row)
    return rows


def coming_days(*, user, days: int = 14) -> list[DayRows]:
    """Times from today for the next fortnight, grouped by day, each with what this person may do."""
    today = timezone.localdate()
    start = timezone.make_aware(datetime.combine(today, datetime.min.time()))
    slots = SetupSlot.objects.filter(starts_at__gte=start, starts_at__lt=start + timedelta(days=days))
    is_coordinator = user_is_coordinator(user)
    grouped: dict[date, list[SlotRow]] = {}
    for row in _slot_rows(slots, user=user):
        grouped.setdefault(timezone.localtime(row.slot.starts_at).date(), []).append(row)
    return [
        DayRows(
            day=day, slots=rows,
            may_see_sheet=is_coordinator or any(r.slot.volunteer_id == user.pk for r in rows),
        )
        for day, rows in grouped.items()
    ]


def day_sheet(*, day: date, user) -> list[SlotRow]:
    return _slot_rows(slots_on_day(day=day), user=user)

