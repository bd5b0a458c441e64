"""`make loadtest`: live classes on two Daphne processes sharing Redis and the database,
through three faults, with nothing lost and nothing shown twice.

Ten classes, each a signed-in teacher and 30 learners from their join links, for 60 s over
WebSockets: each learner writes in the chat every 20–30 s, the teacher every 4–6 s; everyone
pings every 20 s as the page does; learners now and then load their class page again. Each
socket is the page's client (tests/server.py's ClassSocket, which does what
static/js/realtime.js does): it resumes from its last contiguous `seq`, mends holes, and
after a drop reconnects with backoff, says `hello` and sends its unsettled messages again
with the same client id. Meanwhile, at a quarter, half and three quarters of the run:

- **a Daphne is killed** (SIGKILL): its sockets reconnect to the other, which a proxy would
  do; the supervisor starts it again;
- **Redis restarts**: every group is forgotten; the processes' hubs join theirs again
  (core/fanout.py) and the sockets on a failed channel close with 4503 and come back;
- **the database is cut** for a few seconds (a TCP proxy in front of PostgreSQL drops every
  connection and refuses new ones): sockets close with 4503 (`unavailable`), pages answer
  500, nobody crash-loops, and the class carries on once it is back. On SQLite (a file,
  no network between) this fault is not made, and the line says so.

At the end every socket says `hello` once more; then each must hold every message its room
stored, each message stored once. The last line has the delivery latency (send to first
arrival at each socket, replays included: when that person could read it), deliveries a
second, `lost` (a message sent that a socket of its room does not hold, or that was never
stored) and `duplicated` (a message a socket holds twice, under two numbers); the run
exits non-zero unless both are 0.

Its own redis-server on a free port and, with PostgreSQL, a database of its own behind its
own proxy: the machine's shared Redis and PostgreSQL are never restarted or cut. The
servers are pinned to core 0 (taskset), the load to core 1. `make test` runs a short form
(tests/realtime/test_load_faults.py).
"""

import asyncio
import contextlib
import json
import os
import random
import resource
import signal
import statistics
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tests.server import (
    DaphneServer, RedisServer, ServerError, TcpProxy, class_socket, leave_all, logs_printed, manage, manage_json,
    open_all, postgres_database, session_cookies, signed_in_cookie, site_copy, site_env,
)

COURSE_SLUG = "calligraphy"
TEACHER = ("teacher_wang", "demo-teacher")
# The machine's PostgreSQL, whose server the run makes a database of its own on.
POSTGRES_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
# One core each: the servers on one, everything else (this load, Redis's restarts) on the other.
SERVER_CPUS = "0"
LOAD_CPUS = {1}
# The page's heartbeat (static/js/realtime.js).
PING_EVERY_S = 20
# After the last send, how long every socket has to answer its last hello and settle its
# outbox: a process that was cut off may still be reconnecting (backoff up to 15 s).
SETTLE_TIMEOUT_S = 60
# A killed Daphne is started again after this, as a supervisor (systemd's RestartSec) would.
RESTART_AFTER_S = 2
# Page loads on loopback take milliseconds; this bounds one while the database is cut.
PAGE_TIMEOUT_S = 30
# 300 sockets in this process, as many in the servers, plus files and database connections.
FD_LIMIT = 4096

NEW_CLASSES = ("import json; from tests.server import classes_with_learners; "
               "print(json.dumps(classes_with_learners(course_slug={course!r}, classes={rooms}, learners={learners}, "
               "name='压测')))")

STORED = """
import json
from classes.models import ChatMessage, ClassSession

stored = {{}}
for session in ClassSession.objects.filter(pk__in={sessions}).select_related("chat"):
    stored[session.pk] = list(ChatMessage.objects.filter(room_id=session.chat_id).values_list("seq", "client_id"))
print(json.dumps(stored))
"""


@dataclass(frozen=True)
class Plan:
    rooms: int = 10
    learners: int = 30
    seconds: float = 60
    learner_chat_every_s: tuple[float, float] = (20, 30)
    teacher_chat_every_s: tuple[float, float] = (4, 6)
    # Each learner loads its class page again about once in this many seconds.
    page_load_every_s: float = 60
    # Made in this order, evenly through the run: "daphne", "redis", "database".
    faults: tuple[str, ...] = ("daphne", "redis", "database")
    database_cut_s: float = 4
    pinned: bool = True


