"""The learning-group chat (学习群) under load, on loopback.

Delivery: one group of 100 connected members; one of them sends 10 messages a second
for 20 seconds. Each message carries its send time in its text, so every receiver
(the sender's own echo included) knows its delivery latency; lost and duplicated
deliveries are counted per receiver by client id (and, for the group chat, by seq), and
refused sends (error frames to the sender) are counted.
Baseline, in the same run and on the same layer: the Channels tutorial's chat room
(benchmarks/baseline_chat.py: group_send of what it receives, nothing stored, no sign-in).
The server runs pinned to core 0 (taskset -c 0), this load generator to core 1. On the
in-memory channel layer and on Redis, PAIRS pairs each, the baseline and the group chat
alternating, each run its own Daphne; one JSON line per pair, with the p99 ratio.

Memory: the resident size of one Daphne process holding 1,000 idle group members,
against the same process before they connected.

Called from benchmarks/__main__.py after the demo centre is seeded, with Django set up
on the benchmark's own SQLite file; the servers share that file.
"""

import asyncio
import contextlib
import json
import math
import os
import resource
import statistics
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from tests.server import (
    REDIS_HOST, REDIS_PORT, DaphneServer, frame_of_type, learners_enrolled, redis_answers, redis_url_emptied,
    served, session_cookies,
)

MEMBERS = 100
RATE_PER_S = 10
SECONDS = 20
PAIRS = 3
# One core each: the server alone on one, everything else (this load) on the other.
SERVER_CPUS = "0"
LOAD_CPUS = {1}
MESSAGES = RATE_PER_S * SECONDS
IDLE_MEMBERS = 1000
# The sender is one person, so the per-person chat limit (20 a minute, for real people)
# is lifted for the servers under test; every other bound stays as deployed.
CHAT_MESSAGES_PER_MINUTE = 100_000
# A Redis database of the benchmark's own, emptied before each run; the test suite uses 0, 5 and 7.
REDIS_DB = 6
COURSE_SLUG = "calligraphy"
BASELINE_ROOM = "bench"
# Bounds on every wait, so a broken server ends the run instead of hanging it.
CONNECT_TIMEOUT_S = 60
# After the last send, deliveries are waited for as long as they keep coming: a saturated server
# runs seconds behind, and late is not lost. Once none has come for QUIET_S, what is missing was
# dropped (a layer drops a message for a socket that already has 100 waiting); DRAIN_LIMIT_S bounds it.
QUIET_S = 3
DRAIN_LIMIT_S = 60
# Lets the joins' own traffic finish before the clock starts, and the idle process settle before it is weighed.
SETTLE_S = 1
# Members connect to the idle process in batches of this many at once.
CONNECT_BATCH = 100
# 1,000 sockets in this process and as many in the server's, plus files and the database.
FD_LIMIT = 4096


def _raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = FD_LIMIT if hard == resource.RLIM_INFINITY else min(FD_LIMIT, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))  # the servers inherit it


@contextlib.contextmanager
def _daphne(app: str, *, layer: str, workdir: Path, name: str):
    """A Daphne process serving `app` on `layer` ("memory" or "redis"); its log is shown if the run fails."""
    # This process's environment is the benchmark's site (benchmarks/__main__.py).
    env = dict(os.environ, CHAT_MESSAGES_PER_MINUTE=str(CHAT_MESSAGES_PER_MINUTE))
    env.pop("REDIS_URL", None)
    if layer == "redis":
        env["REDIS_URL"] = redis_url_emptied(REDIS_DB)
    # The baseline serves sockets only: ready once it accepts a connection.
    server = DaphneServer(env, log=workdir / f"{name}.log", app=app, ready="tcp", cpus=SERVER_CPUS)
    with served(server, f"{name} (Daphne)"):
        yield server


# ---------------------------------------------------------------- members


@dataclass
class Receiver:
    """One socket's view of the run."""

    tag: str
    latencies_ms: list = field(default_factory=list)
    seen_ids: set = field(default_factory=set)
    seen_seqs: set = field(default_factory=set)
    duplicated: int = 0
    errors: list = field(default_factory=list)
    last_arrival_ns: int = 0

    def take(self, raw: str) -> bool:
        """Note a frame; True if it was a first delivery of this run's messages."""
        arrived = time.perf_counter_ns()
        frame = json.loads(raw)
        kind = frame.get("type")
        if kind == "error":
            self.errors.append(frame.get("code"))
            return False
        client_id = frame.get("client_id") or ""
        if kind != "chat.message" or not client_id.startswith(self.tag):
            return False
        seq = frame.get("seq")
        if client_id in self.seen_ids or (seq is not None and seq in self.seen_seqs):
            self.duplicated += 1
            return False
        self.seen_ids.add(client_id)
        if seq is not None:
            self.seen_seqs.add(seq)
        sent_ns = int(frame["text"].rsplit(" ", 1)[1])
        self.latencies_ms.append((arrived - sent_ns) / 1e6)
        self.last_arrival_ns = arrived
        return True


