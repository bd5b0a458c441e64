import json

import pytest

from classes.models import ClassSession, DeviceCheck, Learner

pytestmark = pytest.mark.django_db


@pytest.fixture
def liu():
    return Learner.objects.get(phone="13800138001")


@pytest.fixture
def calligraphy_session(calligraphy):
    return ClassSession.objects.filter(course=calligraphy).first()


def post_check(client, session, body, content_type="application/json"):
    return client.post(f"/class/{session.pk}/check/", body, content_type=content_type)


def test_class_page_gives_the_script_its_socket_and_role(client, calligraphy, calligraphy_session, liu, open_link):
    open_link(calligraphy, learner=liu)
    config = client.get(f"/class/{calligraphy_session.pk}/").context["room_config"]
    assert config["socket"] == f"/ws/class/{calligraphy_session.pk}/"
    assert config["role"] == "learner"


def test_the_course_teacher_gets_the_teacher_console(client, calligraphy_session):
    client.login(username="teacher_wang", password="demo-teacher")
    assert client.get(f"/class/{calligraphy_session.pk}/").context["is_teacher"] is True


def test_a_device_check_result_is_recorded_for_the_learner(client, calligraphy, calligraphy_session, liu, open_link):
    open_link(calligraphy, learner=liu)
    response = post_check(client, calligraphy_session, json.dumps({"sound_heard": True}))
    assert response.status_code == 200
    assert DeviceCheck.objects.get(learner=liu).passed is True


def test_a_device_check_that_is_not_json_is_refused_and_nothing_saved(client, calligraphy, calligraphy_session, liu,
                                                                      open_link):
    open_link(calligraphy, learner=liu)
    assert post_check(client, calligraphy_session, "not json").status_code == 400
    assert not DeviceCheck.objects.filter(learner=liu).exists()


def test_a_device_check_ignores_fields_that_are_not_yes_or_no(client, calligraphy, calligraphy_session, liu, open_link):
    open_link(calligraphy, learner=liu)
    post_check(client, calligraphy_session, json.dumps({"sound_heard": "yes", "camera_ok": 1}))
    check = DeviceCheck.objects.get(learner=liu)
    assert (check.sound_heard, check.camera_ok) == (None, None)


def test_a_device_check_for_someone_elses_class_is_refused(client, calligraphy, liu, open_link):
    open_link(calligraphy, learner=liu)
    painting = ClassSession.objects.filter(course__slug="chinese-painting").first()
    assert post_check(client, painting, json.dumps({"sound_heard": True})).status_code == 403
