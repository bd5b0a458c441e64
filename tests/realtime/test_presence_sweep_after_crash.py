"""A class whose server process is killed (SIGKILL: no goodbye, no `disconnect`), then
swept: attendance and volunteers' hours end at the sockets' last frame (guide rule 16).

On a site of its own, one Daphne process serves a live class of 国画兴趣班: the learner
赵建国, from his join link, and the demo volunteer 陈小雨, signed in (she helps this
course). Each socket resumes and pings; after a pause, each pings again, and its
visit must end at that last frame. Then the process is killed with SIGKILL, and the
sweep that joining queued (classes.live.services.sweep_presence, due 90 s after the
join) runs as of the time it is due, against the site's database. Rather than wait
those 90 s, the test calls presence_sweep(now=<that time>), the function the task runs.

The volunteer had joined 45 minutes before (the visit is moved back after the kill), so
her hours are long enough to show a minute's difference: ending at the sweep would count
46 minutes, at the last frame 45, and an open visit counted to "now" two hours later 165.
"""

import asyncio
import json
import os
import signal
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest

from tests.server import (
    DaphneServer, ServerError, frame_of_type, logs_printed, manage_json, session_cookies, signed_in_cookie, site_copy,
    site_env, socket_open,
)

# 国画兴趣班: 赵建国 learns in it online, and the demo volunteer is given its learning group.
COURSE_SLUG = "chinese-painting"
LEARNER = ("赵建国", "国画兴趣班")
VOLUNTEER = ("volunteer", "demo-volunteer")
# A visit notes its socket's last frame at most every 5 s (docs/realtime.md): the pause before
# the last ping is longer, so the last ping is noted and a visit that kept only its join
# time would be caught.
VISIT_NOTE_EVERY = timedelta(seconds=5)
PAUSE_BEFORE_LAST_FRAME_S = 6
# How long the volunteer had been helping when the server died.
HELPED_FOR = timedelta(minutes=45)
# Hours asked for again this much later must not have grown.
LATER = timedelta(hours=2)
# Handshake, hello and each ping's pong: milliseconds on loopback.
SOCKET_TIMEOUT_S = 15
# A killed process is gone at once; its client sockets see the connection drop.
GONE_TIMEOUT_S = 10

NEW_CLASS = """
import json
from datetime import timedelta
from django.utils import timezone
from classes.models import ClassSession, CoursePage

started = timezone.now() - timedelta(minutes=50)
session = ClassSession.objects.create(course=CoursePage.objects.get(slug={course!r}), starts_at=started,
                                      duration_minutes=240, live_started_at=started)
print(json.dumps(session.pk))
"""

SWEEP = """
import json
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.db.models import F
from django_tasks_db.models import DBTaskResult
from classes.live.selectors import room_snapshot
from classes.live.services import presence_sweep
from classes.models import ClassSession, Participant, Visit
from volunteers.selectors.hours import PERIOD_ALL, period_for, volunteer_hours

session = ClassSession.objects.get(pk={session})
volunteer = get_user_model().objects.get(username={volunteer!r})

def visits():
    return {{v.participant.role: {{"joined_at": v.joined_at.isoformat(), "last_seen_at": v.last_seen_at.isoformat(),
                                  "left_at": v.left_at and v.left_at.isoformat()}}
            for v in Visit.objects.filter(participant__session=session).select_related("participant")}}

def connections():
    return dict(Participant.objects.filter(session=session).values_list("role", "connections"))

def in_class_minutes(now):
    return volunteer_hours(user=volunteer, period=period_for(kind=PERIOD_ALL), now=now).in_class

Visit.objects.filter(participant__session=session, participant__user=volunteer).update(
    joined_at=F("joined_at") - timedelta(seconds={helped_for_s}))
# The sweep joining queued: it runs when due, and sees the room as of then.
due = DBTaskResult.objects.filter(task_path="classes.live.services.sweep_presence", status="READY")\\
    .order_by("run_after").values_list("run_after", flat=True).first()
before = {{"visits": visits(), "connections": connections(), "minutes": in_class_minutes(due)}}
closed = presence_sweep(now=due)
print(json.dumps({{
    "due": due.isoformat(), "closed": closed, "before": before,
    "after": {{"visits": visits(), "connections": connections(), "minutes": in_class_minutes(due),
              "minutes_later": in_class_minutes(due + timedelta(seconds={later_s})),
              "online": {{p["role"]: p["online"] for p in room_snapshot(session=session)["participants"]}}}},
}}))
"""


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class LastFrame:
    """When a socket's last ping left, and when its pong came back: the server noted it in between."""

    sent: datetime
    answered: datetime


