"""Browser tests: headless Chromium against the real site served by Daphne.

One server and one browser for the whole run (starting them is the slow part);
a fresh browser context, which is a fresh person with no cookies or storage, per test.

The server is a subprocess with its own SQLite file, seeded with the demo centre,
whatever database the rest of the test run uses.
"""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.browser.gate import VIEWPORTS

HERE = Path(__file__).resolve().parent
PROJECT_DIR = HERE.parent.parent
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
# Migrating, seeding and starting Daphne take a few seconds; a minute means something is stuck.
MANAGE_TIMEOUT_S = 120
SERVER_START_TIMEOUT_S = 30
SERVER_POLL_INTERVAL_S = 0.1
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


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def _site_env(tmp_path_factory) -> dict[str, str]:
    """Environment for the served site: its own SQLite file and media folder, migrated and seeded."""
    root = tmp_path_factory.mktemp("browser-site")
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="learning.settings.test",
        # Even when the outer run uses PostgreSQL, the browser site has its own throwaway file.
        DATABASE_URL=f"sqlite:///{root / 'browser.sqlite3'}",
        MEDIA_ROOT=str(root / "media"),
        PYTHONUNBUFFERED="1",
    )
    # One Daphne process: the in-memory channel layer is enough, and needs no Redis.
    env.pop("REDIS_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    for command in (["migrate", "--noinput"], ["seed_demo"]):
        _run_manage(env, command)
    return env


def _run_manage(env: dict[str, str], args: list[str]) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=MANAGE_TIMEOUT_S,
    )
    if result.returncode != 0:
        pytest.fail(
            f"manage.py {' '.join(args)} exited with {result.returncode}:\n{result.stdout}\n{result.stderr}",
            pytrace=False,
        )
    return result.stdout


@pytest.fixture(scope="session")
def manage(_site_env):
    """Run a manage.py command against the browser site's database; returns its stdout.

    For example ``manage("seed_demo")``. A non-zero exit fails the test with the command's output.
    """

    def run(*args: str) -> str:
        return _run_manage(_site_env, list(args))

    return run


@pytest.fixture(scope="session")
def live_server_url(_site_env, tmp_path_factory) -> str:
    """The demo site served by a real Daphne (HTTP and WebSockets), e.g. http://127.0.0.1:54321."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = tmp_path_factory.mktemp("daphne") / "daphne.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            # Daphne through our launcher, which keeps join-link tokens out of its access log.
            [sys.executable, "-m", "learning.serve", "-b", "127.0.0.1", "-p", str(port), "learning.asgi:application"],
            cwd=PROJECT_DIR,
            env=_site_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_answering(server, url, log_path)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_until_answering(server: subprocess.Popen, url: str, log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while True:
        try:
            urllib.request.urlopen(url + "/", timeout=2).close()
            return
        except urllib.error.HTTPError:
            return  # any HTTP answer, even an error page, means Daphne is serving
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            pytest.fail(
                f"Daphne did not answer at {url} within {SERVER_START_TIMEOUT_S}s:\n{log_path.read_text()}",
                pytrace=False,
            )
        # Doubles as the poll interval: returns at once if Daphne has died.
        try:
            server.wait(timeout=SERVER_POLL_INTERVAL_S)
        except subprocess.TimeoutExpired:
            continue
        pytest.fail(f"Daphne exited with {server.returncode}:\n{log_path.read_text()}", pytrace=False)


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


@pytest.fixture
def new_context(browser, live_server_url):
    """Make a browser context (one person, one device) that opens paths on the live server.

    ``new_context("desktop", locale="en-GB")``; all contexts close after the test.
    """
    contexts = []

    def make(viewport: str = "phone", *, locale: str = DEFAULT_LOCALE, **options):
        context = browser.new_context(
            base_url=live_server_url, viewport=VIEWPORTS[viewport], locale=locale, **options
        )
        context.set_default_timeout(PLAYWRIGHT_TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    """A page on a phone-sized screen in a Chinese-speaking browser."""
    return new_context().new_page()


@pytest.fixture(scope="session")
def join_paths(manage) -> dict[tuple[str, str], str]:
    """Each demo person's personal join path, by (name, course title), from seed_demo's printout,
    e.g. join_paths["刘桂兰", "爱尚书法"] == "/j/…/"."""
    paths = {}
    for line in manage("seed_demo").splitlines():
        match = re.match(r"^\s+(\S+)\s+(\S+)\s+https?://[^/]+(/j/[a-z2-7]+/)$", line)
        if match:
            paths[match.group(1), match.group(2)] = match.group(3)
    assert paths, "seed_demo printed no join links"
    return paths
