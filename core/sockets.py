"""The frame base every socket of the platform stands on: bounded, validated text
frames, the error frame, ping, and the close codes all sockets share
(docs/realtime.md). The live class, the learning group and remote assist build on it."""

import json
import time

from channels.generic.websocket import AsyncWebsocketConsumer
from django.utils.translation import gettext as _

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
            frame = json.loads(text_data)
        except ValueError:
            return await self._error("bad_json", _("That message could not be read."))
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            return await self._error("bad_json", _("That message could not be read."))
        kind = frame["type"]
        handler = self.HANDLERS.get(kind)
        if handler is None:
            return await self._error("unknown_type", _("That action is not known."), ref=kind[:40])
        if not await self.before_action(kind):
            return
        await handler(self, frame)

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
