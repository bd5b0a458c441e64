"""ASGI entry point: HTTP through Django, WebSockets through Channels."""

import os

from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learning.settings.dev")

from core.handler import asgi_application_on_pooled_threads  # noqa: E402

# Django must be set up before anything imports models (the socket routes do); pages keep
# their database connections between requests on a few long-lived threads (core/handler.py).
django_asgi_app = asgi_application_on_pooled_threads(threads=settings.HTTP_REQUEST_THREADS)

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from core.bodies import FORM_BODY_MAX_BYTES, BoundedBodies  # noqa: E402
from core.origins import SameOriginValidator  # noqa: E402
from core.sockets import UnavailableAtHandshake  # noqa: E402
from learning.routing import websocket_urlpatterns  # noqa: E402

# Wagtail's admin takes documents and images up to their own caps (settings), plus the form around them.
ADMIN_BODY_MAX_BYTES = max(settings.WAGTAILDOCS_MAX_UPLOAD_SIZE, settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE) \
    + FORM_BODY_MAX_BYTES

application = ProtocolTypeRouter(
    {
        # A body over its endpoint's cap is refused before Django reads it (core/bodies.py).
        "http": BoundedBodies(django_asgi_app, prefix_limits={"/admin/": ADMIN_BODY_MAX_BYTES}),
        # Scheme, host and port of the Origin must be our own (core/origins.py); a database or
        # channel layer out of reach while the session is read closes with 4503 (core/sockets.py).
        "websocket": SameOriginValidator(
            UnavailableAtHandshake(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
        ),
    }
)
