"""Volunteer service hours: the arithmetic, the periods, the pages, the chart and the CSV files."""

from datetime import date, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from classes.models import ClassSession, Learner, Participant, RoomRole, Term, Visit
from volunteers.models import CallLog, CallOutcome, HelpRequest, SetupBooking, SetupSlot
from volunteers.selectors.hours import (
    PERIOD_ALL,
    PERIOD_MONTH,
    PERIOD_TERM,
    centre_hours,
    hours_chart,
    period_for,
    volunteer_activities,
    volunteer_hours,
)
from volunteers.services.signup import volunteer_approve, volunteer_signup

pytestmark = pytest.mark.django_db

User = get_user_model()
MARCH = period_for(date_from=date(2024, 3, 1), date_to=date(2024, 3, 31))


def at(day: int, hour: int = 10, minute: int = 0, month: int = 3) -> datetime:
    """A moment in March 2024, Shanghai time."""
    return timezone.make_aware(datetime(2024, month, day, hour, minute))


@pytest.fixture
def volunteer():
    return User.objects.get(username="volunteer")


@pytest.fixture
def other_volunteer():
    profile = volunteer_signup(name="王芳", phone="13900139002", username="wangfang",
                               password="long walk by the river 7")
    return volunteer_approve(volunteer=profile).user


@pytest.fixture
def help_request():
    return HelpRequest.objects.get(learner__phone="13800138002")


@pytest.fixture
def call(help_request):
    def make(user, minutes, when, outcome=CallOutcome.JOINED):
        return CallLog.objects.create(request=help_request, volunteer=user, called_at=when, minutes=minutes,
                                      outcome=outcome)
    return make


@pytest.fixture
def slot():
    def make(user, when, minutes=30, checked_in=1, not_checked_in=0):
        setup = SetupSlot.objects.create(starts_at=when, minutes=minutes, capacity=5, place="多功能厅", volunteer=user)
        for number in range(checked_in + not_checked_in):
            learner = Learner.objects.create(name=f"来访{number}", phone=f"1350000{setup.pk:02d}{number:02d}")
            SetupBooking.objects.create(slot=setup, learner=learner,
                                        checked_in_at=when + timedelta(minutes=5) if number < checked_in else None)
        return setup
    return make


@pytest.fixture
def session(calligraphy):
    def make(starts_at, minutes=60):
        return ClassSession.objects.create(course=calligraphy, starts_at=starts_at, duration_minutes=minutes)
    return make


@pytest.fixture
def visit():
    def make(user, class_session, joined_at, left_at=None, role=RoomRole.VOLUNTEER):
        participant, _created = Participant.objects.get_or_create(
            session=class_session, user=user, defaults={"name": user.get_username(), "role": role})
        made = Visit.objects.create(participant=participant)
        # joined_at is set on creation; a test needs it in the past.
        Visit.objects.filter(pk=made.pk).update(joined_at=joined_at, left_at=left_at)
        return made
    return make


# ---------------------------------------------------------------- the arithmetic


def test_a_volunteer_with_nothing_recorded_has_zero_hours(other_volunteer):
    hours = volunteer_hours(user=other_volunteer, period=MARCH)
    assert (hours.calls, hours.setup, hours.in_class, hours.total) == (0, 0, 0, 0)


def test_calls_add_up_the_logged_minutes_of_this_volunteer_only(volunteer, other_volunteer, call):
    call(volunteer, 15, at(4))
    call(volunteer, 20, at(5), CallOutcome.NOT_REACHED)
    call(other_volunteer, 50, at(5))
    assert volunteer_hours(user=volunteer, period=MARCH).calls == 35


def test_a_setup_slot_counts_its_whole_length_when_someone_checked_in(volunteer, slot):
    slot(volunteer, at(6), minutes=45, checked_in=1)
    assert volunteer_hours(user=volunteer, period=MARCH).setup == 45


def test_a_setup_slot_nobody_checked_in_to_does_not_count(volunteer, slot):
    slot(volunteer, at(6), checked_in=0, not_checked_in=2)
    slot(volunteer, at(7), checked_in=0)
    assert volunteer_hours(user=volunteer, period=MARCH).setup == 0


