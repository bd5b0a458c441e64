"""The help pages: 求助 for signed-in learners, the roster's "ask a volunteer to call", the
volunteer home page, the coordinators' list, a request's page with its call log, and the
export. Above all: a volunteer never gets the phone number of a learner not assigned to them."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from classes.courses.join_links import join_link_ensure, join_link_mark_used
from classes.models import CoursePage, Learner
from core.roles import VOLUNTEERS
from volunteers.models import CallLog, CallOutcome, HelpRequest, HelpSource, HelpStatus, Volunteer, VolunteerStatus
from volunteers.selectors.access import learners_assigned_to
from volunteers.selectors.readiness import readiness_of
from volunteers.services.help import help_request_claim

pytestmark = pytest.mark.django_db

User = get_user_model()
DEMO_PHONES = [f"1380013800{n}" for n in range(1, 6)]
ZHAO_PHONE = "13800138002"


@pytest.fixture
def liu(db):
    return Learner.objects.get(phone="13800138001")


@pytest.fixture
def zhao_request(db):
    return HelpRequest.objects.get(learner__phone=ZHAO_PHONE)


@pytest.fixture
def abc(db):
    return CoursePage.objects.get(slug="learn-abc")


# The pages are checked in English, so the assertions hold once the Chinese translations are in.
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults.update(ENGLISH)
    with translation.override("en"):
        yield


def signed_in(username):
    client = Client(**ENGLISH)
    client.force_login(User.objects.get(username=username))
    return client


@pytest.fixture
def volunteer_client(db):
    return signed_in("volunteer")


@pytest.fixture
def coordinator_client(db):
    return signed_in("coordinator")


def make_volunteer(username):
    user = User.objects.create_user(username, password="x")
    user.groups.add(Group.objects.get(name=VOLUNTEERS))
    Volunteer.objects.create(user=user, name=username, phone="13700000000", status=VolunteerStatus.APPROVED)
    return user


def assert_no_learner_phone(response, phones=None):
    """No demo learner's number is on the page, apart from those of learners assigned to whoever asked."""
    if phones is None:
        user = response.wsgi_request.user
        mine = set(learners_assigned_to(user=user).values_list("phone", flat=True)) if user.is_authenticated else set()
        phones = [phone for phone in DEMO_PHONES if phone not in mine]
    body = response.content.decode()
    shown = [phone for phone in phones if phone in body]
    assert not shown, f"{response.request['PATH_INFO']} shows {shown}"


# ---------------------------------------------------------------- 求助, signed in as a learner


def test_a_signed_in_learner_sees_the_call_me_help_button_on_every_page(client, open_link, calligraphy, liu):
    open_link(calligraphy, liu)

    for path in ("/", "/my/", "/help/"):
        body = client.get(path).content.decode()
        assert f'action="{reverse("help_call_me")}"' in body, path
        assert "csrfmiddlewaretoken" in body


def test_a_visitor_who_is_not_signed_in_keeps_the_link_to_the_help_page(client):
    body = client.get("/").content.decode()

    assert reverse("help_call_me") not in body
    assert f'href="{reverse("help")}"' in body


def test_the_course_page_sends_its_course_with_the_ask(client, open_link, calligraphy, liu):
    open_link(calligraphy, liu)

    body = client.get(calligraphy.url).content.decode()

    assert f'name="course" value="{calligraphy.pk}"' in body


def test_tapping_help_makes_a_request_and_confirms_it(client, open_link, calligraphy, abc, liu):
    open_link(calligraphy, liu)

    response = client.post(reverse("help_call_me"), {"course": abc.pk}, follow=True)

    request = HelpRequest.objects.get(learner=liu)
    assert (request.source, request.course, request.status) == (HelpSource.LEARNER, abc, HelpStatus.OPEN)
    assert response.status_code == 200
    assert "A volunteer will call you" in response.content.decode()
    assert "010-6512-3456" in response.content.decode()


