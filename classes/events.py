"""The live-class socket protocol's names, defined once. docs/realtime.md describes each."""

# The frames and close codes every socket shares, defined once in the frame base.
from core.sockets import (  # noqa: F401
    CLOSE_NOT_ALLOWED, CLOSE_NOT_FOUND, CLOSE_NOT_SIGNED_IN, CLOSE_TOO_MANY_ERRORS, ERROR, PING, PONG, RESYNC,
)

# Client → server
HELLO = "hello"
CHAT_SEND = "chat.send"
HAND_RAISE = "hand.raise"
HAND_LOWER = "hand.lower"
QUALITY = "quality"
SIGNAL = "signal"
CLASS_START = "class.start"
CLASS_END = "class.end"
SPEAK_ALLOW = "speak.allow"
SPEAK_REVOKE = "speak.revoke"
MUTE_ALL = "mute.all"
PARTICIPANT_REMOVE = "participant.remove"
CHAT_LOCK = "chat.lock"
CHAT_PIN = "chat.pin"
# The teacher starts or stops recording mid-class ({"on": bool}); class.start carries "record" too.
RECORDING_SET = "recording.set"

# Learning groups (besides HELLO, PING, CHAT_SEND, CHAT_PIN)
READ = "read"
CHAT_DELETE = "chat.delete"
MEMBER_MUTE = "member.mute"
PINNED = "pinned"

TEACHER_ONLY = frozenset(
    {CLASS_START, CLASS_END, SPEAK_ALLOW, SPEAK_REVOKE, MUTE_ALL, PARTICIPANT_REMOVE, CHAT_LOCK, CHAT_PIN,
     RECORDING_SET}
)

# Server → client
WELCOME = "welcome"
STATE = "state"
CHAT_MESSAGE = "chat.message"
CHAT_SYNCED = "chat.synced"
CHAT_RELOAD = "chat.reload"
SPEAK = "speak"
REMOVED = "removed"
# How this page sends and receives video now (classes/live/media.py), when the room's mode changed.
MEDIA = "media"
# SIGNAL is relayed in both directions.

# Channel-layer events. A prepared frame travels as core.sockets' RELAY event (group_relay):
# built once by its sender, passed to every receiver as it is.
# The numbered streams of relayed frames: a socket that sees a hole in the chat's (contiguous)
# numbers tells its client to resync; a missed state is sent again at the next ping.
STREAM_CHAT = "chat"
STREAM_STATE = "state"
LAYER_KICK = "room.kick"
# A learner's access may have ended (a link revoked, a withdrawal): each of their
# sockets checks again and closes if it has.
LAYER_RECHECK = "access.recheck"
# The room's media mode changed: each socket tells its page what it needs now.
LAYER_MEDIA = "media.changed"

# Close codes (4000–4999 are the application's own).
CLOSE_NO_SUCH_CLASS = CLOSE_NOT_FOUND


def class_group(session_id: int) -> str:
    return f"class.{session_id}"


def participant_group(participant_id: int) -> str:
    return f"class.participant.{participant_id}"


def chat_group(room_id: int) -> str:
    return f"chat.{room_id}"


def learner_group(learner_id: int) -> str:
    """Every open socket of one learner, in any class room or group."""
    return f"learner.{learner_id}"