def test_a_setup_slot_with_three_check_ins_counts_once(volunteer, slot):
    slot(volunteer, at(6), minutes=30, checked_in=3)
    assert volunteer_hours(user=volunteer, period=MARCH).setup == 30


def test_a_setup_slot_counts_for_the_volunteer_on_duty_only(volunteer, other_volunteer, slot):
    slot(other_volunteer, at(6), checked_in=1)
    assert volunteer_hours(user=volunteer, period=MARCH).setup == 0


def test_a_class_visit_counts_from_joining_to_leaving(volunteer, session, visit):
    lesson = session(at(8, 10))
    visit(volunteer, lesson, at(8, 10, 5), at(8, 10, 50))
    assert volunteer_hours(user=volunteer, period=MARCH).in_class == 45


def test_an_open_visit_counts_up_to_the_end_of_the_class_once_it_is_over(volunteer, session, visit):
    lesson = session(at(8, 10), minutes=60)
    visit(volunteer, lesson, at(8, 10, 15))
    assert volunteer_hours(user=volunteer, period=MARCH, now=at(9)).in_class == 45


def test_an_open_visit_counts_up_to_now_while_the_class_goes_on(volunteer, session, visit):
    lesson = session(at(8, 10), minutes=60)
    visit(volunteer, lesson, at(8, 10, 15))
    assert volunteer_hours(user=volunteer, period=MARCH, now=at(8, 10, 35)).in_class == 20


def test_an_open_visit_whose_socket_died_counts_only_up_to_its_last_heartbeat(volunteer, session, visit):
    lesson = session(at(8, 10), minutes=60)
    died = visit(volunteer, lesson, at(8, 10, 15))
    Visit.objects.filter(pk=died.pk).update(last_seen_at=at(8, 10, 25))  # its process was killed then
    assert volunteer_hours(user=volunteer, period=MARCH, now=at(9)).in_class == 10


def test_visits_from_two_devices_at_once_are_counted_once(volunteer, session, visit):
    lesson = session(at(8, 10))
    visit(volunteer, lesson, at(8, 10, 0), at(8, 10, 40))
    visit(volunteer, lesson, at(8, 10, 20), at(8, 11, 0))  # the laptop, joined later, left later
    assert volunteer_hours(user=volunteer, period=MARCH).in_class == 60


def test_visits_in_another_role_do_not_count(volunteer, session, visit):
    visit(volunteer, session(at(8, 10)), at(8, 10), at(8, 11), role=RoomRole.TEACHER)
    assert volunteer_hours(user=volunteer, period=MARCH).in_class == 0


def test_the_total_is_the_three_categories_added(volunteer, call, slot, session, visit):
    call(volunteer, 10, at(4))
    slot(volunteer, at(6), minutes=30)
    visit(volunteer, session(at(8, 10)), at(8, 10), at(8, 10, 20))
    hours = volunteer_hours(user=volunteer, period=MARCH)
    assert (hours.calls, hours.setup, hours.in_class, hours.total) == (10, 30, 20, 60)


def test_only_activities_that_start_in_the_period_count(volunteer, call, slot):
    call(volunteer, 10, at(29, month=2))
    call(volunteer, 15, at(31, 23, 59))
    call(volunteer, 20, at(1, 0, 0, month=4))
    slot(volunteer, at(1, 9, month=4))
    hours = volunteer_hours(user=volunteer, period=MARCH)
    assert (hours.calls, hours.setup) == (15, 0)


def test_activities_list_adds_up_to_the_total(volunteer, call, slot, session, visit):
    call(volunteer, 10, at(4))
    slot(volunteer, at(6), minutes=30, checked_in=2)
    lesson = session(at(8, 10))
    visit(volunteer, lesson, at(8, 10), at(8, 10, 30))
    visit(volunteer, lesson, at(8, 10, 10), at(8, 10, 40))
    activities = volunteer_activities(user=volunteer, period=MARCH)
    assert [a.category for a in activities] == ["in_class", "setup", "calls"]  # newest first
    assert sum(a.minutes for a in activities) == volunteer_hours(user=volunteer, period=MARCH).total == 80


