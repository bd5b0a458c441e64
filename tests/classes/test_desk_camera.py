"""The teacher's phone as the class's desk camera: its one-time token (classes/live/desk.py),
the phone's page, and its socket (classes/live/desk_socket.py)."""

from datetime import timedelta
from importlib import import_module

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from classes import events
from classes.live import desk
from classes.live.selectors import course_attendance, room_snapshot
from classes.models import ClassSession, DeskCamera, Participant, Teacher
from tests.layers import (  # noqa: F401 (fresh_layer_and_cache is an autouse fixture)
    Member, class_join, frame_of, fresh_layer_and_cache, layer_group_keys, leave, refusal_of, run_async,
    send, session_key, socket_to,
)


@pytest.fixture
def lesson(calligraphy):
    return ClassSession.objects.filter(course=calligraphy).order_by("starts_at").first()


@pytest.fixture
def wang():
    return Teacher.objects.get(user__username="teacher_wang")  # teaches calligraphy


def phone_holding(lesson, wang) -> str:
    """The session cookie of a phone that redeemed a fresh token for the lesson."""
    camera, token = desk.desk_token_issue(session=lesson, teacher=wang)
    key = session_key()
    assert not desk.desk_token_redeem(token=token, phone_session_key=key).problem
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)
    store[desk.SESSION_KEY] = camera.pk
    store.save()
    return key


# ---------------------------------------------------------------- the token


@pytest.mark.django_db
def test_a_desk_token_is_stored_only_as_its_hash(lesson, wang):
    camera, token = desk.desk_token_issue(session=lesson, teacher=wang)
    assert token not in camera.token_hash
    assert not DeskCamera.objects.filter(token_hash=token).exists()


@pytest.mark.django_db
def test_a_desk_token_opens_the_desk_once(lesson, wang):
    camera, token = desk.desk_token_issue(session=lesson, teacher=wang)
    assert desk.desk_token_redeem(token=token, phone_session_key="phone-a").problem == ""
    assert desk.desk_token_redeem(token=token, phone_session_key="phone-b").problem == desk.USED
    assert desk.desk_grant_for(camera_id=camera.pk, phone_session_key="phone-b", session_id=lesson.pk) is None


