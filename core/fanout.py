"""One channel-layer member per server process for each busy group, and the fan-out to
that process's sockets done here, in one loop.

The Channels way gives every socket its own channel and puts each broadcast on each of
them: with a class of two dozen or a learning group of a hundred, one chat message
becomes a hundred layer messages (on Redis: a hundred serialisations, a hundred list
pushes and a hundred reads), each waking its socket's task. Here the process's hub is
the group's one member: a broadcast costs the layer one message per process, and the
hub hands the already-built frame to each of its sockets (`FrameSocket.relay`).

Only a timer-free list of open sockets lives in the process; what they are told comes
from the layer, so several processes share a room as before (docs/realtime.md).
Groups that carry per-socket commands (kicks, access rechecks) stay the Channels way.
"""

import asyncio
import logging
import time
import weakref

logger = logging.getLogger(__name__)

# The layer forgets a group member after a day (group_expiry); a hub re-joins its groups
# well before, at a socket's heartbeat.
REJOIN_EVERY_S = 60 * 60
# When the layer fails (Redis restarting), the hub waits before it joins its groups again,
# from half a second doubling to five: a restarted Redis answers within a second or two,
# and a Redis that stays away is not knocked at in a tight loop.
LAYER_RETRY_FIRST_S = 0.5
LAYER_RETRY_MAX_S = 5.0


class Hub:
    """The process's member of each group its sockets follow, for one layer and event loop."""

    def __init__(self, layer):
        self.layer = layer
        self.channel: str | None = None
        self.groups: dict[str, weakref.WeakSet] = {}
        self.joined_at: dict[str, float] = {}
        self.reader: asyncio.Task | None = None
        self.rejoiner: asyncio.Task | None = None
        # Joins and leaves one at a time, so a group's discard never overtakes its next add.
        self.lock = asyncio.Lock()

    async def join(self, group: str, socket) -> None:
        async with self.lock:
            if group not in self.groups:
                if self.channel is None:
                    self.channel = await self.layer.new_channel()
                await self.layer.group_add(group, self.channel)
                self.groups[group] = weakref.WeakSet()
                self.joined_at[group] = time.monotonic()
                if self.reader is None or self.reader.done():
                    self.reader = asyncio.get_running_loop().create_task(self._read())
            self.groups[group].add(socket)

    async def leave(self, group: str, socket) -> None:
        async with self.lock:
            members = self.groups.get(group)
            if members is None:
                return
            members.discard(socket)
            if members:
                return
            del self.groups[group], self.joined_at[group]
            await self.layer.group_discard(group, self.channel)
            if not self.groups and self.reader is not None:
                self.reader.cancel()
                self.reader = None

    async def rejoin_stale(self, groups) -> None:
        """Renew the layer's memory of these groups' member if it is getting old."""
        now = time.monotonic()
        for group in groups:
            if group in self.groups and now - self.joined_at[group] > REJOIN_EVERY_S:
                self.joined_at[group] = now
                await self.layer.group_add(group, self.channel)

    def layer_failed(self) -> None:
        """A read of this process's layer failed (a Redis restart): join the groups again.

        On Redis, the channels of one process are read by one shared loop, and a failure
        surfaces in whichever reader holds it at that moment — most often a socket's, not the
        hub's. Every reader that sees one tells the hub, so its groups come back either way;
        one rejoin runs at a time."""
        if self.groups and (self.rejoiner is None or self.rejoiner.done()):
            self.rejoiner = asyncio.get_running_loop().create_task(self._rejoin_all())

    async def _rejoin_all(self) -> None:
        """After the layer failed: a restarted Redis has forgotten every group, so join them
        all again. What was sent meanwhile is lost to the layer; each socket notices the hole
        at the next numbered frame (resync) or the client at its next pong, and the chat is
        replayed from the database."""
        wait_s = LAYER_RETRY_FIRST_S
        while True:
            logger.warning("The channel layer failed; the hub joins its %d groups again in %.1fs",
                           len(self.groups), wait_s)
            await asyncio.sleep(wait_s)
            try:
                async with self.lock:
                    for group in list(self.groups):
                        await self.layer.group_add(group, self.channel)
                        self.joined_at[group] = time.monotonic()
                return
            except Exception:  # noqa: BLE001 - still away: wait longer and try again
                wait_s = min(wait_s * 2, LAYER_RETRY_MAX_S)

    async def _read(self) -> None:
        while True:
            try:
                event = await self.layer.receive(self.channel)
            except Exception:  # noqa: BLE001 - the layer's server went away (a Redis restart)
                logger.warning("The hub's channel-layer read failed", exc_info=True)
                self.layer_failed()
                if self.rejoiner is not None:
                    await asyncio.shield(self.rejoiner)  # read again once the layer is back
                continue
            for socket in list(self.groups.get(event.get("group"), ())):
                try:
                    # A relayed frame takes dispatch's fast path; any other event (rare: a
                    # change each socket must act on for its own person) its handler.
                    await socket.dispatch(event)
                except Exception:  # noqa: BLE001 - one broken socket never stops the others' delivery
                    logger.exception("Relaying to one socket of %s failed", event.get("group"))


# Per event loop (a server has one; each test its own), per channel layer.
_hubs: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, Hub]]" = weakref.WeakKeyDictionary()


def hub_for(*, layer, alias: str) -> Hub:
    hubs = _hubs.setdefault(asyncio.get_running_loop(), {})
    if alias not in hubs:
        hubs[alias] = Hub(layer)
    return hubs[alias]