def test_centre_hours_list_every_approved_volunteer_most_hours_first(volunteer, other_volunteer, call):
    call(other_volunteer, 30, at(4))
    centre = centre_hours(period=MARCH)
    assert [(row.name, row.hours.total) for row in centre.rows] == [("王芳", 30), ("陈小雨", 0)]
    assert centre.total.total == 30


def test_centre_hours_count_each_person_once(volunteer, call, slot, session, visit):
    call(volunteer, 10, at(4))
    call(volunteer, 5, at(5))
    slot(volunteer, at(6), checked_in=3)
    visit(volunteer, session(at(8, 10)), at(8, 10), at(8, 10, 20))
    rows = [row for row in centre_hours(period=MARCH).rows if row.user_id == volunteer.pk]
    assert len(rows) == 1
    assert (rows[0].hours.calls, rows[0].hours.setup, rows[0].hours.in_class) == (15, 30, 20)


# ---------------------------------------------------------------- periods


def test_this_month_runs_from_the_first_to_the_last_day():
    period = period_for(kind=PERIOD_MONTH, today=date(2024, 2, 10))
    assert (period.starts_on, period.ends_on) == (date(2024, 2, 1), date(2024, 2, 29))


def test_this_term_is_the_term_in_the_timetable_that_is_under_way():
    Term.objects.create(name="2024 春季学期", starts_on=date(2024, 2, 26), ends_on=date(2024, 6, 30))
    period = period_for(kind=PERIOD_TERM, today=date(2024, 3, 15))
    assert (period.starts_on, period.ends_on, period.term_name) == (date(2024, 2, 26), date(2024, 6, 30), "2024 春季学期")


def test_this_term_without_a_term_begun_is_the_school_half_year():
    # The demo term starts in the future.
    period = period_for(kind=PERIOD_TERM, today=date(2020, 10, 1))
    assert (period.starts_on, period.ends_on) == (date(2020, 8, 1), date(2021, 1, 31))


def test_all_time_has_no_limits(volunteer, call):
    call(volunteer, 10, at(4, month=1))
    call(volunteer, 10, at(4, month=12))
    assert volunteer_hours(user=volunteer, period=period_for(kind=PERIOD_ALL)).calls == 20


# ---------------------------------------------------------------- pages and permissions


