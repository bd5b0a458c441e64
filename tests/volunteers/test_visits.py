"""Setup visits at the centre: adding times, booking (never overbooked, even in a race),
moving, cancelling and checking in; and who may see a booked learner's phone."""

import threading
import time as clock
from datetime import datetime, time, timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections, connection
from django.utils import timezone, translation

from classes.models import CoursePage, Learner
from core.roles import VOLUNTEERS
from volunteers.models import HelpRequest, HelpStatus, SetupBooking, SetupSlot, Volunteer, VolunteerStatus
from volunteers.selectors import visits as selectors
from volunteers.selectors.readiness import readiness_of
from volunteers.services import visits as services

pytestmark = pytest.mark.django_db

# The demo's times are at 多功能厅; tests that make their own use another room, so they never overlap those.
ROOM = "活动室"


# ---------------------------------------------------------------- fixtures (also used by test_visit_pages.py)


@pytest.fixture
def volunteer():
    return User.objects.get(username="volunteer")


@pytest.fixture
def coordinator():
    return User.objects.get(username="coordinator")


@pytest.fixture
def other_volunteer():
    """A second approved volunteer, with nobody assigned."""
    user = User.objects.create_user("volunteer2", password="demo-volunteer2")
    user.groups.add(Group.objects.get(name=VOLUNTEERS))
    Volunteer.objects.create(user=user, name="王志强", phone="13700137002", status=VolunteerStatus.APPROVED)
    return user


@pytest.fixture
def zhao():
    return Learner.objects.get(phone="13800138002")  # has an open help request for 学会ABC


@pytest.fixture
def liu():
    return Learner.objects.get(phone="13800138001")


def assign(learner, user) -> HelpRequest:
    request, _ = HelpRequest.objects.update_or_create(
        learner=learner, status__in=[HelpStatus.OPEN, HelpStatus.ASSIGNED],
        defaults={"status": HelpStatus.ASSIGNED, "volunteer": user, "assigned_at": timezone.now()},
        create_defaults={"learner": learner, "source": "coordinator", "status": HelpStatus.ASSIGNED,
                         "volunteer": user, "assigned_at": timezone.now()},
    )
    return request


@pytest.fixture
def zhao_assigned(zhao, volunteer):
    """赵建国's help request is the demo volunteer's."""
    assign(zhao, volunteer)
    return zhao


def tomorrow_at(hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=1), time(hour, minute)))


@pytest.fixture
def slot(volunteer):
    """Tomorrow 09:30 at 多功能厅, 3 places, the demo volunteer on duty (from seed_demo)."""
    return SetupSlot.objects.get(starts_at=tomorrow_at(9, 30), place="多功能厅")


@pytest.fixture
def later_slot():
    return SetupSlot.objects.get(starts_at=tomorrow_at(10), place="多功能厅")


def fill(slot, make_learner, coordinator, leave: int = 0) -> None:
    for _ in range(slot.capacity - leave):
        services.visit_book(slot=slot, learner=make_learner(), booked_by=coordinator)


def started_slot(*, volunteer=None, place=ROOM) -> SetupSlot:
    """A time that began a minute ago: always today, whenever the test runs."""
    return SetupSlot.objects.create(starts_at=timezone.now() - timedelta(minutes=1), place=place, volunteer=volunteer)


# ---------------------------------------------------------------- adding times


def test_a_coordinator_adds_one_time_with_the_defaults(volunteer):
    day = timezone.localdate() + timedelta(days=2)
    [slot] = services.setup_slots_create(day=day, starts=time(14), place=ROOM, volunteer=volunteer)
    assert (slot.minutes, slot.capacity, slot.place, slot.volunteer) == (30, 3, ROOM, volunteer)
    assert timezone.localtime(slot.starts_at).time() == time(14)


def test_a_series_adds_times_back_to_back():
    day = timezone.localdate() + timedelta(days=2)
    slots = services.setup_slots_create(day=day, starts=time(9, 30), count=6, minutes=30, capacity=3, place=ROOM)
    starts = [timezone.localtime(s.starts_at).strftime("%H:%M") for s in slots]
    assert starts == ["09:30", "10:00", "10:30", "11:00", "11:30", "12:00"]


def test_a_time_in_the_past_is_refused():
    yesterday = timezone.localdate() - timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        services.setup_slots_create(day=yesterday, starts=time(10), place=ROOM)
    assert caught.value.code == "past"
    assert "already passed" in caught.value.messages[0]