def test_a_course_the_learner_is_not_in_falls_back_to_their_first_course(client, open_link, calligraphy, liu):
    open_link(calligraphy, liu)
    painting = CoursePage.objects.get(slug="chinese-painting")

    client.post(reverse("help_call_me"), {"course": painting.pk})

    assert HelpRequest.objects.get(learner=liu).course.slug in ("calligraphy", "learn-abc")


def test_a_garbled_course_still_makes_the_request(client, open_link, calligraphy, liu):
    open_link(calligraphy, liu)

    response = client.post(reverse("help_call_me"), {"course": "²"})

    assert response.status_code == 302
    assert HelpRequest.objects.filter(learner=liu).exists()


def test_a_double_tap_asks_once_and_shows_the_same_confirmation(client, open_link, calligraphy, liu):
    open_link(calligraphy, liu)

    client.post(reverse("help_call_me"))
    response = client.post(reverse("help_call_me"), follow=True)

    assert response.status_code == 200
    assert "A volunteer will call you" in response.content.decode()
    assert HelpRequest.objects.get(learner=liu).asks == 1


def test_asking_again_later_merges_and_says_we_already_have_it(client, open_link, calligraphy, liu):
    from django.core.cache import cache

    open_link(calligraphy, liu)
    client.post(reverse("help_call_me"))
    cache.delete(f"help-call-me-tap:{liu.pk}")  # the double-tap window has passed

    response = client.post(reverse("help_call_me"), follow=True)

    assert HelpRequest.objects.filter(learner=liu).count() == 1
    assert HelpRequest.objects.get(learner=liu).asks == 2
    assert "We already have your request" in response.content.decode()


def test_a_learner_with_an_open_request_from_the_seed_gets_it_merged(client, open_link, abc, zhao_request):
    open_link(abc, zhao_request.learner)

    response = client.post(reverse("help_call_me"), follow=True)

    zhao_request.refresh_from_db()
    assert zhao_request.asks == 2
    assert HelpRequest.objects.filter(learner=zhao_request.learner).count() == 1
    assert "We already have your request" in response.content.decode()


def test_asking_over_and_over_is_rate_limited_and_writes_nothing_more(client, open_link, calligraphy, liu):
    from django.core.cache import cache
    from volunteers.views.help import HELP_ASKS_PER_HOUR

    open_link(calligraphy, liu)
    for _ in range(HELP_ASKS_PER_HOUR):
        cache.delete(f"help-call-me-tap:{liu.pk}")
        client.post(reverse("help_call_me"))
    cache.delete(f"help-call-me-tap:{liu.pk}")

    response = client.post(reverse("help_call_me"))

    assert response.status_code == 429
    assert "A volunteer will call you" in response.content.decode()
    assert HelpRequest.objects.get(learner=liu).asks == HELP_ASKS_PER_HOUR


def test_a_stale_page_from_a_signed_out_learner_goes_to_the_help_page(client):
    response = client.post(reverse("help_call_me"))

    assert response.status_code == 302 and response["Location"] == reverse("help")
    assert not HelpRequest.objects.filter(source=HelpSource.LEARNER, asks__gt=1).exists()


def test_asking_needs_the_csrf_token(open_link, calligraphy, liu):
    from classes.courses.join_links import join_link_ensure, join_link_token

    client = Client(enforce_csrf_checks=True, **ENGLISH)
    client.get(f"/j/{join_link_token(link=join_link_ensure(course=calligraphy, learner=liu))}/")

    response = client.post(reverse("help_call_me"))

    assert response.status_code == 403
    assert not HelpRequest.objects.filter(learner=liu).exists()


# ---------------------------------------------------------------- teachers and coordinators, from the roster


def test_the_roster_offers_to_ask_a_volunteer_to_call(calligraphy, liu):
    body = signed_in("teacher_wang").get(reverse("roster", args=[calligraphy.pk])).content.decode()

    assert reverse("help_request_ask", args=[calligraphy.pk, liu.pk]) in body


