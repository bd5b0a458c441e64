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
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import translation
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from core.models import PublicPagesVersion

# An entry outlives its minute only by this: later minutes use other keys.
ENTRY_TIMEOUT_S = 120
CSRF_FIELD = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]+(")')
CSRF_PLACEHOLDER = b"\x00csrf\x00"
SINGLETON = 1


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
        response.status_code == 200 and not response.streaming and not response.cookies
        and "private" not in control and "no-store" not in control and "no-cache" not in control
        and not (session is not None and session.modified)
    )


def _minute() -> int:
    return int(time.time() // 60)


def _key(request, version: int) -> str:
    raw = f"{version}:{_minute()}:{translation.get_language()}:{request.get_full_path()}"
    return "public-page:" + hashlib.sha256(raw.encode()).hexdigest()


class PublicPageCacheMiddleware:
    """After CsrfViewMiddleware (a fresh token needs its cookie), before anything personal."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _cacheable_request(request):
            return self.get_response(request)
        version = public_pages_version()
        if version is None:
            return self.get_response(request)
        key = _key(request, version)
        cached = cache.get(key)
        if cached is not None:
            content, content_type = cached
            content = content.replace(CSRF_PLACEHOLDER, get_token(request).encode()) \
                if CSRF_PLACEHOLDER in content else content
            response = HttpResponse(content, content_type=content_type)
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if _cacheable_response(request, response):
            content = CSRF_FIELD.sub(rb"\1" + CSRF_PLACEHOLDER + rb"\2", response.content)
            cache.set(key, (content, response["Content-Type"]), ENTRY_TIMEOUT_S)
            response["X-Page-Cache"] = "miss"
        return response
