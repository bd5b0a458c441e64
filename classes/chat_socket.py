"""What every chat-carrying socket shares: bounded, validated frames, the error
frame, and the chat's resume and send. The live class and the learning group
build on it (docs/realtime.md)."""

import json
import time

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from classes import chat, events
from home.ratelimit import rate_limit_exceeded

# An SDP offer with many candidates is ~10 KB; nothing legitimate comes near this.
MAX_FRAME_BYTES = 64 * 1024
# Frames a socket may send in a burst window (ICE candidates come in bursts).
FRAME_BURST = 120
FRAME_WINDOW_S = 10
# A client that keeps sending rubbish is closed rather than answered for ever.
MAX_ERRORS = 50


def dumps(payload: dict) -> str:
    return json.dumps(payload, ensure_ascii=False)


class ChatSocket(AsyncWebsocketConsumer):
    """Subclasses set `member_key` (who is speaking, for rate limits), `chat_id`,
    `HANDLERS`, and implement `post_chat(frame)`; `before_action(kind)` may refuse."""

    member_key: str | None = None
    chat_id: int | None = None
    HANDLERS: dict = {}

    async def _refuse(self, code: int, error: str, message: str):
        await self.send(text_data=dumps({"type": events.ERROR, "code": error, "message": message}))
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
        await self.send(text_data=dumps({"type": events.ERROR, "code": code, "message": message, **extra}))
        if self.errors > MAX_ERRORS:
            await self.close(code=events.CLOSE_TOO_MANY_ERRORS)

    async def on_ping(self, frame):
        await self.send(text_data=dumps({"type": events.PONG}))

    async def on_hello(self, frame):
        """Replay the chat after the client's last message; it drops any it already has."""
        after = frame.get("last_seq", 0)
        if not isinstance(after, int) or after < 0:
            return await self._error("bad_field", _("That message could not be read."), ref="last_seq")
        messages, more = await database_sync_to_async(chat.chat_messages_after)(room_id=self.chat_id, after_seq=after)
        last = await database_sync_to_async(chat.chat_last_seq)(room_id=self.chat_id)
        if after > last or (more and after > 0):
            # A number from the future (another room, or a database restored), or too much missed:
            # the page clears its list and says hello again from nothing.
            return await self.send(text_data=dumps({"type": events.CHAT_RELOAD, "last_seq": last}))
        if more:
            # From nothing, a long chat replays its latest messages; a reload here would only
            # bring the same hello back, for ever.
            messages, more = await database_sync_to_async(chat.chat_messages_after)(
                room_id=self.chat_id, after_seq=last - chat.REPLAY_LIMIT)
        for message in messages:
            await self.send(text_data=dumps(chat.chat_message_payload(message)))
        await self.send(text_data=dumps({"type": events.CHAT_SYNCED, "last_seq": last}))
        await self.after_hello()

    async def after_hello(self):
        pass

    async def on_chat_send(self, frame):
        client_id = str(frame.get("client_id", ""))[:64]
        limit = chat.chat_messages_per_minute()
        if rate_limit_exceeded(key=self.chat_rate_key(), limit=limit, window_seconds=60):
            return await self._error("rate_limited", _("You are sending messages very fast. Please wait a minute."),
                                     client_id=client_id)
        try:
            await database_sync_to_async(self.post_chat)(frame)
        except ValidationError as error:
            await self._error(error.code or "invalid", error.messages[0], client_id=client_id)
        except (TypeError, AttributeError):
            await self._error("bad_field", _("That message could not be read."))

    def chat_rate_key(self) -> str:
        return f"chat:{self.chat_id}:{self.member_key}"

    def post_chat(self, frame) -> None:
        raise NotImplementedError

    async def room_frame(self, event):
        """A frame built once by its sender, passed on as it is."""
        await self.send(text_data=event["text"])
