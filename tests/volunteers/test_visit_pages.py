"""The setup-visit pages: who may open them, booking and adding times from the page,
the printable day sheet with its phones, and the check-in button."""

from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from volunteers.models import HelpRequest, HelpStatus, SetupBooking, SetupSlot
from volunteers.services import visits as services
from tests.volunteers.test_visits import (  # noqa: F401 (fixtures)
    ROOM,
    coordinator,
    later_slot,
    liu,
    other_volunteer,
    slot,
    started_slot,
    volunteer,
    zhao,
    zhao_assigned,
)

pytestmark = pytest.mark.django_db

VISITS = reverse("volunteer_visits")


@pytest.fixture
def en_client(client):
    # The msgids are English; the Chinese translations come later.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def as_volunteer(en_client, volunteer):
    en_client.force_login(volunteer)
    return en_client


@pytest.fixture
def as_coordinator(en_client, coordinator):
    en_client.force_login(coordinator)
    return en_client


def sheet_url(a_slot) -> str:
    return reverse("visit_day_sheet", args=[timezone.localtime(a_slot.starts_at).date().isoformat()])


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# ---------------------------------------------------------------- who may open the pages


@pytest.mark.parametrize("url", [VISITS, "/volunteer/visits/2030-01-02/sheet/"])
def test_an_anonymous_visitor_is_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_teacher_is_refused_the_visits_page(en_client, django_user_model):
    en_client.force_login(django_user_model.objects.get(username="teacher_wang"))
    assert en_client.get(VISITS).status_code == 403


def test_a_volunteer_cannot_add_times(as_volunteer):
    day = (timezone.localdate() + timedelta(days=4)).isoformat()
    before = SetupSlot.objects.count()
    response = as_volunteer.post(VISITS, {"day": day, "starts": "09:00", "count": 1, "minutes": 30, "capacity": 3})
    assert response.status_code == 403
    assert SetupSlot.objects.count() == before


# ---------------------------------------------------------------- the visits page


def test_the_visits_page_says_the_free_places_in_words(as_volunteer, slot, liu, coordinator):
    services.visit_book(slot=slot, learner=liu, booked_by=coordinator)
    body = as_volunteer.get(VISITS).content.decode()
    assert "2 places left" in body
    assert "3 places left" in body  # the demo's other times


def test_a_full_time_says_full(as_volunteer, slot, coordinator, make_learner):
    for _ in range(slot.capacity):
        services.visit_book(slot=slot, learner=make_learner(), booked_by=coordinator)
    response = as_volunteer.get(VISITS)
    assert "<strong>Full</strong>" in response.content.decode()
    assert slot not in [row.slot for row in response.context["open_slots"]]


def test_a_volunteer_is_offered_only_their_assigned_learners(as_volunteer, zhao_assigned):
    assert list(as_volunteer.get(VISITS).context["learners"]) == [zhao_assigned]


def test_a_volunteer_with_nobody_assigned_is_told_so(as_volunteer):
    assert "None is assigned to you right now." in as_volunteer.get(VISITS).content.decode()


def test_a_volunteer_sees_masked_phones_of_learners_booked_by_others(en_client, other_volunteer, slot, liu, coordinator):
    services.visit_book(slot=slot, learner=liu, booked_by=coordinator)
    en_client.force_login(other_volunteer)
    body = en_client.get(VISITS).content.decode()
    assert "*******8001" in body
    assert "13800138001" not in body


# ---------------------------------------------------------------- booking from the page


def test_booking_from_the_page_books_the_learner(as_volunteer, slot, zhao_assigned):
    response = as_volunteer.post(reverse("visit_book"), {"learner": zhao_assigned.pk, "slot": slot.pk}, follow=True)
    assert SetupBooking.objects.filter(slot=slot, learner=zhao_assigned).exists()
    assert any("is booked for" in m for m in messages_of(response))


def test_booking_an_unassigned_learner_is_refused_with_a_reason(as_volunteer, slot, liu):
    response = as_volunteer.post(reverse("visit_book"), {"learner": liu.pk, "slot": slot.pk})
    assert response.status_code == 403
    assert "You can only book learners whose help request is assigned to you." in response.content.decode()
    assert not SetupBooking.objects.filter(learner=liu).exists()


def test_booking_a_full_time_says_it_is_full(as_coordinator, slot, liu, coordinator, make_learner):
    for _ in range(slot.capacity):
        services.visit_book(slot=slot, learner=make_learner(), booked_by=coordinator)
    response = as_coordinator.post(reverse("visit_book"), {"learner": liu.pk, "slot": slot.pk}, follow=True)
    assert any("is full. Please choose another time." in m for m in messages_of(response))


