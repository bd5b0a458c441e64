"""The one way tests and benchmarks serve the site: a real Daphne subprocess on loopback,
with its own SQLite file and media folder, started through our launcher (learning.serve,
which keeps join-link tokens out of the access log), as production runs it. Beside it,
Janus (the SFU) with the project's own configs (deploy/janus/), as `make run` starts it.

Plain Python, so benchmarks use it too. Failures raise ServerError or ManageError with
the process's output in the message; pytest fixtures turn them into pytest.fail.

    env = site_env(root)
    manage(env, "migrate", "--noinput")
    paths = join_paths_from(manage(env, "seed_demo"))
    with DaphneServer(env, log=root / "daphne.log") as server:
        urllib.request.urlopen(server.url + "/")

    with JanusServer(root / "janus") as janus:
        env = site_env(root, JANUS_URL=janus.http_url, JANUS_PUBLIC_URL=janus.ws_url,
                       JANUS_ADMIN_KEY=janus.admin_key)

Below the launcher, what every client of a served site needs: Redis for several
processes, learners with seats, session cookies as phones and staff get them, and
sockets opened with them.
"""

import asyncio
import contextlib
import functools
import importlib.util
import json
import os
import random
import re
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field
from http.client import HTTPConnection
from http.cookiejar import CookieJar
from pathlib import Path

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

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
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
# Opening a page on loopback takes milliseconds; this much means the server is stuck.
HTTP_TIMEOUT_S = 30
# Join links opened at once, as phones open them; more only queue behind one process.
JOIN_THREADS = 4


class ManageError(RuntimeError):
    """A manage.py command exited non-zero; the message carries its output."""


class ServerError(RuntimeError):
    """Daphne or Janus is missing, died or did not answer in time; the message carries its log's last lines."""


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
    """The environment of a site of its own under `root`: root/db.sqlite3, root/media and root/private-media.

    Whatever database the calling run uses (even PostgreSQL), the site has this throwaway
    file. Without `redis_url` it has the in-memory channel layer (one process); several
    processes that share rooms need Redis. `extra` adds variables, e.g. CHAT_MESSAGES_PER_MINUTE="100".
    """
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="learning.settings.test",
        DATABASE_URL=f"sqlite:///{database_file(root)}",
        MEDIA_ROOT=str(root / "media"),
        PRIVATE_MEDIA_ROOT=str(root / "private-media"),
        # Kept connections, as in production (learning/settings/base.py).
        DATABASE_CONN_MAX_AGE="60",
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


def site_copy(source: Path, root: Path) -> None:
    """Make the site under `root` a copy of the one under `source` (its database and media),
    so that migrating and seeding, the slow part, is done once for several sites."""
    root.mkdir(parents=True, exist_ok=True)
    # SQLite's backup API, not a file copy: what is still in the write-ahead log comes along.
    with closing(sqlite3.connect(database_file(source))) as original, \
            closing(sqlite3.connect(database_file(root))) as copy:
        original.backup(copy)
    if (source / "media").exists():
        shutil.copytree(source / "media", root / "media", dirs_exist_ok=True)


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


def manage_json(env: dict[str, str], code: str):
    """Run Python `code` in `manage.py shell` on the site in `env`; what it printed last, read as JSON.
    The way a test reads or arranges the site's database from outside its processes."""
    return json.loads(manage(env, "shell", "-c", code).strip().splitlines()[-1])


def join_paths_from(seed_output: str) -> dict[tuple[str, str], str]:
    """Each demo person's join path from seed_demo's printout, e.g. paths["刘桂兰", "爱尚书法"] == "/j/…/"."""
    paths = {}
    for line in seed_output.splitlines():
        if match := JOIN_LINE.match(line):
            paths[match.group(1), match.group(2)] = match.group(3)
    return paths


