"""The desk camera's socket: the teacher's phone in the class, sending its video and nothing else.

`/ws/class/<session_id>/desk/`, opened by the phone page (classes/live/desk_views.py) with the
phone's own session, which holds the grant the QR's token gave (classes/live/desk.py). It is the
class socket with one participant of role "desk" and fewer rights: it hears the room's state and
signals, signals only the teacher (the consumer's rule: someone in every signal is the teacher),
and may send nothing but `ping`, `hello` and `signal`. No chat: it joins the class group only.
"""

from channels.db import database_sync_to_async
from django.utils.translation import gettext as _

from classes import events
from classes.courses.people import CoursePerson
from classes.live import desk
from classes.live import selectors as rooms_read
from classes.live import services as rooms
from classes.live.consumers import ClassRoomConsumer
from classes.live.media import SFU
from classes.models import RoomRole
from core.sockets import dumps

# What a phone filming the desk needs: keeping the socket alive, and WebRTC signalling.
DESK_ACTIONS = frozenset({events.PING, events.HELLO, events.SIGNAL})


class DeskCameraConsumer(ClassRoomConsumer):

    async def connect(self):
        await super().connect()
        if self.participant_id is not None and self.session.media_mode == SFU:
            # Pages already here learn the desk's feed (media `desk_feed`) and subscribe to it.
            await self._media_changed()

    def _shared_groups(self) -> list[str]:
        return [events.class_group(self.session.pk)]

    def _grant(self, session):
        scope_session = self.scope["session"]
        return desk.desk_grant_for(camera_id=scope_session.get(desk.SESSION_KEY),
                                   phone_session_key=scope_session.session_key, session_id=session.pk)

    @database_sync_to_async
    def _person(self, session):
        camera = self._grant(session)
        if camera is None:
            return None
        participant = desk.desk_participant_ensure(camera=camera)
        return CoursePerson(session.course, RoomRole.DESK, participant.name)

    @database_sync_to_async
    def _signed_in(self):
        return True  # refused as not_allowed: the phone page says the QR code no longer works

    async def before_action(self, kind: str) -> bool:
        if kind not in DESK_ACTIONS:
            await self._error("forbidden", _("The desk camera only sends its picture."), ref=kind)
            return False
        return await super().before_action(kind)

    @database_sync_to_async
    def _refusal(self, *, access: bool) -> str | None:
        """Every frame: a newer phone took the desk over, or the class ended, and this one is out.
        Its frames are few (a ping every 20 s, signals while connecting)."""
        if not rooms.participant_touch(participant_id=self.participant_id, visit_id=self.visit_id):
            return "removed"
        return None if self._grant(self.session) is not None else "not_allowed"

    async def on_hello(self, frame):
        """No chat here: a hello only asks for the room's state."""
        await self.send(text_data=dumps(await database_sync_to_async(rooms_read.room_snapshot)(session=self.session)))

    HANDLERS = {**ClassRoomConsumer.HANDLERS, events.HELLO: on_hello}
