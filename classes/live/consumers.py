"""The live-class socket: presence, hands, voices, chat and WebRTC signalling.

Thin over classes.live's services, selectors and chat. Every action is authorised, every
frame bounded; a bad frame gets an error frame and the room carries on.
"""

import asyncio
import time

from channels.db import database_sync_to_async
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from classes import events, signals
from classes.courses.learner_session import scope_learner, scope_signed_in
from classes.courses.people import course_person
from classes.live import chat
from classes.live import selectors as rooms_read
from classes.live import services as rooms
from classes.live import sfu
from classes.live.chat_socket import ChatSocket
from classes.live.media import (
    EMBEDDED, SFU, media_close, media_cut, media_decide, media_enforce, media_for, media_recording,
)
from classes.live.signalling import signal_data_clean
from classes.models import ClassSession, Participant, RecordingMaker, RoomRole
from classes.recordings.services import recording_start, recording_stop
from classes.live.state_sender import room_state_changed
from core.sockets import dumps, group_relay


# The teacher's page checks who publishes to the SFU this often.
ENFORCE_EVERY_S = 5
# A page told its voice is taken back unpublishes within a second; after this, the server kicks.
ENFORCE_GRACE_S = 2
# A heartbeat (every 20 s) rechecks the person's access at most this often: a revocation whose
# push went missing closes a silent learner's socket within a minute, any action's at once.
ACCESS_RECHECK_ON_PING_S = 60