def test_a_teacher_asks_a_volunteer_to_call_a_learner_of_their_course(calligraphy, liu):
    response = signed_in("teacher_wang").post(
        reverse("help_request_ask", args=[calligraphy.pk, liu.pk]), {"note": "还没试过声音"})

    request = HelpRequest.objects.get(learner=liu)
    assert response.status_code == 302
    assert request.source == HelpSource.TEACHER and "还没试过声音" in request.note
    assert request.created_by.username == "teacher_wang"


def test_a_teacher_cannot_ask_for_a_learner_of_another_teachers_course(calligraphy, liu):
    response = signed_in("teacher_li").post(reverse("help_request_ask", args=[calligraphy.pk, liu.pk]))

    assert response.status_code == 403
    assert not HelpRequest.objects.filter(learner=liu).exists()


def test_asking_for_someone_not_in_the_course_is_not_found(calligraphy):
    stranger = Learner.objects.get(phone="13800138003")  # 国画 only

    response = signed_in("coordinator").post(reverse("help_request_ask", args=[calligraphy.pk, stranger.pk]))

    assert response.status_code == 404


def test_a_coordinators_ask_merges_into_the_open_request(abc, zhao_request):
    signed_in("coordinator").post(reverse("help_request_ask", args=[abc.pk, zhao_request.learner_id]), {"note": "再打"})

    zhao_request.refresh_from_db()
    assert zhao_request.asks == 2 and "再打" in zhao_request.note
    assert HelpRequest.objects.filter(learner=zhao_request.learner).count() == 1


# ---------------------------------------------------------------- the volunteer home page


def test_the_volunteer_home_sends_the_signed_out_to_log_in(client):
    response = client.get(reverse("volunteer_home"))

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_volunteer_home_refuses_a_teacher():
    response = signed_in("teacher_wang").get(reverse("volunteer_home"))

    assert response.status_code == 403
    assert "not for you" in response.content.decode()


def test_a_volunteer_lands_on_their_home_page_after_signing_in(volunteer_client):
    response = volunteer_client.get(reverse("my_classes"))

    assert response.status_code == 302 and response["Location"] == reverse("volunteer_home")


def test_the_volunteer_home_lists_open_requests_without_phone_numbers(volunteer_client, zhao_request):
    response = volunteer_client.get(reverse("volunteer_home"))

    assert response.status_code == 200
    assert "赵建国" in response.content.decode()
    assert reverse("volunteer_request_claim", args=[zhao_request.pk]) in response.content.decode()
    assert_no_learner_phone(response)


def test_the_volunteer_home_shows_assigned_learners_with_a_tel_link(volunteer_client, zhao_request):
    help_request_claim(help_request=zhao_request, user=User.objects.get(username="volunteer"))

    body = volunteer_client.get(reverse("volunteer_home")).content.decode()

    assert f'href="tel:{ZHAO_PHONE}"' in body
    assert reverse("volunteer_request", args=[zhao_request.pk]) in body
    assert_no_learner_phone(volunteer_client.get(reverse("volunteer_home")),
                            [p for p in DEMO_PHONES if p != ZHAO_PHONE])


def test_claiming_from_the_home_page_opens_the_request_with_the_phone(volunteer_client, zhao_request):
    response = volunteer_client.post(reverse("volunteer_request_claim", args=[zhao_request.pk]), follow=True)

    assert response.status_code == 200
    assert f'href="tel:{ZHAO_PHONE}"' in response.content.decode()
    assert HelpRequest.objects.get(pk=zhao_request.pk).status == HelpStatus.ASSIGNED


