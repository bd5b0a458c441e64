"""A busy live class on real Daphne processes: the issue's scenario, on both channel layers.

A signed-in teacher and 24 learners in one live class (`/ws/class/<id>/`). Every learner
reports its connection quality three times a second (now and then a change, which the
room hears as a `state`), and one learner sends 20 chat messages over 15 seconds. On the
in-memory layer one Daphne process serves everyone; on Redis two processes share one
SQLite file and the Redis layer, the learners spread over both (guide rule 9).

Each socket here does with the chat what the page does (static/js/realtime.js): it keeps
the highest contiguous `seq` it holds, drops copies it already has, and says `hello` from
that number on a `chat.message` past a hole (once the hello under way is answered), on
`resync`, and when a `pong`'s `last_seq` is ahead of it. At the end each says `hello` once more and
waits for `chat.synced`: then every socket, the teacher's and the sender's included, must
hold every message the database stored, none may have had an `error` frame, and the
server must have closed none. The channel layer may drop frames under this load (at most
once, guide rule 0); the client mending the holes is what is tested, so a hole is also
made on purpose, by a socket that throws some messages away.

Redis at 127.0.0.1:6379 is required: without it the Redis cases fail (CI has Redis).
Every wait is bounded, so a broken server fails these tests instead of hanging them.
"""

import asyncio
import contextlib
import json
import time
import uuid
from collections import Counter
from dataclasses import dataclass

import pytest

from tests.server import (
    REDIS_HOST, REDIS_PORT, ClassSocket, DaphneServer, ServerError, class_socket, daphne_servers, leave_all,
    logs_printed, manage_json, open_all, redis_answers, redis_url_emptied, session_cookies, signed_in_cookie,
    site_copy, site_env,
)

LAYERS = ["memory", "redis"]
# A Redis database of this module's own, emptied first; the suite's production-path run uses 0,
# test_multi_process 5 and the chat benchmark 6.
REDIS_DB = 7
# 爱尚书法, taught by teacher_wang; the learners are made for each class.
COURSE_SLUG = "calligraphy"
TEACHER = ("teacher_wang", "demo-teacher")
# The class: 24 learners, quality three times a second, 20 messages in 15 seconds.
LEARNERS = 24
QUALITY_PER_S = 3
CHAT_MESSAGES = 20
SENDING_S = 15
# A learner's reported quality changes every 5 s (each at its own moment), so the room hears
# a change every ~0.2 s: most reports change nothing, some do.
QUALITY_CHANGE_EVERY = 5 * QUALITY_PER_S
QUALITY_LEVELS = ("good", "poor")
# The page pings every 20 s; here every 5 s, so the pong's last_seq gets its chance to mend a
# hole within the 15 s as well.
PING_EVERY_S = 5
# 25 handshakes, sign-ins and resumes at once on a busy two-core machine.
CONNECT_TIMEOUT_S = 60
# From the end of the sending to every socket's last chat.synced: the server may run behind.
SETTLE_TIMEOUT_S = 30
# One message in the drop test, from send to its arrival: milliseconds on loopback.
DELIVERY_TIMEOUT_S = 15

NEW_CLASS = ("import json; from tests.server import classes_with_learners; "
             "print(json.dumps(classes_with_learners(course_slug={course!r}, classes=1, learners={count}, "
             "name={name!r})[0]))")

STORED_MESSAGES = """
import json
from classes.models import ChatMessage, ClassSession

chat_id = ClassSession.objects.get(pk={session}).chat_id
print(json.dumps({{m.seq: m.client_id for m in ChatMessage.objects.filter(room_id=chat_id)}}))
"""


# ---------------------------------------------------------------- the sites


@dataclass
class Site:
    layer: str
    env: dict[str, str]
    servers: list[DaphneServer]
    teacher_cookie: str

    def server_for(self, n: int) -> DaphneServer:
        """The process the n-th learner's phone reaches: spread over all of them."""
        return self.servers[n % len(self.servers)]

    @property
    def teacher_server(self) -> DaphneServer:
        return self.servers[-1]


def _served_site(tmp_path_factory, seeded_demo, *, layer: str, processes: int, redis_url: str | None):
    root = tmp_path_factory.mktemp(f"class-load-{layer}")
    site_copy(seeded_demo.root, root)
    env = site_env(root, redis_url=redis_url)
    try:
        with daphne_servers(env, count=processes, logs=root) as servers:
            yield Site(layer=layer, env=env, servers=servers, teacher_cookie=signed_in_cookie(servers[-1], *TEACHER))
    except ServerError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="module")
def memory_site(tmp_path_factory, seeded_demo):
    """One Daphne process on the in-memory channel layer."""
    yield from _served_site(tmp_path_factory, seeded_demo, layer="memory", processes=1, redis_url=None)


