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
