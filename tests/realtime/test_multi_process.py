"""The learning-group chat (学习群) as production runs it: two Daphne processes sharing
one database and one Redis (guide rule 9), driven by a real WebSocket client.

A message posted through one process reaches a member connected to the other, and a
burst of 100 sockets opening at once, across both, all connect and all receive (rule 11:
a channels-redis / redis-py mismatch shows up as a few sockets failing at connect).

Needs Redis at 127.0.0.1:6379: without it this module is skipped on a laptop, and in CI
it fails instead. Each process's log is printed under a failing test.
"""

import asyncio
import contextlib
import json
import os
import re
import socket
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from http.cookiejar import CookieJar

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.server import DaphneServer, ManageError, ServerError, free_ports, join_paths_from, manage, site_env

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
# A Redis database of this module's own, emptied first: the suite's run on the
# production path (REDIS_URL in .ci/run) uses database 0.
REDIS_DB = 5
# 爱尚书法: 刘桂兰 is enrolled in it, teacher_wang teaches it, and the coordinator belongs to every group.
COURSE_SLUG = "calligraphy"
LEARNER, LEARNER_COURSE = "刘桂兰", "爱尚书法"
TEACHER = ("teacher_wang", "demo-teacher")
COORDINATOR = ("coordinator", "demo-coordinator")
PROCESSES = 2
BURST = 100
HTTP_TIMEOUT_S = 10
# Handshake, authorisation and resume of one socket. Generous: a burst of 100 queues
# for the same two processes and one SQLite file.
CONNECT_TIMEOUT_S = 30
# From a send to its arrival at every socket; on loopback it takes milliseconds.
DELIVERY_TIMEOUT_S = 15


def _redis_answers() -> bool:
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


REDIS_UP = _redis_answers()
# In CI the tests run on, and the `site` fixture fails them.
pytestmark = pytest.mark.skipif(
    not REDIS_UP and not os.environ.get("CI"),
    reason=f"no Redis at {REDIS_HOST}:{REDIS_PORT}; the multi-process tests need it",
)


# ---------------------------------------------------------------- the two processes


@dataclass
class Site:
    servers: list[DaphneServer]
    course_id: int
    join_paths: dict[tuple[str, str], str]

    def group_url(self, n: int) -> str:
        """The group socket's address on process n."""
        return self.servers[n].url.replace("http://", "ws://", 1) + f"/ws/group/{self.course_id}/"

    def logs(self) -> str:
        return "\n".join(f"==== Daphne {n} ({server.url}) ====\n{server.log_text()}"
                         for n, server in enumerate(self.servers))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The demo centre in a fresh SQLite file, served by two Daphne processes on one Redis."""
    if not REDIS_UP:
        pytest.fail(f"No Redis at {REDIS_HOST}:{REDIS_PORT}. In CI a missing Redis is a failure, not a skip.",
                    pytrace=False)
    import redis

    redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB).flushdb()
    root = tmp_path_factory.mktemp("multi-process")
    # Whatever database the rest of the run uses, both processes share this one file.
    env = site_env(root, redis_url=f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}")
    try:
        manage(env, "migrate", "--noinput")
        join_paths = join_paths_from(manage(env, "seed_demo"))
        course_id = int(manage(env, "shell", "-c", "from classes.models import CoursePage; "
                               f"print(CoursePage.objects.get(slug={COURSE_SLUG!r}).pk)").split()[-1])
    except ManageError as error:
        pytest.fail(str(error), pytrace=False)
    assert (LEARNER, LEARNER_COURSE) in join_paths, "seed_demo printed no join link for 刘桂兰 in 爱尚书法"

    servers = [DaphneServer(env, log=root / f"daphne-{n}.log", port=port)
               for n, port in enumerate(free_ports(PROCESSES))]
    site = Site(servers=servers, course_id=course_id, join_paths=join_paths)
    with contextlib.ExitStack() as stop_all:
        # Both start at once, then both are waited for: the start is the slow part.
        for server in servers:
            stop_all.callback(server.stop)
            server.launch()
        try:
            for server in servers:
                server.wait_until_ready()
        except ServerError as error:
            pytest.fail(f"{error}\n\n{site.logs()}", pytrace=False)
        yield site


@pytest.fixture(autouse=True)
def _server_logs_under_a_failure(site):
    """Print what both processes logged during the test; pytest shows it only if the test fails."""
    sizes = [server.log.stat().st_size for server in site.servers]
    yield
    for n, (server, size) in enumerate(zip(site.servers, sizes)):
        with open(server.log, errors="replace") as log:
            log.seek(size)
            print(f"==== Daphne {n} ({server.url}) during this test ====\n{log.read()}")


# ---------------------------------------------------------------- signing in


def _opener(jar: CookieJar) -> urllib.request.OpenerDirector:
    # No proxy from the environment: everything here is on loopback.
    return urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(jar))


def _session_cookie(jar: CookieJar) -> str:
    for cookie in jar:
        if cookie.name == "sessionid":
            return cookie.value
    raise AssertionError("no sessionid cookie was set")


def _open_join_link(base: str, path: str) -> str:
    """A learner's session, as their phone gets it by opening their personal link."""
    jar = CookieJar()
    _opener(jar).open(base + path, timeout=HTTP_TIMEOUT_S).close()
    return _session_cookie(jar)


