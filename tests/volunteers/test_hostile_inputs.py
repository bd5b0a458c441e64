"""Inputs that once made a 500: a friendly page or a JSON error instead, in the reader's language."""

import pytest
from django.conf import settings
from django.test import Client

from tests.layers import learner_cookie, user_named

pytestmark = pytest.mark.django_db

DEEP_JSON = "[" * 5_000 + "]" * 5_000


@pytest.fixture
def liu_client(calligraphy):
    from classes.models import Learner

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.cookies[settings.SESSION_COOKIE_NAME] = learner_cookie(Learner.objects.get(phone="13800138001"), calligraphy)
    return client


@pytest.fixture
def coordinator_client():
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user_named("coordinator"))
    return client


def test_asking_for_a_call_about_a_course_id_too_large_for_any_column_is_still_an_ask(liu_client):
    response = liu_client.post("/help/call-me/", {"course": "9" * 30})
    assert response.status_code == 302


@pytest.mark.parametrize("url", ["/assist/step/", "device_check"])
def test_a_deeply_nested_json_body_is_refused_as_unreadable(liu_client, calligraphy, url):
    if url == "device_check":
        url = f"/class/{calligraphy.sessions.order_by('starts_at').first().pk}/check/"
    response = liu_client.post(url, DEEP_JSON, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["ok"] is False


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_day_sheet_at_the_ends_of_the_calendar_is_not_found(coordinator_client, day):
    assert coordinator_client.get(f"/volunteer/visits/{day}/sheet/").status_code == 404


@pytest.mark.parametrize("field, value, words", [
    ("minutes", 10**15, "A visit lasts 10 to 240 minutes."),
    ("day", "9999-12-31", "Please enter a date between 2000-01-01 and 2100-12-31."),
])
def test_adding_times_out_of_range_says_why(coordinator_client, field, value, words):
    data = {"day": "2030-01-02", "starts": "09:00", "count": 1, "minutes": 30, "capacity": 3, field: value}
    response = coordinator_client.post("/volunteer/visits/", data)
    assert response.status_code == 400
    assert words in response.content.decode()
