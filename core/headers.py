"""The browser-side security headers of every response: a Content-Security-Policy that
lets a page load and talk to nothing but our own server (and the SFU, when there is one),
and a Permissions-Policy that gives camera and microphone to our own origin only.

Our own middleware rather than a package: the policy depends on the request (the socket
address is our own host on ws: or wss:, and the Wagtail admin needs a looser one), and
Permissions-Policy is not something Django or django-csp sets.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse

# The Wagtail admin (and its page previews) lives here.
ADMIN_PREFIX = "/admin/"

# Camera and microphone (and screen sharing, for the teacher) for our own pages only, never
# for a frame from elsewhere; what the site never uses is switched off for everyone.
PERMISSIONS_POLICY = ", ".join([
    "camera=(self)",
    "microphone=(self)",
    "display-capture=(self)",
    "fullscreen=(self)",
    "geolocation=()",
    "payment=()",
    "usb=()",
])


def _policy(directives: dict[str, list[str]]) -> str:
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def _origin_of(url: str) -> str:
    """`wss://host:8989/janus-ws/` → `wss://host:8989`: CSP sources are origins here, and a
    URL from the environment must not be able to add a directive of its own."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc or any(c in parts.netloc for c in " ;,'\""):
        return ""
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(*, request: HttpRequest) -> str:
    """The Content-Security-Policy for this request's page."""
    connect = ["'self'"]
    try:
        # Our own socket address: 'self' alone does not cover ws: and wss: in every browser.
        connect.append(f"{'wss' if request.is_secure() else 'ws'}://{request.get_host()}")
    except DisallowedHost:
        pass  # the response is Django's 400 for a host that is not ours
    if janus := _origin_of(settings.JANUS_PUBLIC_URL):
        connect.append(janus)  # the SFU's WebSocket (docs/realtime.md, SFU mode)
    common = {
        "default-src": ["'self'"],
        # blob: and data: for photos picked before upload, voice messages being recorded and
        # played back, and the QR codes; the class room's video is a MediaStream (srcObject),
        # which no directive governs.
        "img-src": ["'self'", "blob:", "data:"],
        "media-src": ["'self'", "blob:", "data:"],
        "connect-src": connect,
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        # The admin's page preview frames our own pages; nobody else may.
        "frame-ancestors": ["'self'"],
    }
    if request.path.startswith(ADMIN_PREFIX):
        # Wagtail's admin writes inline scripts and style attributes of its own and builds
        # some templates with new Function(); it is used by signed-in staff only. It still
        # loads nothing from outside.
        return _policy({**common, "script-src": ["'self'", "'unsafe-inline'", "'unsafe-eval'"],
                        "style-src": ["'self'", "'unsafe-inline'"], "font-src": ["'self'", "data:"]})
    script = ["'self'", "'unsafe-eval'"] if settings.CSP_ALLOW_EVAL else ["'self'"]
    return _policy({**common, "script-src": script, "style-src": ["'self'"]})


def security_headers_middleware(get_response):
    """Adds Content-Security-Policy and Permissions-Policy to every response, in every
    environment, so the browser tests see what production sends."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        response.setdefault("Content-Security-Policy", content_security_policy(request=request))
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response

    return middleware
