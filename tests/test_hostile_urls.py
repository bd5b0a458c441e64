"""Every address of the site, given hostile values in its path, its query and its body, by
every kind of visitor, answers without a server error: input is refused with a 4xx, never
a 5xx. Wagtail's own admin views are left out; the site's views inside the admin are not."""

import json
import re
from datetime import date
from pathlib import Path
from urllib.parse import quote

import pytest
from django import forms
from django.conf import settings
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from classes.models import CoursePage, Learner
from core.inputs import ID_DIGITS_MAX
from tests.layers import learner_cookie, user_named

pytestmark = pytest.mark.django_db

SITE_APPS = ("classes", "volunteers", "home", "core", "learning")
ROOT = Path(settings.BASE_DIR)
ROLES = ["anonymous", "learner", "teacher_wang", "volunteer", "coordinator"]


def _level(pattern) -> str:
    regex = pattern.regex.pattern
    return re.sub(r"(\\Z|\$)$", "", regex.removeprefix("^"))


def site_patterns() -> list[tuple[str, object]]:
    """(full path regex, view) of every URL pattern, Wagtail's admin internals left out."""
    found = []

    def walk(patterns, prefix: str):
        for entry in patterns:
            regex = prefix + _level(entry.pattern)
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, regex)
                continue
            ours = entry.callback.__module__.split(".")[0] in SITE_APPS
            if regex.startswith("admin/") and not ours:
                continue
            found.append((regex, entry.callback))

    walk(get_resolver().url_patterns, "")
    return found


def field_names() -> list[str]:
    """Every name the site's forms and views read from a request."""
    names = set()
    for path in ROOT.glob("*/**/*.py"):
        if path.parts[len(ROOT.parts)] in SITE_APPS:
            names.update(re.findall(r"""request\.(?:POST|GET)\.get\(\s*["'](\w+)["']""", path.read_text()))
    pending = [forms.Form]
    while pending:
        form = pending.pop()
        pending.extend(form.__subclasses__())
        if form.__module__.split(".")[0] in SITE_APPS:
            names.update(form.base_fields)
    return sorted(names)


PATTERNS = site_patterns()
FIELDS = field_names()

hostile_text = st.one_of(
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.sampled_from(["", "0", "-1", "9" * 30, "9999-12-31", "0001-01-01", "2030-02-30", "25:61", "1e309", "NaN",
                     "²", "١٢٣", "\x00", "x" * 5_000, "[" * 5_000, "<script>alert(1)</script>", "' OR 1=1 --"]),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat),
    st.text(max_size=40),
)
deep_json = st.integers(min_value=1, max_value=5_000).map(lambda depth: "[" * depth + "]" * depth)
json_body = st.one_of(
    deep_json,
    st.dictionaries(st.sampled_from(FIELDS), st.one_of(hostile_text, st.integers(min_value=-(10**40),
                                                                                  max_value=10**40))).map(
        json.dumps),
    hostile_text,
)
form_body = st.dictionaries(st.sampled_from(FIELDS), hostile_text, max_size=6)


def client_as(role: str) -> Client:
    client = Client()
    if role == "learner":
        calligraphy = CoursePage.objects.get(slug="calligraphy")
        client.cookies[settings.SESSION_COOKIE_NAME] = learner_cookie(
            Learner.objects.get(phone="13800138001"), calligraphy)
    elif role != "anonymous":
        client.force_login(user_named(role))
    return client


def _path_strategy(regex: str):
    # An id in the path is as often a small one, which the demo centre has, as any:
    # a hostile body only reaches a view whose object exists.
    return st.from_regex(regex.replace(f"[0-9]{{1,{ID_DIGITS_MAX}}}", f"(?:[1-9]|[1-9][0-9]|[0-9]{{1,{ID_DIGITS_MAX}}})"),
                         fullmatch=True)


@pytest.mark.parametrize("regex, view", PATTERNS, ids=[regex for regex, _view in PATTERNS])
def test_no_hostile_input_makes_a_server_error(regex, view):
    # Five examples an address, each as one of the five kinds of visitor: the suite stays quick.
    @hypothesis_settings(max_examples=5, deadline=None, database=None,
                         suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(
        role=st.sampled_from(ROLES),
        path=_path_strategy(regex),
        query=form_body,
        method=st.sampled_from(["get", "post-form", "post-json"]),
        form=form_body,
        body=json_body,
    )
    def walk(role, path, query, method, form, body):
        client = client_as(role)
        url = "/" + quote(path, safe="/")
        if method == "get":
            response = client.get(url, query)
        elif method == "post-form":
            response = client.post(url, form)
        else:
            response = client.post(url, body, content_type="application/json")
        assert response.status_code < 500, (url, method, response.status_code)

    walk()


@pytest.mark.parametrize("url_name", ["group_file", "recording_file", "work_picture"])
def test_a_private_file_name_with_a_nul_byte_is_no_file(url_name):
    # PostgreSQL refuses a NUL byte in a query: the file views must answer it as the miss it is.
    url = reverse(url_name, kwargs={"name": "chat/name.jpg"}).replace("name.jpg", "na%00me.jpg")
    assert Client().get(url).status_code == 404


def test_a_return_address_with_a_newline_is_not_followed():
    # Django's own check reads only the first character for control characters; a newline
    # later on would split the Location header (a server error) if it were followed.
    client = Client()
    client.force_login(user_named("volunteer"))
    response = client.post(reverse("visit_cancel", args=[999_999]), {"next": "/my/\nSet-Cookie: x=1"})
    assert response.status_code == 302
    assert "\n" not in response["Location"] and response["Location"] != "/my/"
