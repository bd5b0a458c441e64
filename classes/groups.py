"""Learning groups: who belongs, what they may do, and the unread counts on 我的课程."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from classes import chat, selectors
from classes.models import (
    ChatMessage,
    CoursePage,
    EnrolmentStatus,
    GroupMute,
    Learner,
    LearningGroup,
    ReadMark,
    RoomRole,
)

# How many older messages one scroll up loads.
HISTORY_PAGE = 30


@dataclass
class Member:
    group: LearningGroup
    role: str
    name: str
    learner: Learner | None = None
    user: AbstractBaseUser | None = None

    @property
    def key(self) -> dict:
        return {"learner": self.learner} if self.learner else {"user": self.user}

    @property
    def rate_key(self) -> str:
        """One budget of messages a minute per member, whether typed, photographed or spoken."""
        who = f"learner:{self.learner.pk}" if self.learner else f"user:{self.user.pk}"
        return f"chat:{self.group.chat_id}:{who}"

    @property
    def moderates(self) -> bool:
        return self.role in (RoomRole.TEACHER, RoomRole.COORDINATOR)


def group_for_course(*, course: CoursePage) -> LearningGroup:
    """The course's group, made the first time anyone opens it."""
    group = LearningGroup.objects.filter(course=course).select_related("chat").first()
    if group is None:
        with transaction.atomic():
            CoursePage.objects.select_for_update(of=("self",)).get(pk=course.pk)
            group = LearningGroup.objects.filter(course=course).first() or LearningGroup.objects.create(
                course=course, chat=chat.chat_room_create())
    return group


def group_member(*, course: CoursePage, learner: Learner | None, user) -> Member | None:
    """The person as a member of the course's group, or None: only members read or write."""
    if learner is not None:
        if learner.enrolments.filter(course=course, status=EnrolmentStatus.ENROLLED).exists():
            return Member(group_for_course(course=course), RoomRole.LEARNER, learner.name, learner=learner)
        return None
    if user is None or not user.is_authenticated:
        return None
    teacher = getattr(user, "teacher", None)
    if teacher is not None and course.teachers.filter(pk=teacher.pk).exists():
        return Member(group_for_course(course=course), RoomRole.TEACHER, teacher.name, user=user)
    name = user.get_full_name() or user.get_username()
    if selectors.user_is_coordinator(user):
        return Member(group_for_course(course=course), RoomRole.COORDINATOR, name, user=user)
    group = group_for_course(course=course)
    if group.volunteers.filter(pk=user.pk).exists():
        return Member(group, RoomRole.VOLUNTEER, name, user=user)
    return None


def member_is_muted(*, member: Member) -> bool:
    return GroupMute.objects.filter(group=member.group, **member.key).exists()


def group_post(*, member: Member, client_id, text="", attachments: dict | None = None) -> ChatMessage:
    if member_is_muted(member=member):
        raise ValidationError(_("The teacher has paused your messages in this group."), code="muted")
    message, _created = chat.chat_message_post(
        room_id=member.group.chat_id, client_id=client_id, text=text, attachments=attachments,
        author_name=member.name, author_role=member.role, author_learner=member.learner, author_user=member.user,
        may_post_when_locked=member.moderates,
    )
    return message


def group_delete_message(*, member: Member, seq: int) -> None:
    if not member.moderates:
        raise PermissionDenied
    chat.chat_message_delete(room_id=member.group.chat_id, seq=seq)


def group_mute(*, member: Member, target: ChatMessage, muted: bool) -> None:
    """Mute (or unmute) the author of a message; teachers and coordinators only."""
    if not member.moderates:
        raise PermissionDenied
    if target.author_role in (RoomRole.TEACHER, RoomRole.COORDINATOR):
        raise ValidationError(_("Teachers and coordinators cannot be muted."), code="cannot_mute")
    key = {"learner": target.author_learner} if target.author_learner_id else {"user": target.author_user}
    if muted:
        GroupMute.objects.get_or_create(group=member.group, **key)
    else:
        GroupMute.objects.filter(group=member.group, **key).delete()


def group_pin(*, member: Member, seq: int | None) -> None:
    if not member.moderates:
        raise PermissionDenied
    chat.chat_pin(room_id=member.group.chat_id, seq=seq)


def read_mark_set(*, member: Member, seq: int) -> None:
    # Never past the chat's end: a number from the future (a forged frame, a restored database)
    # would hide every later message from the unread count, and one past 2**63 does not fit the column.
    seq = min(seq, chat.chat_last_seq(room_id=member.group.chat_id))
    mark, _created = ReadMark.objects.get_or_create(chat_id=member.group.chat_id, **member.key)
    if seq > mark.last_read_seq:
        ReadMark.objects.filter(pk=mark.pk, last_read_seq__lt=seq).update(last_read_seq=seq)


def unread_count(*, course: CoursePage, learner: Learner | None = None, user=None) -> int:
    """Messages from others since the member last read the group."""
    group = LearningGroup.objects.filter(course=course).first()
    if group is None:
        return 0
    key = {"learner": learner} if learner else {"user": user}
    mark = ReadMark.objects.filter(chat_id=group.chat_id, **key).values_list("last_read_seq", flat=True).first() or 0
    mine = Q(author_learner=learner) if learner else Q(author_user=user)
    return ChatMessage.objects.filter(room_id=group.chat_id, seq__gt=mark, deleted_at__isnull=True).exclude(mine).count()
