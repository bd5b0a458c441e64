"""Request bodies: bounded before anyone reads them, and read as JSON within bounds.

Django's ASGI handler reads a whole request body (into memory, then a temporary file)
before any middleware or view runs, so a 100 MB POST to the sign-in page costs the server
100 MB and more whatever the view would have said. `BoundedBodies` wraps the HTTP
application: it refuses a declared Content-Length over the endpoint's cap before a byte
is read, and counts a body sent without one (chunked), answering 413 once it passes
the cap. Each endpoint's cap is the one its view declares with `body_limit`; the rest
accept what a form or a JSON request needs.
"""

import io
import json

from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.template import loader
from django.template.defaultfilters import filesizeformat
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation import gettext as _

from core.frames import FrameError, json_read

# The longest form on the site (a course page's sign-up, a call log with notes) is a few
# kilobytes; a JSON request (a device check, a step) is under one. 64 KB leaves room.
FORM_BODY_MAX_BYTES = 64 * 1024


def body_limit(*, max_bytes: int = FORM_BODY_MAX_BYTES, answers_json: bool = False):
    """Mark a view with the largest body it accepts, and whether it answers in JSON
    (so a refusal does too). Put it outermost, above @require_POST and the like."""

    def mark(view):
        view.body_max_bytes = max_bytes
        view.body_answers_json = answers_json
        return view

    return mark


def too_large_words(*, max_bytes: int) -> str:
    return _("That is too large to send here. Please send something smaller (at most %(size)s).") % {
        "size": filesizeformat(max_bytes)}


def json_body_read(request) -> dict | None:
    """The request's body as a JSON object ({} when empty), or None when it is not one,
    or nests or counts beyond what core.frames allows a client to send."""
    try:
        value = json_read((request.body or b"{}").decode("utf-8"))
    except (UnicodeDecodeError, FrameError):
        return None
    return value if isinstance(value, dict) else None


class _Endpoint:
    """The cap and the manner of answering of the view a path leads to, looked up once,
    and only when a body is larger than any form's."""

    def __init__(self, path: str, prefix_limits: dict[str, int]):
        try:
            view = resolve(path).func
        except Resolver404:
            view = None
        declared = getattr(view, "body_max_bytes", None)
        self.max_bytes = declared if declared is not None else next(
            (limit for prefix, limit in prefix_limits.items() if path.startswith(prefix)), FORM_BODY_MAX_BYTES)
        self.answers_json = getattr(view, "body_answers_json", False)


def _declared_length(scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _refusal(scope, endpoint: _Endpoint) -> tuple[str, bytes]:
    """(content type, body) of the 413, in the language the person reads the site in."""
    request = ASGIRequest(scope, io.BytesIO())
    with translation.override(translation.get_language_from_request(request)):
        words = too_large_words(max_bytes=endpoint.max_bytes)
        if endpoint.answers_json:
            return "application/json", json.dumps({"ok": False, "error": words, "code": "too_large"}).encode()
        page = loader.render_to_string("413.html", {
            "words": words, "centre_name": settings.CENTRE_NAME, "centre_help_phone": settings.CENTRE_HELP_PHONE,
        })
        return "text/html; charset=utf-8", page.encode()


async def _refuse(scope, send, endpoint: _Endpoint) -> None:
    content_type, body = _refusal(scope, endpoint)
    await send({"type": "http.response.start", "status": 413, "headers": [
        (b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]})
    await send({"type": "http.response.body", "body": body})


class BoundedBodies:
    """ASGI middleware for HTTP: a body over its endpoint's cap is answered 413, and the
    application never reads it. `prefix_limits` give whole path prefixes (Wagtail's
    admin, whose views we do not mark) a cap of their own."""

    def __init__(self, app, *, prefix_limits: dict[str, int] | None = None):
        self.app = app
        self.prefix_limits = prefix_limits or {}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        endpoint = None
        declared = _declared_length(scope)
        if declared is not None and declared > FORM_BODY_MAX_BYTES:
            endpoint = _Endpoint(scope["path"], self.prefix_limits)
            if declared > endpoint.max_bytes:
                return await _refuse(scope, send, endpoint)
        received = 0
        refused = False

        async def bounded_receive():
            nonlocal endpoint, received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] != "http.request":
                return message
            received += len(message.get("body", b""))
            if received > FORM_BODY_MAX_BYTES:
                endpoint = endpoint or _Endpoint(scope["path"], self.prefix_limits)
                if received > endpoint.max_bytes:
                    refused = True
                    await _refuse(scope, send, endpoint)
                    # Django stops reading at a disconnect and answers nothing more.
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message):
            if not refused:
                await send(message)

        return await self.app(scope, bounded_receive, guarded_send)