@pytest.mark.django_db
def test_an_expired_desk_token_is_refused(lesson, wang):
    camera, token = desk.desk_token_issue(session=lesson, teacher=wang)
    DeskCamera.objects.filter(pk=camera.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert desk.desk_token_redeem(token=token, phone_session_key="phone").problem == desk.EXPIRED


@pytest.mark.django_db
def test_a_new_qr_code_replaces_the_unused_old_one(lesson, wang):
    _old, old_token = desk.desk_token_issue(session=lesson, teacher=wang)
    desk.desk_token_issue(session=lesson, teacher=wang)
    assert desk.desk_token_redeem(token=old_token, phone_session_key="phone").problem == desk.REVOKED


@pytest.mark.django_db
def test_a_teacher_of_another_course_cannot_make_a_desk_token(lesson):
    other = Teacher.objects.create(name="别的老师")
    with pytest.raises(desk.DeskNotAllowed):
        desk.desk_token_issue(session=lesson, teacher=other)


@pytest.mark.django_db
def test_a_desk_grant_opens_only_its_own_class(lesson, wang, calligraphy):
    camera, token = desk.desk_token_issue(session=lesson, teacher=wang)
    desk.desk_token_redeem(token=token, phone_session_key="phone")
    other = ClassSession.objects.filter(course=calligraphy).exclude(pk=lesson.pk).first()
    assert desk.desk_grant_for(camera_id=camera.pk, phone_session_key="phone", session_id=other.pk) is None
    assert desk.desk_grant_for(camera_id=camera.pk, phone_session_key="phone", session_id=lesson.pk) == camera


@pytest.mark.django_db
def test_an_ended_class_refuses_its_desk_token_and_ends_the_grant(lesson, wang):
    camera, token = desk.desk_token_issue(session=lesson, teacher=wang)
    _used, used_token = desk.desk_token_issue(session=lesson, teacher=wang)
    desk.desk_token_redeem(token=used_token, phone_session_key="phone")
    ClassSession.objects.filter(pk=lesson.pk).update(live_ended_at=timezone.now())
    assert desk.desk_token_redeem(token=token, phone_session_key="other").problem == desk.ENDED
    assert desk.desk_grant_for(camera_id=_used.pk, phone_session_key="phone", session_id=lesson.pk) is None


@pytest.mark.django_db
def test_the_desk_is_no_person_in_the_rooms_state_nor_in_attendance(lesson, wang, calligraphy):
    phone_holding(lesson, wang)
    Participant.objects.filter(session=lesson, role="desk").get().visits.create()
    state = room_snapshot(session=lesson)
    assert wang.name in state["desk"]["name"]
    assert all(p["role"] != "desk" for p in state["participants"])
    assert all(row["role"] != "Desk camera" for s in course_attendance(course=calligraphy) for row in s["people"])


# ---------------------------------------------------------------- the pages


@pytest.mark.django_db
def test_opening_the_phone_page_uses_nothing_up_and_its_button_does(client, lesson, wang):
    camera, token = desk.desk_token_issue(session=lesson, teacher=wang)
    url = reverse("desk_camera", args=[token])
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200  # a link preview, a second load
    response = client.post(url, follow=True)
    assert response.context["streaming"] is True
    assert client.session[desk.SESSION_KEY] == camera.pk


@pytest.mark.django_db
def test_a_used_desk_token_gets_a_page_in_words_not_an_error(client, lesson, wang):
    _camera, token = desk.desk_token_issue(session=lesson, teacher=wang)
    desk.desk_token_redeem(token=token, phone_session_key="someone-else")
    response = client.get(reverse("desk_camera", args=[token]))
    assert response.status_code == 410
    assert "这个二维码已经用过了" in response.content.decode()


@pytest.mark.django_db
def test_only_the_courses_teacher_gets_a_desk_qr_code(client, lesson):
    client.login(username="teacher_wang", password="demo-teacher")
    answer = client.post(reverse("desk_qr_new", args=[lesson.pk])).json()
    assert answer["ok"] and "<svg" in answer["svg"] and "/desk/" in answer["url"]
    client.logout()
    assert client.post(reverse("desk_qr_new", args=[lesson.pk])).status_code in (403, 404)


# ---------------------------------------------------------------- the socket


def desk_socket(session_id: int, cookie: str | None):
    return socket_to(f"/ws/class/{session_id}/desk/", cookie)


async def desk_join(session_id: int, cookie: str, *present: Member) -> Member:
    socket = desk_socket(session_id, cookie)
    connected, _ = await socket.connect()
    assert connected
    welcome = await socket.receive_json_from()
    assert welcome["type"] == "welcome", welcome
    member = Member(socket, welcome["you"], welcome)
    for other in present:
        await frame_of(other, "state")
    return member


@pytest.mark.django_db(transaction=True)
@run_async
async def test_a_phone_without_the_grant_is_closed_with_4403(lesson):
    from channels.db import database_sync_to_async

    error, close = await refusal_of(desk_socket(lesson.pk, await database_sync_to_async(session_key)()))
    assert error["code"] == "not_allowed"
    assert close["code"] == events.CLOSE_NOT_ALLOWED
    assert layer_group_keys() == []


@pytest.mark.django_db(transaction=True)
@run_async
async def test_the_desk_joins_as_the_teachers_desk_and_may_only_send_video(lesson, wang, teacher_cookie):
    from channels.db import database_sync_to_async

    phone = await database_sync_to_async(phone_holding)(lesson, wang)
    teacher = await class_join(lesson.pk, teacher_cookie)
    camera = await desk_join(lesson.pk, phone, teacher)
    assert camera.welcome["role"] == "desk"
    for frame in ({"type": "hand.raise"}, {"type": "chat.send", "client_id": "c1", "text": "hi"},
                  {"type": "speak.allow", "participant": camera.id}, {"type": "class.end"}):
        await send(camera, **frame)
        assert (await frame_of(camera, "error"))["code"] == "forbidden"
    participant = await Participant.objects.aget(pk=camera.id)
    assert participant.hand_raised_at is None and not participant.may_speak
    assert not await ClassSession.objects.filter(pk=lesson.pk, live_ended_at__isnull=False).aexists()
    # Signalling the teacher is what it is for.
    await send(camera, type="signal", to=teacher.id, data={"pc": "p1", "renew": True})
    assert (await frame_of(teacher, "signal"))["from"] == camera.id
    await leave(camera, teacher)