async def _connect(url: str, origin: str, cookie: str | None, *, group: bool):
    """A socket in the room; for the group chat, signed in and resumed as the page does it."""
    from websockets.asyncio.client import connect

    headers = {"Cookie": f"sessionid={cookie}"} if cookie else None
    ws = await connect(url, origin=origin, additional_headers=headers, proxy=None, compression=None,
                       open_timeout=CONNECT_TIMEOUT_S)
    if not group:
        return ws
    try:
        welcome = await frame_of_type(ws, "welcome")
        await ws.send(json.dumps({"type": "hello", "last_seq": welcome["last_seq"]}))
        await frame_of_type(ws, "chat.synced")
    except BaseException:
        await ws.close()
        raise
    return ws


async def _drain(ws, receiver: Receiver | None = None, progress: dict | None = None) -> None:
    """Read everything that arrives; a receiver counts it, and the run ends once all have all."""
    from websockets.exceptions import ConnectionClosed

    try:
        async for raw in ws:
            if receiver is not None and receiver.take(raw):
                progress["delivered"] += 1
                if progress["delivered"] == progress["expected"]:
                    progress["done"].set()
    except ConnectionClosed:
        pass


async def _until_all_or_quiet(progress: dict) -> None:
    deadline = asyncio.get_running_loop().time() + DRAIN_LIMIT_S
    while asyncio.get_running_loop().time() < deadline:
        delivered = progress["delivered"]
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(progress["done"].wait(), timeout=QUIET_S)
            return
        if progress["delivered"] == delivered:
            return


async def _delivery(server: DaphneServer, *, url: str, cookies: list[str | None], group: bool) -> dict:
    tag = f"b{uuid.uuid4().hex[:8]}-"
    progress = {"delivered": 0, "expected": MEMBERS * MESSAGES, "done": asyncio.Event()}
    # The members, the first of them the sender.
    sockets = await asyncio.wait_for(asyncio.gather(
        *(_connect(url, server.url, cookie, group=group) for cookie in cookies),
    ), timeout=CONNECT_TIMEOUT_S)
    receivers = [Receiver(tag=tag) for _ in cookies]
    readers = [asyncio.create_task(_drain(ws, receiver, progress)) for ws, receiver in zip(sockets, receivers)]
    sender = sockets[0]
    try:
        await asyncio.sleep(SETTLE_S)
        cpu_before = server.cpu_s()
        loop = asyncio.get_running_loop()
        started = loop.time()
        first_send_ns = time.perf_counter_ns()
        for n in range(MESSAGES):
            await asyncio.sleep(max(0.0, started + n / RATE_PER_S - loop.time()))
            text = f"测速 {n} {time.perf_counter_ns()}"
            await sender.send(json.dumps({"type": "chat.send", "client_id": f"{tag}{n}", "text": text}))
        await _until_all_or_quiet(progress)
        # Near the run's length means the process was the bottleneck (one core: one Python process).
        server_cpu_s = server.cpu_s() - cpu_before
    finally:
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
        await asyncio.gather(*readers, return_exceptions=True)

    latencies = sorted(ms for receiver in receivers for ms in receiver.latencies_ms)
    delivered = len(latencies)
    last_arrival_ns = max((receiver.last_arrival_ns for receiver in receivers), default=first_send_ns)
    cuts = statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 else [math.nan] * 99
    errors = [code for receiver in receivers for code in receiver.errors]
    return {
        "members": MEMBERS, "messages": MESSAGES, "rate_per_s": RATE_PER_S,
        "p50_ms": round(cuts[49], 2), "p99_ms": round(cuts[98], 2),
        "max_ms": round(latencies[-1], 2) if latencies else None,
        "deliveries_per_s": round(delivered / max((last_arrival_ns - first_send_ns) / 1e9, 1e-9), 1),
        "expected_deliveries": MEMBERS * MESSAGES, "delivered": delivered,
        "lost": MEMBERS * MESSAGES - delivered,
        "duplicated": sum(receiver.duplicated for receiver in receivers),
        "refused": len(receivers[0].errors), "errors": len(errors), "error_codes": sorted(set(errors)),
        "server_cpu_s": round(server_cpu_s, 1),
    }