def test_booking_a_time_that_no_longer_exists_says_so_next_to_the_times(as_coordinator, liu):
    response = as_coordinator.post(reverse("visit_book"), {"learner": liu.pk, "slot": 999_999})
    assert response.status_code == 400
    assert '<p class="field__error" id="book-slot-error">That time no longer exists. Please choose another.</p>' in (
        response.content.decode())


def booking_select(body: str, name: str) -> str:
    return body[body.index(f'<select id="book-{name}"'):].split("</select>")[0]


def test_the_booking_form_starts_with_nobody_and_no_time_chosen(as_volunteer, slot, zhao_assigned):
    body = as_volunteer.get(VISITS).content.decode()
    for name in ("learner", "slot"):
        select = booking_select(body, name)
        assert '<option value="">Please choose</option>' in select and " selected" not in select


def test_booking_without_choosing_the_learner_says_so_and_keeps_the_time(as_volunteer, slot, zhao_assigned):
    response = as_volunteer.post(reverse("visit_book"), {"learner": "", "slot": slot.pk})
    body = response.content.decode()
    assert response.status_code == 400
    assert 'aria-invalid="true" aria-describedby="book-learner-error"' in booking_select(body, "learner")
    assert '<p class="field__error" id="book-learner-error">Choose the learner who comes.</p>' in body
    assert f'<option value="{slot.pk}" selected>' in booking_select(body, "slot")
    assert not SetupBooking.objects.filter(slot=slot).exists()


def test_booking_a_learner_who_has_a_visit_offers_to_move_it(as_volunteer, slot, later_slot, zhao_assigned, volunteer):
    booking = services.visit_book(slot=slot, learner=zhao_assigned, booked_by=volunteer)
    response = as_volunteer.post(reverse("visit_book"), {"learner": zhao_assigned.pk, "slot": later_slot.pk}, follow=True)
    assert response.context["move_offer"] == {"booking": booking, "slot": later_slot}
    assert f'action="{reverse("visit_move", args=[booking.pk])}"' in response.content.decode()

    as_volunteer.post(reverse("visit_move", args=[booking.pk]), {"slot": later_slot.pk})
    booking.refresh_from_db()
    assert booking.slot == later_slot


def test_a_move_offer_is_not_made_for_someone_elses_learner(as_volunteer, slot, later_slot, liu, coordinator):
    booking = services.visit_book(slot=slot, learner=liu, booked_by=coordinator)
    response = as_volunteer.get(VISITS, {"move": booking.pk, "to": later_slot.pk})
    assert response.context["move_offer"] is None


def test_cancelling_twice_says_it_was_already_cancelled(as_coordinator, slot, liu, coordinator):
    booking = services.visit_book(slot=slot, learner=liu, booked_by=coordinator)
    url = reverse("visit_cancel", args=[booking.pk])
    as_coordinator.post(url, follow=True)
    response = as_coordinator.post(url, follow=True)
    assert messages_of(response) == ["This visit was already cancelled."]


# ---------------------------------------------------------------- adding times from the page


def test_a_coordinator_adds_a_series_from_the_page(as_coordinator, volunteer):
    day = timezone.localdate() + timedelta(days=5)
    response = as_coordinator.post(VISITS, {
        "day": day.isoformat(), "starts": "09:30", "count": 6, "minutes": 30, "capacity": 3,
        "place": ROOM, "volunteer": volunteer.pk,
    })
    assert response.status_code == 302
    added = SetupSlot.objects.filter(place=ROOM, volunteer=volunteer)
    assert [timezone.localtime(s.starts_at).time() for s in added] == [
        time(9, 30), time(10), time(10, 30), time(11), time(11, 30), time(12)]


def test_an_overlapping_series_is_refused_with_the_reason_and_adds_nothing(as_coordinator):
    tomorrow = timezone.localdate() + timedelta(days=1)
    before = SetupSlot.objects.count()
    response = as_coordinator.post(VISITS, {
        "day": tomorrow.isoformat(), "starts": "08:30", "count": 3, "minutes": 30, "capacity": 3, "place": "多功能厅",
    })
    assert response.status_code == 400
    assert "overlaps a time already there (09:30–10:00)" in response.content.decode()
    assert "None of these times was added." in response.content.decode()
    assert SetupSlot.objects.count() == before


def test_a_capacity_over_20_is_refused_with_the_reason(as_coordinator):
    day = timezone.localdate() + timedelta(days=5)
    response = as_coordinator.post(VISITS, {
        "day": day.isoformat(), "starts": "09:30", "count": 1, "minutes": 30, "capacity": 25, "place": ROOM,
    })
    assert response.status_code == 400
    assert "A time can hold 1 to 20 learners." in response.content.decode()


# ---------------------------------------------------------------- the day sheet