@dataclass
class Room:
    session_id: int
    teacher_cookie: str
    learner_cookies: list[str]
    sockets: list = field(default_factory=list)
    sent: list[str] = field(default_factory=list)  # client ids, in the order they were first sent

    @property
    def path(self) -> str:
        return f"/ws/class/{self.session_id}/"


# ---------------------------------------------------------------- the site


@contextlib.contextmanager
def load_site(workdir: Path, *, postgres_admin_url: str | None, seeded: Path | None = None):
    """The site's environment: its own Redis and, with `postgres_admin_url`, its own PostgreSQL
    database reached through a TcpProxy (yielded, None on SQLite); migrated and seeded, or
    on SQLite a copy of the already seeded site under `seeded`."""
    with contextlib.ExitStack() as stack:
        redis = stack.enter_context(RedisServer(workdir))
        proxy = None
        extra = {}
        if postgres_admin_url:
            url = urllib.parse.urlsplit(stack.enter_context(postgres_database(postgres_admin_url)))
            proxy = stack.enter_context(TcpProxy((url.hostname, url.port or 5432)))
            extra["DATABASE_URL"] = url._replace(netloc=f"{url.username}@127.0.0.1:{proxy.port}").geturl()
        env = site_env(workdir, redis_url=redis.url, **extra)
        if seeded is not None and not postgres_admin_url:
            site_copy(seeded, workdir)
        else:
            manage(env, "migrate", "--noinput")
            manage(env, "seed_demo")
        yield env, redis, proxy


def rooms_made(env: dict[str, str], server: DaphneServer, plan: Plan) -> list[Room]:
    made = manage_json(env, NEW_CLASSES.format(course=COURSE_SLUG, rooms=plan.rooms, learners=plan.learners))
    teacher_cookie = signed_in_cookie(server, *TEACHER)
    return [Room(session_id=room["session"], teacher_cookie=teacher_cookie,
                 learner_cookies=session_cookies(server, room["paths"])) for room in made]


# ---------------------------------------------------------------- the class


