"""The frame base every socket of the platform stands on: bounded, validated text
frames, the error frame, ping, and the close codes all sockets share
(docs/realtime.md). The live class, the learning group and remote assist build on it."""

import contextlib
import json
import logging
import time

from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext as _
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from core.fanout import hub_for
from core.frames import FrameError, frame_read

logger = logging.getLogger(__name__)

# Frames every socket understands or sends.
PING = "ping"
PONG = "pong"
ERROR = "error"
# The server noticed that this socket missed frames (a channel-layer queue was full):
# the client says hello again from its last contiguous number.
RESYNC = "resync"

# The channel-layer event that carries a frame built once by its sender, passed on to the
# socket as it is. It may name its `stream` and number `n`, increasing within the stream;
# where the numbers are also `contiguous`, a socket that misses one can tell.
RELAY = "room.frame"

# Close codes (4000–4999 are the application's own), the same on every socket.
CLOSE_TOO_MANY_ERRORS = 4400
CLOSE_NOT_SIGNED_IN = 4401
CLOSE_NOT_ALLOWED = 4403
CLOSE_NOT_FOUND = 4404

# The database or the channel layer's Redis cannot be reached (a restart, a network cut):
# no frame can be handled right, so the socket says so and closes with 4503 (HTTP's 503:
# try again later; WebSocket's own 1013 is not one a server application may send), and the
# client reconnects with backoff and resumes from its last number.
UNAVAILABLE = (OperationalError, InterfaceError, RedisConnectionError, RedisTimeoutError)
CLOSE_TRY_AGAIN_LATER = 4503

# An SDP offer with many candidates is ~10 KB; nothing legitimate comes near this.
MAX_FRAME_BYTES = 64 * 1024
# The flood guard is a token bucket per socket: a burst of FRAME_BURST frames (ICE candidates
# come in bursts), refilled at FRAME_BURST / FRAME_WINDOW_S a second — 12, so a steady ten
# a second (the fastest anyone types, with heartbeats besides) is never refused.
FRAME_BURST = 120
FRAME_WINDOW_S = 10
# A client that keeps sending rubbish is closed rather than answered for ever.
MAX_ERRORS = 50


def dumps(payload: dict) -> str:
    return json.dumps(payload, ensure_ascii=False)


RESYNC_TEXT = dumps({"type": RESYNC})


def relay_event(text: str, *, group: str, stream: str | None = None, number: int | None = None,
                contiguous: bool = False) -> dict:
    """The channel-layer event that passes `text` on to every socket of `group`."""
    event = {"type": RELAY, "text": text, "group": group}
    if stream is not None:
        event.update(stream=stream, n=number, contiguous=contiguous)
    return event


async def group_relay(layer, group: str, text: str, *, stream: str | None = None, number: int | None = None,
                      contiguous: bool = False) -> None:
    """Pass `text`, built once, on to every socket of `group` (in every process)."""
    await layer.group_send(group, relay_event(text, group=group, stream=stream, number=number, contiguous=contiguous))


def unavailable_text() -> str:
    return dumps({"type": ERROR, "code": "unavailable",
                  "message": _("The server cannot be reached for a moment. Reconnecting…")})


class UnavailableAtHandshake:
    """ASGI middleware, outside the session and user lookups: when the database or the
    channel layer cannot be reached while a socket is being let in, the socket is told so
    and closed with 4503, as an open one is, instead of failing with a traceback (a 500
    handshake or a 1011 that the client would not know to retry)."""

    def __init__(self, application) -> None:
        self.application = application

    async def __call__(self, scope, receive, send):
        accepted = False

        async def send_noting_accept(message):
            nonlocal accepted
            accepted = accepted or message["type"] == "websocket.accept"
            await send(message)

        try:
            return await self.application(scope, receive, send_noting_accept)
        except UNAVAILABLE:
            logger.warning("The database or channel layer is unreachable (while a socket is let in); it closes "
                           "with %d for its client to reconnect", CLOSE_TRY_AGAIN_LATER)
            with contextlib.suppress(Exception):  # the client may have gone meanwhile
                if not accepted:
                    await send({"type": "websocket.accept"})
                await send({"type": "websocket.send", "text": unavailable_text()})
                await send({"type": "websocket.close", "code": CLOSE_TRY_AGAIN_LATER})


