"""Which page may open a socket with the visitor's cookies: only one of our own.

Channels' AllowedHostsOriginValidator compares the Origin's host name alone, so a page on
another port or scheme of the same host (http://127.0.0.1:9999 beside
https://127.0.0.1) would open a class socket as the signed-in person. Here the Origin must
be exactly the site's own origin, scheme, host and port, as Django's CSRF check demands of
a form post: the scheme this request came in on and its Host header (one of ALLOWED_HOSTS),
or one of CSRF_TRUSTED_ORIGINS.
"""

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host

# When DEBUG is on and ALLOWED_HOSTS empty, Django serves these (HttpRequest.get_host).
DEBUG_HOSTS = [".localhost", "127.0.0.1", "[::1]"]


def _header(scope: dict, name: bytes) -> str | None:
    """The header's value, or None when it is missing or sent more than once (ambiguous)."""
    values = [value for key, value in scope.get("headers", []) if key.lower() == name]
    return values[0].decode("latin1") if len(values) == 1 else None


def _came_over_tls(scope: dict) -> bool:
    if scope.get("scheme") in ("wss", "https"):
        return True
    # Behind the TLS-terminating proxy, the same header the HTTP side trusts (SECURE_PROXY_SSL_HEADER).
    proxy_header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy_header:
        name, expected = proxy_header
        sent = _header(scope, name.removeprefix("HTTP_").replace("_", "-").lower().encode())
        return sent is not None and sent.split(",")[0].strip() == expected
    return False


def socket_origin_allowed(*, scope: dict) -> bool:
    """True when the socket's Origin is this site's own origin, to the letter."""
    origin, host = _header(scope, b"origin"), _header(scope, b"host")
    if not origin or not host:
        return False
    allowed_hosts = settings.ALLOWED_HOSTS or (DEBUG_HOSTS if settings.DEBUG else [])
    domain, _port = split_domain_port(host)
    if not domain or not validate_host(domain, allowed_hosts):
        return False
    own = f"{'https' if _came_over_tls(scope) else 'http'}://{host}"
    return origin == own or origin in settings.CSRF_TRUSTED_ORIGINS


class SameOriginValidator:
    """ASGI middleware: a socket whose Origin is not our own is refused at the handshake."""

    def __init__(self, application) -> None:
        self.application = application

    async def __call__(self, scope, receive, send):
        if socket_origin_allowed(scope=scope):
            return await self.application(scope, receive, send)
        return await WebsocketDenier()(scope, receive, send)
