"""Production: every secret comes from the environment, and the site refuses to
start without what it needs rather than running with an unsafe default."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403


def required_env(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"Set the {name} environment variable to run in production.")
    return value


DEBUG = False
SECRET_KEY = required_env("SECRET_KEY")
ALLOWED_HOSTS = [host.strip() for host in required_env("ALLOWED_HOSTS").split(",") if host.strip()]
CSRF_TRUSTED_ORIGINS = [
    origin.strip() for origin in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if origin.strip()
]

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# HTTPS only. Behind a TLS-terminating proxy that sets X-Forwarded-Proto (docs/deploy.md)
# Django sees which requests came in over HTTPS; set SECURE_SSL_REDIRECT=0 when the proxy
# redirects plain HTTP itself, and SECURE_HSTS_SECONDS=0 when it sends HSTS itself.
SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"
# A year, as browsers' preload lists ask; browsers then never try plain HTTP on this host.
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 60 * 60)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("SECURE_HSTS_INCLUDE_SUBDOMAINS", "1") == "1"
# Preloading is the domain owner's lasting promise to browser makers (hstspreload.org), not a
# default we can make for them: off unless asked, and Django's reminder (W021) silenced meanwhile.
SECURE_HSTS_PRELOAD = os.environ.get("SECURE_HSTS_PRELOAD", "0") == "1"
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
SESSION_COOKIE_SECURE = os.environ.get("SECURE_COOKIES", "1") == "1"
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SERVE_MEDIA = os.environ.get("SERVE_MEDIA", "0") == "1"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@localhost")
# A send must give up well inside the notifications worker's 10-minute lease (classes/notifications.py).
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "60"))

if REDIS_URL:  # noqa: F405
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}  # noqa: F405

# SFU mode needs all three; one without the others is a mistake, not the embedded mode.
if JANUS_URL or JANUS_ADMIN_KEY or JANUS_PUBLIC_URL:  # noqa: F405
    JANUS_URL, JANUS_ADMIN_KEY, JANUS_PUBLIC_URL = (
        required_env("JANUS_URL").rstrip("/"), required_env("JANUS_ADMIN_KEY"), required_env("JANUS_PUBLIC_URL"),
    )