def test_volunteer_hours_page_shows_their_own_total(client, volunteer, call):
    call(volunteer, 90, timezone.now() - timedelta(hours=1))
    client.force_login(volunteer)
    response = client.get(reverse("volunteer_hours") + "?period=all", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.context["total_hours"] == 1.5
    assert "1.5 hours" in response.content.decode()


@pytest.mark.parametrize("name", ["volunteer_hours", "volunteer_hours_csv", "centre_hours", "centre_hours_csv"])
def test_hours_pages_send_anonymous_visitors_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", ["volunteer_hours", "volunteer_hours_csv"])
def test_a_teacher_has_no_volunteer_hours_page(client, name):
    client.force_login(User.objects.get(username="teacher_wang"))
    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", ["centre_hours", "centre_hours_csv"])
def test_volunteers_do_not_see_the_centre_hours(client, volunteer, name):
    client.force_login(volunteer)
    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("query", ["from=2024-03-31&to=2024-03-01", "from=yesterday", "from=1900-01-01",
                                   "period=forever"])
def test_bad_dates_get_a_clear_message_and_a_400(client, volunteer, query):
    client.force_login(volunteer)
    response = client.get(f"{reverse('volunteer_hours')}?{query}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.context["form"].errors


def test_bad_dates_in_a_csv_address_get_a_400_with_the_reason(client, volunteer):
    client.force_login(volunteer)
    response = client.get(reverse("volunteer_hours_csv") + "?from=2024-03-31&to=2024-03-01",
                          HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "The last day must not be before the first day." in response.content.decode()


def test_dates_in_the_address_choose_the_period(client, volunteer, call):
    call(volunteer, 25, at(4))
    call(volunteer, 40, at(4, month=5))
    client.force_login(volunteer)
    response = client.get(reverse("volunteer_hours") + "?from=2024-03-01&to=2024-03-31")
    assert response.context["total_hours"] == round(25 / 60, 1)


# ---------------------------------------------------------------- CSV


def csv_lines(response) -> list[str]:
    return response.content.decode("utf-8").splitlines()


def test_volunteer_csv_is_utf8_with_a_byte_order_mark_for_excel(client, volunteer, call):
    call(volunteer, 15, at(4))
    client.force_login(volunteer)
    response = client.get(reverse("volunteer_hours_csv") + "?from=2024-03-01&to=2024-03-31")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="volunteer-hours-2024-03-01-2024-03-31.csv"'
    assert response.content.startswith("\ufeff".encode("utf-8"))


def test_volunteer_csv_has_only_their_own_rows(client, volunteer, other_volunteer, call):
    call(volunteer, 15, at(4), CallOutcome.JOINED)
    call(other_volunteer, 25, at(5), CallOutcome.NEEDS_VISIT)
    client.force_login(volunteer)
    response = client.get(reverse("volunteer_hours_csv") + "?from=2024-03-01&to=2024-03-31",
                          HTTP_ACCEPT_LANGUAGE="en")
    lines = csv_lines(response)
    assert lines[0] == "\ufeffWhen,Kind,What,Minutes"
    assert lines[1:] == ["2024-03-04 10:00,Phone calls,Call with 赵建国: Joined,15", ",Total,,15"]


def test_centre_csv_has_a_row_per_volunteer_and_the_total(client, volunteer, other_volunteer, call, slot):
    call(volunteer, 30, at(4))
    slot(other_volunteer, at(6), minutes=60)
    client.force_login(User.objects.get(username="coordinator"))
    response = client.get(reverse("centre_hours_csv") + "?from=2024-03-01&to=2024-03-31",
                          HTTP_ACCEPT_LANGUAGE="en")
    lines = csv_lines(response)
    assert lines[1:] == ["王芳,0,60,0,60,1.0", "陈小雨,30,0,0,30,0.5", "Total,30,60,0,90,1.5"]


def test_csv_keeps_a_name_that_looks_like_a_formula_as_text(client, call):
    profile = volunteer_signup(name="=HYPERLINK(1)", phone="13900139003", username="trick",
                               password="long walk by the river 7")
    user = volunteer_approve(volunteer=profile).user
    call(user, 5, at(4))
    client.force_login(User.objects.get(username="coordinator"))
    lines = csv_lines(client.get(reverse("centre_hours_csv") + "?from=2024-03-01&to=2024-03-31"))
    assert "'=HYPERLINK(1),5,0,0,5,0.1" in lines


# ---------------------------------------------------------------- the chart


def test_centre_page_draws_a_bar_chart_with_a_title_and_a_table_of_the_same_numbers(client, volunteer, call):
    call(volunteer, 90, at(4))
    client.force_login(User.objects.get(username="coordinator"))
    html = client.get(reverse("centre_hours") + "?from=2024-03-01&to=2024-03-31",
                      HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<svg role="img" aria-labelledby="chart-title"' in html
    assert '<title id="chart-title">' in html
    assert '<tr><th scope="row">陈小雨</th><td>1.5</td><td>0.0</td><td>0.0</td><td><strong>1.5</strong></td></tr>' in html
    assert "Volunteer service: 1.5 hours" in html


def test_centre_page_says_this_terms_hours(client, volunteer, call):
    Term.objects.create(name="本学期", starts_on=timezone.localdate() - timedelta(days=10),
                        ends_on=timezone.localdate() + timedelta(days=80))
    call(volunteer, 120, timezone.now() - timedelta(hours=2))
    client.force_login(User.objects.get(username="coordinator"))
    html = client.get(reverse("centre_hours"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Volunteer service this term: 2.0 hours" in html


def test_the_longest_bar_fills_the_chart_and_the_others_are_in_proportion(volunteer, other_volunteer, call):
    call(volunteer, 60, at(4))
    call(other_volunteer, 15, at(4))
    chart = hours_chart(centre=centre_hours(period=MARCH))
    assert [bar.width for bar in chart["bars"]] == [chart["width"], chart["width"] / 4]
