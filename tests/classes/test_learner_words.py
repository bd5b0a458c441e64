"""One word per action, and 我的课程 saying when: every link to a class page is “去教室”
(with the course in its name), “进入课堂” is only the class page's own button, today's and
tomorrow's classes say 今天 / 明天, and a class on now says 正在上课 in words."""

from datetime import timedelta

import pytest
from django.utils import translation

from classes.courses.services import enrolment_create
from classes.models import ClassSession, Learner
from core.timefmt import class_time, class_time_near
from tests.classes.learner_pages import class_page_links, controls, local, session_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def liu():
    return Learner.objects.get(phone="13800138001")  # has a seat in calligraphy and learn-abc


# ---------------------------------------------------------------- one name for the link to a class


def test_my_classes_names_each_class_link_go_to_the_classroom_with_its_course(zh_client, liu, calligraphy,
                                                                               open_link):
    open_link(calligraphy, learner=liu)

    links = class_page_links(zh_client.get("/my/"))

    assert {link.text for link in links} == {"去教室"}
    assert sorted(link.name for link in links) == ["去教室：学会ABC", "去教室：爱尚书法"]


def test_my_timetable_names_todays_class_link_go_to_the_classroom(zh_client, noon, taichi, taichi_learner):
    session_at(taichi, local(0, 14))

    links = class_page_links(zh_client.get("/my/timetable/"))

    assert [(link.text, link.name) for link in links] == [("去教室", "去教室：太极入门")]


def test_a_teachers_classes_name_the_class_link_go_to_the_classroom(zh_client):
    zh_client.login(username="teacher_wang", password="demo-teacher")

    links = class_page_links(zh_client.get("/my/"))

    assert links and {link.text for link in links} == {"去教室"}


def test_the_help_page_says_go_to_the_classroom_then_enter_class(zh_client):
    body = zh_client.get("/help/").content.decode()

    assert "点“去教室”" in body
    assert body.index("去教室") < body.index("进入课堂")
    assert "去上" not in body


@pytest.mark.parametrize("path", ["/my/", "/my/timetable/", "/help/", "/courses/calligraphy/", "/timetable/"])
def test_no_link_or_button_outside_the_class_page_says_enter_class(zh_client, liu, calligraphy, open_link, path):
    open_link(calligraphy, learner=liu)

    names = [control.name for control in controls(zh_client.get(path))]

    assert names
    assert not [name for name in names if "进入课堂" in name or name.startswith("去上")]


def test_the_class_pages_own_button_is_enter_class(zh_client, liu, calligraphy, open_link):
    open_link(calligraphy, learner=liu)
    session = ClassSession.objects.filter(course=calligraphy).first()

    buttons = [c.text for c in controls(zh_client.get(f"/class/{session.pk}/")) if c.tag == "button"]

    assert "进入课堂" in buttons


# ---------------------------------------------------------------- 今天 / 明天


def test_class_time_near_says_today_for_a_class_today(noon):
    with translation.override("zh-hans"):
        assert class_time_near(local(0, 14)) == "今天 14:00"


def test_class_time_near_says_tomorrow_for_a_class_tomorrow(noon):
    with translation.override("zh-hans"):
        assert class_time_near(local(1, 9, 30)) == "明天 09:30"


def test_class_time_near_gives_the_date_for_a_later_class(noon):
    later = local(2, 14)
    with translation.override("zh-hans"):
        assert class_time_near(later) == class_time(later)


def test_class_time_near_speaks_english_on_english_pages(noon):
    with translation.override("en"):
        assert class_time_near(local(1, 14)).startswith("Tomorrow at ")


def test_my_classes_says_today_before_the_time_of_todays_class(zh_client, noon, taichi, taichi_learner):
    session_at(taichi, local(0, 14))

    assert "下次上课：今天 14:00" in zh_client.get("/my/").content.decode()


def test_my_classes_says_tomorrow_before_the_time_of_tomorrows_class(zh_client, noon, taichi, taichi_learner):
    session_at(taichi, local(1, 14))

    assert "下次上课：明天 14:00" in zh_client.get("/my/").content.decode()


def test_my_classes_skips_a_cancelled_class_for_the_next_one(zh_client, noon, taichi, taichi_learner):
    session_at(taichi, local(0, 14), cancelled_at=noon)
    session_at(taichi, local(1, 14))

    assert "下次上课：明天 14:00" in zh_client.get("/my/").content.decode()


# ---------------------------------------------------------------- 正在上课


def test_my_classes_says_in_class_now_while_the_teacher_has_the_class_on(zh_client, noon, taichi, taichi_learner):
    live = session_at(taichi, local(0, 11, 50), live_started_at=noon - timedelta(minutes=5))
    session_at(taichi, local(1, 11, 50))

    response = zh_client.get("/my/")

    assert '<span class="badge badge--live">正在上课</span>' in response.content.decode()
    assert [link.href for link in class_page_links(response)] == [f"/class/{live.pk}/"]


def test_my_classes_says_in_class_now_when_the_class_runs_past_its_end(zh_client, noon, taichi, taichi_learner):
    """The teacher, not the timetable, says when the class ends: one running long is still on."""
    late = session_at(taichi, local(0, 10), live_started_at=local(0, 10))  # planned to end at 11:00

    response = zh_client.get("/my/")

    assert "正在上课" in response.content.decode()
    assert [link.href for link in class_page_links(response)] == [f"/class/{late.pk}/"]


def test_my_classes_has_no_live_badge_before_the_teacher_starts(zh_client, noon, taichi, taichi_learner):
    session_at(taichi, local(0, 11, 50))

    assert "正在上课" not in zh_client.get("/my/").content.decode()


def test_my_classes_has_no_live_badge_once_the_teacher_ended_the_class(zh_client, noon, taichi, taichi_learner):
    session_at(taichi, local(0, 11), live_started_at=local(0, 11), live_ended_at=local(0, 11, 55))

    assert "正在上课" not in zh_client.get("/my/").content.decode()


def test_a_room_left_open_since_yesterday_is_not_in_class_now(zh_client, noon, taichi, taichi_learner):
    session_at(taichi, local(-1, 14), live_started_at=local(-1, 14))

    assert "正在上课" not in zh_client.get("/my/").content.decode()


def test_a_learner_on_the_waiting_list_gets_no_classroom_link_even_while_the_class_is_on(
        zh_client, noon, taichi, make_learner, open_link):
    taichi.online_seats = 0
    taichi.save()
    waiting = make_learner()
    enrolment_create(learner=waiting, course=taichi)
    open_link(taichi, learner=waiting)
    session_at(taichi, local(0, 11, 50), live_started_at=noon)

    response = zh_client.get("/my/")

    assert class_page_links(response) == []
    assert "正在上课" not in response.content.decode()
