"""Browser tests: headless Chromium against the real site served by Daphne.

One server and one browser for the whole run (starting them is the slow part);
a fresh browser context, which is a fresh person with no cookies or storage, per test.

The server is a Daphne subprocess (tests/server.py) with its own SQLite file, seeded
with the demo centre once; before each test the file is put back as seeding left it,
so each test passes alone, in any order and twice in a row.
"""

import functools
import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.browser.gate import VIEWPORTS
from tests.server import DaphneServer, ManageError, ServerError, database_file, join_paths_from, site_env
from tests.server import manage as manage_command

HERE = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
# The machines have no internet, and camera and microphone are faked for the live-room tests.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
]
# Putting the demo centre back waits for Daphne's write lock as long as the site's own writers do
# (the settings' SQLite timeout); a transaction holds it for milliseconds.
DATABASE_LOCK_TIMEOUT_S = 20
# Every wait in a test is on a condition; this bounds how long a broken page makes us wait.
PLAYWRIGHT_TIMEOUT_MS = 10_000
# Learners are in China: the browser asks for Chinese, as theirs do.
DEFAULT_LOCALE = "zh-CN"


def _missing_chromium() -> str | None:
    if CHROMIUM.exists():
        return None
    return f"{CHROMIUM} is not installed (apt-get install chromium); the browser tests need it"


def pytest_collection_modifyitems(config, items):
    # Skipping here, before any fixture runs, spares a laptop without Chromium the server start.
    # In CI the tests run on, and the browser fixture fails them.
    reason = _missing_chromium()
    skip = pytest.mark.skip(reason=reason) if reason and not os.environ.get("CI") else None
    # This hook sees every collected test, not only this folder's.
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)
            if skip:
                item.add_marker(skip)


@pytest.fixture(scope="package", autouse=True)
def _allow_sync_django_beside_playwright():
    """Playwright's sync API keeps an event loop running in the test thread, and Django
    then refuses ORM calls from it. pytest-playwright's advice for pytest-django is this
    variable; it is set for the browser tests only, and unset again after them."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@dataclass
class BrowserSite:
    """The site the browser tests share: its environment, its SQLite file, and a copy
    of that file as seed_demo left it."""

    env: dict[str, str]
    database: Path
    seeded: sqlite3.Connection
    join_paths: dict[tuple[str, str], str]


@pytest.fixture(scope="session")
def _site(tmp_path_factory) -> BrowserSite:
    """The demo centre in a SQLite file of its own (even when the outer run uses PostgreSQL),
    migrated and seeded once, and copied into memory with SQLite's backup API."""
    root = tmp_path_factory.mktemp("browser-site")
    # One Daphne process: the in-memory channel layer is enough, and needs no Redis.
    env = site_env(root)
    _manage(env, "migrate", "--noinput")
    join_paths = join_paths_from(_manage(env, "seed_demo"))
    assert join_paths, "seed_demo printed no join links"
    seeded = sqlite3.connect(":memory:", check_same_thread=False)
    with closing(sqlite3.connect(database_file(root))) as live:
        live.backup(seeded)
    yield BrowserSite(env=env, database=database_file(root), seeded=seeded, join_paths=join_paths)
    seeded.close()


@pytest.fixture(autouse=True)
def _demo_centre(_site):
    """Every browser test starts from the demo centre, whatever the tests before it did.

    SQLite's backup API writes the seeded copy into the live file through SQLite's own
    locking (waiting while Daphne writes), so Daphne's connections see the restored data
    from their next transaction on; Daphne keeps running. What Daphne holds in its own
    memory is not reset: its cache (rate limits, the 30-second 求助 double-tap guard) and
    the sockets of the test before, which may still be closing.
    """
    with closing(sqlite3.connect(_site.database, timeout=DATABASE_LOCK_TIMEOUT_S)) as live:
        _site.seeded.backup(live)


def _manage(env: dict[str, str], *args: str) -> str:
    try:
        return manage_command(env, *args)
    except ManageError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="session")