def _sign_in(base: str, username: str, password: str) -> str:
    """A staff member's session from the /login/ form, CSRF token and all."""
    jar = CookieJar()
    opener = _opener(jar)
    with opener.open(base + "/login/", timeout=HTTP_TIMEOUT_S) as response:
        form = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": username, "password": password})
    with opener.open(base + "/login/", data=data.encode(), timeout=HTTP_TIMEOUT_S) as response:
        assert urllib.parse.urlsplit(response.url).path == "/my/", f"signing in as {username} failed"
    return _session_cookie(jar)


@dataclass
class Cookies:
    learner: str
    teacher: str
    coordinator: str


@pytest.fixture(scope="module")
def cookies(site) -> Cookies:
    """Session cookies of three members of 爱尚书法's group; a session made through one
    process is good on the other, since both keep sessions in the same database."""
    return Cookies(
        learner=_open_join_link(site.servers[0].url, site.join_paths[LEARNER, LEARNER_COURSE]),
        teacher=_sign_in(site.servers[1].url, *TEACHER),
        coordinator=_sign_in(site.servers[0].url, *COORDINATOR),
    )


# ---------------------------------------------------------------- a member's socket


@dataclass
class Member:
    """One socket in the group, resumed and reading everything that arrives."""

    ws: ClientConnection
    messages: asyncio.Queue = field(default_factory=asyncio.Queue)
    problems: list = field(default_factory=list)  # error frames, and how the socket ended
    reader: asyncio.Task | None = None
    leaving: bool = False

    async def read(self) -> None:
        try:
            async for raw in self.ws:
                frame = json.loads(raw)
                if frame.get("type") == "chat.message":
                    self.messages.put_nowait(frame)
                elif frame.get("type") == "error":
                    self.problems.append(frame)
        except ConnectionClosed:
            pass
        if not self.leaving:
            self.problems.append(f"closed by the server: {self.ws.close_code} {self.ws.close_reason!r}")

    async def send_chat(self, text: str) -> str:
        client_id = uuid.uuid4().hex
        await self.ws.send(json.dumps({"type": "chat.send", "client_id": client_id, "text": text}))
        return client_id

    async def message(self, client_id: str) -> dict:
        """The chat.message with this client id, once it arrives."""
        deadline = asyncio.get_running_loop().time() + DELIVERY_TIMEOUT_S
        while True:
            remaining = deadline - asyncio.get_running_loop().time()
            try:
                frame = await asyncio.wait_for(self.messages.get(), timeout=max(remaining, 0))
            except TimeoutError:
                raise AssertionError(f"no chat.message {client_id} within {DELIVERY_TIMEOUT_S}s; "
                                     f"problems: {self.problems}") from None
            if frame.get("client_id") == client_id:
                return frame

    async def leave(self) -> None:
        self.leaving = True
        await self.ws.close()
        if self.reader is not None:
            await self.reader


