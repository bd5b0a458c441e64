"""The coordinators' term overview (学期概览) and today's classes in the Wagtail admin: the figures
and every CSV row against a term counted by hand (tests/classes/term_world.py), who may see
them, the call-list button, the charts, and query budgets that do not grow with the term."""

import csv
import html
import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from classes.models import ClassSession, Participant, RoomRole, Visit
from tests.classes.learner_pages import local, noon  # noqa: F401 (noon: a fixture)
from tests.classes.term_world import at, build_term_world, grow
from volunteers.models import CallLog, CallOutcome, HelpRequest, HelpSource, HelpStatus
from volunteers.services.signup import volunteer_approve, volunteer_signup
from volunteers.wagtail_hooks import TodayClassesPanel

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("wagtailadmin_term_overview")
CALL = reverse("wagtailadmin_term_overview_call")


def csv_url(table: str, term) -> str:
    return reverse("wagtailadmin_term_overview_csv", args=[table]) + f"?term={term.pk}"


@pytest.fixture
def world(calligraphy):
    """The hand-counted term, with volunteers' work in it: 王芳 phoned 30 minutes in the term (and 15
    after it) and helped an hour in class; two requests were done in the term, one after it; 戊 waits
    for a call (the demo's 赵建国 too)."""
    world = build_term_world(calligraphy.category)
    wang = volunteer_approve(volunteer=volunteer_signup(
        name="王芳", phone="13900139002", username="wangfang", password="long walk by the river 7")).user
    learners = world.learners
    done = HelpRequest.objects.create(learner=learners["甲"], course=world.taichi, source=HelpSource.LEARNER,
                                      status=HelpStatus.CLOSED, volunteer=wang, closed_at=at(4, 10))
    HelpRequest.objects.create(learner=learners["丙"], source=HelpSource.LEARNER, status=HelpStatus.CLOSED,
                               closed_at=at(6, 30, 23, 59))
    HelpRequest.objects.create(learner=learners["己"], source=HelpSource.LEARNER, status=HelpStatus.CLOSED,
                               closed_at=at(7, 1, 0, 1))
    HelpRequest.objects.create(learner=learners["戊"], course=world.taichi, source=HelpSource.TEACHER)
    CallLog.objects.create(request=done, volunteer=wang, called_at=at(4, 1), minutes=30, outcome=CallOutcome.JOINED)
    CallLog.objects.create(request=done, volunteer=wang, called_at=at(8, 2), minutes=15, outcome=CallOutcome.OTHER)
    helper = Participant.objects.create(session=world.sessions["a1"], user=wang, name="王芳", role=RoomRole.VOLUNTEER)
    visit = Visit.objects.create(participant=helper)
    Visit.objects.filter(pk=visit.pk).update(joined_at=at(3, 3, 10), left_at=at(3, 3, 11), last_seen_at=at(3, 3, 11))
    return world