@pytest.fixture(scope="module")
def redis_site(tmp_path_factory, seeded_demo):
    """Two Daphne processes sharing one SQLite file and the Redis channel layer."""
    if not redis_answers():
        pytest.fail(f"No Redis at {REDIS_HOST}:{REDIS_PORT}: the class on two processes needs it. "
                    "CI has Redis, so a missing one is a failure, not a skip.", pytrace=False)
    yield from _served_site(tmp_path_factory, seeded_demo, layer="redis", processes=2,
                            redis_url=redis_url_emptied(REDIS_DB))


@pytest.fixture(params=LAYERS)
def site(request) -> Site:
    # Each layer's site is module-scoped and started once, whatever order the tests run in.
    return request.getfixturevalue(f"{request.param}_site")


@dataclass(frozen=True)
class LiveClass:
    session_id: int
    learner_cookies: list[str]

    @property
    def path(self) -> str:
        return f"/ws/class/{self.session_id}/"


def _new_class(site: Site, *, learners: int, name: str) -> LiveClass:
    """A class of its own (so a chat of its own) with `learners` new learners, and their sessions."""
    try:
        made = manage_json(site.env, NEW_CLASS.format(course=COURSE_SLUG, count=learners, name=name))
        return LiveClass(session_id=made["session"], learner_cookies=session_cookies(site.servers[0], made["paths"]))
    except RuntimeError as error:  # ManageError, or a join link that gave no session
        pytest.fail(f"setting up the class failed: {error}", pytrace=False)


def _stored_messages(site: Site, live_class: LiveClass) -> dict[int, str]:
    """What the database holds for the class's chat: seq → client id."""
    stored = manage_json(site.env, STORED_MESSAGES.format(session=live_class.session_id))
    return {int(seq): client_id for seq, client_id in stored.items()}


# ---------------------------------------------------------------- the busy class


@dataclass
class BusyClassRun:
    sent: list[str]  # the client ids the sender sent
    stored: dict[int, str]  # seq → client id, from the database
    holdings: dict[str, dict[int, str]]  # each socket's seq → client id
    problems: dict[str, list]
    unsettled: list[str]
    report: str


