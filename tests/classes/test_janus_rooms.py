"""The class's room on a real Janus: the server makes and closes it, and Janus itself refuses
a token that is forged, of another class, or taken back (classes/live/sfu.py).

Janus is started from the project's configs (tests/server.py, JanusServer); the class
sockets run in this process through the whole ASGI stack. Whoever knocks at Janus here does
what a page does: a Janus session, the VideoRoom plugin, `join` as a participant.
"""

import time

import httpx
import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async

from classes.live import sfu
from classes.models import ClassSession, Participant
from tests.layers import (  # noqa: F401 (fresh_layer_and_cache is an autouse fixture)
    class_join, frame_of, fresh_layer_and_cache, leave, run_async, send,
)
from tests.server import JanusServer, free_port

pytestmark = pytest.mark.django_db(transaction=True)

# Unauthorized, and no such room: Janus's VideoRoom error codes.
UNAUTHORIZED = 433
NO_SUCH_ROOM = 426
EVENT_TIMEOUT_S = 10


@pytest.fixture
def janus(janus_server):
    return janus_server


@pytest.fixture
def sfu_settings(settings, janus):
    settings.JANUS_URL, settings.JANUS_PUBLIC_URL, settings.JANUS_ADMIN_KEY = janus.http_url, janus.ws_url, janus.admin_key
    return settings


class JanusAway:
    """The SFU configured, its HTTP API unanswered until `back()`."""

    def __init__(self, settings, janus: JanusServer):
        self.settings, self.janus = settings, janus
        settings.JANUS_URL = f"http://127.0.0.1:{free_port()}/janus"
        settings.JANUS_TIMEOUT_S = 1

    def back(self) -> None:
        self.settings.JANUS_URL = self.janus.http_url


@pytest.fixture
def janus_away(sfu_settings, janus):
    return JanusAway(sfu_settings, janus)


@pytest.fixture
def lesson(calligraphy):
    return ClassSession.objects.filter(course=calligraphy).order_by("starts_at").first()


@pytest.fixture
def other_lesson(calligraphy):
    return ClassSession.objects.filter(course=calligraphy).order_by("starts_at")[1]


def knock(janus: JanusServer, *, room: int, feed: int, token: str) -> dict:
    """Join `room` at Janus as a page does; the VideoRoom's answer (joined, or an error)."""
    with httpx.Client(base_url=janus.http_url, timeout=EVENT_TIMEOUT_S, trust_env=False) as client:
        session = client.post("", json={"janus": "create", "transaction": "s"}).json()["data"]["id"]
        handle = client.post(f"/{session}", json={"janus": "attach", "plugin": sfu.VIDEOROOM,
                                                  "transaction": "a"}).json()["data"]["id"]
        client.post(f"/{session}/{handle}", json={"janus": "message", "transaction": "j", "body": {
            "request": "join", "ptype": "publisher", "room": room, "id": feed, "token": token, "display": "test"}})
        deadline = time.monotonic() + EVENT_TIMEOUT_S
        try:
            while time.monotonic() < deadline:
                event = client.get(f"/{session}?maxev=1").json()  # long poll: the join's answer
                data = event.get("plugindata", {}).get("data", {})
                if data:
                    return data
        finally:
            client.post(f"/{session}", json={"janus": "destroy", "transaction": "d"})
    raise AssertionError("Janus did not answer the join")


def _janus_room_exists(session_id: int) -> bool:
    return async_to_sync(sfu.videoroom)({"request": "exists", "room": sfu.room_id(session_id=session_id)})["exists"]


@run_async
async def test_the_teacher_entering_makes_the_classs_room_on_the_video_server(sfu_settings, lesson, teacher_cookie):
    teacher = await class_join(lesson.pk, teacher_cookie)
    exists = await database_sync_to_async(_janus_room_exists)(lesson.pk)
    await leave(teacher)
    assert teacher.welcome["media"]["mode"] == "sfu"
    assert exists


@run_async
async def test_a_learners_own_token_lets_them_into_the_classs_room(sfu_settings, janus, lesson, teacher_cookie,
                                                                    liu_cookie):
    teacher = await class_join(lesson.pk, teacher_cookie)
    liu = await class_join(lesson.pk, liu_cookie, teacher)
    media = liu.welcome["media"]
    answer = await database_sync_to_async(knock)(janus, room=media["room"], feed=media["feed"], token=media["token"])
    await leave(teacher, liu)
    assert answer.get("videoroom") == "joined", answer


@run_async
async def test_a_forged_token_is_refused_by_the_video_server(sfu_settings, janus, lesson, liu_cookie):
    liu = await class_join(lesson.pk, liu_cookie)
    media = liu.welcome["media"]
    answer = await database_sync_to_async(knock)(janus, room=media["room"], feed=media["feed"], token="0" * 64)
    await leave(liu)
    assert answer.get("error_code") == UNAUTHORIZED