class FrameSocket(AsyncWebsocketConsumer):
    """Subclasses set `member_key` once the socket is let in (frames before that are
    ignored) and `HANDLERS` (frame type → handler); `before_action(kind)` may refuse."""

    member_key: str | None = None
    HANDLERS: dict = {}
    # The last number relayed per stream (see RELAY).
    relayed: dict
    # The groups this socket follows through its process's hub (core/fanout.py), and those
    # it is a member of itself (commands meant for this person: a kick, an access recheck).
    hub_groups: tuple = ()
    own_groups: tuple = ()

    async def groups_join(self, *, shared: list[str], own: list[str]) -> None:
        """Join the groups (before reading anything, so nothing sent meanwhile is missed).
        `shared`: the room's broadcasts, alike for every socket, through the process's hub."""
        for group in own:
            await self.channel_layer.group_add(group, self.channel_name)
        self.own_groups = tuple(own)
        hub = hub_for(layer=self.channel_layer, alias=self.channel_layer_alias)
        for group in shared:
            await hub.join(group, self)
        self.hub_groups = tuple(shared)

    async def groups_leave(self) -> None:
        own, self.own_groups = self.own_groups, ()
        for group in own:
            await self.channel_layer.group_discard(group, self.channel_name)
        shared, self.hub_groups = self.hub_groups, ()
        hub = hub_for(layer=self.channel_layer, alias=self.channel_layer_alias)
        for group in shared:
            await hub.leave(group, self)

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        except UNAVAILABLE:
            # The channel layer failed under this socket's own channel (Redis restarting): the
            # restarted Redis has also forgotten the hub's groups, which the hub may never
            # notice itself (core/fanout.py).
            if getattr(self, "channel_layer", None) is not None:
                hub_for(layer=self.channel_layer, alias=self.channel_layer_alias).layer_failed()
            await self._unavailable("the channel layer's receive")

    async def dispatch(self, message):
        # The live path: Channels' dispatch looks the handler up and closes old database
        # connections in a thread before every message; a relayed frame touches no database.
        if message["type"] == RELAY:
            return await self.relay(message)
        try:
            return await super().dispatch(message)
        except UNAVAILABLE:
            if message["type"] == "websocket.disconnect":
                logger.warning("A socket left while the database or channel layer was unreachable; "
                               "the presence sweep closes its visit")
                raise StopConsumer() from None
            await self._unavailable(message["type"])

    async def _unavailable(self, during: str) -> None:
        """Say why, and close so that the client comes back (no traceback: the cause is outside)."""
        logger.warning("The database or channel layer is unreachable (during %s); the socket closes with %d "
                       "for its client to reconnect", during, CLOSE_TRY_AGAIN_LATER)
        # Before the socket was accepted, or after its client went, there is no one to tell.
        with contextlib.suppress(Exception):
            await self.send(text_data=unavailable_text())
        with contextlib.suppress(Exception):
            await self.close(code=CLOSE_TRY_AGAIN_LATER)

    async def relay(self, event):
        """Pass a prepared frame on; on a hole in its stream, tell the client to resync first."""
        stream = event.get("stream")
        if stream is not None:
            relayed = self.__dict__.setdefault("relayed", {})
            number, last = event["n"], relayed.get(stream)
            if event["contiguous"] and last is not None and number > last + 1:
                await self.base_send({"type": "websocket.send", "text": RESYNC_TEXT})
            if last is None or number > last:
                relayed[stream] = number
        await self.base_send({"type": "websocket.send", "text": event["text"]})

    async def _refuse(self, code: int, error: str, message: str):
        await self.send(text_data=dumps({"type": ERROR, "code": error, "message": message}))
        await self.close(code=code)

    async def receive(self, text_data=None, bytes_data=None):
        if self.member_key is None:
            return
        if bytes_data is not None or text_data is None:
            return await self._error("bad_frame", _("Only text frames are understood."))
        if len(text_data.encode()) > MAX_FRAME_BYTES:
            return await self._error("too_large", _("That message is too large."))
        if not self._within_flood_guard():
            return await self._error("rate_limited", _("Too much at once. Please wait a moment."))
        try:
            frame = frame_read(text_data)
        except FrameError as error:
            # Checked before anything is stored or relayed: what one client sends can never
            # reach, and so never break, another person's socket.
            return await self._error(error.code, _("That message could not be read."))
        kind = frame["type"]
        handler = self.HANDLERS.get(kind)
        if handler is None:
            return await self._error("unknown_type", _("That action is not known."), ref=kind[:40])
        try:
            if not await self.before_action(kind):
                return
            await handler(self, frame)
        except UNAVAILABLE:
            await self._unavailable(kind)
        except Exception:  # noqa: BLE001 - a failing handler answers; the socket stays open
            logger.exception("The %s handler failed on %s", kind, type(self).__name__)
            await self._error("server_error", _("Something went wrong. Please try again."), ref=kind[:40])

    async def before_action(self, kind: str) -> bool:
        return True

    def _within_flood_guard(self) -> bool:
        now = time.monotonic()
        tokens, then = getattr(self, "flood_bucket", (FRAME_BURST, now))
        tokens = min(FRAME_BURST, tokens + (now - then) * FRAME_BURST / FRAME_WINDOW_S)
        allowed = tokens >= 1
        self.flood_bucket = (tokens - 1 if allowed else tokens, now)
        return allowed

    async def _error(self, code: str, message: str, **extra):
        self.errors = getattr(self, "errors", 0) + 1
        await self.send(text_data=dumps({"type": ERROR, "code": code, "message": message, **extra}))
        if self.errors > MAX_ERRORS:
            await self.close(code=CLOSE_TOO_MANY_ERRORS)

    async def on_ping(self, frame):
        await self.hub_rejoin()
        await self.send(text_data=dumps({"type": PONG, **await self.pong_fields()}))
        await self.after_pong()

    async def pong_fields(self) -> dict:
        """What a socket's pong tells its page besides being alive."""
        return {}

    async def after_pong(self) -> None:
        pass

    def relayed_last(self, stream: str) -> int | None:
        """The last number of `stream` this socket passed on, None before the first."""
        return self.__dict__.get("relayed", {}).get(stream)

    async def hub_rejoin(self) -> None:
        """At a heartbeat: keep the layer from forgetting this process's hub (a day's expiry)."""
        if self.hub_groups:
            await hub_for(layer=self.channel_layer, alias=self.channel_layer_alias).rejoin_stale(self.hub_groups)