@pytest.fixture
def coordinator(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.login(username="coordinator", password="demo-coordinator")
    return client


@pytest.fixture
def editor(client):
    """Someone who may use the admin (pages, images) but is not a coordinator."""
    user = get_user_model().objects.create_user(username="editor", password="an editor of pages 9")
    user.user_permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(user)
    return client


def csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


# ---------------------------------------------------------------- who may see it


@pytest.mark.parametrize("who", ["teacher_wang", "volunteer", None])
def test_teachers_volunteers_and_strangers_get_neither_the_overview_nor_its_csv_nor_the_button(client, world, who):
    if who:
        client.login(username=who, password="demo-teacher" if who.startswith("teacher") else "demo-volunteer")
    pages = [client.get(f"{OVERVIEW}?term={world.term.pk}"), client.get(csv_url("learners", world.term)),
             client.post(CALL, {"learner": world.learners["乙"].pk, "course": world.taichi.pk})]
    assert [page.status_code for page in pages] == [302, 302, 302]  # Wagtail sends them to its sign-in
    assert all("乙" not in page.content.decode() for page in pages)
    assert not HelpRequest.objects.filter(learner=world.learners["乙"]).exists()


def test_an_admin_user_who_is_not_a_coordinator_is_refused_and_sees_no_menu_item_or_panel(editor, world):
    # Wagtail turns a refusal inside the admin into a way back to the admin's home, with a message.
    for response in (editor.get(OVERVIEW), editor.get(csv_url("funnel", world.term))):
        assert (response.status_code, response["Location"]) == (302, reverse("wagtailadmin_home"))
    home = editor.get(reverse("wagtailadmin_home")).content.decode()
    assert OVERVIEW not in home and "today-classes-heading" not in home


# ---------------------------------------------------------------- the figures and the CSV


def test_the_overview_shows_the_hand_counted_figures_of_the_term(coordinator, world):
    response = coordinator.get(OVERVIEW, {"term": world.term.pk})
    assert response.status_code == 200
    context = response.context
    assert context["counted"] == {"planned": 6, "held": 5, "cancelled": 1}
    totals = context["seat_totals"]
    assert (totals.online_taken, totals.online_capacity, totals.centre_taken, totals.centre_capacity) == (4, 5, 1, 2)
    assert [(row.name, on_list) for row, on_list in context["missed"]] == [("乙", False), ("戊", True)]
    volunteers = context["volunteers"]
    assert (volunteers.approved, volunteers.open_requests, volunteers.closed_requests) == (2, 2, 2)
    assert context["volunteer_hours_total"] == 1.5
    page = response.content.decode()
    # Each table is on the page as a real table, its rows named by row headers.
    assert page.count('-caption">') == 5 and '<th scope="row">太极入门</th>' in page
    assert "On the call list: a volunteer will phone." in page  # 戊, in words, no button


def test_each_csv_holds_its_tables_rows_with_the_header_in_the_users_language(coordinator, world):
    tables = {name: csv_rows(coordinator.get(csv_url(name, world.term)))
              for name in ("enrolment", "sessions", "learners", "funnel", "volunteers")}
    assert tables["enrolment"] == [
        ["Course", "Online: seats taken", "Online: seats", "Online: waiting", "At the centre: seats taken",
         "At the centre: seats", "At the centre: waiting", "Room at the centre", "To look at"],
        ["太极入门", "3", "3", "1", "1", "2", "0", "活动室, holds 1",
         "活动室 holds 1, but the course has 2 seats at the centre."],
        ["剪纸", "1", "2", "0", "0", "0", "0", "—", "—"],
        ["Total", "4", "5", "1", "1", "2", "0", "", ""],
    ]
    assert tables["sessions"] == [
        ["Course", "Class", "Learners who came", "Learners with a seat", "Attendance (%)"],
        ["太极入门", "2021-03-03 10:00", "2", "3", "67"], ["剪纸", "2021-03-05 10:00", "1", "1", "100"],
        ["剪纸", "2021-03-12 10:00", "0", "1", "0"], ["太极入门", "2021-03-17 10:00", "2", "4", "50"],
        ["太极入门", "2021-03-24 10:00", "1", "4", "25"],
    ]
    assert tables["learners"] == [
        ["Learner", "Course", "Classes attended", "Classes held since signing up", "Attendance (%)",
         "Missed the last two classes"],
        ["丙", "太极入门", "1", "2", "50", "No"], ["乙", "太极入门", "0", "3", "0", "Yes"],
        ["戊", "太极入门", "1", "3", "33", "Yes"], ["甲", "太极入门", "3", "3", "100", "No"],
        ["己", "剪纸", "1", "2", "50", "No"],
    ]
    assert tables["funnel"] == [
        ["Course", "Learners with a seat", "Opened their link", "Checked their device", "Came to a class"],
        ["太极入门", "4", "2", "1", "3"], ["剪纸", "1", "0", "0", "1"],
    ]
    assert tables["volunteers"] == [
        ["Volunteer", "Phone calls (hours)", "Setup visits (hours)", "Helping in class (hours)", "Total (hours)"],
        ["王芳", "0.5", "0.0", "1.0", "1.5"], ["陈小雨", "0.0", "0.0", "0.0", "0.0"],
        ["Total", "0.5", "0.0", "1.0", "1.5"],
    ]


def test_a_csv_is_private_and_an_unknown_table_is_not_found(coordinator, world):
    response = coordinator.get(csv_url("funnel", world.term))
    assert "no-store" in response["Cache-Control"]
    assert response.content.startswith("\ufeff".encode())
    assert coordinator.get(csv_url("passwords", world.term)).status_code == 404


def test_the_charts_are_labelled_pictures_whose_bars_say_their_numbers(coordinator, world):
    page = coordinator.get(OVERVIEW, {"term": world.term.pk}).content.decode()
    assert page.count('role="img"') == 2
    assert 'aria-labelledby="seats-chart-title seats-chart-desc"' in page and '<desc id="funnel-chart-desc">' in page
    assert "Online · 3 of 3 seats taken, 1 waiting</text>" in page
    assert "At the centre · 1 of 2 seats taken</text>" in page
    assert "Opened their link · 2 of 4</text>" in page and "Came to a class · 1 of 1</text>" in page


# ---------------------------------------------------------------- the call list


def test_the_button_puts_a_learner_on_the_call_list_once_however_often_it_is_tapped(coordinator, world):
    yi = world.learners["乙"]
    form = {"learner": yi.pk, "course": world.taichi.pk, "term": world.term.pk}
    first = coordinator.post(CALL, form, follow=True)
    second = coordinator.post(CALL, form, follow=True)
    request = HelpRequest.objects.get(learner=yi)
    assert (request.status, request.source, request.course, request.asks) == (
        HelpStatus.OPEN, HelpSource.COORDINATOR, world.taichi, 1)
    assert "From the term overview: missed the last two classes in a row." in request.note
    assert first.redirect_chain[-1][0] == f"{OVERVIEW}?term={world.term.pk}#missed"
    assert "乙 is on the volunteers' call list" in html.unescape(first.content.decode())
    assert "乙 is already on the volunteers' call list." in html.unescape(second.content.decode())


def test_the_button_needs_a_post_and_a_learner_with_a_seat_in_the_course(coordinator, world):
    assert coordinator.get(CALL).status_code == 405
    waiting = {"learner": world.learners["丁"].pk, "course": world.taichi.pk}  # on the waiting list
    assert coordinator.post(CALL, waiting).status_code == 404
    assert not HelpRequest.objects.filter(learner=world.learners["丁"]).exists()


# ---------------------------------------------------------------- today's classes on the admin home


def test_coordinators_see_todays_classes_on_the_admin_home_with_state_and_links(noon, coordinator, world):
    live = ClassSession.objects.create(course=world.papercut, starts_at=local(0, 11, 30), duration_minutes=60,
                                       live_started_at=local(0, 11, 31))
    world.visit(live, world.learners["己"], local(0, 11, 32))
    page = coordinator.get(reverse("wagtailadmin_home")).content.decode()
    assert OVERVIEW in page  # the menu item
    row = page[page.index(f'data-session="{live.pk}"'):]
    row = row[:row.index("</tr>")]
    assert "The class is on." in row
    assert 'data-joined="1" data-enrolled="1"' in row
    assert reverse("class_page", args=[live.pk]) in row and reverse("roster", args=[world.papercut.pk]) in row


# ---------------------------------------------------------------- bounded queries


def _overview_queries(client, term) -> int:
    client.get(OVERVIEW, {"term": term.pk})  # the first request warms what is cached for all after it
    with CaptureQueriesContext(connection) as queries:
        assert client.get(OVERVIEW, {"term": term.pk}).status_code == 200
    return len(queries)


def test_the_overview_costs_the_same_queries_however_many_learners_and_classes(coordinator, world):
    before = _overview_queries(coordinator, world.term)
    grow(world, learners=5, held=3)
    assert _overview_queries(coordinator, world.term) == before


def test_todays_panel_costs_the_same_queries_however_many_classes_and_learners(noon, world):
    request = RequestFactory().get("/admin/")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            TodayClassesPanel().render_html({"request": request})
        return len(captured)

    ClassSession.objects.create(course=world.papercut, starts_at=local(0, 9), duration_minutes=60)
    before = queries()
    grow(world, learners=4, held=0)
    for hour in (10, 14, 16):
        session = ClassSession.objects.create(course=world.taichi, starts_at=local(0, hour), duration_minutes=60,
                                              live_started_at=local(0, hour))
        for name in ("甲", "乙", "戊"):
            world.visit(session, world.learners[name], local(0, hour, 5))
    assert queries() == before
