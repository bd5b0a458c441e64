"""The live room's video through the SFU (classes/live/sfu.py, media.py): how the server
decides the mode, derives tokens, falls back when the SFU is away and keeps voices it took
back off the SFU. The rules that Janus itself enforces are tested against a real Janus in
tests/realtime/test_janus_rooms.py."""

import pytest
from asgiref.sync import async_to_sync
from django.utils import translation
from django.utils.html import escape

from classes.live import media, sfu
from classes.live.selectors import NOTICE_SFU_AWAY, NOTICE_SFU_AWAY_CROWDED, media_capacity_warning
from classes.models import ClassSession, CoursePage, Enrolment, Learner, SeatPool
from classes.courses.services import enrolment_create
from tests.layers import (  # noqa: F401 (fresh_layer_and_cache is an autouse fixture)
    class_join, frame_of, fresh_layer_and_cache, leave, run_async,
)
from tests.server import free_port

# The sockets reach the database from their own thread: these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def lesson(calligraphy):
    return ClassSession.objects.filter(course=calligraphy).order_by("starts_at").first()


@pytest.fixture
def janus_away(settings):
    """The SFU configured, but nothing answers where it should be."""
    settings.JANUS_URL = f"http://127.0.0.1:{free_port()}/janus"
    settings.JANUS_PUBLIC_URL = "ws://127.0.0.1:1/"
    settings.JANUS_ADMIN_KEY = "a-key"
    settings.JANUS_TIMEOUT_S = 1


def test_each_person_of_each_class_has_a_token_of_their_own(settings):
    tokens = {sfu.participant_token(session_id=s, participant_id=p) for s in (1, 2) for p in (10, 11)}
    assert len(tokens) == 4


def test_a_token_is_not_the_rooms_secret():
    assert sfu.participant_token(session_id=1, participant_id=1) != sfu.room_secret(session_id=1)


def test_tokens_change_with_the_servers_secret_key(settings):
    before = sfu.participant_token(session_id=1, participant_id=1)
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    assert sfu.participant_token(session_id=1, participant_id=1) != before


def test_without_a_video_server_the_room_is_in_the_embedded_mode(settings, lesson):
    settings.JANUS_URL = ""
    changed = async_to_sync(media.media_decide)(session=lesson)
    lesson.refresh_from_db()
    assert (changed, lesson.media_mode, lesson.media_fallback) == (True, "embedded", False)


@run_async
async def test_when_the_video_server_is_away_the_teacher_is_welcomed_in_the_embedded_mode(
        lesson, teacher_cookie, janus_away):
    teacher = await class_join(lesson.pk, teacher_cookie)
    await leave(teacher)
    assert teacher.welcome["media"] == {"mode": "embedded"}


@run_async
async def test_when_the_video_server_is_away_everyone_reads_so_in_the_rooms_state(
        lesson, teacher_cookie, liu_cookie, janus_away):
    teacher = await class_join(lesson.pk, teacher_cookie)
    liu = await class_join(lesson.pk, liu_cookie, teacher)
    await liu.socket.send_json_to({"type": "hello", "last_seq": 0})
    state = await frame_of(liu, "state", timeout=3)
    await leave(teacher, liu)
    assert state["media"] == "embedded"
    assert state["media_notice"] in (NOTICE_SFU_AWAY, NOTICE_SFU_AWAY_CROWDED)


def _online_learners(course: CoursePage, count: int) -> None:
    course.online_seats = max(course.online_seats, count + 5)
    course.save()
    have = Enrolment.objects.filter(course=course, pool=SeatPool.ONLINE, status="enrolled").count()
    for n in range(have, count):
        enrolment_create(learner=Learner.objects.create(name=f"容量{n}", phone=f"1370000{n:04d}"), course=course)


def test_a_class_larger_than_the_embedded_mode_carries_warns_before_class_without_a_video_server(
        settings, calligraphy):
    settings.JANUS_URL = ""
    settings.EMBEDDED_MAX_LEARNERS = 6
    _online_learners(calligraphy, 7)
    assert "7" in media_capacity_warning(course=calligraphy)


def test_a_class_the_embedded_mode_carries_has_no_warning(settings, calligraphy):
    settings.JANUS_URL = ""
    settings.EMBEDDED_MAX_LEARNERS = 100
    assert media_capacity_warning(course=calligraphy) == ""


def test_with_a_video_server_a_large_class_has_no_warning(settings, calligraphy):
    settings.JANUS_URL, settings.JANUS_ADMIN_KEY, settings.JANUS_PUBLIC_URL = "http://j/janus", "k", "ws://j/"
    settings.EMBEDDED_MAX_LEARNERS = 1
    _online_learners(calligraphy, 3)
    assert media_capacity_warning(course=calligraphy) == ""


def test_the_server_kicks_a_publisher_it_never_allowed_and_leaves_the_others(monkeypatch, settings):
    settings.JANUS_URL, settings.JANUS_ADMIN_KEY, settings.JANUS_PUBLIC_URL = "http://j/janus", "k", "ws://j/"
    kicked = []

    async def janus(request):
        if request["request"] == "listparticipants":
            return {"participants": [
                {"id": 1, "publisher": True},    # the teacher
                {"id": 2, "publisher": True},    # a learner asked to speak
                {"id": 3, "publisher": True},    # a learner sending a voice without leave
                {"id": 4, "publisher": False},   # a learner listening
            ]}
        if request["request"] == "kick":
            kicked.append(request["id"])
            return {"videoroom": "success"}
        raise AssertionError(request)

    monkeypatch.setattr(sfu, "videoroom", janus)
    async_to_sync(sfu.publishers_enforce)(session_id=5, may_publish={1, 2})
    assert kicked == [3]


def test_the_teacher_reads_the_warning_on_the_class_page_before_class(settings, client, lesson):
    from tests.layers import user_named

    settings.JANUS_URL = ""
    settings.EMBEDDED_MAX_LEARNERS = 2
    _online_learners(lesson.course, 3)
    client.force_login(user_named("teacher_wang"))
    page = client.get(f"/class/{lesson.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    with translation.override("en"):
        assert escape(media_capacity_warning(course=lesson.course)) in page.content.decode()


def test_the_roster_shows_the_warning_to_the_coordinator(settings, client, calligraphy):
    from tests.layers import user_named

    settings.JANUS_URL = ""
    settings.EMBEDDED_MAX_LEARNERS = 2
    _online_learners(calligraphy, 3)
    client.force_login(user_named("coordinator"))
    page = client.get(f"/roster/{calligraphy.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    with translation.override("en"):
        assert escape(media_capacity_warning(course=calligraphy)) in page.content.decode()
