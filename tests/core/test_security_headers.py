"""Every page carries a Content-Security-Policy that loads and talks to nothing but our own
server (and the SFU, when there is one), and a Permissions-Policy that gives camera and
microphone to our own origin only (core/headers.py)."""

import re
from pathlib import Path

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {name: sources for name, *sources in (part.split() for part in policy.split(";"))}


@override_settings(CSP_ALLOW_EVAL=False)  # as in every environment but the browser tests'
def test_a_page_allows_scripts_and_styles_from_our_own_server_only(client):
    policy = directives(client.get("/"))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]


def test_a_page_may_open_sockets_to_its_own_host_only(client):
    assert directives(client.get("/"))["connect-src"] == ["'self'", "ws://testserver"]


def test_a_page_over_https_opens_its_sockets_over_wss(client):
    assert "wss://testserver" in directives(client.get("/", secure=True))["connect-src"]


@override_settings(JANUS_PUBLIC_URL="wss://sfu.example.org/janus-ws/")
def test_in_sfu_mode_a_page_may_reach_the_sfu(client):
    assert "wss://sfu.example.org" in directives(client.get("/"))["connect-src"]


def test_voice_messages_and_photos_may_play_from_blob_addresses(client):
    policy = directives(client.get("/"))
    assert "blob:" in policy["media-src"]
    assert "blob:" in policy["img-src"]


def test_the_admin_may_run_its_own_inline_scripts_but_loads_nothing_from_outside(client):
    policy = directives(client.get("/admin/login/"))
    assert "'unsafe-inline'" in policy["script-src"]
    outside = [source for sources in policy.values() for source in sources
               if "://" in source and source != "ws://testserver"]
    assert outside == []


def test_camera_and_microphone_are_for_our_own_origin_only(client):
    features = dict(item.split("=") for item in client.get("/")["Permissions-Policy"].split(", "))
    assert features["camera"] == "(self)"
    assert features["microphone"] == "(self)"
    assert features["geolocation"] == "()"
    assert features["payment"] == "()"


def test_a_page_error_carries_the_headers_too(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Content-Security-Policy" in response
    assert "Permissions-Policy" in response


# The site's own templates (not the Wagtail admin's, under admin/) keep to the strict policy:
# no inline script, no inline event handler, no style attribute.
INLINE = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>|\son[a-z]+=|\sstyle=", re.IGNORECASE)


def test_no_site_template_has_inline_script_handlers_or_styles():
    offending = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0).strip()}"
        for path in TEMPLATES.rglob("*.html") if "admin" not in path.relative_to(TEMPLATES).parts
        for match in INLINE.finditer(path.read_text())
    ]
    assert offending == []
