"""Settings shared by every environment.

No SECRET_KEY and no DEBUG here: each environment decides those. The database
and channel layer default to the embedded path (SQLite, in-memory layer) and
switch to PostgreSQL and Redis when DATABASE_URL and REDIS_URL are set.
"""

import json
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

INSTALLED_APPS = [
    # Daphne first, so that runserver serves ASGI (HTTP and WebSockets).
    "daphne",
    "home",
    "classes",
    "volunteers",
    "core",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "channels",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Content-Security-Policy and Permissions-Policy (core/headers.py), in every environment.
    "core.headers.security_headers_middleware",
    # Public pages for visitors without a session, from the cache (core/pagecache.py): below
    # the headers every response gets, above everything a hit does not need.
    "core.pagecache.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "learning.urls"
# The pages served from the cache to visitors without a session: "/" itself, and everything
# under the others (views marked never_cache, such as a teacher's timetable, excepted).
PUBLIC_PAGE_CACHE_PATHS = ["/", "/courses/", "/timetable/", "/works/course/", "/initiatives/"]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "home.context_processors.centre",
            ],
        },
    },
]

WSGI_APPLICATION = "learning.wsgi.application"
ASGI_APPLICATION = "learning.asgi.application"
# Pages are served by this many long-lived threads per process, each keeping its database
# connection between requests (core/handler.py); a request beyond them waits for one.
HTTP_REQUEST_THREADS = int(os.environ.get("HTTP_REQUEST_THREADS", "4"))

# SQLite by default; DATABASE_URL (postgres://…) switches to PostgreSQL via psycopg 3.
# Connections are kept (DATABASE_CONN_MAX_AGE seconds): a live class checks every socket
# frame against the database on the process's one database thread, and a new PostgreSQL
# connection per frame made that thread the bottleneck — under a morning's load the chat
# fell minutes behind (benchmarks/loadtest.py). Health checks replace a kept connection
# the database dropped (a restart, a network cut) before it is used again.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # Writers take the lock when their transaction begins, so two sign-ups for the
        # last seat queue up instead of both reading "one seat left"; WAL lets pages
        # keep reading meanwhile.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# In-memory channel layer by default (one process); REDIS_URL switches to Redis,
# which several Daphne processes need to share rooms and chat.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Chinese first, English second. Django looks for locale/zh_Hans (not zh_hans).
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [
    ("zh-hans", _("Simplified Chinese")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The language choice outlives the browser session, so a learner chooses once per device.
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Serve uploaded media from Django itself (dev, tests, single-box installs);
# a deployment behind a reverse proxy turns it off and lets the proxy serve /media/.
SERVE_MEDIA = os.environ.get("SERVE_MEDIA", "1") == "1"
# Files only some people may fetch (a learning group's photos and voice messages): kept
# outside MEDIA_ROOT, so no /media/ route ever serves them, and handed out by a view
# that checks who asks (core/private_media.py).
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "private-media"))
# Behind nginx: the `internal` location that serves PRIVATE_MEDIA_ROOT (docs/deploy.md);
# the view checks, nginx sends the bytes. Empty: Django streams the file itself.
PRIVATE_MEDIA_ACCEL_REDIRECT = os.environ.get("PRIVATE_MEDIA_ACCEL_REDIRECT", "")

# Signed-in staff stay signed in for a term's fortnight; learners' sessions last
# until their link's term ends (set per session), so none expires during class.
SESSION_COOKIE_AGE = 14 * 24 * 60 * 60
LOGIN_URL = "login"
# Sign-in throttling (django-axes) for /login/ and the admin's sign-in alike: its backend
# refuses a locked-out account or address before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# A person who mistypes a few times gets in; a guessing script gets AXES_FAILURE_LIMIT tries
# per account and per address (counted apart, so one cannot spend the other's), then waits.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "home.views.login_locked"
# The same address as every other rate limit (behind the proxy: TRUSTED_PROXY_HEADER).
AXES_CLIENT_IP_CALLABLE = "core.ratelimit.client_address"
LOGIN_REDIRECT_URL = "my_classes"
LOGOUT_REDIRECT_URL = "/"

