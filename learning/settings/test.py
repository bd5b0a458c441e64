"""Test settings: fast hashing, local-memory cache, a file-based SQLite test
database (the browser tests' Daphne needs a file, not :memory:)."""

import os
from pathlib import Path

from .base import *  # noqa: F401,F403

DEBUG = False
SECRET_KEY = "test-only-not-secret"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WHITENOISE_USE_FINDERS = True
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / ".test-media"))  # noqa: F405
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / ".test-private-media"))  # noqa: F405
# The site Janus records for is told where (tests/browser/conftest.py, sfu_server_url).
RECORDINGS_DIR = Path(os.environ.get("RECORDINGS_DIR", PRIVATE_MEDIA_ROOT / "janus-recordings"))
# Playwright's wait_for_function evaluates its condition with eval() inside the page, which
# the Content-Security-Policy would refuse; everything else in the policy stays as in production.
CSP_ALLOW_EVAL = True

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # One file per test run (by process id), so two runs at once never share a database.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f".test-db-{os.getpid()}.sqlite3")}  # noqa: F405

# The test process closes its connections after each use: the consumers' database threads
# outlive a test, and a connection they kept would hold the test database open when it is
# flushed or dropped. Served sites (tests/server.py's site_env) keep theirs, as production does.
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("DATABASE_CONN_MAX_AGE", "0"))  # noqa: F405
