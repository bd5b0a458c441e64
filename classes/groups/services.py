"""Learning groups, what changes them: the group made on first use, posts, moderation
and read marks. A member is the course's person (classes.courses.people): the group is
the course's, so the course's people are its members."""

import json

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from classes import events
from classes.courses.people import CoursePerson
from classes.groups.selectors import member_is_muted, pinned_text
from classes.live import chat
from classes.models import ChatMessage, CoursePage, GroupMute, LearningGroup, ReadMark, RoomRole
from core.sockets import group_relay


def group_for_course(*, course: CoursePage) -> LearningGroup:
    """The course's group, made the first time anyone opens it."""
    group = LearningGroup.objects.filter(course=course).select_related("chat").first()
    if group is None:
        with transaction.atomic():
            CoursePage.objects.select_for_update(of=("self",)).get(pk=course.pk)
            group = LearningGroup.objects.filter(course=course).first() or LearningGroup.objects.create(
                course=course, chat=chat.chat_room_create())
    return group


def group_rate_key(*, member: CoursePerson) -> str:
    """One budget of messages a minute per member, whether typed, photographed or spoken."""
    return f"chat:{group_for_course(course=member.course).chat_id}:{member.who}"


def group_post(*, member: CoursePerson, client_id, text="", attachments: dict | None = None) -> ChatMessage:
    group = group_for_course(course=member.course)
    if member_is_muted(group=group, member=member):
        raise ValidationError(_("The teacher has paused your messages in this group."), code="muted")
    message, _created = chat.chat_message_post(
        room_id=group.chat_id, client_id=client_id, text=text, attachments=attachments,
        author_name=member.name, author_role=member.role, author_learner=member.learner, author_user=member.user,
        may_post_when_locked=member.moderates,
    )
    return message


def group_delete_message(*, member: CoursePerson, seq: int) -> None:
    if not member.moderates:
        raise PermissionDenied
    chat_id = group_for_course(course=member.course).chat_id
    chat.chat_message_delete(room_id=chat_id, seq=seq)
    # The pinned banner shows a message's text: a removed message must leave it too.
    pinned_broadcast(chat_id=chat_id)


def group_mute(*, member: CoursePerson, target: ChatMessage, muted: bool) -> None:
    """Mute (or unmute) the author of a message; teachers and coordinators only."""
    if not member.moderates:
        raise PermissionDenied
    if target.author_role in (RoomRole.TEACHER, RoomRole.COORDINATOR):
        raise ValidationError(_("Teachers and coordinators cannot be muted."), code="cannot_mute")
    group = group_for_course(course=member.course)
    key = {"learner": target.author_learner} if target.author_learner_id else {"user": target.author_user}
    if muted:
        GroupMute.objects.get_or_create(group=group, **key)
    else:
        GroupMute.objects.filter(group=group, **key).delete()


def group_pin(*, member: CoursePerson, seq: int | None) -> None:
    if not member.moderates:
        raise PermissionDenied
    chat_id = group_for_course(course=member.course).chat_id
    chat.chat_pin(room_id=chat_id, seq=seq)
    pinned_broadcast(chat_id=chat_id)


def read_mark_set(*, member: CoursePerson, seq: int) -> None:
    chat_id = group_for_course(course=member.course).chat_id
    # Never past the chat's end: a number from the future (a forged frame, a restored database)
    # would hide every later message from the unread count, and one past 2**63 does not fit the column.
    seq = min(seq, chat.chat_last_seq(room_id=chat_id))
    mark, _created = ReadMark.objects.get_or_create(chat_id=chat_id, **member.key)
    if seq > mark.last_read_seq:
        ReadMark.objects.filter(pk=mark.pk, last_read_seq__lt=seq).update(last_read_seq=seq)


def pinned_broadcast(*, chat_id: int) -> None:
    frame = json.dumps({"type": events.PINNED, "text": pinned_text(chat_id=chat_id)}, ensure_ascii=False)
    async_to_sync(group_relay)(get_channel_layer(), events.chat_group(chat_id), frame)