def test_claiming_a_request_someone_else_took_says_so_and_shows_no_phone(volunteer_client, zhao_request):
    help_request_claim(help_request=zhao_request, user=make_volunteer("quicker"))

    response = volunteer_client.post(reverse("volunteer_request_claim", args=[zhao_request.pk]), follow=True)

    assert "Another volunteer has just taken" in response.content.decode()
    assert_no_learner_phone(response)
    assert HelpRequest.objects.get(pk=zhao_request.pk).volunteer.username == "quicker"


def test_a_coordinator_sees_the_volunteer_home_with_a_link_to_all_requests(coordinator_client):
    body = coordinator_client.get(reverse("volunteer_home")).content.decode()

    assert reverse("volunteer_requests") in body


# ---------------------------------------------------------------- one request's page


def test_a_volunteer_opening_an_unassigned_learners_request_is_refused_without_the_phone(
        volunteer_client, zhao_request):
    response = volunteer_client.get(reverse("volunteer_request", args=[zhao_request.pk]))

    assert response.status_code == 403
    assert "not for you" in response.content.decode()
    assert_no_learner_phone(response)


def test_a_volunteer_opening_another_volunteers_request_is_refused(volunteer_client, zhao_request):
    help_request_claim(help_request=zhao_request, user=make_volunteer("other"))

    response = volunteer_client.get(reverse("volunteer_request", args=[zhao_request.pk]))

    assert response.status_code == 403
    assert_no_learner_phone(response)


def test_the_assigned_volunteer_sees_the_request_with_the_phone(volunteer_client, zhao_request):
    help_request_claim(help_request=zhao_request, user=User.objects.get(username="volunteer"))

    response = volunteer_client.get(reverse("volunteer_request", args=[zhao_request.pk]))

    assert response.status_code == 200
    assert f'href="tel:{ZHAO_PHONE}"' in response.content.decode()


def test_a_teacher_cannot_open_a_request(zhao_request):
    response = signed_in("teacher_wang").get(reverse("volunteer_request", args=[zhao_request.pk]))

    assert response.status_code == 403
    assert_no_learner_phone(response)


def _answers_for_an_existing_and_a_missing_request(client, url_name, method, existing):
    missing = HelpRequest.objects.order_by("-pk").values_list("pk", flat=True).first() + 1
    send = getattr(client, method)
    return [(r.status_code, r.get("Location")) for r in (send(reverse(url_name, args=[pk])) for pk in (existing.pk, missing))]


@pytest.mark.parametrize(("url_name", "method"), [
    ("volunteer_request", "get"), ("volunteer_request_claim", "post"), ("volunteer_request_assign", "post"),
])
def test_to_a_teacher_an_existing_and_a_missing_request_answer_alike(zhao_request, url_name, method):
    first, second = _answers_for_an_existing_and_a_missing_request(signed_in("teacher_wang"), url_name, method,
                                                                   zhao_request)
    assert first == second
    assert first[0] == 403


@pytest.mark.parametrize(("url_name", "method"), [("volunteer_request", "get"), ("volunteer_request_claim", "post")])
def test_to_the_signed_out_an_existing_and_a_missing_request_answer_alike(client, zhao_request, url_name, method):
    first, second = _answers_for_an_existing_and_a_missing_request(client, url_name, method, zhao_request)
    assert first[0] == second[0] == 302
    assert first[1].split("?")[0] == second[1].split("?")[0] == reverse("login")

@pytest.fixture
def mine(volunteer_client, zhao_request):
    help_request_claim(help_request=zhao_request, user=User.objects.get(username="volunteer"))
    return zhao_request


def call_form(**overrides):
    local = timezone.localtime() - timedelta(minutes=10)
    data = {"call_date": local.date().isoformat(), "call_time": local.strftime("%H:%M"), "minutes": "12",
            "outcome": CallOutcome.NOT_REACHED, "notes": "没人接"}
    data.update(overrides)
    return data


def test_the_assigned_volunteer_logs_a_call_on_the_request_page(volunteer_client, mine):
    response = volunteer_client.post(reverse("volunteer_request", args=[mine.pk]), call_form())

    assert response.status_code == 302
    call = CallLog.objects.get(request=mine)
    assert (call.minutes, call.outcome, call.notes) == (12, CallOutcome.NOT_REACHED, "没人接")