WAGTAIL_SITE_NAME = "社区课堂"
# No Gravatar pictures in the admin: staff e-mail hashes would go to an outside server, and
# the Content-Security-Policy loads nothing from outside (core/headers.py).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILADMIN_BASE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# Wagtail's own small jobs (search index, image renditions) run at once, as before.
# Notification delivery and reminders run in `manage.py db_worker --backend
# notifications`, from a queue kept in the database, so a restart loses nothing.
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "notifications": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}

# Text messages: the default backend writes each message to the log, so nothing
# is sent until an SMS gateway backend is configured.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "classes.notifications.sms.LogSMSBackend")
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "pptx", "txt", "mp3", "mp4", "webm", "jpg", "png"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 50 * 1024 * 1024  # a short class video fits
# Every document goes through Wagtail's view, where before_serve_document keeps a course's
# learners-only materials for its people (classes/wagtail_hooks.py); "redirect" or "direct"
# would hand out the /media/ address, which no check stands in front of.
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024  # a phone photo fits
WAGTAILEMBEDS_RESPONSIVE_HTML = True
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# The site's pages run no string as code; only the browser tests need it (learning/settings/test.py).
CSP_ALLOW_EVAL = False

# The centre's contact details appear on every page's help section and on error pages.
CENTRE_NAME = os.environ.get("CENTRE_NAME", "社区课堂")
CENTRE_HELP_PHONE = os.environ.get("CENTRE_HELP_PHONE", "010-6512-3456")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_tokens": {"()": "core.logs.RedactTokensFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_tokens"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # Background tasks (search index, reference index) log every run at INFO: too chatty to be useful.
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
    },
}
TRUSTED_PROXY_HEADER = os.environ.get("TRUSTED_PROXY_HEADER", "")

# STUN/TURN servers for the browsers' WebRTC connections, as JSON, e.g.
# [{"urls": "turn:turn.example.org:3478", "username": "u", "credential": "p"}]
# (docs/deploy.md: coturn). Empty on a LAN or loopback, where direct connections work.
WEBRTC_ICE_SERVERS = json.loads(os.environ.get("WEBRTC_ICE_SERVERS", "[]"))

# Chat messages one member may send a minute (live class and learning group alike).
CHAT_MESSAGES_PER_MINUTE = int(os.environ.get("CHAT_MESSAGES_PER_MINUTE", "20"))

# The SFU (docs/deploy.md): with JANUS_URL (Janus's HTTP API, reached by the server only)
# and JANUS_ADMIN_KEY (its VideoRoom admin_key), class media go through Janus; browsers
# reach it at JANUS_PUBLIC_URL (its WebSocket). Without them, the teacher's browser sends
# to each learner itself ("embedded"), which carries EMBEDDED_MAX_LEARNERS at most.
JANUS_URL = os.environ.get("JANUS_URL", "").rstrip("/")
JANUS_PUBLIC_URL = os.environ.get("JANUS_PUBLIC_URL", "")
JANUS_ADMIN_KEY = os.environ.get("JANUS_ADMIN_KEY", "")
# Janus must answer within this, or the class falls back to the embedded mode.
JANUS_TIMEOUT_S = float(os.environ.get("JANUS_TIMEOUT_S", "3"))
# Where Janus writes the raw recordings (.mjr) of recorded classes, a folder per class session,
# until the worker has made them into one video (classes/live/janus_recordings.py). Private:
# never served. Janus must see it at this same path (same machine, or a shared mount): it is
# the rec_dir the server gives Janus, and the one folder Janus's config lets it write into.
RECORDINGS_DIR = Path(os.environ.get("RECORDINGS_DIR", PRIVATE_MEDIA_ROOT / "janus-recordings"))
# The timetable planner's solver stops looking for a better timetable after this many seconds
# (classes/timetable/engine.py); a centre's term is proven best well within it.
TIMETABLE_SOLVER_SECONDS = float(os.environ.get("TIMETABLE_SOLVER_SECONDS", "2"))
# A browser mesh carries four to six video receivers (measured: `make bench BENCH=media`).
EMBEDDED_MAX_LEARNERS = int(os.environ.get("EMBEDDED_MAX_LEARNERS", "6"))
