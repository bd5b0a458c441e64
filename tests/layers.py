"""What the socket tests share: the in-process channel layer (see tests/conftest.py),
running async test bodies, and a clean layer and cache for each test."""

import functools

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.cache import cache

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