def test_the_day_sheet_lists_each_time_with_its_learners_for_the_volunteer_on_duty(
    as_volunteer, slot, liu, coordinator
):
    services.visit_book(slot=slot, learner=liu, booked_by=coordinator)
    body = as_volunteer.get(sheet_url(slot)).content.decode()
    assert "09:30–10:00 · 多功能厅" in body
    assert "10:30–11:00 · 多功能厅" in body
    assert "刘桂兰" in body


def test_the_day_sheet_masks_the_phone_of_a_learner_who_is_not_the_on_duty_volunteers(
    as_volunteer, slot, liu, coordinator
):
    services.visit_book(slot=slot, learner=liu, booked_by=coordinator)
    body = as_volunteer.get(sheet_url(slot)).content.decode()
    assert "*******8001" in body
    assert "13800138001" not in body


def test_the_day_sheet_prints_the_whole_phone_of_the_volunteers_own_learner(as_volunteer, slot, zhao_assigned, volunteer):
    services.visit_book(slot=slot, learner=zhao_assigned, booked_by=volunteer)
    body = as_volunteer.get(sheet_url(slot)).content.decode()
    assert "13800138002" in body
    assert 'href="tel:13800138002"' not in body  # printed: the number as text


def test_the_day_sheet_says_what_to_bring_and_has_a_print_button(as_volunteer, slot):
    body = as_volunteer.get(sheet_url(slot)).content.decode()
    for thing in ("their mobile phone", "the phone&#x27;s charger", "their reading glasses"):
        assert thing in body
    assert "data-print" in body
    assert "js/join-cards.js" in body
    assert "css/day-sheet.css" in body


def test_the_day_sheet_masks_phones_in_times_where_the_volunteer_is_not_on_duty(
    en_client, other_volunteer, slot, later_slot, liu, coordinator
):
    later_slot.volunteer = other_volunteer
    later_slot.save()
    services.visit_book(slot=slot, learner=liu, booked_by=coordinator)  # in the demo volunteer's time
    en_client.force_login(other_volunteer)
    body = en_client.get(sheet_url(slot)).content.decode()
    assert "*******8001" in body
    assert "13800138001" not in body


def test_the_day_sheet_is_refused_to_a_volunteer_not_on_duty_that_day(en_client, other_volunteer, slot):
    en_client.force_login(other_volunteer)
    response = en_client.get(sheet_url(slot))
    assert response.status_code == 403
    assert "volunteers on duty that day" in response.content.decode()


def test_a_coordinator_sees_any_days_sheet(as_coordinator, slot):
    assert as_coordinator.get(sheet_url(slot)).status_code == 200


def test_an_impossible_date_is_not_found(as_coordinator):
    assert as_coordinator.get("/volunteer/visits/2030-13-45/sheet/").status_code == 404


# ---------------------------------------------------------------- checking in at the centre


def test_the_check_in_button_marks_the_learner_arrived_and_closes_their_help_request(as_volunteer, zhao_assigned, volunteer):
    booking = SetupBooking.objects.create(slot=started_slot(volunteer=volunteer), learner=zhao_assigned)
    sheet = sheet_url(booking.slot)
    assert f'action="{reverse("visit_check_in", args=[booking.pk])}"' in as_volunteer.get(sheet).content.decode()

    response = as_volunteer.post(reverse("visit_check_in", args=[booking.pk]), {"next": sheet})
    assert response["Location"] == sheet
    booking.refresh_from_db()
    assert booking.checked_in_at is not None
    assert HelpRequest.objects.get(learner=zhao_assigned).status == HelpStatus.CLOSED


def test_a_double_tap_on_check_in_says_already_checked_in(as_volunteer, zhao_assigned, volunteer):
    booking = SetupBooking.objects.create(slot=started_slot(volunteer=volunteer), learner=zhao_assigned)
    url = reverse("visit_check_in", args=[booking.pk])
    as_volunteer.post(url)
    first = SetupBooking.objects.get(pk=booking.pk).checked_in_at
    response = as_volunteer.post(url, follow=True)
    assert any("was already checked in" in m for m in messages_of(response))
    assert SetupBooking.objects.get(pk=booking.pk).checked_in_at == first


def test_a_volunteer_not_on_duty_gets_no_check_in_button_and_is_refused(en_client, other_volunteer, liu, volunteer):
    on_duty_elsewhere = started_slot(volunteer=other_volunteer, place="书画室")
    booking = SetupBooking.objects.create(slot=started_slot(volunteer=volunteer), learner=liu)
    assert on_duty_elsewhere.volunteer == other_volunteer
    en_client.force_login(other_volunteer)
    body = en_client.get(sheet_url(booking.slot)).content.decode()
    assert reverse("visit_check_in", args=[booking.pk]) not in body
    response = en_client.post(reverse("visit_check_in", args=[booking.pk]))
    assert response.status_code == 403
    booking.refresh_from_db()
    assert booking.checked_in_at is None
