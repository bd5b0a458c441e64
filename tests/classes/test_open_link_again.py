"""A phone that is not signed in cannot tell whose classes are whose: opening a class page or a
learning group from it says to open the personal link again (with the number to call), not
that the person has no seat. A signed-in learner with no seat still hears that they have none."""

import pytest
from django.conf import settings
from django.utils import timezone

from classes.courses.services import enrolment_create
from classes.models import ClassSession, CoursePage, JoinLink, Learner

pytestmark = pytest.mark.django_db

OPEN_AGAIN = "请重新打开您的专属链接"
NO_SEAT = "您还没有爱尚书法的名额"


@pytest.fixture
def calligraphy_class(calligraphy):
    return ClassSession.objects.filter(course=calligraphy).first()


@pytest.fixture(params=["class", "group"])
def calligraphy_page(request, calligraphy, calligraphy_class):
    """The class page and the learning group page of calligraphy, where liu has a seat."""
    return f"/class/{calligraphy_class.pk}/" if request.param == "class" else f"/group/{calligraphy.pk}/"


@pytest.fixture
def liu():
    return Learner.objects.get(phone="13800138001")  # has a seat in calligraphy


def test_a_signed_out_phone_is_told_to_open_the_personal_link_again(zh_client, calligraphy_page):
    response = zh_client.get(calligraphy_page)

    body = response.content.decode()
    assert response.status_code == 403
    assert f"<h1>{OPEN_AGAIN}</h1>" in body
    assert "短信" in body and "课程卡" in body


def test_a_signed_out_phone_gets_the_help_number_to_tap(zh_client, calligraphy_page):
    body = zh_client.get(calligraphy_page).content.decode()

    assert f'href="tel:{settings.CENTRE_HELP_PHONE}"' in body
    assert f"打电话给中心：{settings.CENTRE_HELP_PHONE}" in body


def test_a_signed_out_phone_is_not_told_it_has_no_seat(zh_client, calligraphy_page):
    assert NO_SEAT not in zh_client.get(calligraphy_page).content.decode()


def test_a_phone_whose_link_was_revoked_is_told_to_open_the_personal_link_again(zh_client, calligraphy, liu,
                                                                               open_link, calligraphy_page):
    open_link(calligraphy, learner=liu)
    JoinLink.objects.filter(learner=liu).update(revoked_at=timezone.now())

    body = zh_client.get(calligraphy_page).content.decode()

    assert OPEN_AGAIN in body and NO_SEAT not in body


def test_a_signed_in_learner_without_a_seat_keeps_the_seat_message(zh_client, calligraphy_page, make_learner,
                                                                   open_link):
    other = make_learner()
    learn_abc = CoursePage.objects.get(slug="learn-abc")
    enrolment_create(learner=other, course=learn_abc)
    open_link(learn_abc, learner=other)

    response = zh_client.get(calligraphy_page)

    body = response.content.decode()
    assert response.status_code == 403
    assert NO_SEAT in body and OPEN_AGAIN not in body


def test_the_learner_with_a_seat_gets_in_once_signed_in(zh_client, calligraphy, liu, open_link, calligraphy_page):
    open_link(calligraphy, learner=liu)

    assert zh_client.get(calligraphy_page).status_code == 200