class ServedProcess:
    """What the launchers share: a subprocess (`process`) writing to `log`, stopped gently.
    As a context manager it launches, waits until ready (each launcher says how) and stops."""

    process: subprocess.Popen | None = None
    log: Path

    def launch(self) -> None:
        raise NotImplementedError

    def wait_until_ready(self) -> None:
        raise NotImplementedError

    def __enter__(self):
        self.launch()
        try:
            self.wait_until_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

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


class DaphneServer(ServedProcess):
    """One Daphne process serving `app` on 127.0.0.1, its output in `log`.

    As a context manager it starts, waits until ready and stops. `cpus` pins it (taskset). Ready means it answers
    HTTP at / (any status, even an error page), or with ``ready="tcp"``, for an app that
    serves only sockets, that it accepts a connection (Daphne loads the app before it
    listens). To start several at once: launch() each, then wait_until_ready() each.
    """

    def __init__(self, env: dict[str, str], *, log: Path, app: str = APPLICATION, port: int | None = None,
                 ready: str = "http", cpus: str | None = None):
        if ready not in ("http", "tcp"):
            raise ValueError(f"ready is 'http' or 'tcp', not {ready!r}")
        # The site runs as in production, with Django's async-safety check on, even when the
        # caller's environment turns it off for Playwright.
        self.env = {name: value for name, value in env.items() if name != "DJANGO_ALLOW_ASYNC_UNSAFE"}
        self.log = log
        self.app = app
        self.port = port or free_port()
        self.ready = ready
        # Benchmarks pin the server to its own core(s) (taskset's list, e.g. "0"), away from the load.
        self.cpus = cpus
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        """http://127.0.0.1:<port>"""
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.process.pid

    def launch(self) -> None:
        with open(self.log, "w") as handle:
            pinned = ["taskset", "-c", self.cpus] if self.cpus else []
            self.process = subprocess.Popen(
                [*pinned, sys.executable, "-m", "learning.serve", "-b", "127.0.0.1", "-p", str(self.port), self.app],
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


@contextlib.contextmanager
def daphne_servers(env: dict[str, str], *, count: int, logs: Path):
    """`count` Daphne processes on the site in `env` (logs/daphne-<n>.log), started at once
    and waited for together (starting is the slow part); stopped on leaving. The site needs
    Redis for more than one. ServerError, with every log, if one does not come up."""
    servers = [DaphneServer(env, log=logs / f"daphne-{n}.log", port=port) for n, port in enumerate(free_ports(count))]
    with contextlib.ExitStack() as stop_all:
        for server in servers:
            stop_all.callback(server.stop)
            server.launch()
        try:
            for server in servers:
                server.wait_until_ready()
        except ServerError as error:
            raise ServerError(f"{error}\n\n{servers_logs(servers)}") from None
        yield servers


def servers_logs(servers: list[DaphneServer]) -> str:
    return "\n".join(f"==== Daphne {n} ({server.url}) ====\n{server.log_text()}" for n, server in enumerate(servers))


@contextlib.contextmanager
def served(server: ServedProcess, name: str):
    """Run `server` for the block; if the block fails, its log's last lines go to stderr
    (for the benchmarks, which have no pytest to show them)."""
    try:
        with server:
            yield server
    except BaseException:
        sys.stderr.write(f"---- {name} log, last lines ----\n{server.log_tail()}\n")
        raise


@contextlib.contextmanager
def logs_printed(servers: list[DaphneServer]):
    """Print what each server logged meanwhile; pytest shows it only under a failing test."""
    sizes = [server.log.stat().st_size if server.log.exists() else 0 for server in servers]
    try:
        yield
    finally:
        for n, (server, size) in enumerate(zip(servers, sizes)):
            with open(server.log, errors="replace") as log:
                log.seek(size)
                print(f"==== Daphne {n} ({server.url}) meanwhile ====\n{log.read()}")


# ---------------------------------------------------------------- Janus (the SFU)


JANUS = "janus"
JANUS_RENDER = PROJECT_DIR / "deploy" / "janus" / "render.py"
# Janus loads its two transports and one plugin and makes a DTLS certificate in under a
# second; fifteen on a busy machine means it never will.
JANUS_START_TIMEOUT_S = 15
JANUS_INSTALL = "apt-get install janus"
JANUS_TRANSPORTS = {"janus.transport.http", "janus.transport.websockets"}


def janus_installed() -> bool:
    """Whether the `janus` binary is on the PATH (Debian's package puts it in /usr/bin)."""
    return shutil.which(JANUS) is not None


@functools.cache
def janus_render():
    """deploy/janus/render.py, the one filler of the config templates (make runs it as a script)."""
    spec = importlib.util.spec_from_file_location("janus_render", JANUS_RENDER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class JanusServer(ServedProcess):
    """Janus on 127.0.0.1 with the project's configs, filled in and written into `workdir`
    (janus.log, its output, is there too). As a context manager it starts, waits until both
    APIs answer and stops. ServerError if janus is not installed, dies or does not answer:
    tests that need it fail rather than skip.

    Free ports and a new random admin key unless given. The server reaches it at .http_url
    with .admin_key (JANUS_URL, JANUS_ADMIN_KEY), browsers at .ws_url (JANUS_PUBLIC_URL).
    """

    def __init__(self, workdir: Path, *, http_port: int | None = None, ws_port: int | None = None,
                 admin_key: str | None = None, recordings_dir: Path | None = None):
        self.workdir = workdir
        # The one folder it may record into (the site's RECORDINGS_DIR); None: nowhere.
        self.recordings_dir = recordings_dir
        ports = free_ports(2)
        self.http_port = http_port or ports[0]
        self.ws_port = ws_port or ports[1]
        self.admin_key = admin_key or secrets.token_urlsafe(janus_render().ADMIN_KEY_BYTES)
        # Its own name in the info answer: what answers on the port is this Janus, not another
        # that took the port first.
        self.name = f"classes-sfu-{secrets.token_hex(4)}"
        self.log = workdir / "janus.log"
        self.process: subprocess.Popen | None = None

    @property
    def http_url(self) -> str:
        """Janus's HTTP API, e.g. http://127.0.0.1:8088/janus"""
        return f"http://127.0.0.1:{self.http_port}/janus"

    @property
    def ws_url(self) -> str:
        """Janus's WebSocket API, e.g. ws://127.0.0.1:8188/ (subprotocol janus-protocol)"""
        return f"ws://127.0.0.1:{self.ws_port}/"

    def launch(self) -> None:
        if not janus_installed():
            raise ServerError(f"janus is not installed ({JANUS_INSTALL}); the SFU tests need it")
        # Media ports from the range `make run`'s Janus uses too: each connection takes one
        # that is free, so several Janus share it.
        janus_render().janus_configs_render(self.workdir, admin_key=self.admin_key, http_port=self.http_port,
                                            ws_port=self.ws_port, recordings_dir=self.recordings_dir)
        with open(self.log, "w") as handle:
            # Its output to the log file through stdout rather than --log-file, which misses
            # what Janus prints before its logger starts (a config it could not parse).
            self.process = subprocess.Popen(
                [JANUS, f"--configs-folder={self.workdir}", f"--server-name={self.name}", "--disable-colors"],
                cwd=self.workdir,
                stdout=handle,
                stderr=subprocess.STDOUT,
            )

    def wait_until_ready(self, timeout_s: float = JANUS_START_TIMEOUT_S) -> None:
        """Until the HTTP API answers info with this Janus's name and both transports started
        (Janus starts without one whose port is taken, and lists only those it started)."""
        deadline = time.monotonic() + timeout_s
        while (info := self._info_or_none()) is None or info.get("server-name") != self.name:
            if time.monotonic() > deadline:
                self.stop()  # Janus writes its log from a thread of its own: stopped, all of it is there
                raise ServerError(f"Janus did not answer at {self.http_url} within {timeout_s}s; "
                                  f"its log ends:\n{self.log_tail()}")
            # Doubles as the poll interval, and returns at once if Janus has died.
            try:
                self.process.wait(timeout=SERVER_POLL_INTERVAL_S)
            except subprocess.TimeoutExpired:
                continue
            raise ServerError(f"Janus exited with {self.process.returncode}; its log ends:\n{self.log_tail()}")
        if missing := JANUS_TRANSPORTS - set(info["transports"]):
            self.stop()
            raise ServerError(f"Janus started without {', '.join(sorted(missing))}; its log ends:\n{self.log_tail()}")

    def info(self) -> dict:
        """The HTTP API's answer to {"janus": "info"}: name, version, transports, plugins."""
        # No proxy from the environment: Janus is on loopback.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(self.http_url + "/info", timeout=2) as response:
            return json.load(response)

    def _info_or_none(self) -> dict | None:
        try:
            return self.info()
        except (urllib.error.URLError, ConnectionError, TimeoutError, ValueError):
            return None



# ---------------------------------------------------------------- Redis


def redis_answers(host: str = REDIS_HOST, port: int = REDIS_PORT) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def redis_url_emptied(db: int) -> str:
    """The address of Redis database `db`, emptied first. Each module that starts servers
    on Redis keeps a database of its own, so two runs never read each other's groups."""
    import redis

    redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=db).flushdb()
    return f"redis://{REDIS_HOST}:{REDIS_PORT}/{db}"


REDIS_SERVER = "redis-server"
REDIS_INSTALL = "apt-get install redis-server"


def redis_server_installed() -> bool:
    return shutil.which(REDIS_SERVER) is not None


class RedisServer(ServedProcess):
    """A redis-server of the caller's own on a free loopback port, keeping nothing on disk:
    a test or benchmark may stop and start it again (a Redis restart, on the same port)
    without touching the Redis other runs on this machine share. ServerError if it is not
    installed or does not answer."""

    def __init__(self, workdir: Path, *, port: int | None = None):
        self.port = port or free_port()
        self.log = workdir / f"redis-{self.port}.log"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://{REDIS_HOST}:{self.port}/0"

    def launch(self) -> None:
        if not redis_server_installed():
            raise ServerError(f"redis-server is not installed ({REDIS_INSTALL})")
        with open(self.log, "a") as handle:
            self.process = subprocess.Popen(
                [REDIS_SERVER, "--port", str(self.port), "--bind", REDIS_HOST, "--save", "", "--appendonly", "no"],
                stdout=handle, stderr=subprocess.STDOUT,
            )

    def wait_until_ready(self, timeout_s: float = SERVER_START_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout_s
        while not redis_answers(REDIS_HOST, self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise ServerError(f"redis-server on port {self.port} did not answer; its log ends:\n{self.log_tail()}")
            time.sleep(SERVER_POLL_INTERVAL_S)

    def restart(self) -> None:
        """Stop it (every connection and group membership gone, as after a crash) and start it again."""
        self.stop()
        self.launch()
        self.wait_until_ready()


class TcpProxy:
    """A TCP relay on a free loopback port to `upstream` (host, port), in a thread of its own,
    so a test can make a server unreachable and reachable again: `cut()` drops every
    connection and refuses new ones at once (as a dead network answers a retrying client),
    `mend()` lets them through again. As a context manager it runs for the block."""

    def __init__(self, upstream: tuple[str, int]):
        self.upstream = upstream
        self.port = free_port()
        self.open = True
        self.cuts = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._ready = threading.Event()

    def __enter__(self):
        self._thread = threading.Thread(target=self._serve, name=f"tcp-proxy-{self.port}", daemon=True)
        self._thread.start()
        if not self._ready.wait(SERVER_START_TIMEOUT_S):
            raise ServerError(f"the TCP proxy on port {self.port} did not start")
        return self

    def __exit__(self, *exc) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(SERVER_STOP_TIMEOUT_S)

    def cut(self) -> None:
        self.open = False
        self.cuts += 1
        self._loop.call_soon_threadsafe(self._drop_all)

    def mend(self) -> None:
        self.open = True

    def _serve(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._loop.run_until_complete(asyncio.start_server(self._relay, "127.0.0.1", self.port))
        self._ready.set()
        self._loop.run_forever()

    def _drop_all(self) -> None:
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self.open:
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            writer.transport.abort()
            return
        self._writers.update((writer, up_writer))

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            except (OSError, asyncio.IncompleteReadError):
                pass
            finally:
                sink.transport.abort()
                self._writers.discard(sink)

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


# ---------------------------------------------------------------- PostgreSQL


@contextlib.contextmanager
def postgres_database(admin_url: str):
    """A fresh database of the caller's own on the PostgreSQL server at `admin_url` (a URL of
    its `postgres` database): the new database's URL; dropped on leaving, connections and all."""
    import psycopg

    name = f"classes_scratch_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urllib.parse.urlsplit(admin_url)._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')



# ---------------------------------------------------------------- people


def learners_enrolled(*, course_slug: str, count: int, name: str) -> list[str]:
    """`count` new learners (`name` and a number) with a seat in the course; their join paths.

    Runs where Django is set up on the site: a benchmark's own process, or a test's
    ``manage_json(env, "from tests.server import learners_enrolled; ...")``.
    """
    from django.db import transaction

    from classes.courses.join_links import join_link_ensure, join_link_token
    from classes.courses.services import enrolment_create
    from classes.models import CoursePage, Learner

    course = CoursePage.objects.get(slug=course_slug)
    # Seats for all of them: past the editors' limit of 500, which Page.save() would enforce.
    CoursePage.objects.filter(pk=course.pk).update(online_seats=course.online_seats + count)
    course.refresh_from_db()
    # Numbers after every learner so far, so a second call never repeats a phone number.
    first = Learner.objects.count()
    paths = []
    with transaction.atomic():  # one commit, not three per learner
        for n in range(count):
            learner = Learner.objects.create(name=f"{name}{n}", phone=f"139{first + n:08d}")
            enrolment_create(learner=learner, course=course)
            paths.append(f"/j/{join_link_token(link=join_link_ensure(course=course, learner=learner))}/")
    return paths


def classes_with_learners(*, course_slug: str, classes: int, learners: int, name: str) -> list[dict]:
    """`classes` new classes of the course (begun five minutes ago), each with `learners` new
    learners with a seat: ``[{"session": <id>, "paths": [<join path>, …]}, …]``. Runs where
    Django is set up on the site, like learners_enrolled."""
    from datetime import timedelta

    from django.utils import timezone

    from classes.models import ClassSession, CoursePage

    course = CoursePage.objects.get(slug=course_slug)
    made = []
    for n in range(classes):
        session = ClassSession.objects.create(course=course, starts_at=timezone.now() - timedelta(minutes=5),
                                              duration_minutes=90)
        made.append({"session": session.pk,
                     "paths": learners_enrolled(course_slug=course_slug, count=learners, name=f"{name}{n}班")})
    return made


def session_cookies(server: "DaphneServer", paths: list[str]) -> list[str]:
    """Each learner's session cookie, from opening their join link as their phone would."""

    def open_link(path: str) -> str:
        connection = HTTPConnection("127.0.0.1", server.port, timeout=HTTP_TIMEOUT_S)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                if header.startswith("sessionid="):
                    return header.split(";", 1)[0].split("=", 1)[1]
            raise RuntimeError(f"opening a join link gave {response.status} and no session")
        finally:
            connection.close()

    with ThreadPoolExecutor(JOIN_THREADS) as pool:
        return list(pool.map(open_link, paths))


def signed_in_cookie(server: "DaphneServer", username: str, password: str) -> str:
    """A member of staff's session from the /login/ form, CSRF token and all."""
    jar = CookieJar()
    # No proxy from the environment: the server is on loopback.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(jar))
    with opener.open(server.url + "/login/", timeout=HTTP_TIMEOUT_S) as response:
        form = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": username, "password": password})
    with opener.open(server.url + "/login/", data=data.encode(), timeout=HTTP_TIMEOUT_S) as response:
        # Signed in, the form sends each role on to its own page; refused, it shows itself again.
        if urllib.parse.urlsplit(response.url).path == "/login/":
            raise RuntimeError(f"signing in as {username} failed")
    for cookie in jar:
        if cookie.name == "sessionid":
            return cookie.value
    raise RuntimeError(f"signing in as {username} set no session cookie")


# ---------------------------------------------------------------- sockets


async def socket_open(server: "DaphneServer", path: str, cookie: str | None, *, timeout_s: float) -> ClientConnection:
    """A WebSocket to `path` on `server`, opened from the site's own page with a session cookie."""
    headers = {"Cookie": f"sessionid={cookie}"} if cookie else None
    url = server.url.replace("http://", "ws://", 1) + path
    return await connect(url, origin=server.url, additional_headers=headers, proxy=None, compression=None,
                         open_timeout=timeout_s)


async def frame_of_type(ws: ClientConnection, wanted: str) -> dict:
    """The next frame of type `wanted`, passing over others (presence and the like). An error
    frame or the socket closing on the way raises, saying which."""
    while True:
        try:
            frame = json.loads(await ws.recv())
        except ConnectionClosed:
            raise RuntimeError(f"closed while waiting for {wanted}: {ws.close_code} {ws.close_reason!r}") from None
        if frame.get("type") == "error":
            raise RuntimeError(f"refused while waiting for {wanted}: {frame}")
        if frame.get("type") == wanted:
            return frame


# ---------------------------------------------------------------- a socket that acts like the page

# The browser client's rules (static/js/realtime.js): reconnect with exponential backoff from
# half a second, capped, each wait taken at random between half and all of it; never again
# after one of the server's refusals.
BACKOFF_FIRST_S = 0.5
BACKOFF_MAX_S = 15
FINAL_CLOSE_CODES = (4400, 4401, 4403, 4404)
# Handshake, sign-in and resume of one socket, even when many queue for a busy process.
SOCKET_OPEN_TIMEOUT_S = 60


@dataclass(eq=False)
class ClassSocket:
    """One socket in a class room (or learning group), reading everything that arrives and
    mending the chat as the page does (static/js/realtime.js): it keeps the highest
    contiguous `seq` it holds, drops copies it already has, and says `hello` from that number
    on a `chat.message` past a hole (once the hello under way is answered), on `resync`, and
    when a `pong`'s `last_seq` is ahead of it.

    `lose` names seqs whose first `chat.message` this socket throws away, as if the channel
    layer had dropped it; a copy that comes again (a replay) is kept.

    With `servers`, it also reconnects as the page does when the server drops it: with
    backoff and jitter, to the next of `servers` when one refuses (as a proxy moves on from
    a dead upstream), then `hello` from its contiguous seq and every chat message it sent
    that the server has not yet settled (`send_chat`'s outbox), with the same client id.
    """

    name: str
    ws: ClientConnection
    lose: set[int] = field(default_factory=set)
    held: dict[int, dict] = field(default_factory=dict)  # seq → chat.message
    hellos: list[int] = field(default_factory=list)  # the last_seq of each hello sent
    answered: int = 0  # chat.synced / chat.reload received, one for each hello
    lost: list[int] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)  # frames by type, duplicates, pongs that showed a hole
    problems: list = field(default_factory=list)  # error frames, and a close by the server
    leaving: bool = False
    reader: asyncio.Task | None = None
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    # Reconnecting: where, as whom, and what happened.
    servers: list = field(default_factory=list)
    path: str = ""
    cookie: str | None = None
    server_index: int = 0
    drops: Counter = field(default_factory=Counter)  # close code → times the server dropped this socket
    outbox: dict[str, str] = field(default_factory=dict)  # client id → text, until settled
    # Delivery latency: `sent_at` (client id → perf_counter_ns of its first send), shared by
    # the sockets of one run, and what this socket measured for each message it first held.
    sent_at: dict[str, int] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)
    last_arrival_ns: int = 0  # when it first held its latest message

    @property
    def contiguous(self) -> int:
        """The highest seq up to which this socket holds every message."""
        seq = 0
        while seq + 1 in self.held:
            seq += 1
        return seq

    def holding(self) -> dict[int, str]:
        """seq → client id of every message this socket holds, to compare with the database."""
        return {seq: frame["client_id"] for seq, frame in self.held.items()}

    @property
    def has_hole(self) -> bool:
        return any(seq > self.contiguous for seq in self.held)

    @property
    def syncing(self) -> bool:
        return self.answered < len(self.hellos)

    async def send(self, **frame) -> None:
        try:
            await self.ws.send(json.dumps(frame))
        except ConnectionClosed:
            pass  # the reader notes how the socket ended (and reconnects, if it does)

    async def send_chat(self, text: str) -> str:
        """Post `text`; kept and sent again after each reconnect until it is settled."""
        client_id = uuid.uuid4().hex
        self.outbox[client_id] = text
        self.sent_at.setdefault(client_id, time.perf_counter_ns())
        await self.send(type="chat.send", client_id=client_id, text=text)
        return client_id

    async def hello(self) -> None:
        """Ask for what follows the contiguous part."""
        self.hellos.append(self.contiguous)
        await self.send(type="hello", last_seq=self.contiguous)

    async def take(self, frame: dict) -> None:
        kind = frame.get("type")
        self.counts[kind] += 1
        if kind == "chat.message":
            seq = frame["seq"]
            self.outbox.pop(frame.get("client_id"), None)  # settled
            if seq in self.lose:
                self.lose.discard(seq)
                self.lost.append(seq)
            elif seq in self.held:
                self.counts["duplicate"] += 1
            else:
                self.held[seq] = frame
                self.last_arrival_ns = time.perf_counter_ns()
                if (sent := self.sent_at.get(frame.get("client_id"))) is not None:
                    self.latencies_ms.append((time.perf_counter_ns() - sent) / 1e6)
                # While a hello is answered, holes are the replay still coming: looked at again once synced.
                if self.has_hole and not self.syncing:
                    await self.hello()
        elif kind == "chat.synced":
            self.answered += 1
            if self.has_hole and not self.syncing:
                await self.hello()
        elif kind == "chat.reload":  # the page clears its list and starts again from nothing
            self.answered += 1
            self.held.clear()
            await self.hello()
        elif kind == "resync":  # the server saw this socket miss frames: ask at once, as the page does
            await self.hello()
        elif kind == "pong" and frame.get("last_seq", 0) > self.contiguous and not self.syncing:
            self.counts["pong ahead"] += 1
            await self.hello()
        elif kind == "error":
            self.outbox.pop(frame.get("client_id"), None)  # refused for good: not sent again
            self.problems.append(frame)

    async def read(self) -> None:
        while True:
            try:
                async for raw in self.ws:
                    await self.take(json.loads(raw))
                    self.changed.set()
            except ConnectionClosed:
                pass
            if self.leaving:
                break
            code = self.ws.close_code
            if not self.servers or code in FINAL_CLOSE_CODES:
                self.problems.append(f"closed by the server: {code} {self.ws.close_reason!r}")
                break
            self.drops[code] += 1
            await self._reconnect()
        self.changed.set()

    async def _reconnect(self) -> None:
        """As the page does after a drop: back off, open again, hello and the outbox."""
        attempts = 0
        while not self.leaving:
            attempts += 1
            ceiling = min(BACKOFF_MAX_S, BACKOFF_FIRST_S * 2 ** (attempts - 1))
            await asyncio.sleep(ceiling * random.uniform(0.5, 1))
            server = self.servers[self.server_index % len(self.servers)]
            try:
                self.ws = await socket_open(server, self.path, self.cookie, timeout_s=SOCKET_OPEN_TIMEOUT_S)
            except (OSError, TimeoutError, InvalidHandshake):
                self.server_index += 1  # that process is gone: the proxy sends the next attempt elsewhere
                continue
            if self.leaving:  # left while this connection was being opened
                await self.ws.close()
                return
            # A hello in flight on the dropped connection will never be answered.
            self.answered = len(self.hellos)
            await self.hello()
            for client_id, text in list(self.outbox.items()):
                await self.send(type="chat.send", client_id=client_id, text=text)
            return

    async def until(self, condition, *, timeout_s: float, what: str) -> None:
        """Wait until `condition()` holds; AssertionError, saying what, after `timeout_s` or a close."""
        deadline = time.monotonic() + timeout_s
        while not condition():
            if self.reader is not None and self.reader.done():
                raise AssertionError(f"{self.name}: closed before {what}; {self.problems}")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"{self.name}: not {what} within {timeout_s}s ({self.summary()})")
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), timeout=remaining)
            except TimeoutError:
                pass

    def answered_all(self) -> bool:
        return not self.syncing and not self.has_hole

    def settled(self) -> bool:
        """Every hello answered, no hole, and every message it sent settled."""
        return self.answered_all() and not self.outbox

    async def settle(self, timeout_s: float) -> None:
        """Say hello from the contiguous seq, as at the end of the scenario, and wait until every
        hello is answered and the outbox is empty."""
        await self.hello()
        await self.until(self.settled, timeout_s=timeout_s, what="answered with chat.synced")

    async def leave(self) -> None:
        self.leaving = True
        await self.ws.close()
        if self.reader is not None:
            await self.reader

    def summary(self) -> str:
        return (f"holds {sorted(self.held)}, hellos from {self.hellos}, {self.answered} answered, lost on purpose "
                f"{self.lost}, outbox {len(self.outbox)}, drops {dict(self.drops)}, frames {dict(self.counts)}")


