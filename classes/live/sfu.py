"""The SFU: Janus's VideoRoom, owned by the server (docs/realtime.md, "SFU mode").

The server alone creates and destroys each class's Janus room, lets people in by
token and takes them out: browsers only join, publish and subscribe. A room's secret
and each person's token are derived from SECRET_KEY, so nothing needs storing and
every server process derives the same; Janus checks the token itself (the room's
`allowed` list), so a forged token, one of another class, or one taken back (a
removal, the room destroyed at 下课) is refused by Janus.

Talks to Janus's documented HTTP API with an async client, one short-lived Janus
session per operation (operations are rare: joins, removals, the end of a class).
"""

import hashlib
import hmac
import secrets

import httpx
from django.conf import settings

VIDEOROOM = "janus.plugin.videoroom"
# The teacher and the learners allowed to speak publish; a few at a time is a class.
MAX_PUBLISHERS = 8
# Janus's VideoRoom error codes this module acts on.
NO_SUCH_ROOM = 426
ROOM_EXISTS = 427
NO_SUCH_FEED = 428


class JanusUnavailable(Exception):
    """Janus did not answer (down, unreachable, too slow)."""


class JanusRefused(Exception):
    """Janus answered with an error."""

    def __init__(self, code: int, reason: str):
        super().__init__(f"{code}: {reason}")
        self.code = code


def sfu_configured() -> bool:
    return bool(settings.JANUS_URL and settings.JANUS_ADMIN_KEY and settings.JANUS_PUBLIC_URL)


def _derived(purpose: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), purpose.encode(), hashlib.sha256).hexdigest()


def room_id(*, session_id: int) -> int:
    """The class's Janus room: its session's number (the room exists only while the class runs)."""
    return session_id


def room_secret(*, session_id: int) -> str:
    return _derived(f"janus-room-secret:{session_id}")


def participant_token(*, session_id: int, participant_id: int) -> str:
    """What this person shows Janus to join this class's room, and nothing else."""
    return _derived(f"janus-token:{session_id}:{participant_id}")


def participant_feed(*, participant_id: int) -> int:
    """The Janus id this person must join with; any other publisher is removed by the server."""
    return participant_id


async def _janus(client: httpx.AsyncClient, path: str, body: dict) -> dict:
    body = {**body, "transaction": secrets.token_hex(8)}
    try:
        response = await client.post(settings.JANUS_URL + path, json=body)
        answer = response.json()
    except (httpx.HTTPError, ValueError) as error:
        raise JanusUnavailable(str(error)) from error
    if answer.get("janus") == "error":
        error = answer.get("error", {})
        raise JanusRefused(error.get("code", 0), error.get("reason", ""))
    return answer


async def videoroom(request: dict) -> dict:
    """Send one synchronous VideoRoom request; its answer's data. JanusRefused on a VideoRoom error."""
    async with httpx.AsyncClient(timeout=settings.JANUS_TIMEOUT_S, trust_env=False) as client:
        session = (await _janus(client, "", {"janus": "create"}))["data"]["id"]
        try:
            handle = (await _janus(client, f"/{session}", {"janus": "attach", "plugin": VIDEOROOM}))["data"]["id"]
            answer = await _janus(client, f"/{session}/{handle}", {"janus": "message", "body": request})
        finally:
            try:
                await _janus(client, f"/{session}", {"janus": "destroy"})
            except (JanusUnavailable, JanusRefused):
                pass  # Janus forgets an idle session by itself (session_timeout)
    data = answer.get("plugindata", {}).get("data", {})
    if "error_code" in data:
        raise JanusRefused(data["error_code"], data.get("error", ""))
    return data


