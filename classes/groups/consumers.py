"""The learning-group socket: a course's chat between classes. Thin over classes.groups."""

from channels.db import database_sync_to_async
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from classes import events
from classes.courses.learner_session import scope_learner, scope_signed_in
from classes.courses.people import CoursePerson, course_person
from classes.groups import services as groups
from classes.groups.selectors import pinned_text
from classes.live.chat_socket import ChatSocket
from classes.models import ChatMessage, ChatRoom, CoursePage
from core.sockets import dumps


class GroupChatConsumer(ChatSocket):
    member: CoursePerson

    async def connect(self):
        await self.accept()
        member = await self._member(self.scope["url_route"]["kwargs"]["course_id"])
        if member is None:
            return await self._refuse_outsider()
        self.member = member
        self.chat_id = await database_sync_to_async(lambda: groups.group_for_course(course=member.course).chat_id)()
        learner_groups = [events.learner_group(member.learner.pk)] if member.learner is not None else []
        await self.groups_join(shared=[events.chat_group(self.chat_id)], own=learner_groups)
        self.member_key = await database_sync_to_async(groups.group_rate_key)(member=member)
        await self.send(text_data=dumps({"type": events.WELCOME, "role": member.role,
                                          "last_seq": await database_sync_to_async(lambda: ChatRoom.objects.get(
                                              pk=self.chat_id).last_seq)()}))

    async def disconnect(self, code):
        await self._leave_groups()

    async def _leave_groups(self):
        await self.groups_leave()
        self.member_key = None  # later frames are ignored, as before connect

    async def _refuse_outsider(self):
        if not await self._signed_in():
            return await self._refuse(events.CLOSE_NOT_SIGNED_IN, "not_signed_in",
                                      _("Please open your personal class link again."))
        return await self._refuse(events.CLOSE_NOT_ALLOWED, "not_allowed", _("This group is not yours."))

    async def before_action(self, kind: str) -> bool:
        """Authorise every frame, not only the connection: a learner who withdrew, a card that was
        replaced or a volunteer taken off the group is closed at their next frame (ping included),
        and at once when the coordinator's change is pushed (access_recheck)."""
        return await self.access_recheck({})

    async def access_recheck(self, event) -> bool:
        if self.member_key is None:
            return False
        member = await self._member(self.scope["url_route"]["kwargs"]["course_id"])
        if member is None:
            await self._leave_groups()
            await self._refuse_outsider()
            return False
        self.member = member
        return True

    async def after_hello(self):
        text = await database_sync_to_async(pinned_text)(chat_id=self.chat_id)
        await self.send(text_data=dumps({"type": events.PINNED, "text": text}))

    def chat_rate_key(self) -> str:
        return self.member_key  # shared with photo and voice uploads

    def post_chat(self, frame) -> None:
        groups.group_post(member=self.member, client_id=frame.get("client_id"), text=frame.get("text"))

    async def on_read(self, frame):
        seq = frame.get("seq")
        if not isinstance(seq, int) or seq < 0:
            return await self._error("bad_field", _("That message could not be read."), ref="seq")
        await database_sync_to_async(groups.read_mark_set)(member=self.member, seq=seq)

    async def _moderate(self, action, frame):
        seq = frame.get("seq")
        if seq is not None and not isinstance(seq, int):
            return await self._error("bad_field", _("That message could not be read."), ref="seq")
        try:
            await database_sync_to_async(action)(seq)
        except PermissionDenied:
            await self._error("forbidden", _("Only the teacher can do that."), ref=frame["type"])
        except ValidationError as error:
            await self._error(error.code or "invalid", error.messages[0])

    async def on_chat_delete(self, frame):
        def delete(seq):
            groups.group_delete_message(member=self.member, seq=seq)
        await self._moderate(delete, frame)

    async def on_chat_pin(self, frame):
        def pin(seq):
            groups.group_pin(member=self.member, seq=seq)
        await self._moderate(pin, frame)

    async def on_member_mute(self, frame):
        def mute(seq):
            target = ChatMessage.objects.filter(room_id=self.chat_id, seq=seq).first()
            if target is None:
                raise ValidationError(_("That message is no longer there."), code="no_message")
            muted = frame.get("muted", True)
            if not isinstance(muted, bool):
                raise ValidationError(_("That message could not be read."), code="bad_field")
            groups.group_mute(member=self.member, target=target, muted=muted)
        await self._moderate(mute, frame)

    HANDLERS = {
        events.HELLO: ChatSocket.on_hello, events.PING: ChatSocket.on_ping, events.CHAT_SEND: ChatSocket.on_chat_send,
        events.READ: on_read, events.CHAT_DELETE: on_chat_delete, events.CHAT_PIN: on_chat_pin,
        events.MEMBER_MUTE: on_member_mute,
    }

    @database_sync_to_async
    def _member(self, course_id):
        course = CoursePage.objects.live().filter(pk=course_id).first()
        if course is None:
            return None
        return course_person(course=course, learner=scope_learner(self.scope), user=self.scope["user"])

    @database_sync_to_async
    def _signed_in(self):
        return scope_signed_in(self.scope)
