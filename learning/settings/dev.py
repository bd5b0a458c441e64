"""Local development: DEBUG on, console email, the embedded SQLite and in-memory layer."""

from .base import *  # noqa: F401,F403

DEBUG = True
# A fixed key is acceptable only here: dev never holds real data.
SECRET_KEY = "dev-only-not-secret"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# Dev serves files as they change, with no collectstatic needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
