from datetime import timedelta

import pytest
from django.utils import timezone

from classes.models import CoursePage, Enrolment, EnrolmentStatus, Learner

pytestmark = pytest.mark.django_db


def signup_url(course):
    return f"/signup/{course.pk}/"


def test_signup_form_asks_only_for_name_phone_and_seat(zh_client, calligraphy):
    response = zh_client.get(signup_url(calligraphy))
    assert list(response.context["form"].fields) == ["name", "phone", "pool"]
    assert 'type="password"' not in response.content.decode()


def test_online_only_course_asks_only_for_name_and_phone(zh_client):
    course = CoursePage.objects.get(slug="learn-abc")
    course.centre_seats = 0
    course.save()
    assert list(zh_client.get(signup_url(course)).context["form"].fields) == ["name", "phone"]


def test_new_learner_is_enrolled_and_signed_in_on_this_phone(zh_client, calligraphy):
    response = zh_client.post(signup_url(calligraphy), {"name": "钱大妈", "phone": "139 1234 5678", "pool": "online"})
    assert response.status_code == 200
    learner = Learner.objects.get(phone="13912345678")
    assert Enrolment.objects.get(learner=learner, course=calligraphy).status == EnrolmentStatus.ENROLLED
    assert zh_client.get("/my/").context["learner"] == learner


def test_full_course_puts_the_new_learner_on_the_waiting_list_and_says_where(zh_client, calligraphy):
    calligraphy.online_seats = Enrolment.objects.filter(course=calligraphy, pool="online").count()
    calligraphy.save()
    response = zh_client.post(signup_url(calligraphy), {"name": "钱大妈", "phone": "13912345678", "pool": "online"})
    assert response.context["position"] == 1
    assert "候补" in response.content.decode()


@pytest.mark.parametrize("phone", ["12345", "", "abcdefghijk", "1391234567"])
def test_bad_phone_gets_a_chinese_message_and_saves_nothing(zh_client, calligraphy, phone):
    before = Learner.objects.count()
    response = zh_client.post(signup_url(calligraphy), {"name": "钱大妈", "phone": phone, "pool": "online"})
    assert response.status_code == 400
    assert "手机号" in response.content.decode()
    assert Learner.objects.count() == before


@pytest.mark.parametrize("name", ["", "   "])
def test_empty_name_gets_a_message_and_saves_nothing(zh_client, calligraphy, name):
    before = Learner.objects.count()
    response = zh_client.post(signup_url(calligraphy), {"name": name, "phone": "13912345678", "pool": "online"})
    assert response.status_code == 400
    assert "请填写您的姓名" in response.content.decode()
    assert Learner.objects.count() == before


def test_a_known_phone_is_enrolled_but_not_signed_in(zh_client):
    course = CoursePage.objects.get(slug="children-painting")
    response = zh_client.post(signup_url(course), {"name": "冒名", "phone": "13800138001", "pool": "online"})
    assert response.context["signed_in"] is False
    assert zh_client.get("/my/").context.get("learner") is None


def test_signing_up_twice_gets_a_message_not_a_second_seat(zh_client, calligraphy):
    data = {"name": "钱大妈", "phone": "13912345678", "pool": "online"}
    zh_client.post(signup_url(calligraphy), data)
    response = zh_client.post(signup_url(calligraphy), data)
    assert response.status_code == 400
    assert "您已经报过名了" in response.content.decode()
    assert Enrolment.objects.filter(learner__phone="13912345678").count() == 1


def test_signing_up_after_the_term_gets_a_message_and_saves_nothing(zh_client, calligraphy):
    # A term that ran its whole course before yesterday, whatever weekday today is.
    calligraphy.term_start = timezone.localdate() - timedelta(weeks=12)
    calligraphy.term_end = timezone.localdate() - timedelta(days=1)
    calligraphy.save()
    response = zh_client.post(signup_url(calligraphy), {"name": "钱大妈", "phone": "13912345678", "pool": "online"})
    assert response.status_code == 400
    assert not Learner.objects.filter(phone="13912345678").exists()


def test_a_flood_of_sign_ups_from_one_phone_is_stopped(zh_client, make_learner):
    courses = list(CoursePage.objects.all())
    statuses = []
    for n in range(7):
        course = courses[n % len(courses)]
        statuses.append(zh_client.post(signup_url(course), {"name": "刷", "phone": "13911112222", "pool": "online"}).status_code)
    assert statuses[-1] == 400
    assert "太多" in zh_client.post(signup_url(courses[0]), {"name": "刷", "phone": "13911112222"}).content.decode()


def test_signup_for_an_unknown_course_is_not_found(zh_client):
    assert zh_client.get("/signup/999999/").status_code == 404