def page_load(server: DaphneServer, path: str, cookie: str) -> tuple[int, float]:
    """Status and milliseconds of one page load with a learner's session."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(server.url + path, headers={"Cookie": f"sessionid={cookie}"})
    started = time.perf_counter()
    try:
        with opener.open(request, timeout=PAGE_TIMEOUT_S) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except (urllib.error.URLError, OSError):
        status = 0  # no answer: the process is down
    return status, (time.perf_counter() - started) * 1000


@dataclass
class Run:
    plan: Plan
    servers: list[DaphneServer]
    redis: RedisServer
    proxy: TcpProxy | None
    rooms: list[Room]
    sent_at: dict[str, int] = field(default_factory=dict)
    pages: list[tuple[int, float]] = field(default_factory=list)
    faults: list[dict] = field(default_factory=list)
    restarts: list[asyncio.Future] = field(default_factory=list)
    sending: bool = True

    def server_for(self, n: int) -> DaphneServer:
        return self.servers[n % len(self.servers)]

    def ring(self, n: int) -> list[DaphneServer]:
        """The processes in the order the n-th socket tries them: its own first, then the other,
        as a proxy moves on from a dead upstream."""
        k = n % len(self.servers)
        return self.servers[k:] + self.servers[:k]

    def sockets(self) -> list:
        return [sock for room in self.rooms for sock in room.sockets]

    async def open(self) -> None:
        # A class at a time, as classes fill up before they begin: 310 handshakes at once queue
        # past any timeout on one core.
        for r, room in enumerate(self.rooms):
            room.sockets = await open_all([
                class_socket(self.server_for(r), room.path, room.teacher_cookie, f"teacher {r}",
                             servers=self.ring(r), sent_at=self.sent_at),
                *(class_socket(self.server_for(r + n + 1), room.path, cookie, f"learner {r}.{n}",
                               servers=self.ring(r + n + 1), sent_at=self.sent_at)
                  for n, cookie in enumerate(room.learner_cookies)),
            ])
            await room.sockets[0].send(type="class.start")

    async def chatting(self, room: Room, sock, every_s: tuple[float, float]) -> None:
        n = 0
        await asyncio.sleep(random.uniform(0, every_s[1]))
        while self.sending:
            n += 1
            text = f"{sock.name} 第{n}句"
            room.sent.append(await sock.send_chat(text))
            await asyncio.sleep(random.uniform(*every_s))

    async def heartbeat(self, sock) -> None:
        await asyncio.sleep(random.uniform(0, PING_EVERY_S))
        while self.sending:
            await sock.send(type="ping")
            await asyncio.sleep(PING_EVERY_S)

    async def page_loads(self, room: Room, n: int, cookie: str) -> None:
        await asyncio.sleep(random.uniform(0, self.plan.page_load_every_s))
        while self.sending:
            self.pages.append(await asyncio.to_thread(page_load, self.server_for(n), f"/class/{room.session_id}/",
                                                      cookie))
            await asyncio.sleep(random.uniform(0.5, 1.5) * self.plan.page_load_every_s)

    async def fault(self, kind: str) -> dict:
        started = time.monotonic()
        if kind == "daphne":
            victim = self.servers[1]
            victims = sum(1 for sock in self.sockets() if sock.ws.remote_address[1] == victim.port)
            os.kill(victim.pid, signal.SIGKILL)
            await asyncio.to_thread(victim.process.wait)
            # Meanwhile the run goes on: Daphne takes seconds to start on a busy machine.
            self.restarts.append(asyncio.ensure_future(self.restart(victim)))
            return {"fault": "daphne_killed", "sockets_on_it": victims}
        if kind == "redis":
            await asyncio.to_thread(self.redis.restart)
            return {"fault": "redis_restarted", "back_in_s": round(time.monotonic() - started, 1)}
        if kind == "database":
            if self.proxy is None:
                return {"fault": "database_cut", "made": False, "why": "SQLite: a file, no network to cut"}
            self.proxy.cut()
            await asyncio.sleep(self.plan.database_cut_s)
            self.proxy.mend()
            return {"fault": "database_cut", "cut_s": self.plan.database_cut_s}
        raise ValueError(f"unknown fault {kind!r}")

    async def restart(self, server: DaphneServer) -> None:
        """Start a killed process again on its port, as systemd would, with a log of its own."""
        await asyncio.sleep(RESTART_AFTER_S)
        server.log = server.log.with_name(f"{server.log.stem}-restarted.log")
        await asyncio.to_thread(server.__enter__)

    async def faulting(self, loop_start: float) -> None:
        for n, kind in enumerate(self.plan.faults, start=1):
            at_s = self.plan.seconds * n / (len(self.plan.faults) + 1)
            await asyncio.sleep(max(0.0, loop_start + at_s - asyncio.get_running_loop().time()))
            self.faults.append({"at_s": round(at_s, 1), **await self.fault(kind)})

    async def scenario(self) -> float:
        """Open, run the class through the faults, settle; the seconds from the first send to the last arrival."""
        await self.open()
        loop = asyncio.get_running_loop()
        start = loop.time()
        started_ns = time.perf_counter_ns()
        tasks = []
        for r, room in enumerate(self.rooms):
            teacher, *learners = room.sockets
            tasks.append(self.chatting(room, teacher, self.plan.teacher_chat_every_s))
            tasks += [self.chatting(room, sock, self.plan.learner_chat_every_s) for sock in learners]
            tasks += [self.heartbeat(sock) for sock in room.sockets]
            tasks += [self.page_loads(room, r + n + 1, cookie) for n, cookie in enumerate(room.learner_cookies)]
        workers = [asyncio.ensure_future(task) for task in tasks]
        try:
            await self.faulting(start)
            await asyncio.sleep(max(0.0, start + self.plan.seconds - loop.time()))
        finally:
            self.sending = False
            for worker in workers:
                worker.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
            await asyncio.gather(*self.restarts)
        sockets = self.sockets()
        try:
            await asyncio.gather(*(sock.settle(SETTLE_TIMEOUT_S) for sock in sockets), return_exceptions=True)
        finally:
            last_ns = max((sock.last_arrival_ns for sock in sockets), default=started_ns)
            await leave_all(sockets)
        return (last_ns - started_ns) / 1e9


# ---------------------------------------------------------------- the figures


def _quantile(values: list[float], q: int) -> float | None:
    if len(values) < 2:
        return round(values[0], 1) if values else None
    return round(statistics.quantiles(values, n=100, method="inclusive")[q - 1], 1)


def figures(run: Run, stored: dict[int, list[tuple[int, str]]], seconds: float) -> dict:
    """The run's line: latency, rate, and what was lost or duplicated, against the database."""
    lost = duplicated = stored_twice = 0
    unsettled = []
    for room in run.rooms:
        rows = stored.get(room.session_id, [])
        stored_ids = Counter(client_id for _, client_id in rows)
        stored_twice += sum(count - 1 for count in stored_ids.values())
        sent = set(room.sent)
        for sock in room.sockets:
            held = Counter(sock.holding().values())
            lost += len(sent - set(held))
            duplicated += sum(count - 1 for count in held.values())
            if not sock.settled():
                unsettled.append(f"{sock.name}: {sock.summary()}")
    latencies = [ms for sock in run.sockets() for ms in sock.latencies_ms]
    errors = Counter(problem.get("code") if isinstance(problem, dict) else "closed"
                     for sock in run.sockets() for problem in sock.problems)
    drops = sum((sock.drops for sock in run.sockets()), Counter())
    page_ms = [ms for status, ms in run.pages if status == 200]
    return {
        "bench": "loadtest", "rooms": run.plan.rooms, "learners_per_room": run.plan.learners,
        "seconds": run.plan.seconds, "processes": len(run.servers),
        "database": "postgresql" if run.proxy else "sqlite",
        "sent": sum(len(room.sent) for room in run.rooms),
        "stored": sum(len(rows) for rows in stored.values()),
        "deliveries": len(latencies),
        "p50_ms": _quantile(latencies, 50), "p99_ms": _quantile(latencies, 99),
        "deliveries_per_s": round(len(latencies) / max(seconds, 1e-9), 1),
        "lost": lost, "duplicated": duplicated + stored_twice,
        "reconnects": dict(sorted((str(code), n) for code, n in drops.items())),
        "error_frames": dict(sorted(errors.items())),
        "page_loads": len(run.pages), "page_p50_ms": _quantile(page_ms, 50), "page_p99_ms": _quantile(page_ms, 99),
        "page_errors": dict(sorted(Counter(str(status) for status, _ in run.pages if status != 200).items())),
        "unsettled": len(unsettled), "unsettled_examples": unsettled[:3],
    }