async def _visit_with_a_last_frame(server: DaphneServer, path: str, cookie: str, sockets: list) -> LastFrame:
    """Join, resume and ping; pause; ping once more, the last frame. The socket stays open."""
    ws = await socket_open(server, path, cookie, timeout_s=SOCKET_TIMEOUT_S)
    sockets.append(ws)
    async with asyncio.timeout(SOCKET_TIMEOUT_S + PAUSE_BEFORE_LAST_FRAME_S):
        await frame_of_type(ws, "welcome")
        await ws.send(json.dumps({"type": "hello", "last_seq": 0}))
        await frame_of_type(ws, "chat.synced")
        await ws.send(json.dumps({"type": "ping"}))
        await frame_of_type(ws, "pong")
        await asyncio.sleep(PAUSE_BEFORE_LAST_FRAME_S)
        sent = _now()
        await ws.send(json.dumps({"type": "ping"}))
        await frame_of_type(ws, "pong")
        return LastFrame(sent=sent, answered=_now())


async def _killed_under_open_sockets(server: DaphneServer, path: str,
                                     cookies: dict[str, str]) -> tuple[dict[str, LastFrame], datetime]:
    """Each person's last frame, and when the process was killed under their open sockets."""
    sockets = []
    try:
        last_frames = await asyncio.gather(*(_visit_with_a_last_frame(server, path, cookie, sockets)
                                             for cookie in cookies.values()))
        # No goodbye: the process cannot run a line more, so no disconnect() closes a visit.
        os.kill(server.pid, signal.SIGKILL)
        server.process.wait(timeout=GONE_TIMEOUT_S)
        killed = _now()
        await asyncio.wait_for(asyncio.gather(*(ws.wait_closed() for ws in sockets)), timeout=GONE_TIMEOUT_S)
    finally:
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    return dict(zip(cookies, last_frames)), killed


@dataclass(frozen=True)
class Crash:
    last_frames: dict[str, LastFrame]  # by role: "learner", "volunteer"
    killed: datetime
    swept: dict


@pytest.fixture(scope="module")
def crash(tmp_path_factory, seeded_demo) -> Crash:
    root = tmp_path_factory.mktemp("presence-sweep")
    site_copy(seeded_demo.root, root)
    env = site_env(root)
    session_id = manage_json(env, NEW_CLASS.format(course=COURSE_SLUG))
    server = DaphneServer(env, log=root / "daphne.log")
    try:
        with server, logs_printed([server]):
            cookies = {
                "learner": session_cookies(server, [seeded_demo.join_paths[LEARNER]])[0],
                "volunteer": signed_in_cookie(server, *VOLUNTEER),
            }
            last_frames, killed = asyncio.run(_killed_under_open_sockets(server, f"/ws/class/{session_id}/", cookies))
    except ServerError as error:
        pytest.fail(str(error), pytrace=False)
    swept = manage_json(env, SWEEP.format(session=session_id, volunteer=VOLUNTEER[0],
                                          helped_for_s=HELPED_FOR.total_seconds(), later_s=LATER.total_seconds()))
    print(json.dumps(swept, indent=1))
    return Crash(last_frames=last_frames, killed=killed, swept=swept)


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def test_the_sweep_closes_a_killed_servers_visits_as_of_their_last_frame(crash):
    before, after = crash.swept["before"]["visits"], crash.swept["after"]["visits"]
    ended = {role: _time(visit["left_at"]) for role, visit in after.items()}

    assert {role: visit["left_at"] for role, visit in before.items()} == {"learner": None, "volunteer": None}, \
        "the kill itself closed no visit"
    assert crash.swept["closed"] == 2
    for role, last in crash.last_frames.items():
        # Never after the last frame; at most the noting interval before it.
        assert last.sent - VISIT_NOTE_EVERY <= ended[role] <= last.answered < crash.killed, (role, crash.swept)


def test_after_the_sweep_the_people_of_a_killed_server_have_no_connection_and_show_offline(crash):
    assert crash.swept["before"]["connections"] == {"learner": 1, "volunteer": 1}, "the kill itself counted no one out"
    assert crash.swept["after"]["connections"] == {"learner": 0, "volunteer": 0}
    assert crash.swept["after"]["online"] == {"learner": False, "volunteer": False}


def test_a_volunteers_hours_in_a_killed_servers_class_stop_at_her_last_frame(crash):
    visit = crash.swept["after"]["visits"]["volunteer"]
    to_last_frame = int((_time(visit["left_at"]) - _time(visit["joined_at"])).total_seconds() // 60)
    minutes = {"before the sweep": crash.swept["before"]["minutes"], "after it": crash.swept["after"]["minutes"],
               "two hours later": crash.swept["after"]["minutes_later"]}

    assert to_last_frame == HELPED_FOR.total_seconds() // 60
    assert minutes == {"before the sweep": to_last_frame, "after it": to_last_frame, "two hours later": to_last_frame}
