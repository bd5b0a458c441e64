"""What the socket tests share: the in-process channel layer (see tests/conftest.py),
running async test bodies, a clean layer and cache for each test, session cookies for
learners and staff, and sockets through the whole ASGI stack.

The demo people the class sockets' tests sign in as (liu_cookie, teacher_cookie, ...)
are fixtures in tests/classes/conftest.py, which pytest finds without an import.
"""

import functools
from dataclasses import dataclass
from importlib import import_module

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client

from classes.courses.join_links import join_link_ensure
from classes.courses.learner_session import SESSION_KEY
from classes.models import Learner
from learning.asgi import application

ORIGIN = b"http://127.0.0.1"
# Long enough for a broadcast to cross the in-memory layer, short enough to keep the suite fast.
QUIET = 0.1


def layer_group_keys() -> list:
    """Every group that still has a member (house style: none after the sockets close)."""
    return [name for name, members in get_channel_layer().groups.items() if members]


def run_async(test):
    """Run an async test body to completion from a plain (sync) pytest test."""

    @functools.wraps(test)
    def wrapper(*args, **kwargs):
        return async_to_sync(test)(*args, **kwargs)

    return wrapper


# ---------------------------------------------------------------- people and their sessions


def session_key(**data) -> str:
    """A stored session holding `data`; its key is what the session cookie carries."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store.update(data)
    store.save()
    return store.session_key


def learner_cookie(learner: Learner, course) -> str:
    """The session of a learner who opened their join link to `course`, as their phone holds it."""
    return session_key(**{SESSION_KEY: join_link_ensure(course=course, learner=learner).pk})


def user_named(username: str):
    return get_user_model().objects.get(username=username)


def user_cookie(username: str) -> str:
    """The session of a signed-in member of staff (teacher, volunteer, coordinator)."""
    client = Client()
    client.force_login(user_named(username))
    return client.cookies[settings.SESSION_COOKIE_NAME].value


# ---------------------------------------------------------------- sockets


def socket_to(path: str, cookie: str | None = None, origin: bytes = ORIGIN) -> WebsocketCommunicator:
    """A socket to `path` (e.g. "/ws/class/7/") through the whole ASGI stack, opened from a
    page at `origin`, carrying a session cookie when given one."""
    headers = [(b"origin", origin), (b"host", b"127.0.0.1")]
    if cookie:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    return WebsocketCommunicator(application, path, headers=headers)


@pytest.fixture(autouse=True)
def fresh_layer_and_cache():
    """Rate-limit counters live in the cache and groups in the layer; start each test with neither.
    Autouse in every module that imports it."""
    cache.clear()
    async_to_sync(get_channel_layer().flush)()


async def frame_of(member, kind: str, timeout: float = 1) -> dict:
    """The next frame of this type on `member.socket`, passing over others. Times out, failing the test, if none comes."""
    while True:
        frame = await member.socket.receive_json_from(timeout=timeout)
        if frame["type"] == kind:
            return frame


async def frames_until_quiet(member, quiet: float = QUIET) -> list[dict]:
    """Every frame that reaches `member.socket` until none comes for `quiet` seconds."""
    frames = []
    while not await member.socket.receive_nothing(quiet):
        frames.append(await member.socket.receive_json_from())
    return frames


async def refusal_of(socket) -> tuple[dict, dict]:
    """The error frame and the close a refused socket gets."""
    connected, _ = await socket.connect()
    assert connected  # accepted first, so the refusal can say why
    error = await socket.receive_json_from()
    close = await socket.receive_output()
    await socket.disconnect()
    return error, close


async def send(member, **frame) -> None:
    await member.socket.send_json_to(frame)


async def leave(*members) -> None:
    """Disconnect everyone, then check no socket is left in any group (house style)."""
    for member in members:
        await member.socket.disconnect()
    assert layer_group_keys() == []


# ---------------------------------------------------------------- the live class's socket


@dataclass
class Member:
    """One person's class socket, their participant id and the welcome they got."""

    socket: WebsocketCommunicator
    id: int
    welcome: dict


def class_socket(session_id: int, cookie: str | None = None, origin: bytes = ORIGIN) -> WebsocketCommunicator:
    return socket_to(f"/ws/class/{session_id}/", cookie, origin)


async def class_join(session_id: int, cookie: str, *present: Member) -> Member:
    """Connect, read the welcome and the room's state; everyone already there sees a new state."""
    socket = class_socket(session_id, cookie)
    connected, _ = await socket.connect()
    assert connected
    welcome = await socket.receive_json_from()
    assert welcome["type"] == "welcome", welcome
    member = Member(socket, welcome["you"], welcome)
    await frame_of(member, "state")
    for other in present:
        await frame_of(other, "state")
    return member


def person(state: dict, member: Member) -> dict:
    """This member's entry in a room state."""
    return next(p for p in state["participants"] if p["id"] == member.id)
