import contextlib
import io
import sqlite3

import pytest
from django.core.management import call_command
from django.conf import settings
from pytest_django.plugin import blocking_manager_key

from dataclasses import dataclass
from pathlib import Path

from tests.server import JanusServer, ManageError, ServerError, join_paths_from, manage, site_env

# In this process, tests drive consumers with async_to_sync, one event loop per
# call, which the Redis layer's connection pools do not survive: they use the
# in-memory layer. Delivery across processes over Redis is tested with real Daphne
# processes (tests/realtime), which read REDIS_URL themselves.
settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# A copy of the seeded SQLite test database, taken once. Putting it back after a
# transactional test takes milliseconds; running seed_demo again (Wagtail pages,
# revisions, search index) takes over a second, and the socket tests are all transactional.
seeded_snapshot_key = pytest.StashKey["sqlite3.Connection | None"]()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, pytestconfig):
    """Every database test starts from the demo centre; each test's changes roll back."""
    with django_db_blocker.unblock():
        call_command("seed_demo", stdout=io.StringIO())
        pytestconfig.stash[seeded_snapshot_key] = _snapshot()


def _snapshot() -> "sqlite3.Connection | None":
    from django.db import connection

    if connection.vendor != "sqlite":
        return None
    connection.ensure_connection()
    copy = sqlite3.connect(":memory:", check_same_thread=False)
    connection.connection.backup(copy)
    return copy


def _restore(snapshot: sqlite3.Connection) -> None:
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import cache
    from django.db import connection

    connection.ensure_connection()
    snapshot.backup(connection.connection)
    # The flush made new content types (and the test may have cached pages); forget them.
    ContentType.objects.clear_cache()
    cache.clear()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test (threads, races, sockets) ends by emptying every table; put
    the demo centre back for the tests that follow."""
    yield
    if nextitem is None:
        # The last test's teardown has already destroyed the test database; seeding now
        # would write into the development database named in the settings.
        return
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        with item.config.stash[blocking_manager_key].unblock():
            snapshot = item.config.stash.get(seeded_snapshot_key, None)
            if snapshot is not None:
                _restore(snapshot)
            else:
                call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture
def calligraphy(db):
    from classes.models import CoursePage

    return CoursePage.objects.get(slug="calligraphy")


@pytest.fixture
def zh_client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-CN,zh;q=0.9"
    return client


@pytest.fixture
def learner(db):
    from classes.models import Learner

    return Learner.objects.create(name="测试学员", phone="13700137000")


@pytest.fixture
def make_learner(db):
    from classes.models import Learner

    counter = iter(range(10_000))

    def make(name="学员"):
        return Learner.objects.create(name=name, phone=f"136{next(counter):08d}")

    return make


@pytest.fixture
def open_link(client):
    """Open a learner's or teacher's join link in the test client, as a phone would."""
    from classes.courses.join_links import join_link_ensure, join_link_token

    def open_(course, learner=None, teacher=None):
        link = join_link_ensure(course=course, learner=learner, teacher=teacher)
        return client.get(f"/j/{join_link_token(link=link)}/")

    return open_



@pytest.fixture(autouse=True)
def _client_login_with_a_request(monkeypatch):
    """django-axes counts sign-in failures per address, so its backend refuses an
    authenticate() without a request, which client.login() makes. Give it the request a
    browser's sign-in would carry; its failures (none here) roll back with each test."""
    from django.test import Client, RequestFactory

    login = Client.login

    def login_with_request(self, **credentials):
        credentials.setdefault("request", RequestFactory().post("/login/"))
        return login(self, **credentials)

    monkeypatch.setattr(Client, "login", login_with_request)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate limits count in the cache; each test starts with none used."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="session")
def janus_server(tmp_path_factory):
    """Janus with the project's configs (deploy/janus/), on loopback, one for the whole run;
    each test makes rooms of its own. Without janus installed the tests that ask for it fail,
    naming the command: the SFU tests are never skipped (make test installs it when it can)."""
    with contextlib.ExitStack() as stop:
        try:
            # It may record into one folder: the tests' RECORDINGS_DIR (sfu_recordings_dir).
            server = stop.enter_context(JanusServer(tmp_path_factory.mktemp("janus"),
                                                    recordings_dir=tmp_path_factory.mktemp("janus-recordings")))
        except ServerError as error:
            pytest.fail(str(error), pytrace=False)
        yield server


@dataclass(frozen=True)
class SeededDemo:
    """A site as migrate and seed_demo left it, to be copied (tests/server.py's site_copy), never served itself."""

    root: Path
    join_paths: dict[tuple[str, str], str]


@pytest.fixture(scope="session")
def seeded_demo(tmp_path_factory) -> SeededDemo:
    """The demo centre migrated and seeded once per run, in a SQLite file of its own, for the
    tests that run real processes (Daphne, manage.py) on a site copied from it."""
    # Migrating takes over ten seconds on a busy two-core machine; once is enough.
    root = tmp_path_factory.mktemp("seeded-demo")
    env = site_env(root)
    try:
        manage(env, "migrate", "--noinput")
        join_paths = join_paths_from(manage(env, "seed_demo"))
    except ManageError as error:
        pytest.fail(str(error), pytrace=False)
    assert join_paths, "seed_demo printed no join links"
    return SeededDemo(root=root, join_paths=join_paths)