class ClassRoomConsumer(ChatSocket):
    session: ClassSession
    participant_id: int | None = None
    visit_id: int | None = None
    role: str = ""
    # What this socket's page was last told about media, and the teacher's SFU watch.
    media_told: dict | None = None
    enforcer: asyncio.Task | None = None
    access_checked_at: float = float("-inf")  # monotonic time of the last full access check

    # ------------------------------------------------------------ connection

    async def connect(self):
        await self.accept()  # accept first, so a refusal can say why with a close code
        session_id = self.scope["url_route"]["kwargs"]["session_id"]
        session = await self._load_session(session_id)
        if session is None:
            return await self._refuse(events.CLOSE_NO_SUCH_CLASS, "no_such_class", _("There is no such class."))
        person = await self._person(session)
        if person is None:
            if not await self._signed_in():
                return await self._refuse(events.CLOSE_NOT_SIGNED_IN, "not_signed_in",
                                          _("Please open your personal class link again."))
            return await self._refuse(events.CLOSE_NOT_ALLOWED, "not_allowed", _("This class is not in your list."))
        self.session = session
        self.access_checked_at = time.monotonic()
        self.chat_id = await database_sync_to_async(rooms.room_chat_id)(session=session)
        joined = await database_sync_to_async(rooms.participant_join)(session=session, person=person)
        if joined is None:
            return await self._refuse(events.CLOSE_NOT_ALLOWED, "removed", _("The teacher has asked you to leave."))
        participant, visit = joined
        self.participant_id, self.visit_id, self.role = participant.pk, visit.pk, participant.role
        self.member_key = f"participant:{participant.pk}"
        self.person = person
        # The teacher's entry decides again how video travels, and so does anyone's while the room
        # has fallen back: a video server that is back is used from the next entry on. Before
        # joining the groups, so that the welcome is the first frame the page gets.
        mode_changed = False
        if self.role == RoomRole.TEACHER or not session.media_mode or session.media_fallback:
            mode_changed = await media_decide(session=session)
        media = await self._media()
        # Join the groups before reading anything, so nothing sent meanwhile is missed.
        await self.groups_join(shared=self._shared_groups(), own=self._own_groups())
        await self.send(text_data=dumps({"type": events.WELCOME, "you": self.participant_id, "role": self.role,
                                          "last_seq": await database_sync_to_async(chat.chat_last_seq)(room_id=self.chat_id),
                                          "media": media}))
        if mode_changed or (self.role == RoomRole.TEACHER and session.media_mode == SFU):
            # Pages already here learn the new mode, or where the teacher's picture comes from.
            await self._media_changed()
        if self.role == RoomRole.TEACHER:
            self.enforcer = asyncio.get_running_loop().create_task(self._enforce_while_here())
        await self._broadcast_state()
        await self._announce(signals.learner_room_entered)

    async def disconnect(self, code):
        if self.participant_id is None:
            return
        if self.enforcer is not None:
            self.enforcer.cancel()
        await self.groups_leave()
        await database_sync_to_async(rooms.participant_leave)(participant_id=self.participant_id, visit_id=self.visit_id)
        await self._broadcast_state()
        await self._announce(signals.learner_room_left)

    async def _announce(self, signal):
        """A learner's way into the room, for whoever listens (the volunteer on the phone with them)."""
        if self.person.learner is not None:
            await database_sync_to_async(signals.announce)(signal, learner=self.person.learner, session=self.session)

    def _shared_groups(self) -> list[str]:
        return [events.class_group(self.session.pk), events.chat_group(self.chat_id)]

    def _own_groups(self) -> list[str]:
        groups = [events.participant_group(self.participant_id)]
        if self.person.learner is not None:
            groups.append(events.learner_group(self.person.learner.pk))
        return groups

    # ------------------------------------------------------------ frames in

    async def before_action(self, kind: str) -> bool:
        if kind in events.TEACHER_ONLY and self.role != RoomRole.TEACHER:
            await self._error("forbidden", _("Only the teacher can do that."), ref=kind)
            return False
        # Every action is checked; a heartbeat notes presence each time but rechecks access
        # only now and then: revocations are pushed (access_recheck), and the ping's check
        # only catches a push that went missing — while the per-frame queries of a few hundred
        # heartbeats were what held a busy process's database thread up.
        access = kind != events.PING or time.monotonic() - self.access_checked_at >= ACCESS_RECHECK_ON_PING_S
        refusal = await self._refusal(access=access)
        if refusal == "removed":
            # Removed, but the kick never arrived (the layer delivers at most once).
            await self.room_kick({})
        elif refusal is not None:
            await self._refuse_no_longer_allowed()
        return refusal is None

    @database_sync_to_async
    def _refusal(self, *, access: bool) -> str | None:
        """Why this person may no longer be here ("removed", "not_allowed"), or None, in one
        trip to the database; with `access`, also whether their link and place in the course
        still hold: a revoked link or a withdrawal whose push went missing ends here."""
        if not rooms.participant_touch(participant_id=self.participant_id, visit_id=self.visit_id):
            return "removed"
        if not access:
            return None
        if course_person(course=self.session.course, learner=scope_learner(self.scope), user=self.scope["user"]) is None:
            return "not_allowed"
        self.access_checked_at = time.monotonic()
        return None

    async def access_recheck(self, event) -> bool:
        """The coordinator acted (a link revoked, a withdrawal): close the socket if this person
        is no longer one of the course's people."""
        if await self._person(self.session) is not None:
            return True
        await self._refuse_no_longer_allowed()
        return False

    async def _refuse_no_longer_allowed(self):
        await media_cut(session=self.session, participant_id=self.participant_id)
        await self._refuse(events.CLOSE_NOT_ALLOWED, "not_allowed", _("This class is not in your list."))

    async def after_pong(self):
        # A state lost on its way (a full queue, with no later one to show the hole) is sent again.
        version = await database_sync_to_async(rooms_read.room_state_version)(session_id=self.session.pk)
        last = self.relayed_last(events.STREAM_STATE)
        if last is not None and version > last:
            await self.after_hello()

    async def after_hello(self):
        await self.send(text_data=dumps(await database_sync_to_async(rooms_read.room_snapshot)(session=self.session)))

    def post_chat(self, frame) -> None:
        chat.chat_message_post(
            room_id=self.chat_id, client_id=frame.get("client_id"), text=frame.get("text"),
            author_name=self.person.name, author_role=self.role,
            author_learner=self.person.learner, author_user=self.person.user,
            may_post_when_locked=self.role == RoomRole.TEACHER,
        )

    async def on_hand_raise(self, frame):
        await self._change(rooms.hand_set, participant_id=self.participant_id, raised=True)

    async def on_hand_lower(self, frame):
        await self._change(rooms.hand_set, participant_id=self.participant_id, raised=False)

    async def on_quality(self, frame):
        await self._change(rooms.quality_set, participant_id=self.participant_id, level=str(frame.get("level", "")))

    async def on_signal(self, frame):
        """Relay WebRTC offers, answers and candidates. Learners talk only to the teacher."""
        target, data = frame.get("to"), signal_data_clean(frame.get("data"))
        if not isinstance(target, int) or isinstance(target, bool) or data is None:
            return await self._error("bad_field", _("That message could not be read."), ref="signal")
        target_role = await self._participant_role(target)
        if target_role is None:
            return await self._error("no_participant", _("That person is not in the class."), ref="signal")
        if RoomRole.TEACHER not in (self.role, target_role):
            return await self._error("forbidden", _("Only the teacher can do that."), ref="signal")
        await self._send_to(target, {"type": events.SIGNAL, "from": self.participant_id, "data": data})

    # ------------------------------------------------------------ teacher

    async def on_class_start(self, frame):
        record = frame.get("record", False)
        if not isinstance(record, bool):
            return await self._error("bad_field", _("That message could not be read."), ref="record")
        if await media_decide(session=self.session):
            await self._media_changed()
        await database_sync_to_async(rooms.class_start)(session=self.session)
        if record:  # the teacher's 录像 choice, sent with 开始上课
            await database_sync_to_async(self._recording_start)()
            await media_recording(session=self.session)  # with the SFU, Janus starts recording
        await self._broadcast_state()

    async def on_recording_set(self, frame):
        """The teacher starts or stops recording during class; every page's 正在录像 follows."""
        on = frame.get("on")
        if not isinstance(on, bool):
            return await self._error("bad_field", _("That message could not be read."), ref="on")
        if not await database_sync_to_async(self._recording_start if on else self._recording_stop)():
            return await self._error("not_live", _("The class is not on now, so nothing is being recorded."))
        await media_recording(session=self.session)  # with the SFU, Janus starts or stops (then processes)
        await self._broadcast_state()

    def _recording_start(self) -> bool:
        """False if the class is not on. With the SFU the video server records; in the
        embedded mode the teacher's browser does."""
        self.session.refresh_from_db(fields=["live_started_at", "live_ended_at", "media_mode"])
        if rooms_read.room_status(session=self.session) != "live":
            return False
        recording_start(session=self.session,
                        made_by=RecordingMaker.JANUS if self.session.media_mode == SFU else RecordingMaker.BROWSER)
        return True

    def _recording_stop(self) -> bool:
        recording_stop(session=self.session)
        return True

    async def on_class_end(self, frame):
        # Whoever still had a voice is told, as with mute.all, so their page turns the microphone off.
        for participant_id in await database_sync_to_async(rooms.class_end)(session=self.session):
            await self._send_to(participant_id, {"type": events.SPEAK, "allowed": False})
        # The recording is joined into files to watch again (the teacher's page sent its last
        # chunk before 下课); the video server's is processed once media_close has it.
        await database_sync_to_async(self._recording_stop)()
        # Pages hear that class is over before their video stops.
        await self._broadcast_state()
        await media_close(session=self.session)

    async def on_speak_allow(self, frame):
        await self._speak(frame, allowed=True)

    async def on_speak_revoke(self, frame):
        await self._speak(frame, allowed=False)

    async def _speak(self, frame, *, allowed: bool):
        target = frame.get("participant")
        ok = isinstance(target, int) and await database_sync_to_async(rooms.speak_set)(
            session=self.session, participant_id=target, allowed=allowed)
        if not ok:
            return await self._error("no_participant", _("That person is not in the class."))
        await self._send_to(target, {"type": events.SPEAK, "allowed": allowed})
        if not allowed:
            self._enforce_soon()
        await self._broadcast_state()

    async def on_mute_all(self, frame):
        for participant_id in await database_sync_to_async(rooms.mute_all)(session=self.session):
            await self._send_to(participant_id, {"type": events.SPEAK, "allowed": False})
        self._enforce_soon()
        await self._broadcast_state()

    async def on_participant_remove(self, frame):
        target = frame.get("participant")
        ok = isinstance(target, int) and await database_sync_to_async(rooms.participant_remove)(
            session=self.session, participant_id=target)
        if not ok:
            return await self._error("no_participant", _("That person is not in the class."))
        await self.channel_layer.group_send(events.participant_group(target), {"type": events.LAYER_KICK})
        await media_cut(session=self.session, participant_id=target)
        await self._broadcast_state()

    async def on_chat_lock(self, frame):
        locked = frame.get("locked", True)
        if not isinstance(locked, bool):
            return await self._error("bad_field", _("That message could not be read."), ref="locked")
        await self._change(chat.chat_set_locked, room_id=self.chat_id, locked=locked)

    async def on_chat_pin(self, frame):
        seq = frame.get("seq")
        if seq is not None and not isinstance(seq, int):
            return await self._error("bad_field", _("That message could not be read."), ref="seq")
        try:
            await self._change(chat.chat_pin, room_id=self.chat_id, seq=seq)
        except ValidationError as error:
            await self._error(error.code, error.messages[0])

    HANDLERS = {
        events.HELLO: ChatSocket.on_hello, events.PING: ChatSocket.on_ping, events.CHAT_SEND: ChatSocket.on_chat_send,
        events.HAND_RAISE: on_hand_raise, events.HAND_LOWER: on_hand_lower, events.QUALITY: on_quality,
        events.SIGNAL: on_signal, events.CLASS_START: on_class_start, events.CLASS_END: on_class_end,
        events.SPEAK_ALLOW: on_speak_allow, events.SPEAK_REVOKE: on_speak_revoke, events.MUTE_ALL: on_mute_all,
        events.PARTICIPANT_REMOVE: on_participant_remove, events.CHAT_LOCK: on_chat_lock, events.CHAT_PIN: on_chat_pin,
        events.RECORDING_SET: on_recording_set,
    }

    # ------------------------------------------------------------ frames out

    async def _change(self, service, **kwargs):
        """Run a service; the room hears a new state unless it says nothing changed (False)."""
        if await database_sync_to_async(service)(**kwargs) is not False:
            await self._broadcast_state()

    async def _broadcast_state(self):
        await room_state_changed(session=self.session, layer=self.channel_layer)

    async def _send_to(self, participant_id: int, payload: dict):
        await group_relay(self.channel_layer, events.participant_group(participant_id), dumps(payload))

    async def room_kick(self, event):
        await self.send(text_data=dumps({"type": events.REMOVED, "message": _("The teacher has asked you to leave.")}))
        await self.close(code=events.CLOSE_NOT_ALLOWED)

    # ------------------------------------------------------------ media (classes/live/media.py)

    async def _media(self) -> dict:
        """What this page needs for video in the room's mode. If the SFU will not take this person,
        the room decides again (it falls back to the embedded mode when the SFU is away)."""
        try:
            media = await media_for(session=self.session, participant_id=self.participant_id)
        except (sfu.JanusUnavailable, sfu.JanusRefused):
            if await media_decide(session=self.session):
                await self._media_changed()
            try:
                media = await media_for(session=self.session, participant_id=self.participant_id)
            except (sfu.JanusUnavailable, sfu.JanusRefused):
                media = {"mode": EMBEDDED}
        self.media_told = media
        return media

    async def _media_changed(self):
        """The room's mode changed: every socket tells its page what it needs now, and the state says so."""
        group = events.class_group(self.session.pk)
        await self.channel_layer.group_send(group, {"type": events.LAYER_MEDIA, "group": group})
        await self._broadcast_state()

    async def media_changed(self, event):
        """The room's mode changed, or the teacher arrived, or the room was made anew (a class
        started again): the SFU takes this person's token again, and the page hears what changed."""
        await database_sync_to_async(self.session.refresh_from_db)(fields=["media_mode", "media_fallback"])
        told = self.media_told
        media = await self._media()
        if media != told:
            await self.send(text_data=dumps({"type": events.MEDIA, **media}))

    async def _enforce_while_here(self):
        """While the teacher is here, the SFU carries no voice the server has not allowed."""
        while True:
            await asyncio.sleep(ENFORCE_EVERY_S)
            if not await media_enforce(session=self.session) and await media_decide(session=self.session):
                # The video server stopped answering: the room falls back to the embedded mode.
                await self._media_changed()

    def _enforce_soon(self):
        """After a voice is taken back: the page has a moment to stop sending, then the server makes sure."""
        async def enforce():
            await asyncio.sleep(ENFORCE_GRACE_S)
            await media_enforce(session=self.session)

        task = asyncio.get_running_loop().create_task(enforce())
        self.pending_enforcements = getattr(self, "pending_enforcements", set())
        self.pending_enforcements.add(task)
        task.add_done_callback(self.pending_enforcements.discard)

    # ------------------------------------------------------------ lookups

    @database_sync_to_async
    def _load_session(self, session_id):
        return ClassSession.objects.select_related("course", "chat").filter(pk=session_id, course__live=True).first()

    @database_sync_to_async
    def _person(self, session):
        return course_person(course=session.course, learner=scope_learner(self.scope), user=self.scope["user"])

    @database_sync_to_async
    def _signed_in(self):
        return scope_signed_in(self.scope)

    @database_sync_to_async
    def _participant_role(self, participant_id):
        return Participant.objects.filter(pk=participant_id, session=self.session, removed_at__isnull=True)\
            .values_list("role", flat=True).first()