async def _frame_of_type(ws: ClientConnection, wanted: str) -> dict:
    """The next frame of type `wanted`, passing over others (presence and the like)."""
    while True:
        try:
            frame = json.loads(await ws.recv())
        except ConnectionClosed:
            raise AssertionError(f"closed while waiting for {wanted}: {ws.close_code} {ws.close_reason!r}") from None
        if frame.get("type") == "error":
            raise AssertionError(f"refused while waiting for {wanted}: {frame}")
        if frame.get("type") == wanted:
            return frame


async def join_group(url: str, cookie: str) -> Member:
    """Open a socket with a session cookie, then welcome → hello → chat.synced, as the page does."""
    origin = url.replace("ws://", "http://", 1).split("/ws/", 1)[0]
    ws = await connect(url, origin=origin, additional_headers={"Cookie": f"sessionid={cookie}"},
                       proxy=None, compression=None, open_timeout=CONNECT_TIMEOUT_S)
    try:
        async with asyncio.timeout(CONNECT_TIMEOUT_S):
            welcome = await _frame_of_type(ws, "welcome")
            await ws.send(json.dumps({"type": "hello", "last_seq": welcome["last_seq"]}))
            await _frame_of_type(ws, "chat.synced")
    except BaseException:
        await ws.close()
        raise
    member = Member(ws=ws)
    member.reader = asyncio.create_task(member.read())
    return member


async def leave_all(members) -> None:
    await asyncio.gather(*(member.leave() for member in members), return_exceptions=True)


# ---------------------------------------------------------------- tests


def test_a_message_posted_on_one_process_reaches_the_member_on_the_other(site, cookies):
    async def scenario():
        liu = await join_group(site.group_url(0), cookies.learner)
        wang = await join_group(site.group_url(1), cookies.teacher)
        try:
            client_id = await wang.send_chat("这周的作业：写五遍“永”字，拍照发到群里。")
            return await liu.message(client_id), await wang.message(client_id)
        finally:
            await leave_all([liu, wang])

    received, echo = asyncio.run(scenario())

    assert received["text"] == "这周的作业：写五遍“永”字，拍照发到群里。"
    assert echo["seq"] == received["seq"], "the sender's echo and the other member's copy are one message"


def test_a_burst_of_100_sockets_across_both_processes_all_connect_and_all_receive(site, cookies):
    people = [cookies.learner, cookies.teacher, cookies.coordinator]

    async def scenario():
        # Every pairing of person and process; several sockets per person, as with several tabs.
        opened = await asyncio.gather(
            *(join_group(site.group_url(n % PROCESSES), people[n % len(people)]) for n in range(BURST)),
            return_exceptions=True,
        )
        members = [result for result in opened if isinstance(result, Member)]
        refused = [f"socket {n} on process {n % PROCESSES}: {result!r}"
                   for n, result in enumerate(opened) if not isinstance(result, Member)]
        try:
            if refused:
                return refused, []
            client_id = await members[0].send_chat("大家都能看到这条消息吗？")
            arrived = await asyncio.gather(*(member.message(client_id) for member in members),
                                           return_exceptions=True)
            missed = [f"socket {n} on process {n % PROCESSES}: {result}"
                      for n, result in enumerate(arrived) if isinstance(result, BaseException)]
            return refused, missed
        finally:
            await leave_all(members)

    refused, missed = asyncio.run(scenario())

    assert refused == [], f"{len(refused)} of {BURST} sockets failed to connect:\n" + "\n".join(refused)
    assert missed == [], f"{len(missed)} of {BURST} sockets missed the message:\n" + "\n".join(missed)