async def _sending(sockets: list[ClassSocket], sender: ClassSocket, learners: list[ClassSocket], tag: str) -> list[str]:
    """15 seconds of the issue's class: quality from every learner, pings from everyone, 20 messages from one."""
    loop = asyncio.get_running_loop()
    start = loop.time()

    async def at(offset_s: float) -> None:
        await asyncio.sleep(max(0.0, start + offset_s - loop.time()))

    async def quality(n: int, learner: ClassSocket) -> None:
        phase = n / len(learners) / QUALITY_PER_S  # spread over the interval, as real phones are
        for tick in range(SENDING_S * QUALITY_PER_S):
            await at(phase + tick / QUALITY_PER_S)
            level = QUALITY_LEVELS[(tick + n * QUALITY_CHANGE_EVERY // len(learners)) // QUALITY_CHANGE_EVERY % 2]
            await learner.send(type="quality", level=level)

    async def pings(n: int, sock: ClassSocket) -> None:
        for beat in range(1, SENDING_S // PING_EVERY_S + 1):
            await at(beat * PING_EVERY_S - n / len(sockets))
            await sock.send(type="ping")

    sent = []

    async def chat() -> None:
        for n in range(CHAT_MESSAGES):
            await at(n * SENDING_S / CHAT_MESSAGES)
            client_id = f"{tag}-{n}"
            sent.append(client_id)
            await sender.send(type="chat.send", client_id=client_id, text=f"老师，第{n + 1}笔这样写对吗？")

    await asyncio.gather(chat(), *(quality(n, learner) for n, learner in enumerate(learners)),
                         *(pings(n, sock) for n, sock in enumerate(sockets)))
    return sent


def _busy_class(site: Site) -> BusyClassRun:
    live_class = _new_class(site, learners=LEARNERS, name=f"负载{site.layer}")

    async def scenario():
        teacher, *learners = await open_all([
            class_socket(site.teacher_server, live_class.path, site.teacher_cookie, "teacher"),
            *(class_socket(site.server_for(n), live_class.path, cookie, f"learner {n} (process {n % len(site.servers)})")
              for n, cookie in enumerate(live_class.learner_cookies)),
        ])
        sockets = [teacher, *learners]
        try:
            await teacher.send(type="class.start")
            started = time.monotonic()
            async with asyncio.timeout(SENDING_S + CONNECT_TIMEOUT_S):
                sent = await _sending(sockets, learners[0], learners, tag=uuid.uuid4().hex[:8])
            sending_s = time.monotonic() - started
            settled = await asyncio.gather(*(sock.settle(SETTLE_TIMEOUT_S) for sock in sockets), return_exceptions=True)
            settle_s = time.monotonic() - started - sending_s
            unsettled = [str(result) for result in settled if isinstance(result, BaseException)]
        finally:
            await leave_all(sockets)
        totals = sum((sock.counts for sock in sockets), Counter())
        report = (f"{site.layer}: sending {sending_s:.1f}s, settling {settle_s:.1f}s; "
                  f"hellos besides the first and the last {sum(len(sock.hellos) - 2 for sock in sockets)}, frames {dict(totals)}")
        return sent, sockets, unsettled, report

    sent, sockets, unsettled, report = asyncio.run(scenario())
    print(report)
    for sock in sockets:
        print(f"  {sock.name}: {sock.summary()}")
    return BusyClassRun(
        sent=sent,
        stored=_stored_messages(site, live_class),
        holdings={sock.name: sock.holding() for sock in sockets},
        problems={sock.name: sock.problems for sock in sockets if sock.problems},
        unsettled=unsettled,
        report=report,
    )


@pytest.fixture(scope="module")
def memory_busy_class(memory_site) -> BusyClassRun:
    with logs_printed(memory_site.servers):
        return _busy_class(memory_site)


@pytest.fixture(scope="module")
def redis_busy_class(redis_site) -> BusyClassRun:
    with logs_printed(redis_site.servers):
        return _busy_class(redis_site)


@pytest.fixture(params=LAYERS)
def busy_class(request) -> BusyClassRun:
    """The issue's class, run once per layer and asked about by several tests."""
    return request.getfixturevalue(f"{request.param}_busy_class")


def test_in_a_busy_class_every_message_sent_is_stored_once(busy_class):
    assert sorted(busy_class.stored.values()) == sorted(busy_class.sent), busy_class.report


def test_in_a_busy_class_every_socket_ends_holding_every_stored_message(busy_class):
    wrong = {name: {"missing": sorted(set(busy_class.stored) - set(held)),
                    "different": sorted(seq for seq in held if busy_class.stored.get(seq) != held[seq])}
             for name, held in busy_class.holdings.items() if held != busy_class.stored}

    assert len(busy_class.holdings) == LEARNERS + 1
    assert (wrong, busy_class.unsettled) == ({}, []), busy_class.report


def test_in_a_busy_class_no_socket_gets_an_error_or_is_closed(busy_class):
    assert busy_class.problems == {}, busy_class.report


# ---------------------------------------------------------------- a hole made on purpose


@pytest.fixture
def _logs(site):
    with logs_printed(site.servers):
        yield


@contextlib.asynccontextmanager
async def teacher_and_learner(site: Site, live_class: LiveClass, *, lose: set[int]):
    """The teacher and a learner who loses the first copies of `lose`; on Redis, on different processes."""
    sockets = await open_all([
        class_socket(site.teacher_server, live_class.path, site.teacher_cookie, "teacher"),
        class_socket(site.server_for(0), live_class.path, live_class.learner_cookies[0], "learner", lose=lose),
    ])
    try:
        yield sockets
    finally:
        await leave_all(sockets)


async def post(teacher: ClassSocket, receiver: ClassSocket, n: int) -> None:
    """The teacher posts message n; once the receiver has had it (kept or lost)."""
    await teacher.send(type="chat.send", client_id=uuid.uuid4().hex, text=f"第{n}条通知")
    await receiver.until(lambda: n in receiver.held or n in receiver.lost, timeout_s=DELIVERY_TIMEOUT_S,
                         what=f"given message {n}")


@pytest.mark.usefixtures("_logs")
def test_a_socket_that_lost_messages_says_hello_from_its_contiguous_seq_at_the_next_one_and_gets_them_replayed(site):
    live_class = _new_class(site, learners=1, name=f"丢包{site.layer}")

    async def scenario():
        async with teacher_and_learner(site, live_class, lose={2, 3}) as (teacher, learner):
            for n in range(1, 5):
                await post(teacher, learner, n)
            await learner.until(lambda: learner.contiguous == 4 and learner.answered_all(),
                                timeout_s=DELIVERY_TIMEOUT_S, what="holding 1 to 4")
        return learner

    learner = asyncio.run(scenario())

    assert learner.lost == [2, 3], learner.summary()
    assert learner.hellos == [0, 1], f"after its first hello, it should ask once, from 1: {learner.summary()}"
    assert learner.holding() == _stored_messages(site, live_class)


@pytest.mark.usefixtures("_logs")
def test_a_socket_that_lost_the_last_message_gets_it_replayed_after_its_next_ping(site):
    live_class = _new_class(site, learners=1, name=f"丢尾{site.layer}")

    async def scenario():
        async with teacher_and_learner(site, live_class, lose={2}) as (teacher, learner):
            for n in (1, 2):
                await post(teacher, learner, n)
            # Nothing comes after 2 to show the hole: only the heartbeat can.
            await learner.send(type="ping")
            await learner.until(lambda: learner.contiguous == 2 and learner.answered_all(),
                                timeout_s=DELIVERY_TIMEOUT_S, what="holding 1 and 2")
        return learner

    learner = asyncio.run(scenario())

    assert learner.lost == [2], learner.summary()
    assert learner.hellos == [0, 1], f"after its first hello, it should ask once, from 1: {learner.summary()}"
    assert learner.holding() == _stored_messages(site, live_class)
