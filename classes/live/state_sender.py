"""Sending a live room's state: only after a change, and at most a few times a second per
room, however many changes come (docs/realtime.md). A flood of states is what fills the
channel layer's per-socket queues and crowds out chat.

The first change after a quiet spell is sent at once; changes within STATE_INTERVAL_S of
it are sent together at the interval's end, read from the database when they go. Only
the timer lives in this process: the state itself is in the database, so every process
sends the same room.
"""

import asyncio
import weakref

from channels.db import database_sync_to_async

from classes import events
from classes.live.services import room_state_publish
from classes.models import ClassSession
from core.sockets import dumps, group_relay

# Two dozen learners raising hands at once become one state a quarter second.
STATE_INTERVAL_S = 0.25


class _RoomTimer:
    __slots__ = ("sent_at", "pending")

    def __init__(self):
        self.sent_at = float("-inf")
        self.pending: asyncio.Task | None = None


# Per event loop (a server has one; each test its own), per class session.
_timers: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, _RoomTimer]]" = weakref.WeakKeyDictionary()


async def room_state_changed(*, session: ClassSession, layer) -> None:
    """Something in the room changed: its state goes to everyone, now or within the interval."""
    loop = asyncio.get_running_loop()
    timer = _timers.setdefault(loop, {}).setdefault(session.pk, _RoomTimer())
    if timer.pending is not None:
        return  # a state is already on its way, and reads the room when it goes
    wait = timer.sent_at + STATE_INTERVAL_S - loop.time()
    if wait > 0:
        timer.pending = loop.create_task(_send_later(timer, wait, session, layer))
        return
    timer.sent_at = loop.time()
    await _send(session, layer)


async def _send_later(timer: _RoomTimer, wait: float, session: ClassSession, layer) -> None:
    await asyncio.sleep(wait)
    timer.sent_at = asyncio.get_running_loop().time()
    timer.pending = None  # from here on, a change needs a state of its own
    await _send(session, layer)


async def _send(session: ClassSession, layer) -> None:
    state = await database_sync_to_async(room_state_publish)(session=session)
    await group_relay(layer, events.class_group(session.pk), dumps(state), stream=events.STREAM_STATE,
                      number=state["version"])
