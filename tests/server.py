"""The one way tests and benchmarks serve the site: a real Daphne subprocess on loopback,
with its own SQLite file and media folder, started through our launcher (learning.serve,
which keeps join-link tokens out of the access log), as production runs it.

Plain Python, so benchmarks use it too. Failures raise ServerError or ManageError with
the process's output in the message; pytest fixtures turn them into pytest.fail.

    env = site_env(root)
    manage(env, "migrate", "--noinput")
    paths = join_paths_from(manage(env, "seed_demo"))
    with DaphneServer(env, log=root / "daphne.log") as server:
        urllib.request.urlopen(server.url + "/")
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

PROJECT_DIR = Path(__file__).resolve().parent.parent
APPLICATION = "learning.asgi:application"
# Migrating on a busy two-core machine has taken a minute; three means something is stuck.
MANAGE_TIMEOUT_S = 180
# Daphne loads Django and the site in a few seconds; half a minute means it never will.
SERVER_START_TIMEOUT_S = 30
SERVER_POLL_INTERVAL_S = 0.1
# A terminated Daphne closes its sockets at once; one still there after this is killed.
SERVER_STOP_TIMEOUT_S = 10
# Enough of a log to see why a server died, short enough to read under a failing test.
LOG_TAIL_LINES = 60
# A line of seed_demo's printout: "  刘桂兰  爱尚书法  http://127.0.0.1:8000/j/…/".
JOIN_LINE = re.compile(r"^\s+(\S+)\s+(\S+)\s+https?://[^/]+(/j/[a-z2-7]+/)$")


class ManageError(RuntimeError):
    """A manage.py command exited non-zero; the message carries its output."""


class ServerError(RuntimeError):
    """Daphne died or did not answer in time; the message carries its log's last lines."""


def free_ports(count: int) -> list[int]:
    """`count` different loopback ports that nothing listens on right now."""
    # Held open together, so the same port is never handed out twice.
    sockets = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def free_port() -> int:
    return free_ports(1)[0]


def site_env(root: Path, *, redis_url: str | None = None, **extra: str) -> dict[str, str]:
    """The environment of a site of its own under `root`: root/db.sqlite3 and root/media.

    Whatever database the calling run uses (even PostgreSQL), the site has this throwaway
    file. Without `redis_url` it has the in-memory channel layer (one process); several
    processes that share rooms need Redis. `extra` adds variables, e.g. CHAT_MESSAGES_PER_MINUTE="100".
    """
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="learning.settings.test",
        DATABASE_URL=f"sqlite:///{database_file(root)}",
        MEDIA_ROOT=str(root / "media"),
        PYTHONUNBUFFERED="1",
    )
    env.pop("REDIS_URL", None)
    # Set for the browser tests' own thread (see tests/browser/conftest.py); never for the site.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update(extra)
    return env


def database_file(root: Path) -> Path:
    """The SQLite file of the site that site_env(root) describes."""
    return root / "db.sqlite3"


def manage(env: dict[str, str], *args: str) -> str:
    """Run `manage.py *args` against the site in `env`; its stdout. ManageError if it fails."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=MANAGE_TIMEOUT_S,
    )
    if result.returncode != 0:
        raise ManageError(
            f"manage.py {' '.join(args)} exited with {result.returncode}:\n{result.stdout}\n{result.stderr}"
        )
    return result.stdout


def join_paths_from(seed_output: str) -> dict[tuple[str, str], str]:
    """Each demo person's join path from seed_demo's printout, e.g. paths["刘桂兰", "爱尚书法"] == "/j/…/"."""
    paths = {}
    for line in seed_output.splitlines():
        if match := JOIN_LINE.match(line):
            paths[match.group(1), match.group(2)] = match.group(3)
    return paths


class DaphneServer:
    """One Daphne process serving `app` on 127.0.0.1, its output in `log`.

    As a context manager it starts, waits until ready and stops. Ready means it answers
    HTTP at / (any status, even an error page), or with ``ready="tcp"``, for an app that
    serves only sockets, that it accepts a connection (Daphne loads the app before it
    listens). To start several at once: launch() each, then wait_until_ready() each.
    """

    def __init__(self, env: dict[str, str], *, log: Path, app: str = APPLICATION, port: int | None = None,
                 ready: str = "http"):
        if ready not in ("http", "tcp"):
            raise ValueError(f"ready is 'http' or 'tcp', not {ready!r}")
        # The site runs as in production, with Django's async-safety check on, even when the
        # caller's environment turns it off for Playwright.
        self.env = {name: value for name, value in env.items() if name != "DJANGO_ALLOW_ASYNC_UNSAFE"}
        self.log = log
        self.app = app
        self.port = port or free_port()
        self.ready = ready
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """http://127.0.0.1:<port>"""
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.process.pid

    def __enter__(self) -> "DaphneServer":
        self.launch()
        try:
            self.wait_until_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def launch(self) -> None:
        with open(self.log, "w") as handle:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "learning.serve", "-b", "127.0.0.1", "-p", str(self.port), self.app],
                cwd=PROJECT_DIR,
                env=self.env,
                stdout=handle,
                stderr=subprocess.STDOUT,
            )

    def wait_until_ready(self, timeout_s: float = SERVER_START_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout_s
        while not self._answers():
            if time.monotonic() > deadline:
                raise ServerError(f"Daphne did not answer at {self.url} within {timeout_s}s; "
                                  f"its log ends:\n{self.log_tail()}")
            # Doubles as the poll interval, and returns at once if Daphne has died.
            try:
                self.process.wait(timeout=SERVER_POLL_INTERVAL_S)
            except subprocess.TimeoutExpired:
                continue
            raise ServerError(f"Daphne at {self.url} exited with {self.process.returncode}; "
                              f"its log ends:\n{self.log_tail()}")

    def _answers(self) -> bool:
        if self.ready == "tcp":
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return True
            except OSError:
                return False
        # No proxy from the environment: the server is on loopback.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            opener.open(self.url + "/", timeout=2).close()
            return True
        except urllib.error.HTTPError:
            return True  # any HTTP answer, even an error page, means Daphne is serving
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    def stop(self) -> None:
        """Terminate, and kill if it has not gone within SERVER_STOP_TIMEOUT_S. Safe to call twice."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=SERVER_STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def cpu_s(self) -> float:
        """CPU seconds the server process has used (user and system)."""
        with open(f"/proc/{self.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_kb(self) -> int:
        """The server process's resident memory."""
        with open(f"/proc/{self.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise RuntimeError(f"no VmRSS for Daphne (pid {self.pid})")