async def room_ensure(*, session_id: int, description: str, rec_dir: str | None = None) -> None:
    """Create the class's room unless it is there: tokens required, subscriptions tied to a
    participant (so removing one removes what they watch), hidden from lists. With `rec_dir`
    (the class is being recorded), every publisher is recorded into that folder."""
    room = room_id(session_id=session_id)
    if (await videoroom({"request": "exists", "room": room})).get("exists"):
        if rec_dir:  # made before the teacher chose to record, or by another process
            await room_recording_set(session_id=session_id, rec_dir=rec_dir)
        return
    try:
        await videoroom({
            "request": "create", "room": room, "admin_key": settings.JANUS_ADMIN_KEY,
            "secret": room_secret(session_id=session_id), "description": description[:100],
            "is_private": True, "allowed": [], "require_pvtid": True, "publishers": MAX_PUBLISHERS,
            "bitrate": 1_200_000, "fir_freq": 10, "audiolevel_event": False, "notify_joining": False,
            "lock_record": True,  # recording is the server's choice, never a page's
            # Every publisher is recorded: the teacher, the desk phone, and a learner only while
            # allowed to speak (anyone else publishing is removed, media.py). Which video is
            # kept is decided when the files are processed (janus_recordings.py).
            **({"record": True, "rec_dir": rec_dir} if rec_dir else {"record": False}),
        })
    except JanusRefused as refused:
        if refused.code != ROOM_EXISTS:  # another process made it a moment ago
            raise
        if rec_dir:
            await room_recording_set(session_id=session_id, rec_dir=rec_dir)


async def room_recording_set(*, session_id: int, rec_dir: str | None) -> None:
    """Record every publisher of the room into `rec_dir` from now on (Janus starts at each
    one's next keyframe, and records those who publish later too), or, with None, stop:
    Janus closes the files before it answers."""
    room, secret = room_id(session_id=session_id), room_secret(session_id=session_id)
    if rec_dir:  # each recording into a folder of its own: the next one never mixes with this one
        await videoroom({"request": "edit", "room": room, "secret": secret, "new_rec_dir": rec_dir})
    await videoroom({"request": "enable_recording", "room": room, "secret": secret, "record": bool(rec_dir)})


async def room_destroy(*, session_id: int) -> None:
    """Close the room: Janus drops everyone in it, and every token of it is gone."""
    try:
        await videoroom({"request": "destroy", "room": room_id(session_id=session_id),
                         "secret": room_secret(session_id=session_id)})
    except JanusRefused as refused:
        if refused.code != NO_SUCH_ROOM:
            raise


async def token_allow(*, session_id: int, participant_id: int) -> str:
    token = participant_token(session_id=session_id, participant_id=participant_id)
    await videoroom({"request": "allowed", "action": "add", "room": room_id(session_id=session_id),
                     "secret": room_secret(session_id=session_id), "allowed": [token]})
    return token


async def participant_cut(*, session_id: int, participant_id: int) -> None:
    """Take the person's token back and kick them: their Janus connection, and what they watch, ends."""
    room, secret = room_id(session_id=session_id), room_secret(session_id=session_id)
    token = participant_token(session_id=session_id, participant_id=participant_id)
    try:
        await videoroom({"request": "allowed", "action": "remove", "room": room, "secret": secret, "allowed": [token]})
        await videoroom({"request": "kick", "room": room, "secret": secret,
                         "id": participant_feed(participant_id=participant_id)})
    except JanusRefused as refused:
        if refused.code not in (NO_SUCH_ROOM, NO_SUCH_FEED):  # not there: nothing to cut
            raise


async def publishers_enforce(*, session_id: int, may_publish: set[int]) -> list[int]:
    """Kick whoever publishes without the server's leave (the teacher and the learners asked to
    speak may): a misbehaving page cannot keep a voice the teacher took back. Returns who was kicked."""
    room, secret = room_id(session_id=session_id), room_secret(session_id=session_id)
    try:
        people = (await videoroom({"request": "listparticipants", "room": room})).get("participants", [])
    except JanusRefused as refused:
        if refused.code == NO_SUCH_ROOM:
            return []
        raise
    kicked = []
    for person in people:
        if person.get("publisher") and person.get("id") not in may_publish:
            try:
                await videoroom({"request": "kick", "room": room, "secret": secret, "id": person["id"]})
                kicked.append(person["id"])
            except JanusRefused as refused:
                if refused.code != NO_SUCH_FEED:
                    raise
    return kicked
