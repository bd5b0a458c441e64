"""The learning-group chat (学习群) as production runs it: two Daphne processes sharing
one database and one Redis (guide rule 9), driven by a real WebSocket client.

A message posted through one process reaches a member connected to the other, and a
burst of 100 sockets opening at once, across both, all connect and all receive (rule 11:
a channels-redis / redis-py mismatch shows up as a few sockets failing at connect).

Needs Redis at 127.0.0.1:6379: without it this module is skipped on a laptop, and in CI
it fails instead. Each process's log is printed under a failing test.
"""

import asyncio
import json
import os
import uuid
from dataclasses import dataclass, field

import pytest
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from tests.server import (
    REDIS_HOST, REDIS_PORT, DaphneServer, ManageError, ServerError, daphne_servers, frame_of_type, logs_printed, manage,
    redis_answers, redis_url_emptied, session_cookies, signed_in_cookie, site_copy, site_env, socket_open,
)

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
# Handshake, authorisation and resume of one socket. Generous: a burst of 100 queues
# for the same two processes and one SQLite file.
CONNECT_TIMEOUT_S = 30
# From a send to its arrival at every socket; on loopback it takes milliseconds.
DELIVERY_TIMEOUT_S = 15


REDIS_UP = redis_answers()
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

    @property
    def group_path(self) -> str:
        return f"/ws/group/{self.course_id}/"


@pytest.fixture(scope="module")
def site(tmp_path_factory, seeded_demo):
    """The demo centre in a fresh SQLite file, served by two Daphne processes on one Redis."""
    if not REDIS_UP:
        pytest.fail(f"No Redis at {REDIS_HOST}:{REDIS_PORT}. In CI a missing Redis is a failure, not a skip.",
                    pytrace=False)
    root = tmp_path_factory.mktemp("multi-process")
    site_copy(seeded_demo.root, root)
    # Whatever database the rest of the run uses, both processes share this one file.
    env = site_env(root, redis_url=redis_url_emptied(REDIS_DB))
    join_paths = seeded_demo.join_paths
    try:
        course_id = int(manage(env, "shell", "-c", "from classes.models import CoursePage; "
                               f"print(CoursePage.objects.get(slug={COURSE_SLUG!r}).pk)").split()[-1])
    except ManageError as error:
        pytest.fail(str(error), pytrace=False)
    assert (LEARNER, LEARNER_COURSE) in join_paths, "seed_demo printed no join link for 刘桂兰 in 爱尚书法"

    try:
        with daphne_servers(env, count=PROCESSES, logs=root) as servers:
            yield Site(servers=servers, course_id=course_id, join_paths=join_paths)
    except ServerError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(autouse=True)
def _server_logs_under_a_failure(site):
    with logs_printed(site.servers):
        yield


# ---------------------------------------------------------------- signing in


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
        learner=session_cookies(site.servers[0], [site.join_paths[LEARNER, LEARNER_COURSE]])[0],
        teacher=signed_in_cookie(site.servers[1], *TEACHER),
        coordinator=signed_in_cookie(site.servers[0], *COORDINATOR),
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


async def join_group(server: DaphneServer, path: str, cookie: str) -> Member:
    """Open a socket with a session cookie, then welcome → hello → chat.synced, as the page does."""
    ws = await socket_open(server, path, cookie, timeout_s=CONNECT_TIMEOUT_S)
    try:
        async with asyncio.timeout(CONNECT_TIMEOUT_S):
            welcome = await frame_of_type(ws, "welcome")
            await ws.send(json.dumps({"type": "hello", "last_seq": welcome["last_seq"]}))
            await frame_of_type(ws, "chat.synced")
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
        liu = await join_group(site.servers[0], site.group_path, cookies.learner)
        wang = await join_group(site.servers[1], site.group_path, cookies.teacher)
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
            *(join_group(site.servers[n % PROCESSES], site.group_path, people[n % len(people)]) for n in range(BURST)),
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
