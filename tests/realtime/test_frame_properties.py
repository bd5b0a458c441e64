"""Whatever a client sends on the class, group or assist socket — any message type with
arbitrary JSON in its fields, lone surrogates and deep nesting included — its sender gets
an answer or an error frame and keeps its socket, and another person's socket is unaffected."""

import json
from importlib import import_module

import pytest
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from classes import events
from classes.courses.join_links import join_link_ensure
from classes.courses.learner_session import SESSION_KEY
from classes.live.consumers import ClassRoomConsumer
from classes.groups.consumers import GroupChatConsumer
from classes.models import ClassSession, CoursePage, Learner
from learning.asgi import application
from tests.layers import ORIGIN, fresh_layer_and_cache, layer_group_keys, run_async  # noqa: F401
from volunteers.consumers import AssistConsumer

pytestmark = pytest.mark.django_db(transaction=True)

# Strings with every code point, lone surrogates among them (hypothesis leaves them out by default).
ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=20)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | ANY_TEXT,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(ANY_TEXT, children, max_size=3),
    max_leaves=12,
)
FIELDS = ["to", "data", "text", "client_id", "last_seq", "level", "participant", "locked", "seq", "muted", "pc"]
# Enough frames to try every kind, few enough to stay under the flood and error limits.
FRAMES_PER_EXAMPLE = 12
EXAMPLES = 8
ANSWER_TIMEOUT_S = 3


def raw_frames(types) -> st.SearchStrategy[str]:
    framed = st.fixed_dictionaries(
        {"type": st.sampled_from(sorted(types)) | ANY_TEXT},
        optional={name: JSON_VALUES for name in FIELDS},
    ).map(json.dumps)  # escapes surrogates as \udXXX, as a hostile client would send them
    deep = st.integers(min_value=7, max_value=3000).map(
        lambda depth: '{"type": "hello", "last_seq": ' + "[" * depth + "]" * depth + "}")
    return st.lists(framed | deep, min_size=1, max_size=FRAMES_PER_EXAMPLE)


def _cookie_of_user(username: str) -> str:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _cookie_of_learner(learner: Learner, course: CoursePage) -> str:
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = join_link_ensure(course=course, learner=learner).pk
    store.save()
    return store.session_key


async def _open(path: str, cookie: str) -> WebsocketCommunicator:
    socket = WebsocketCommunicator(application, path, headers=[
        (b"origin", ORIGIN), (b"host", b"127.0.0.1"), (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode())])
    connected, _ = await socket.connect()
    assert connected
    return socket


async def _still_answers(socket: WebsocketCommunicator) -> list[dict]:
    """Ping, and read up to the pong; fails if the socket is closed meanwhile."""
    await socket.send_json_to({"type": "ping"})
    frames = []
    while True:
        output = await socket.receive_output(timeout=ANSWER_TIMEOUT_S)
        assert output["type"] == "websocket.send", output  # a close would be websocket.close
        frame = json.loads(output["text"])
        if frame["type"] == events.PONG:
            return frames
        frames.append(frame)


async def _scenario(path: str, sender_cookie: str, observer_cookie: str, frames: list[str]) -> None:
    sender = await _open(path, sender_cookie)
    observer = await _open(path, observer_cookie)
    try:
        for text in frames:
            await sender.send_to(text_data=text)
            await _still_answers(sender)
        await _still_answers(observer)
    finally:
        await sender.disconnect()
        await observer.disconnect()
    assert layer_group_keys() == []


SETTINGS = hypothesis_settings(max_examples=EXAMPLES, deadline=None,
                               suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@SETTINGS
@given(frames=raw_frames(ClassRoomConsumer.HANDLERS))
def test_no_frame_closes_a_class_socket_or_reaches_the_teacher_unchecked(calligraphy, frames):
    lesson = ClassSession.objects.filter(course=calligraphy).order_by("starts_at").first()
    liu = Learner.objects.get(phone="13800138001")
    run_async(_scenario)(f"/ws/class/{lesson.pk}/", _cookie_of_learner(liu, calligraphy),
                         _cookie_of_user("teacher_wang"), frames)


@SETTINGS
@given(frames=raw_frames(GroupChatConsumer.HANDLERS))
def test_no_frame_closes_a_group_socket_or_hurts_another_member(calligraphy, frames):
    liu = Learner.objects.get(phone="13800138001")
    run_async(_scenario)(f"/ws/group/{calligraphy.pk}/", _cookie_of_learner(liu, calligraphy),
                         _cookie_of_user("teacher_wang"), frames)


@SETTINGS
@given(frames=raw_frames(AssistConsumer.HANDLERS))
def test_no_frame_closes_an_assist_socket_or_hurts_another_watcher(frames):
    zhao = Learner.objects.get(phone="13800138002")
    run_async(_scenario)(f"/ws/assist/{zhao.pk}/", _cookie_of_user("coordinator"), _cookie_of_user("coordinator"),
                         frames)
