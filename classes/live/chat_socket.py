"""What every chat-carrying socket shares on top of the frame base: the chat's resume
and send. The live class and the learning group build on it (docs/realtime.md)."""

from channels.db import database_sync_to_async
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from classes import events
from classes.live import chat
from core.ratelimit import rate_limit_exceeded
from core.sockets import FrameSocket, dumps


class ChatSocket(FrameSocket):
    """Subclasses set `member_key` (who is speaking, for rate limits), `chat_id`,
    `HANDLERS`, and implement `post_chat(frame)`; `before_action(kind)` may refuse."""

    chat_id: int | None = None

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
        # Synced up to the last message replayed, not the room's last number read a moment later:
        # a message stored in between, whose broadcast might be lost too, is then still asked for.
        synced_to = messages[-1].seq if messages else after
        await self.send(text_data=dumps({"type": events.CHAT_SYNCED, "last_seq": synced_to}))
        await self.after_hello()

    async def after_hello(self):
        pass

    async def pong_fields(self) -> dict:
        """The pong carries the chat's newest number, so a client whose last message was lost
        on the way (nothing came after it to show the hole) mends it within a heartbeat."""
        return {"last_seq": await database_sync_to_async(chat.chat_last_seq)(room_id=self.chat_id)}

    async def on_chat_send(self, frame):
        client_id = str(frame.get("client_id", ""))[:64]
        try:
            await database_sync_to_async(self._post_within_limit)(frame)
        except ValidationError as error:
            await self._error(error.code or "invalid", error.messages[0], client_id=client_id)
        except (TypeError, AttributeError):
            await self._error("bad_field", _("That message could not be read."))

    def _post_within_limit(self, frame) -> None:
        # In the database thread with the post itself: the cache is synchronous, and the
        # event loop that delivers everyone's messages must never wait on it.
        if rate_limit_exceeded(key=self.chat_rate_key(), limit=chat.chat_messages_per_minute(), window_seconds=60):
            raise ValidationError(_("You are sending messages very fast. Please wait a minute."), code="rate_limited")
        self.post_chat(frame)

    def chat_rate_key(self) -> str:
        return f"chat:{self.chat_id}:{self.member_key}"

    def post_chat(self, frame) -> None:
        raise NotImplementedError