@pytest.mark.parametrize("minutes, words", [("-5", "less than 0 minutes"), ("999", "typing slip"),
                                            ("abc", "whole number")])
def test_a_bad_call_length_is_refused_with_a_clear_message(volunteer_client, mine, minutes, words):
    response = volunteer_client.post(reverse("volunteer_request", args=[mine.pk]), call_form(minutes=minutes))

    assert response.status_code == 400
    assert words in response.content.decode()
    assert not CallLog.objects.filter(request=mine).exists()


def test_a_call_time_in_the_future_is_refused_with_a_clear_message(volunteer_client, mine):
    later = timezone.localtime() + timedelta(days=1)

    response = volunteer_client.post(reverse("volunteer_request", args=[mine.pk]),
                                     call_form(call_date=later.date().isoformat()))

    assert response.status_code == 400
    assert "in the future" in response.content.decode()
    assert not CallLog.objects.filter(request=mine).exists()


def test_a_call_logged_joined_closes_the_request_and_the_roster_shows_the_learner_ready(
    volunteer_client, coordinator_client, mine, abc,
):
    response = volunteer_client.post(reverse("volunteer_request", args=[mine.pk]),
                                     call_form(outcome=CallOutcome.JOINED), follow=True)
    roster = coordinator_client.get(reverse("roster", args=[abc.pk])).content.decode()

    assert "this request is done" in response.content.decode()
    assert HelpRequest.objects.get(pk=mine.pk).status == HelpStatus.CLOSED
    zhao_row = roster[roster.index(mine.learner.name):].split("</tr>")[0]
    assert "Ready</strong> (joined on a volunteer&#x27;s call)" in zhao_row


def test_the_roster_and_the_request_page_show_a_learner_s_readiness_in_the_same_words(
    volunteer_client, coordinator_client, mine, abc,
):
    join_link_mark_used(link=join_link_ensure(course=abc, learner=mine.learner))
    words = render_to_string("volunteers/readiness_steps.html",
                             {"readiness": readiness_of(learner=mine.learner, course=abc)}).strip()

    roster = coordinator_client.get(reverse("roster", args=[abc.pk])).content.decode()
    request_page = volunteer_client.get(reverse("volunteer_request", args=[mine.pk])).content.decode()

    assert "open the personal link: done" in words and "device check: not yet" in words
    assert words in roster[roster.index(mine.learner.name):].split("</tr>")[0]
    assert words in request_page


def test_a_call_that_finds_the_learner_ready_closes_the_request(volunteer_client, mine):
    from volunteers.models import SetupBooking, SetupSlot

    slot = SetupSlot.objects.create(starts_at=timezone.now() - timedelta(hours=1))
    SetupBooking.objects.create(slot=slot, learner=mine.learner, checked_in_at=timezone.now())

    response = volunteer_client.post(reverse("volunteer_request", args=[mine.pk]),
                                     call_form(outcome=CallOutcome.OTHER), follow=True)

    assert response.redirect_chain[-1][0] == reverse("volunteer_home")
    assert "this request is done" in response.content.decode()
    assert HelpRequest.objects.get(pk=mine.pk).status == HelpStatus.CLOSED


def test_another_volunteer_cannot_log_a_call(zhao_request):
    help_request_claim(help_request=zhao_request, user=User.objects.get(username="volunteer"))
    other = make_volunteer("other")
    client = Client(**ENGLISH)
    client.force_login(other)

    response = client.post(reverse("volunteer_request", args=[zhao_request.pk]), call_form())

    assert response.status_code == 403
    assert not CallLog.objects.filter(request=zhao_request).exists()


# ---------------------------------------------------------------- coordinators