def test_a_time_overlapping_one_at_the_same_place_is_refused(slot):
    with pytest.raises(ValidationError) as caught:
        services.setup_slots_create(day=timezone.localdate() + timedelta(days=1), starts=time(9, 45), place="多功能厅")
    assert caught.value.code == "overlap"
    assert "09:30–10:00" in caught.value.messages[0]


def test_the_same_time_at_another_place_is_allowed(slot):
    [other] = services.setup_slots_create(day=timezone.localdate() + timedelta(days=1), starts=time(9, 30), place=ROOM)
    assert other.starts_at == slot.starts_at


@pytest.mark.parametrize("capacity", [0, 21])
def test_a_capacity_outside_1_to_20_is_refused(capacity):
    with pytest.raises(ValidationError) as caught:
        services.setup_slots_create(day=timezone.localdate() + timedelta(days=2), starts=time(9), capacity=capacity,
                                    place=ROOM)
    assert caught.value.messages == ["A time can hold 1 to 20 learners."]


def test_a_series_with_one_overlapping_time_adds_none(slot):
    before = SetupSlot.objects.count()
    # 08:30 and 09:00 are free; 09:30 is the demo's.
    with pytest.raises(ValidationError):
        services.setup_slots_create(day=timezone.localdate() + timedelta(days=1), starts=time(8, 30), count=3,
                                    place="多功能厅")
    assert SetupSlot.objects.count() == before


def test_a_series_running_past_midnight_is_refused():
    with pytest.raises(ValidationError) as caught:
        services.setup_slots_create(day=timezone.localdate() + timedelta(days=2), starts=time(23), count=3, place=ROOM)
    assert caught.value.code == "past_midnight"


def test_only_a_volunteer_can_be_on_duty():
    teacher = User.objects.get(username="teacher_wang")
    with pytest.raises(ValidationError) as caught:
        services.setup_slots_create(day=timezone.localdate() + timedelta(days=2), starts=time(9), place=ROOM,
                                    volunteer=teacher)
    assert caught.value.code == "not_volunteer"


# ---------------------------------------------------------------- booking


def test_a_volunteer_books_an_assigned_learner(slot, zhao_assigned, volunteer):
    booking = services.visit_book(slot=slot, learner=zhao_assigned, booked_by=volunteer)
    assert (booking.slot, booking.learner, booking.booked_by) == (slot, zhao_assigned, volunteer)


def test_a_volunteer_cannot_book_an_unassigned_learner(slot, liu, volunteer):
    with pytest.raises(PermissionDenied):
        services.visit_book(slot=slot, learner=liu, booked_by=volunteer)
    assert not SetupBooking.objects.filter(learner=liu).exists()


def test_a_volunteer_cannot_book_a_learner_assigned_to_someone_else(slot, zhao, volunteer, other_volunteer):
    assign(zhao, other_volunteer)
    with pytest.raises(PermissionDenied):
        services.visit_book(slot=slot, learner=zhao, booked_by=volunteer)


def test_a_coordinator_books_any_learner(slot, liu, coordinator):
    assert services.visit_book(slot=slot, learner=liu, booked_by=coordinator).learner == liu


def test_a_full_time_refuses_another_booking(slot, liu, coordinator, make_learner):
    fill(slot, make_learner, coordinator)
    with pytest.raises(ValidationError) as caught:
        services.visit_book(slot=slot, learner=liu, booked_by=coordinator)
    assert caught.value.code == "full"
    assert "is full" in caught.value.messages[0]
    assert slot.bookings.count() == slot.capacity


def test_a_time_that_has_begun_refuses_bookings(liu, coordinator):
    with pytest.raises(ValidationError) as caught:
        services.visit_book(slot=started_slot(), learner=liu, booked_by=coordinator)
    assert caught.value.code == "past"


def test_the_same_learner_cannot_be_booked_twice_into_one_time(slot, liu, coordinator):
    services.visit_book(slot=slot, learner=liu, booked_by=coordinator)
    with pytest.raises(ValidationError) as caught:
        services.visit_book(slot=slot, learner=liu, booked_by=coordinator)
    assert caught.value.code == "duplicate"
    assert slot.bookings.count() == 1


def test_a_learner_with_a_coming_visit_is_refused_another(slot, later_slot, liu, coordinator):
    services.visit_book(slot=slot, learner=liu, booked_by=coordinator)
    with pytest.raises(ValidationError) as caught:
        services.visit_book(slot=later_slot, learner=liu, booked_by=coordinator)
    assert caught.value.code == "has_booking"
    assert "Move that visit" in caught.value.messages[0]


def test_a_past_visit_does_not_stop_a_new_booking(slot, liu, coordinator):
    SetupBooking.objects.create(slot=started_slot(), learner=liu)
    assert services.visit_book(slot=slot, learner=liu, booked_by=coordinator).slot == slot


