"""Django's ASGI handler serving each page as a threaded WSGI server would: the whole
request (middleware and view) in one go on one of a few long-lived threads.

Django's own ASGI handler gives every request a new thread for its sync code (middleware,
views, the ORM), and Django's database connections belong to a thread, so every page
opened a new database connection and dropped it: a TCP connection and sign-in with
PostgreSQL, and with SQLite the whole schema read again (about 2.6 ms on these machines,
more than a cached page takes to serve). Here a request borrows a thread from a small
pool, as under a threaded WSGI server, and its connection serves the next request for
as long as CONN_MAX_AGE allows, with Django's own checks at each request's start and end.

A request still has its thread to itself for as long as it runs (asgiref's
ThreadSensitiveContext with an executor of one thread, which the caller owns); when all
are busy, the next request waits for one to come free rather than adding a thread.

And the middleware runs as one sync chain, entered once. Django's ASGI handler builds it
async, so each of the dozen Django middleware (sync at heart) crossed to a thread and back
for each of its hooks, some twenty crossings a page; our views are all sync, so nothing
is gained by the crossings. (Sockets are Channels' consumers, not this handler's.)
"""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import django
from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core.handlers.asgi import ASGIHandler


class PooledThreadsASGIHandler(ASGIHandler):
    def __init__(self, *, threads: int):
        super().__init__()
        # The thread used last is lent first: its connection is the one most likely open.
        self._free: asyncio.LifoQueue[ThreadPoolExecutor] = asyncio.LifoQueue()
        for number in range(threads):
            self._free.put_nowait(ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"http-{number}"))

    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)

    async def get_response_async(self, request):
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        executor = await self._free.get()
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.handle(scope, receive, send)
        finally:
            self._free.put_nowait(executor)


def asgi_application_on_pooled_threads(*, threads: int) -> PooledThreadsASGIHandler:
    """As django.core.asgi.get_asgi_application(), on `threads` long-lived request threads."""
    django.setup(set_prefix=False)
    return PooledThreadsASGIHandler(threads=threads)