def test_the_requests_list_is_for_coordinators_only(volunteer_client):
    response = volunteer_client.get(reverse("volunteer_requests"))

    assert response.status_code == 403
    assert_no_learner_phone(response)


def test_the_coordinators_list_shows_requests_with_phones(coordinator_client, zhao_request):
    body = coordinator_client.get(reverse("volunteer_requests")).content.decode()

    assert ZHAO_PHONE in body
    assert reverse("volunteer_request_assign", args=[zhao_request.pk]) in body


def test_a_coordinator_assigns_and_takes_back_a_request(coordinator_client, zhao_request):
    volunteer = User.objects.get(username="volunteer")
    url = reverse("volunteer_request_assign", args=[zhao_request.pk])

    coordinator_client.post(url, {"action": "assign", "volunteer": volunteer.pk})
    assigned = HelpRequest.objects.get(pk=zhao_request.pk)
    coordinator_client.post(url, {"action": "unassign"})

    assert (assigned.status, assigned.volunteer) == (HelpStatus.ASSIGNED, volunteer)
    assert HelpRequest.objects.get(pk=zhao_request.pk).status == HelpStatus.OPEN


def test_assigning_to_someone_who_is_not_a_volunteer_is_refused(coordinator_client, zhao_request):
    teacher = User.objects.get(username="teacher_wang")

    response = coordinator_client.post(reverse("volunteer_request_assign", args=[zhao_request.pk]),
                                       {"action": "assign", "volunteer": teacher.pk}, follow=True)

    assert "approved volunteer" in response.content.decode()
    assert HelpRequest.objects.get(pk=zhao_request.pk).status == HelpStatus.OPEN


def test_a_volunteer_cannot_assign(volunteer_client, zhao_request):
    volunteer = User.objects.get(username="volunteer")

    response = volunteer_client.post(reverse("volunteer_request_assign", args=[zhao_request.pk]),
                                     {"action": "assign", "volunteer": volunteer.pk})

    assert response.status_code == 403
    assert HelpRequest.objects.get(pk=zhao_request.pk).status == HelpStatus.OPEN


# ---------------------------------------------------------------- the export


def test_a_volunteers_export_has_only_their_assigned_learners(volunteer_client, zhao_request, liu, calligraphy):
    from volunteers.services.help import help_request_ask

    other = help_request_ask(learner=liu, source=HelpSource.LEARNER, course=calligraphy).help_request
    help_request_claim(help_request=other, user=make_volunteer("other"))
    help_request_claim(help_request=zhao_request, user=User.objects.get(username="volunteer"))

    response = volunteer_client.get(reverse("volunteer_calls_csv"))

    body = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert ZHAO_PHONE in body and "学会ABC" in body
    assert_no_learner_phone(response, [p for p in DEMO_PHONES if p != ZHAO_PHONE])


def test_a_volunteer_with_no_assigned_learner_exports_no_phone(volunteer_client, zhao_request):
    response = volunteer_client.get(reverse("volunteer_calls_csv"))

    assert response.status_code == 200
    assert_no_learner_phone(response)


def test_a_coordinators_export_has_every_waiting_learner(coordinator_client, zhao_request):
    body = coordinator_client.get(reverse("volunteer_calls_csv")).content.decode("utf-8-sig")

    assert ZHAO_PHONE in body


def test_the_export_refuses_a_teacher():
    response = signed_in("teacher_wang").get(reverse("volunteer_calls_csv"))

    assert response.status_code == 403
    assert_no_learner_phone(response)


def test_the_export_defuses_a_name_a_spreadsheet_would_run(coordinator_client, calligraphy):
    from volunteers.services.help import help_request_ask

    sly = Learner.objects.create(name="=HYPERLINK(1)", phone="13600000999")
    help_request_ask(learner=sly, source=HelpSource.COORDINATOR, course=calligraphy)

    body = coordinator_client.get(reverse("volunteer_calls_csv")).content.decode("utf-8-sig")

    assert "'=HYPERLINK(1)" in body
