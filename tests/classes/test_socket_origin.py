"""A socket opened with a learner's cookies is accepted only from the site's own origin:
scheme, host and port (core/origins.py), through the whole ASGI stack."""

import pytest
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import override_settings

from classes.models import ClassSession
from learning.asgi import application
from tests.layers import fresh_layer_and_cache, layer_group_keys, run_async  # noqa: F401 (autouse fixture)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def lesson(calligraphy):
    return ClassSession.objects.filter(course=calligraphy).order_by("starts_at").first()


def socket(lesson, cookie: str, *, origin: str, host: str, **more: str) -> WebsocketCommunicator:
    headers = [(b"origin", origin.encode()), (b"host", host.encode()),
               (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode())]
    headers += [(name.encode(), value.encode()) for name, value in more.items()]
    return WebsocketCommunicator(application, f"/ws/class/{lesson.pk}/", headers=headers)


async def opens(communicator: WebsocketCommunicator) -> bool:
    connected, _ = await communicator.connect()
    await communicator.disconnect()
    assert layer_group_keys() == []
    return connected


@pytest.mark.parametrize("origin, host", [
    pytest.param("http://127.0.0.1:9999", "127.0.0.1", id="another-port"),
    pytest.param("https://127.0.0.1", "127.0.0.1", id="another-scheme"),
    pytest.param("http://LOCALHOST", "localhost", id="host-in-capitals"),
    pytest.param("http://127.0.0.1", "evil.example", id="host-not-allowed"),
])
@run_async
async def test_a_socket_from_another_origin_of_the_same_host_is_refused(lesson, liu_cookie, origin, host):
    assert await opens(socket(lesson, liu_cookie, origin=origin, host=host)) is False


@pytest.mark.parametrize("origin, host", [
    pytest.param("http://127.0.0.1", "127.0.0.1", id="default-port"),
    pytest.param("http://localhost:8000", "localhost:8000", id="own-port"),
])
@run_async
async def test_a_socket_from_the_sites_own_origin_is_accepted(lesson, liu_cookie, origin, host):
    assert await opens(socket(lesson, liu_cookie, origin=origin, host=host)) is True


@override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
@run_async
async def test_behind_the_tls_proxy_the_https_origin_is_own_and_http_is_not(lesson, liu_cookie):
    over_tls = {"x-forwarded-proto": "https"}
    assert await opens(socket(lesson, liu_cookie, origin="https://localhost", host="localhost", **over_tls)) is True
    assert await opens(socket(lesson, liu_cookie, origin="http://localhost", host="localhost", **over_tls)) is False


@override_settings(CSRF_TRUSTED_ORIGINS=["https://classes.example.org"])
@run_async
async def test_a_csrf_trusted_origin_is_accepted(lesson, liu_cookie):
    assert await opens(socket(lesson, liu_cookie, origin="https://classes.example.org", host="127.0.0.1")) is True