def test_moving_a_visit_leaves_one_booking_at_the_new_time(slot, later_slot, zhao_assigned, volunteer):
    booking = services.visit_book(slot=slot, learner=zhao_assigned, booked_by=volunteer)
    services.visit_move(booking=booking, slot=later_slot, moved_by=volunteer)
    assert list(SetupBooking.objects.filter(learner=zhao_assigned).values_list("slot", flat=True)) == [later_slot.pk]


def test_moving_into_a_full_time_is_refused_and_keeps_the_old_visit(slot, later_slot, liu, coordinator, make_learner):
    booking = services.visit_book(slot=slot, learner=liu, booked_by=coordinator)
    fill(later_slot, make_learner, coordinator)
    with pytest.raises(ValidationError) as caught:
        services.visit_move(booking=booking, slot=later_slot, moved_by=coordinator)
    assert caught.value.code == "full"
    booking.refresh_from_db()
    assert booking.slot == slot


def test_a_volunteer_cannot_move_an_unassigned_learners_visit(slot, later_slot, liu, coordinator, volunteer):
    booking = services.visit_book(slot=slot, learner=liu, booked_by=coordinator)
    with pytest.raises(PermissionDenied):
        services.visit_move(booking=booking, slot=later_slot, moved_by=volunteer)


def test_cancelling_frees_the_place(slot, liu, coordinator, make_learner):
    fill(slot, make_learner, coordinator, leave=1)
    booking = services.visit_book(slot=slot, learner=liu, booked_by=coordinator)
    services.visit_cancel(booking=booking, cancelled_by=coordinator)
    assert services.visit_book(slot=slot, learner=make_learner(), booked_by=coordinator).slot == slot


def test_cancelling_twice_changes_nothing_more(slot, liu, coordinator):
    booking = services.visit_book(slot=slot, learner=liu, booked_by=coordinator)
    services.visit_cancel(booking=booking, cancelled_by=coordinator)
    services.visit_cancel(booking=booking, cancelled_by=coordinator)
    assert not SetupBooking.objects.filter(learner=liu).exists()


def test_a_visit_already_come_to_cannot_be_cancelled(liu, coordinator):
    booking = SetupBooking.objects.create(slot=started_slot(), learner=liu, checked_in_at=timezone.now())
    with pytest.raises(ValidationError) as caught:
        services.visit_cancel(booking=booking, cancelled_by=coordinator)
    assert caught.value.code == "checked_in"
    assert SetupBooking.objects.filter(pk=booking.pk).exists()


def test_a_volunteer_cannot_cancel_a_visit_of_someone_elses_learner(slot, liu, coordinator, other_volunteer):
    booking = services.visit_book(slot=slot, learner=liu, booked_by=coordinator)
    with pytest.raises(PermissionDenied):
        services.visit_cancel(booking=booking, cancelled_by=other_volunteer)


# ---------------------------------------------------------------- the race for the last place

# How long each booking holds its transaction after counting: long enough that, without
# the lock, both would count the same free place before either wrote.
RACE_HOLD_S = 0.3


@pytest.mark.django_db(transaction=True)
def test_two_bookings_racing_for_the_last_place_give_exactly_one(monkeypatch):
    coordinator = User.objects.get(username="coordinator")
    slot = SetupSlot.objects.create(starts_at=tomorrow_at(15), capacity=2, place=ROOM)
    services.visit_book(slot=slot, learner=Learner.objects.create(name="先到", phone="13600000001"),
                        booked_by=coordinator)
    racers = [Learner.objects.create(name=f"抢位{n}", phone=f"1360000001{n}") for n in range(2)]

    counted = services._places_taken

    def slow_count(slot):
        taken = counted(slot)
        clock.sleep(RACE_HOLD_S)
        return taken

    monkeypatch.setattr(services, "_places_taken", slow_count)
    start = threading.Barrier(len(racers))
    results = []

    def book(learner):
        try:
            start.wait()
            with translation.override("en"):  # each thread starts in the site's language
                services.visit_book(slot=slot, learner=learner, booked_by=coordinator)
            results.append("booked")
        except ValidationError as error:
            results.append(error.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(learner,)) for learner in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    close_old_connections()

    assert results.count("booked") == 1
    assert any("is full" in r for r in results), results
    assert SetupBooking.objects.filter(slot=slot).count() == 2


# ---------------------------------------------------------------- check-in