async def _idle_memory(server: DaphneServer, *, url: str, cookies: list[str]) -> dict:
    # One member in and out first, so the code a connection needs is loaded before the "before".
    warm = await _connect(url, server.url, cookies[0], group=True)
    await warm.close()
    await asyncio.sleep(SETTLE_S)
    before_kb = server.rss_kb()
    sockets, readers, failures = [], [], []
    started = time.perf_counter()
    try:
        for start in range(0, len(cookies), CONNECT_BATCH):
            batch = cookies[start:start + CONNECT_BATCH]
            opened = await asyncio.wait_for(asyncio.gather(
                *(_connect(url, server.url, cookie, group=True) for cookie in batch), return_exceptions=True,
            ), timeout=CONNECT_TIMEOUT_S)
            for result in opened:
                if isinstance(result, BaseException):
                    failures.append(repr(result))
                else:
                    sockets.append(result)
                    # Idle, but read: frames left unread would sit in the server's buffers.
                    readers.append(asyncio.create_task(_drain(result)))
        connect_s = time.perf_counter() - started
        await asyncio.sleep(SETTLE_S)
        after_kb = server.rss_kb()
    finally:
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
        await asyncio.gather(*readers, return_exceptions=True)
    if failures:
        raise RuntimeError(f"{len(failures)} of {len(cookies)} members failed to connect, e.g. {failures[0]}")
    return {
        "members": len(sockets), "rss_before_mb": round(before_kb / 1024, 1), "rss_after_mb": round(after_kb / 1024, 1),
        "per_member_kb": round((after_kb - before_kb) / len(sockets), 1), "connect_s": round(connect_s, 1),
    }


def _run_once(app: str, *, layer: str, workdir: Path, name: str, url_path: str, cookies: list | None,
              group: bool) -> dict:
    with _daphne(app, layer=layer, workdir=workdir, name=name) as server:
        return asyncio.run(_delivery(server, url=f"ws://127.0.0.1:{server.port}{url_path}", cookies=cookies,
                                     group=group))


def _summary(run: dict) -> dict:
    return {key: run[key] for key in ("p50_ms", "p99_ms", "max_ms", "lost", "refused", "duplicated", "server_cpu_s")}


def run(*, out) -> None:
    _raise_fd_limit()
    # The load generator keeps off the server's core.
    os.sched_setaffinity(0, LOAD_CPUS)
    workdir = Path(tempfile.mkdtemp(prefix="group-chat-bench-"))
    from classes.models import CoursePage

    paths = learners_enrolled(course_slug=COURSE_SLUG, count=IDLE_MEMBERS, name="群测")
    course_id = CoursePage.objects.get(slug=COURSE_SLUG).pk
    group_path, baseline_path = f"/ws/group/{course_id}/", f"/ws/chat/{BASELINE_ROOM}/"
    layers = ["memory", "redis"] if redis_answers() else ["memory"]
    if "redis" not in layers:
        out.write(json.dumps({"bench": "group_chat_delivery", "layer": "redis",
                              "skipped": f"no Redis at {REDIS_HOST}:{REDIS_PORT}"}) + "\n")
    with _daphne("learning.asgi:application", layer="memory", workdir=workdir, name="links") as server:
        cookies = session_cookies(server, paths)
    for layer in layers:
        for pair in range(1, PAIRS + 1):
            baseline = _run_once("benchmarks.baseline_chat:application", layer=layer, workdir=workdir,
                                 name=f"baseline-{layer}-{pair}", url_path=baseline_path,
                                 cookies=[None] * MEMBERS, group=False)
            ours = _run_once("learning.asgi:application", layer=layer, workdir=workdir, name=f"group-{layer}-{pair}",
                             url_path=group_path, cookies=cookies[:MEMBERS], group=True)
            out.write(json.dumps({
                "bench": "group_chat_delivery", "layer": layer, "pair": pair, "members": MEMBERS,
                "rate_per_s": RATE_PER_S, "seconds": SECONDS, "server_cpus": SERVER_CPUS,
                "group_chat": _summary(ours), "baseline_tutorial_chat": _summary(baseline),
                "p99_ratio": round(ours["p99_ms"] / baseline["p99_ms"], 2),
                "p50_ratio": round(ours["p50_ms"] / baseline["p50_ms"], 2),
                "target_p99_ratio": 0.8,
            }) + "\n")
            out.flush()

    # Production's layer when it is there: with Redis, the groups live outside the process.
    layer = layers[-1]
    with _daphne("learning.asgi:application", layer=layer, workdir=workdir, name=f"group-idle-{layer}") as server:
        memory = asyncio.run(_idle_memory(server, url=f"ws://127.0.0.1:{server.port}{group_path}", cookies=cookies))
    out.write(json.dumps({"bench": "group_chat_idle_memory", "consumer": "GroupChatConsumer", "layer": layer,
                          **memory}) + "\n")