@run_async
async def test_a_token_of_another_class_is_refused_by_the_video_server(sfu_settings, janus, lesson, other_lesson,
                                                                       liu_cookie):
    liu = await class_join(lesson.pk, liu_cookie)
    other = await class_join(other_lesson.pk, liu_cookie)
    answer = await database_sync_to_async(knock)(
        janus, room=other.welcome["media"]["room"], feed=other.welcome["media"]["feed"],
        token=liu.welcome["media"]["token"])
    await leave(liu, other)
    assert answer.get("error_code") == UNAUTHORIZED


@run_async
async def test_a_removed_learners_token_is_refused_by_the_video_server(sfu_settings, janus, lesson, teacher_cookie,
                                                                       liu_cookie):
    teacher = await class_join(lesson.pk, teacher_cookie)
    liu = await class_join(lesson.pk, liu_cookie, teacher)
    await send(teacher, type="participant.remove", participant=liu.id)
    await liu.socket.receive_output(timeout=3)  # removed
    media = liu.welcome["media"]
    answer = await database_sync_to_async(knock)(janus, room=media["room"], feed=media["feed"], token=media["token"])
    await leave(teacher, liu)
    assert answer.get("error_code") == UNAUTHORIZED


@run_async
async def test_class_end_closes_the_classs_room_on_the_video_server(sfu_settings, janus, lesson, teacher_cookie,
                                                                    liu_cookie):
    teacher = await class_join(lesson.pk, teacher_cookie)
    liu = await class_join(lesson.pk, liu_cookie, teacher)
    await send(teacher, type="class.start")
    await send(teacher, type="class.end")
    deadline = time.monotonic() + EVENT_TIMEOUT_S
    while await database_sync_to_async(_janus_room_exists)(lesson.pk) and time.monotonic() < deadline:
        await teacher.socket.receive_nothing(0.1)
    closed = not await database_sync_to_async(_janus_room_exists)(lesson.pk)
    media = liu.welcome["media"]
    stale = await database_sync_to_async(knock)(janus, room=media["room"], feed=media["feed"], token=media["token"])
    await leave(teacher, liu)
    assert closed
    assert stale.get("error_code") == NO_SUCH_ROOM


@run_async
async def test_when_the_video_server_comes_back_the_teachers_next_entry_uses_it(
        janus_away, lesson, teacher_cookie):
    away = await class_join(lesson.pk, teacher_cookie)
    await leave(away)
    janus_away.back()
    back = await class_join(lesson.pk, teacher_cookie)
    fallback_after = await ClassSession.objects.values_list("media_fallback", flat=True).aget(pk=lesson.pk)
    await leave(back)
    assert (away.welcome["media"]["mode"], back.welcome["media"]["mode"]) == ("embedded", "sfu")
    assert fallback_after is False


@run_async
async def test_when_the_room_changes_mode_a_learner_already_in_is_told_what_to_use(
        janus_away, lesson, teacher_cookie, liu_cookie):
    liu = await class_join(lesson.pk, liu_cookie)
    janus_away.back()
    teacher = await class_join(lesson.pk, teacher_cookie)
    told = await frame_of(liu, "media", timeout=5)
    await leave(teacher, liu)
    assert liu.welcome["media"]["mode"] == "embedded"
    assert (told["mode"], told["feed"]) == ("sfu", liu.id)


def test_removing_someone_not_in_the_video_room_is_no_error(sfu_settings, lesson):
    async def cut():
        await sfu.room_ensure(session_id=lesson.pk, description="test")
        await sfu.participant_cut(session_id=lesson.pk, participant_id=987654)
        await sfu.room_destroy(session_id=lesson.pk)

    async_to_sync(cut)()  # no exception


@run_async
async def test_a_participant_row_is_what_the_feed_id_names(sfu_settings, lesson, liu_cookie):
    liu = await class_join(lesson.pk, liu_cookie)
    exists = await Participant.objects.filter(pk=liu.welcome["media"]["feed"], session_id=lesson.pk).aexists()
    await leave(liu)
    assert exists


@run_async
async def test_when_the_video_server_comes_back_the_next_learners_entry_moves_the_room_to_it(
        janus_away, lesson, teacher_cookie, liu_cookie):
    teacher = await class_join(lesson.pk, teacher_cookie)
    janus_away.back()
    liu = await class_join(lesson.pk, liu_cookie)
    told = await frame_of(teacher, "media", timeout=5)
    await leave(teacher, liu)
    assert (teacher.welcome["media"]["mode"], liu.welcome["media"]["mode"]) == ("embedded", "sfu")
    assert (told["mode"], told["feed"]) == ("sfu", teacher.id)