def manage(_site):
    """Run a manage.py command against the browser site's database; returns its stdout.

    For example ``manage("shell", "-c", "...")``. A non-zero exit fails the test with the command's output.
    """

    def run(*args: str) -> str:
        return _manage(_site.env, *args)

    return run


@pytest.fixture(scope="session")
def live_server_url(_site, tmp_path_factory) -> str:
    """The demo site served by a real Daphne (HTTP and WebSockets), e.g. http://127.0.0.1:54321."""
    server = DaphneServer(_site.env, log=tmp_path_factory.mktemp("daphne") / "daphne.log")
    try:
        with server:
            yield server.url
    except ServerError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="package")
def browser():
    """One headless Chromium for the browser tests.

    Package-scoped rather than session-scoped on purpose: while Playwright runs, its
    event loop makes Django refuse ORM calls in this thread, so it must be gone
    before pytest moves on to the other test folders.
    """
    if reason := _missing_chromium():
        if os.environ.get("CI"):
            pytest.fail(f"{reason}. In CI a missing browser is a failure, not a skip.", pytrace=False)
        pytest.skip(reason)
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


@pytest.fixture(scope="session")
def sfu_server_url(_site, janus_server, tmp_path_factory) -> str:
    """The demo site served by a Daphne of its own whose classes send video through Janus
    (SFU mode, docs/realtime.md): the same database as live_server_url's, with the
    session's Janus (tests/conftest.py) in JANUS_URL, JANUS_PUBLIC_URL and JANUS_ADMIN_KEY."""
    env = {**_site.env, "JANUS_URL": janus_server.http_url, "JANUS_PUBLIC_URL": janus_server.ws_url,
           "JANUS_ADMIN_KEY": janus_server.admin_key, "RECORDINGS_DIR": str(janus_server.recordings_dir)}
    server = DaphneServer(env, log=tmp_path_factory.mktemp("daphne-sfu") / "daphne.log")
    try:
        with server:
            yield server.url
    except ServerError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture
def new_context_at(browser):
    """Make a browser context (one person, one device) that opens paths on the server at
    `base_url`: ``new_context_at(url, "desktop", locale="en-GB")``. All close after the test."""
    contexts = []
    # The site's Content-Security-Policy (core/headers.py) is on here as in production; whatever
    # a page tried that the policy blocked fails the test, since a real phone would block it too.
    violations = []

    def note_violation(message) -> None:
        if "Content Security Policy" in message.text:
            violations.append(message.text)

    def make(base_url: str, viewport: str = "phone", *, locale: str = DEFAULT_LOCALE, **options):
        context = browser.new_context(base_url=base_url, viewport=VIEWPORTS[viewport], locale=locale, **options)
        context.set_default_timeout(PLAYWRIGHT_TIMEOUT_MS)
        context.on("console", note_violation)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    if violations:
        pytest.fail("Content-Security-Policy violations:\n" + "\n".join(violations), pytrace=False)


@pytest.fixture
def new_context(new_context_at, live_server_url):
    """Make a browser context (one person, one device) that opens paths on the live server.

    ``new_context("desktop", locale="en-GB")``; all contexts close after the test.
    """
    return functools.partial(new_context_at, live_server_url)


@pytest.fixture
def new_sfu_context(new_context_at, sfu_server_url):
    """As new_context, on the site whose classes go through Janus (sfu_server_url)."""
    return functools.partial(new_context_at, sfu_server_url)


@pytest.fixture
def page(new_context):
    """A page on a phone-sized screen in a Chinese-speaking browser."""
    return new_context().new_page()


@pytest.fixture(scope="session")
def join_paths(_site) -> dict[tuple[str, str], str]:
    """Each demo person's personal join path, by (name, course title), from seed_demo's printout,
    e.g. join_paths["刘桂兰", "爱尚书法"] == "/j/…/". The reset keeps them valid: it puts back
    the very links seed_demo printed."""
    return _site.join_paths
