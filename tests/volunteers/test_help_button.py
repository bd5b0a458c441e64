"""The header's one 求助 button, as each person gets it: a signed-in learner's asks a volunteer
to call them (a POST with its CSRF token, to the call-me view); anyone else's leads to the help
page, which gives the centre's phone number."""

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from classes.models import Learner

pytestmark = pytest.mark.django_db

# Pages a learner meets, each with its own content under the same header.
PAGES = ["/", "/courses/", "/courses/calligraphy/", "/help/", "/my/", "/timetable/"]


@pytest.fixture
def liu(db):
    return Learner.objects.get(phone="13800138001")


def help_buttons(response) -> list:
    """Every help button in the page's header."""
    header = BeautifulSoup(response.content.decode(), "html.parser").find("header")
    return header.select(".button--help")


@pytest.mark.parametrize("path", PAGES)
def test_a_visitor_gets_one_help_button_a_link_to_the_help_page(zh_client, path):
    buttons = help_buttons(zh_client.get(path))

    assert [(b.name, b.get("href"), b.get_text(strip=True)) for b in buttons] == [("a", reverse("help"), "求助")]


@pytest.mark.parametrize("path", PAGES)
def test_a_signed_in_learner_gets_one_help_button_that_asks_for_a_call(zh_client, open_link, calligraphy, liu, path):
    open_link(calligraphy, liu)

    buttons = help_buttons(zh_client.get(path))

    assert [(b.name, b.get("type"), b.get_text(strip=True)) for b in buttons] == [("button", "submit", "求助")]
    form = buttons[0].find_parent("form")
    assert (form.get("method"), form.get("action")) == ("post", reverse("help_call_me"))
    assert form.find("input", attrs={"name": "csrfmiddlewaretoken"}) is not None


def test_a_signed_in_teacher_gets_the_link_to_the_help_page(zh_client):
    zh_client.force_login(get_user_model().objects.get(username="teacher_wang"))

    buttons = help_buttons(zh_client.get("/"))

    assert [(b.name, b.get("href")) for b in buttons] == [("a", reverse("help"))]


def test_the_help_page_gives_the_centres_phone_number_to_call(zh_client):
    page = BeautifulSoup(zh_client.get(reverse("help")).content.decode(), "html.parser")

    call = page.find("main").find("a", href=f"tel:{settings.CENTRE_HELP_PHONE}")

    assert call is not None and settings.CENTRE_HELP_PHONE in call.get_text()


def test_one_tap_on_a_learners_help_button_says_a_volunteer_will_call(zh_client, open_link, calligraphy, liu):
    open_link(calligraphy, liu)
    form = help_buttons(zh_client.get(calligraphy.url))[0].find_parent("form")
    fields = {field["name"]: field.get("value", "") for field in form.find_all("input")}

    response = zh_client.post(form["action"], fields, follow=True)

    assert response.status_code == 200
    assert "志愿者会给您打电话" in response.content.decode()
