"""Learning groups, read: who is muted, the pinned banner, and unread counts for 我的课程."""

from django.db.models import Q

from classes.courses.people import CoursePerson
from classes.models import ChatMessage, ChatRoom, CoursePage, GroupMute, Learner, LearningGroup, ReadMark

# How many older messages one scroll up loads.
HISTORY_PAGE = 30


def chat_file_course(*, name: str) -> CoursePage | None:
    """The published course whose group holds this photo, thumbnail or voice file, or None
    (no such file, its message was removed, or its course is not published)."""
    if not name:
        return None
    room_id = (
        ChatMessage.objects.filter(Q(image=name) | Q(thumbnail=name) | Q(voice=name), deleted_at__isnull=True)
        .values_list("room_id", flat=True).first()
    )
    if room_id is None:
        return None
    return CoursePage.objects.live().filter(learning_group__chat_id=room_id).first()


def member_is_muted(*, group: LearningGroup, member: CoursePerson) -> bool:
    return GroupMute.objects.filter(group=group, **member.key).exists()


def pinned_text(*, chat_id: int) -> str:
    room = ChatRoom.objects.select_related("pinned").get(pk=chat_id)
    return room.pinned.text if room.pinned_id and not room.pinned.deleted_at else ""


def unread_count(*, course: CoursePage, learner: Learner | None = None, user=None) -> int:
    """Messages from others since the member last read the group."""
    group = LearningGroup.objects.filter(course=course).first()
    if group is None:
        return 0
    key = {"learner": learner} if learner else {"user": user}
    mark = ReadMark.objects.filter(chat_id=group.chat_id, **key).values_list("last_read_seq", flat=True).first() or 0
    mine = Q(author_learner=learner) if learner else Q(author_user=user)
    return ChatMessage.objects.filter(room_id=group.chat_id, seq__gt=mark, deleted_at__isnull=True).exclude(mine).count()