def _raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = FD_LIMIT if hard == resource.RLIM_INFINITY else min(FD_LIMIT, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))  # the servers inherit it


def run_load(plan: Plan, *, workdir: Path, postgres_admin_url: str | None, seeded: Path | None = None,
             out=None) -> tuple[dict, list[dict]]:
    """Serve the site on two Daphne processes, run the plan, and return its figures and the faults
    made (each also written to `out` as a JSON line, if given). ServerError if a server fails to start."""
    _raise_fd_limit()
    cpus = SERVER_CPUS if plan.pinned else None
    with load_site(workdir, postgres_admin_url=postgres_admin_url, seeded=seeded) as (env, redis, proxy):
        servers = [DaphneServer(env, log=workdir / f"daphne-{n}.log", cpus=cpus) for n in range(2)]
        with contextlib.ExitStack() as stop_all:
            for server in servers:
                stop_all.callback(server.stop)
                server.launch()
            for server in servers:
                server.wait_until_ready()
            with logs_printed(servers):
                rooms = rooms_made(env, servers[0], plan)
                run = Run(plan=plan, servers=servers, redis=redis, proxy=proxy, rooms=rooms)
                seconds = asyncio.run(run.scenario())
        stored = {int(session): [tuple(row) for row in rows] for session, rows in manage_json(
            env, STORED.format(sessions=[room.session_id for room in rooms])).items()}
    result = figures(run, stored, seconds)
    if out is not None:
        for fault in run.faults:
            out.write(json.dumps({"bench": "loadtest_fault", **fault}, ensure_ascii=False) + "\n")
        out.write(json.dumps({**result, "plan": asdict(plan)}, ensure_ascii=False) + "\n")
        out.flush()
    return result, run.faults


def postgres_available(admin_url: str = POSTGRES_ADMIN_URL) -> bool:
    import psycopg

    try:
        psycopg.connect(admin_url, connect_timeout=2).close()
        return True
    except psycopg.OperationalError:
        return False


def main() -> None:
    plan = Plan()
    if plan.pinned:
        os.sched_setaffinity(0, LOAD_CPUS)  # the load keeps off the servers' core
    admin_url = POSTGRES_ADMIN_URL if postgres_available() else None
    if admin_url is None:
        print(json.dumps({"bench": "loadtest", "note": f"no PostgreSQL at {POSTGRES_ADMIN_URL}: on SQLite"}))
    workdir = Path(tempfile.mkdtemp(prefix="classes-loadtest-"))
    try:
        result, _ = run_load(plan, workdir=workdir, postgres_admin_url=admin_url, out=sys.stdout)
    except ServerError as error:
        sys.exit(str(error))
    if result["lost"] or result["duplicated"] or result["unsettled"]:
        sys.exit(f"lost {result['lost']}, duplicated {result['duplicated']}, unsettled {result['unsettled']}: "
                 f"logs in {workdir}")


if __name__ == "__main__":
    main()
