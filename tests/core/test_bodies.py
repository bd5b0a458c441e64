"""Request bodies are bounded before Django reads them (core/bodies.py), through the ASGI application."""

import json

from asgiref.testing import ApplicationCommunicator

from classes.groups import media
from core.bodies import FORM_BODY_MAX_BYTES, BoundedBodies
from learning.asgi import ADMIN_BODY_MAX_BYTES, application
from tests.layers import run_async

CHUNK = 16 * 1024


def http_scope(path: str, *, length: int | None = None, language: str = "en") -> dict:
    headers = [(b"host", b"testserver"), (b"accept-language", language.encode()),
               (b"content-type", b"application/x-www-form-urlencoded")]
    if length is not None:
        headers.append((b"content-length", str(length).encode()))
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
            "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "", "headers": headers,
            "client": ("127.0.0.1", 5000), "server": ("testserver", 80)}


class Recorder:
    """An inner application that records whether it ran and what body it read."""

    def __init__(self):
        self.ran = False
        self.body = b""

    async def __call__(self, scope, receive, send):
        self.ran = True
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            self.body += message.get("body", b"")
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"read"})


async def answer(app, scope, chunks=()) -> tuple[int, dict, bytes]:
    """Send the chunks (the last without more_body) and collect the response."""
    communicator = ApplicationCommunicator(app, scope)
    chunks = list(chunks)
    for number, chunk in enumerate(chunks):
        await communicator.send_input({"type": "http.request", "body": chunk, "more_body": number < len(chunks) - 1})
    start = await communicator.receive_output(timeout=5)
    body = await communicator.receive_output(timeout=5)
    await communicator.wait(timeout=5)
    return start["status"], dict(start["headers"]), body["body"]


@run_async
async def test_a_declared_length_over_the_cap_is_refused_before_the_application_runs():
    inner = Recorder()
    status, _headers, _body = await answer(BoundedBodies(inner), http_scope("/login/", length=100 * 1024 * 1024))
    assert status == 413
    assert not inner.ran


@run_async
async def test_a_chunked_body_over_the_cap_is_refused_while_it_arrives():
    chunks = [b"x" * CHUNK] * (FORM_BODY_MAX_BYTES // CHUNK + 2)
    status, _headers, _body = await answer(application, http_scope("/login/"), chunks)
    assert status == 413


@run_async
async def test_a_body_within_the_cap_reaches_the_application_whole():
    inner = Recorder()
    chunks = [b"y" * CHUNK] * (FORM_BODY_MAX_BYTES // CHUNK)
    status, _headers, _body = await answer(BoundedBodies(inner), http_scope("/login/"), chunks)
    assert status == 200
    assert inner.body == b"".join(chunks)


@run_async
async def test_the_group_upload_takes_a_photo_of_the_documented_size():
    inner = Recorder()
    status, _headers, _body = await answer(
        BoundedBodies(inner), http_scope("/group/1/upload/", length=media.IMAGE_MAX_BYTES), [b""])
    assert status == 200
    assert inner.ran


@run_async
async def test_the_group_upload_refuses_a_larger_file_in_json():
    inner = Recorder()
    status, headers, body = await answer(
        BoundedBodies(inner), http_scope("/group/1/upload/", length=200 * 1024 * 1024))
    assert status == 413
    assert headers[b"content-type"] == b"application/json"
    assert json.loads(body) == {"ok": False, "code": "too_large",
                                "error": "That is too large to send here. Please send something smaller "
                                         "(at most 15.1\xa0MB)."}
    assert not inner.ran


@run_async
async def test_a_page_refuses_a_large_form_with_a_page_in_the_language_asked_for():
    status, headers, body = await answer(BoundedBodies(Recorder()), http_scope("/login/", length=10**8))
    assert status == 413
    assert headers[b"content-type"].startswith(b"text/html")
    assert "That is too large to send here." in body.decode()


@run_async
async def test_the_admin_takes_a_file_of_the_wagtail_upload_cap():
    inner = Recorder()
    status, _headers, _body = await answer(
        BoundedBodies(inner, prefix_limits={"/admin/": ADMIN_BODY_MAX_BYTES}),
        http_scope("/admin/documents/multiple/add/", length=ADMIN_BODY_MAX_BYTES), [b""])
    assert status == 200