def test_check_in_makes_the_learner_ready_and_closes_their_help_request(zhao_assigned, volunteer):
    course = CoursePage.objects.get(slug="learn-abc")
    assert not readiness_of(learner=zhao_assigned, course=course).ready
    booking = SetupBooking.objects.create(slot=started_slot(volunteer=volunteer), learner=zhao_assigned)
    services.visit_check_in(booking=booking, checked_in_by=volunteer)
    assert readiness_of(learner=zhao_assigned, course=course).ready
    help_request = HelpRequest.objects.get(learner=zhao_assigned)
    assert help_request.status == HelpStatus.CLOSED
    assert help_request.closed_at is not None


def test_a_second_check_in_changes_nothing(zhao_assigned, volunteer):
    booking = SetupBooking.objects.create(slot=started_slot(volunteer=volunteer), learner=zhao_assigned)
    first, changed_first = services.visit_check_in(booking=booking, checked_in_by=volunteer)
    second, changed_second = services.visit_check_in(booking=booking, checked_in_by=volunteer)
    assert (changed_first, changed_second) == (True, False)
    assert second.checked_in_at == first.checked_in_at
    assert HelpRequest.objects.get(learner=zhao_assigned).closed_at is not None


def test_a_volunteer_not_on_duty_cannot_check_in(zhao_assigned, volunteer, other_volunteer):
    booking = SetupBooking.objects.create(slot=started_slot(volunteer=volunteer), learner=zhao_assigned)
    with pytest.raises(PermissionDenied):
        services.visit_check_in(booking=booking, checked_in_by=other_volunteer)
    booking.refresh_from_db()
    assert booking.checked_in_at is None


def test_a_coordinator_can_check_in(liu, coordinator, volunteer):
    booking = SetupBooking.objects.create(slot=started_slot(volunteer=volunteer), learner=liu)
    assert services.visit_check_in(booking=booking, checked_in_by=coordinator)[0].checked_in_at is not None


def test_check_in_before_the_day_of_the_visit_is_refused(slot, zhao_assigned, volunteer):
    booking = services.visit_book(slot=slot, learner=zhao_assigned, booked_by=volunteer)
    with pytest.raises(ValidationError) as caught:
        services.visit_check_in(booking=booking, checked_in_by=volunteer)
    assert caught.value.code == "too_early"
    assert HelpRequest.objects.get(learner=zhao_assigned).status == HelpStatus.ASSIGNED


# ---------------------------------------------------------------- who sees a booked learner's phone


def test_the_volunteer_on_duty_does_not_see_the_phone_of_a_learner_who_is_not_theirs(slot, liu, volunteer, coordinator):
    booking = services.visit_book(slot=slot, learner=liu, booked_by=coordinator)
    assert not selectors.user_may_see_visit_phone(user=volunteer, booking=booking)


def test_the_volunteer_on_duty_reads_a_masked_number_for_a_learner_who_is_not_theirs(slot, liu, volunteer, coordinator):
    services.visit_book(slot=slot, learner=liu, booked_by=coordinator)
    [row] = [row for row in selectors.day_sheet(day=timezone.localtime(slot.starts_at).date(), user=volunteer) if row.slot == slot]
    assert [item.phone for item in row.bookings] == ["*******8001"]


def test_a_volunteer_not_on_duty_does_not_see_the_phone_of_someone_elses_learner(slot, liu, other_volunteer, coordinator):
    booking = services.visit_book(slot=slot, learner=liu, booked_by=coordinator)
    assert not selectors.user_may_see_visit_phone(user=other_volunteer, booking=booking)


def test_a_volunteer_sees_the_phone_of_their_assigned_learner_in_any_time(slot, zhao, other_volunteer, coordinator):
    assign(zhao, other_volunteer)
    booking = services.visit_book(slot=slot, learner=zhao, booked_by=coordinator)
    assert selectors.user_may_see_visit_phone(user=other_volunteer, booking=booking)


def test_the_volunteer_who_booked_the_visit_sees_the_phone_after_the_learner_goes_to_another(
    slot, zhao_assigned, volunteer, other_volunteer,
):
    booking = services.visit_book(slot=slot, learner=zhao_assigned, booked_by=volunteer)
    assign(zhao_assigned, other_volunteer)
    assert selectors.user_may_see_visit_phone(user=volunteer, booking=booking)


def test_a_coordinator_sees_every_booked_learners_phone(slot, liu, volunteer, coordinator):
    booking = SetupBooking.objects.create(slot=slot, learner=liu, booked_by=volunteer)
    assert selectors.user_may_see_visit_phone(user=coordinator, booking=booking)


def test_a_volunteer_is_offered_only_their_assigned_learners(zhao_assigned, volunteer):
    assert list(selectors.bookable_learners(user=volunteer)) == [zhao_assigned]
