"""The chat engine, shared by live classes and learning groups.

The database is the truth and the socket only the fast path (docs/realtime.md):
a message is stored with the next number of its room, and broadcast only after
the transaction commits. A retry with the same client id stores nothing new.
"""

import json

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from classes import events
from classes.models import ChatMessage, ChatRoom
from core.sockets import group_relay

# Long enough for a question and its context; a senior's message is usually a line.
CHAT_TEXT_MAX = 500
CLIENT_ID_MAX = 64
# Replay at most this many missed messages; a bigger gap means the page reloads history.
REPLAY_LIMIT = 200


def chat_messages_per_minute() -> int:
    """Per member: plenty for talk, too few for a flood."""
    return settings.CHAT_MESSAGES_PER_MINUTE


def chat_room_create() -> ChatRoom:
    return ChatRoom.objects.create()


def chat_message_payload(message: ChatMessage) -> dict:
    return {
        "type": events.CHAT_MESSAGE,
        "seq": message.seq,
        "client_id": message.client_id,
        "author": message.author_name,
        "role": message.author_role,
        "kind": message.kind,
        "text": "" if message.deleted_at else message.text,
        "deleted": message.deleted_at is not None,
        "image": message.image.url if message.image and not message.deleted_at else "",
        "thumbnail": message.thumbnail.url if message.thumbnail and not message.deleted_at else "",
        "voice": message.voice.url if message.voice and not message.deleted_at else "",
        "voice_seconds": message.voice_seconds,
        "at": message.created_at.isoformat(),
    }


def _broadcast(room_id: int, payload: dict, *, new: bool) -> None:
    text = json.dumps(payload, ensure_ascii=False)  # serialised once, for every receiver
    # A new message is the next of the room's contiguous numbers; a tombstone reuses an old one.
    numbered = {"stream": events.STREAM_CHAT, "number": payload["seq"], "contiguous": True} if new else {}
    async_to_sync(group_relay)(get_channel_layer(), events.chat_group(room_id), text, **numbered)


def chat_message_post(
    *, room_id: int, client_id: str, text: str, author_name: str, author_role: str,
    author_learner=None, author_user=None, may_post_when_locked: bool = False, attachments: dict | None = None,
) -> tuple[ChatMessage, bool]:
    """Store a message (or find the one this client id already stored); returns (message, created).

    `attachments` holds a prepared picture (`image`, `thumbnail`) or voice (`voice`,
    `voice_seconds`); the files are written only when the message is new.
    """
    if text is not None and not isinstance(text, str):
        raise ValidationError(_("The message is empty."), code="empty")
    text = (text or "").strip()
    client_id = str(client_id or "")
    attachments = attachments or {}
    if not text and not attachments:
        raise ValidationError(_("The message is empty."), code="empty")
    if len(text) > CHAT_TEXT_MAX:
        raise ValidationError(
            _("A message can be at most %(limit)s characters.") % {"limit": CHAT_TEXT_MAX}, code="too_long"
        )
    if not 1 <= len(client_id) <= CLIENT_ID_MAX:
        raise ValidationError(_("The message has no valid id."), code="bad_client_id")
    with transaction.atomic():
        room = ChatRoom.objects.select_for_update().get(pk=room_id)
        author = {"author_learner": author_learner} if author_learner else {"author_user": author_user}
        existing = ChatMessage.objects.filter(room=room, client_id=client_id, **author).first()
        if existing is not None:
            return existing, False
        if room.locked and not may_post_when_locked:
            raise ValidationError(_("The teacher has paused the chat."), code="chat_locked")
        room.last_seq += 1
        room.save(update_fields=["last_seq"])
        kind = "image" if "image" in attachments else "voice" if "voice" in attachments else "text"
        message = ChatMessage(
            room=room, seq=room.last_seq, client_id=client_id, text=text, kind=kind,
            author_name=author_name, author_role=author_role, **author,
        )
        for name, value in attachments.items():
            setattr(message, name, value)
        try:
            message.save()
        except Exception:
            _delete_files(message)  # the transaction rolls back; leave no file behind either
            raise
        transaction.on_commit(lambda: _broadcast(room_id, chat_message_payload(message), new=True))
    return message, True


def chat_messages_after(*, room_id: int, after_seq: int, limit: int = REPLAY_LIMIT) -> tuple[list[ChatMessage], bool]:
    """Messages after `after_seq`, oldest first, and whether there were more than `limit`."""
    messages = list(ChatMessage.objects.filter(room_id=room_id, seq__gt=after_seq).order_by("seq")[: limit + 1])
    return messages[:limit], len(messages) > limit


def chat_last_seq(*, room_id: int) -> int:
    return ChatRoom.objects.values_list("last_seq", flat=True).get(pk=room_id)


def chat_set_locked(*, room_id: int, locked: bool) -> None:
    ChatRoom.objects.filter(pk=room_id).update(locked=locked)


def chat_pin(*, room_id: int, seq: int | None) -> ChatMessage | None:
    message = None
    if seq is not None:
        message = ChatMessage.objects.filter(room_id=room_id, seq=seq, deleted_at__isnull=True).first()
        if message is None:
            raise ValidationError(_("That message is no longer there."), code="no_message")
    ChatRoom.objects.filter(pk=room_id).update(pinned=message)
    return message


def _delete_files(message: ChatMessage) -> None:
    for field in ("image", "thumbnail", "voice"):
        stored = getattr(message, field)
        if stored and stored.name:
            stored.storage.delete(stored.name)


def chat_message_delete(*, room_id: int, seq: int) -> ChatMessage:
    """Hide a message (moderation): its text and files go; a tombstone keeps its number."""
    with transaction.atomic():
        message = ChatMessage.objects.select_for_update().filter(room_id=room_id, seq=seq).first()
        if message is None:
            raise ValidationError(_("That message is no longer there."), code="no_message")
        if message.deleted_at is None:
            _delete_files(message)
            message.deleted_at = timezone.now()
            message.text = ""
            message.image = message.thumbnail = message.voice = ""
            message.save(update_fields=["deleted_at", "text", "image", "thumbnail", "voice"])
        transaction.on_commit(lambda: _broadcast(room_id, chat_message_payload(message), new=False))
    return message


def chat_messages_before(*, room_id: int, before_seq: int, limit: int) -> list[ChatMessage]:
    """A page of older history, oldest first, for scrolling up."""
    page = list(ChatMessage.objects.filter(room_id=room_id, seq__lt=before_seq).order_by("-seq")[:limit])
    return page[::-1]
