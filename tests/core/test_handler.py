"""Pages run on a few long-lived threads (core/handler.py), so a thread's database
connection serves the next request instead of a new connection for each page."""

import asyncio
import threading

from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import HttpCommunicator
from django.core.signals import request_started

from core.handler import PooledThreadsASGIHandler

# A page that needs no database: the sign-in form.
PAGE = "/login/"


def _threads_serving(handler: PooledThreadsASGIHandler, *, at_once: int, rounds: int = 1) -> list[int]:
    """The thread each request's sync work ran on, requests sent `at_once` together."""
    seen = []

    def note_thread(sender, **kwargs):
        seen.append(threading.get_ident())

    async def requests():
        for _ in range(rounds):
            answers = await asyncio.gather(*(HttpCommunicator(handler, "GET", PAGE, headers=[(b"host", b"localhost")]).get_response()
                                             for _ in range(at_once)))
            assert {answer["status"] for answer in answers} == {200}

    request_started.connect(note_thread, dispatch_uid="test_handler.note_thread")
    try:
        async_to_sync(requests)()
    finally:
        request_started.disconnect(dispatch_uid="test_handler.note_thread")
    return seen


def test_requests_one_after_another_run_on_the_same_thread():
    handler = PooledThreadsASGIHandler(threads=3)

    seen = _threads_serving(handler, at_once=1, rounds=3)

    assert len(seen) == 3
    assert len(set(seen)) == 1


def test_requests_at_once_never_run_on_more_threads_than_the_pool_has():
    handler = PooledThreadsASGIHandler(threads=2)

    seen = _threads_serving(handler, at_once=6)

    assert len(seen) == 6
    assert len(set(seen)) <= 2


def test_the_pool_threads_are_not_the_thread_that_serves_sockets():
    """Sockets' database work runs on the process's one shared sync thread; pages must not queue there."""
    handler = PooledThreadsASGIHandler(threads=1)

    pages = set(_threads_serving(handler, at_once=1, rounds=2))
    sockets = async_to_sync(_shared_sync_thread)()

    assert sockets not in pages


async def _shared_sync_thread() -> int:
    """Where database_sync_to_async sends a consumer's work: thread-sensitive, outside any request."""
    return await sync_to_async(threading.get_ident, thread_sensitive=True)()