async def class_socket(server: "DaphneServer", path: str, cookie: str | None, name: str,
                       lose: set[int] = frozenset(), *, servers: list | None = None,
                       sent_at: dict[str, int] | None = None) -> ClassSocket:
    """Open a socket to `path` with a session cookie; after `welcome`, hello from 0 as a fresh
    page does. With `servers` (the first of them `server`), it reconnects as the page does."""
    ws = await socket_open(server, path, cookie, timeout_s=SOCKET_OPEN_TIMEOUT_S)
    try:
        async with asyncio.timeout(SOCKET_OPEN_TIMEOUT_S):
            await frame_of_type(ws, "welcome")
    except BaseException:
        await ws.close()
        raise
    sock = ClassSocket(name=name, ws=ws, lose=set(lose), servers=list(servers or []), path=path, cookie=cookie,
                       sent_at=sent_at if sent_at is not None else {})
    sock.reader = asyncio.create_task(sock.read())
    await sock.hello()
    return sock


async def open_all(openings: list) -> list[ClassSocket]:
    """Open sockets at once, each resumed (its first chat.synced); AssertionError naming any that failed."""
    opened = await asyncio.gather(*openings, return_exceptions=True)
    sockets = [result for result in opened if isinstance(result, ClassSocket)]
    failed = [repr(result) for result in opened if not isinstance(result, ClassSocket)]
    if not failed:
        resumed = await asyncio.gather(*(sock.until(sock.answered_all, timeout_s=SOCKET_OPEN_TIMEOUT_S,
                                                    what="resumed") for sock in sockets), return_exceptions=True)
        failed = [repr(result) for result in resumed if isinstance(result, BaseException)]
    if failed:
        await leave_all(sockets)
        raise AssertionError(f"{len(failed)} of {len(openings)} sockets did not open and resume:\n" + "\n".join(failed))
    return sockets


async def leave_all(sockets: list[ClassSocket]) -> None:
    await asyncio.gather(*(sock.leave() for sock in sockets), return_exceptions=True)
