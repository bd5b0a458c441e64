"""Whole public pages for visitors without a session, served from the cache.

The home page, the course list, course pages and the timetable are the same for everyone
who has no session: on a class morning they are what a course's learners open within the
same few minutes. A visitor with any session (a learner's link, a teacher, a message
waiting), any method but GET, or any page the view marks private gets a fresh
page: nothing personal is ever cached, or served to someone else.

Always correct, not merely fast: an entry is keyed by the public pages' version, which the
apps bump in the same transaction as any change a public page shows (a page published, a
class moved, started or ended, a seat taken, an initiative), so an entry made before a
change is never served after it; and by the minute, so words that follow the clock
("in 5 minutes", "today") are never more than a minute old. The language switch's CSRF
token is put back fresh for each visitor.
"""

import hashlib
import re
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.middleware.locale import LocaleMiddleware
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from core.models import PublicPagesVersion

# An entry outlives its minute only by this: later minutes use other keys.
ENTRY_TIMEOUT_S = 120
CSRF_FIELD = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]+(")')
CSRF_PLACEHOLDER = b"\x00csrf\x00"
SINGLETON = 1
# Made afresh for each response: the length of this visitor's page, and whether the page
# was a hit (the cookie is never stored: it is set from the visitor's own CSRF token).
UNCACHED_HEADERS = {"content-length", "x-page-cache", "set-cookie"}


def public_pages_changed() -> None:
    """A change a public page shows: pages cached before it are never served again.
    Call it inside the change's transaction (signals of the saves do it for the apps).

    The version also jumps to the clock (in milliseconds) when that is ahead, so it only
    ever grows, also past a database put back from a backup or emptied between tests:
    an older entry can never come back under a number used again."""
    now_ms = time.time_ns() // 1_000_000
    updated = PublicPagesVersion.objects.filter(pk=SINGLETON).update(
        version=Greatest(F("version") + 1, Value(now_ms)))
    if not updated:
        PublicPagesVersion.objects.get_or_create(pk=SINGLETON, defaults={"version": now_ms})


def public_pages_shown_by(*models) -> None:
    """Every save and delete of these models changes what public pages show."""
    for model in models:
        for name, signal in (("saved", post_save), ("deleted", post_delete)):
            signal.connect(_changed, sender=model, dispatch_uid=f"pagecache.{model._meta.label}.{name}", weak=False)


def pages_tree_watch() -> None:
    """Any page published, unpublished, moved or deleted changes menus, lists and links."""
    for name, signal in (("published", page_published), ("unpublished", page_unpublished), ("moved", post_page_move)):
        signal.connect(_changed, dispatch_uid=f"pagecache.pages.{name}", weak=False)
    post_delete.connect(_page_deleted, dispatch_uid="pagecache.page_deleted", weak=False)


def _changed(sender, **kwargs) -> None:
    public_pages_changed()


def _page_deleted(sender, instance, **kwargs) -> None:
    if isinstance(instance, Page):
        public_pages_changed()


def public_pages_version() -> int | None:
    """None until the first change is recorded: nothing is cached without a version."""
    return PublicPagesVersion.objects.filter(pk=SINGLETON).values_list("version", flat=True).first()


def _cacheable_request(request) -> bool:
    if request.method != "GET":
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES:
        return False
    path = request.path
    return any(path == prefix or (prefix.endswith("/") and prefix != "/" and path.startswith(prefix))
               for prefix in settings.PUBLIC_PAGE_CACHE_PATHS)


def _cacheable_response(request, response) -> bool:
    control = response.get("Cache-Control", "")
    session = getattr(request, "session", None)
    return (
        response.status_code == 200 and not response.streaming
        # The CSRF cookie is the visitor's own and is set afresh on each hit; any other
        # cookie (a session, a message) makes the page someone's.
        and set(response.cookies) <= {settings.CSRF_COOKIE_NAME}
        and "private" not in control and "no-store" not in control and "no-cache" not in control
        and not (session is not None and session.modified)
    )


def _minute() -> int:
    return int(time.time() // 60)


def _key(request, *, version: int, language: str, host: str) -> str:
    # The host too: the page's socket address and absolute links name it.
    raw = f"{version}:{_minute()}:{language}:{host}:{request.get_full_path()}"
    return "public-page:" + hashlib.sha256(raw.encode()).hexdigest()


class PublicPageCacheMiddleware:
    """Near the top of the stack, below the middleware that sets the headers every response
    gets (security, Content-Security-Policy), so a hit costs no session, authentication or
    view: it is answered with the page and headers the rest of the stack gave the first
    visitor, and with this visitor's own CSRF token and cookie, made by Django's CSRF
    middleware as it would make them."""

    def __init__(self, get_response):
        self.get_response = get_response
        # Their hooks only: the language the page will be in, and the visitor's CSRF token.
        self.locale = LocaleMiddleware(get_response)
        self.csrf = CsrfViewMiddleware(get_response)

    def __call__(self, request):
        if not _cacheable_request(request):
            return self.get_response(request)
        try:
            host = request.get_host()
        except DisallowedHost:
            return self.get_response(request)  # Django's 400, from below
        version = public_pages_version()
        if version is None:
            return self.get_response(request)
        self.locale.process_request(request)
        key = _key(request, version=version, language=request.LANGUAGE_CODE, host=host)
        cached = cache.get(key)
        if cached is not None:
            return self._hit(request, *cached)
        response = self.get_response(request)
        if _cacheable_response(request, response):
            content = CSRF_FIELD.sub(rb"\1" + CSRF_PLACEHOLDER + rb"\2", response.content)
            headers = [(name, value) for name, value in response.items() if name.lower() not in UNCACHED_HEADERS]
            cache.set(key, (content, headers), ENTRY_TIMEOUT_S)
            response["X-Page-Cache"] = "miss"
        return response

    def _hit(self, request, content: bytes, headers: list[tuple[str, str]]) -> HttpResponse:
        if CSRF_PLACEHOLDER in content:
            self.csrf.process_request(request)  # the visitor's CSRF cookie, if they have one
            content = content.replace(CSRF_PLACEHOLDER, get_token(request).encode())
        response = HttpResponse(content)
        for name, value in headers:
            response[name] = value
        response["Content-Length"] = str(len(content))  # as CommonMiddleware gives a miss, for keep-alive
        response["X-Page-Cache"] = "hit"
        return self.csrf.process_response(request, response)  # sets the cookie a new token needs
