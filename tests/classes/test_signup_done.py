"""Sign-up that leads somewhere: the done page says when the first class is, what the text
messages will bring and where, and what to do until then; a learner already in the course
sees 已报名, the next class and 去教室 on the course page and the sign-up page instead of
the sign-up button and form."""

import pytest
from django.conf import settings

from classes.courses.services import enrolment_create
from classes.models import Learner, Notification
from classes.notifications.services import reminders_plan
from tests.classes.learner_pages import class_page_links, controls, local, session_at

pytestmark = pytest.mark.django_db

QIAN = {"name": "钱大妈", "phone": "139 1234 5678"}


def sign_up(client, course, **data):
    return client.post(f"/signup/{course.pk}/", {**QIAN, **data})


# ---------------------------------------------------------------- the done page


def test_the_done_page_says_when_the_first_class_is(zh_client, noon, taichi):
    session_at(taichi, local(1, 14))

    body = sign_up(zh_client, taichi).content.decode()

    assert "第一节课：明天 14:00" in body


def test_the_done_page_says_the_time_will_be_announced_when_no_class_is_planned(zh_client, noon, taichi):
    body = sign_up(zh_client, taichi).content.decode()

    assert "第一节课的时间还没定，定好后会通知您。" in body


def test_the_done_page_says_the_text_messages_come_to_the_number_given(zh_client, noon, taichi):
    body = sign_up(zh_client, taichi).content.decode()

    assert "每节课的前一天，和上课前半小时，我们会把带有您专属链接的短信发到 13912345678。" in body


def test_the_number_on_the_done_page_is_where_the_reminder_with_the_personal_link_goes(zh_client, noon, taichi):
    """The page promises only what the notifications do: nothing at sign-up, a reminder before class."""
    session = session_at(taichi, local(1, 10))
    sign_up(zh_client, taichi)
    assert not Notification.objects.filter(address="13912345678").exists()

    reminders_plan(now=noon)

    reminder = Notification.objects.get(session=session, address="13912345678")
    assert f"{settings.WAGTAILADMIN_BASE_URL}/j/" in reminder.body


def test_the_done_page_does_not_show_a_guardians_number(zh_client, noon, taichi):
    Learner.objects.create(name="小明", phone="13912345678", guardian_phone="13600009999")

    body = sign_up(zh_client, taichi, name="小明").content.decode()

    assert "13600009999" not in body
    assert "发到中心登记的手机号" in body


def test_the_done_page_says_what_to_do_until_then(zh_client, noon, taichi):
    body = sign_up(zh_client, taichi).content.decode()

    assert "保存好这条短信" in body
    assert "到了上课时间，点短信里的链接，再点“去教室”。" in body
    assert f'href="tel:{settings.CENTRE_HELP_PHONE}"' in body


def test_the_done_page_gives_the_waiting_list_place_and_messages_only_once_seated(zh_client, noon, taichi,
                                                                                  make_learner):
    taichi.online_seats = 1
    taichi.save()
    enrolment_create(learner=make_learner(), course=taichi)
    session_at(taichi, local(1, 14))

    body = sign_up(zh_client, taichi).content.decode()

    assert "您是候补第 1 位" in body
    assert "一有名额：" in body
    assert "下一节课：明天 14:00" in body and "第一节课：" not in body


def test_a_new_learner_is_sent_on_to_my_classes(zh_client, noon, taichi):
    links = [(c.href, c.text) for c in controls(sign_up(zh_client, taichi))]

    assert ("/my/", "去我的课程") in links


# ---------------------------------------------------------------- already in the course


def test_the_course_page_says_signed_up_with_the_next_class_for_a_learner_in_it(zh_client, noon, taichi,
                                                                                  taichi_learner):
    session = session_at(taichi, local(1, 14))

    response = zh_client.get(taichi.url)

    body = response.content.decode()
    assert "已报名" in body and "下次上课：明天 14:00" in body
    assert [link.href for link in class_page_links(response)] == [f"/class/{session.pk}/"]


def test_the_course_page_has_no_sign_up_button_for_a_learner_in_it(zh_client, noon, taichi, taichi_learner):
    hrefs = [c.href for c in controls(zh_client.get(taichi.url))]

    assert f"/signup/{taichi.pk}/" not in hrefs


def test_the_course_page_offers_sign_up_to_everyone_else(zh_client, noon, taichi):
    hrefs = [c.href for c in controls(zh_client.get(taichi.url))]

    assert f"/signup/{taichi.pk}/" in hrefs


def test_the_course_page_gives_a_waiting_learner_their_place_and_no_classroom_link(zh_client, noon, taichi,
                                                                                   make_learner, open_link):
    taichi.online_seats = 0
    taichi.save()
    waiting = make_learner()
    enrolment_create(learner=waiting, course=taichi)
    open_link(taichi, learner=waiting)
    session_at(taichi, local(1, 14))

    response = zh_client.get(taichi.url)

    assert "您是候补第 1 位" in response.content.decode()
    assert class_page_links(response) == []


def test_the_sign_up_page_shows_a_learner_in_the_course_their_place_not_the_form(zh_client, noon, taichi,
                                                                                taichi_learner):
    session_at(taichi, local(0, 14))

    response = zh_client.get(f"/signup/{taichi.pk}/")

    body = response.content.decode()
    assert "form" not in response.context
    assert "已报名" in body and "下次上课：今天 14:00" in body


def test_the_sign_up_page_still_signs_up_someone_else_from_the_same_phone(zh_client, noon, taichi, taichi_learner):
    response = zh_client.get(f"/signup/{taichi.pk}/?someone_else=1")

    assert list(response.context["form"].fields) == ["name", "phone"]
