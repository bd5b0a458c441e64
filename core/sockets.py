"""The frame base every socket of the platform stands on: bounded, validated text
frames, the error frame, ping, and the close codes all sockets share
(docs/realtime.md). The live class, the learning group and remote assist build on it."""

import json
import logging
import time

from channels.generic.websocket import AsyncWebsocketConsumer
from django.utils.translation import gettext as _

from core.frames import FrameError, frame_read

logger = logging.getLogger(__name__)

# Frames every socket understands or sends.
PING = "ping"
PONG = "pong"
ERROR = "error"

# Close codes (4000–4999 are the application's own), the same on every socket.
CLOSE_TOO_MANY_ERRORS = 4400
CLOSE_NOT_SIGNED_IN = 4401
CLOSE_NOT_ALLOWED = 4403
CLOSE_NOT_FOUND = 4404

# An SDP offer with many candidates is ~10 KB; nothing legitimate comes near this.
MAX_FRAME_BYTES = 64 * 1024
# Frames a socket may send in a burst window (ICE candidates come in bursts).
FRAME_BURST = 120
FRAME_WINDOW_S = 10
# A client that keeps sending rubbish is closed rather than answered for ever.
MAX_ERRORS = 50


def dumps(payload: dict) -> str:
    return json.dumps(payload, ensure_ascii=False)


class FrameSocket(AsyncWebsocketConsumer):
    """Subclasses set `member_key` once the socket is let in (frames before that are
    ignored) and `HANDLERS` (frame type → handler); `before_action(kind)` may refuse."""

    member_key: str | None = None
    HANDLERS: dict = {}

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
        if self._flooding():
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
        except Exception:  # noqa: BLE001 - a failing handler answers; the socket stays open
            logger.exception("The %s handler failed on %s", kind, type(self).__name__)
            await self._error("server_error", _("Something went wrong. Please try again."), ref=kind[:40])

    async def before_action(self, kind: str) -> bool:
        return True

    def _flooding(self) -> bool:
        now = time.monotonic()
        self.frames = [t for t in getattr(self, "frames", []) if now - t < FRAME_WINDOW_S]
        self.frames.append(now)
        return len(self.frames) > FRAME_BURST

    async def _error(self, code: str, message: str, **extra):
        self.errors = getattr(self, "errors", 0) + 1
        await self.send(text_data=dumps({"type": ERROR, "code": code, "message": message, **extra}))
        if self.errors > MAX_ERRORS:
            await self.close(code=CLOSE_TOO_MANY_ERRORS)

    async def on_ping(self, frame):
        await self.send(text_data=dumps({"type": PONG}))
