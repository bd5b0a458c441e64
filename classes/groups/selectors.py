"""Learning groups, read: who is muted, the pinned banner, and unread counts for 我的课程."""

from django.db.models import Count, Q

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


def unread_count(*, course: CoursePage, learner: Learner) -> int:
    """Messages from others since the learner last read the course's group."""
    return unread_counts(courses=[course], learner=learner).get(course.pk, 0)


def unread_counts(*, courses, learner: Learner) -> dict[int, int]:
    """course id → messages from others since the learner last read its group, for each of
    `courses` that has a group; three queries however many courses (我的课程 lists them all)."""
    chats = dict(LearningGroup.objects.filter(course__in=courses).values_list("course_id", "chat_id"))
    if not chats:
        return {}
    marks = dict(ReadMark.objects.filter(chat_id__in=chats.values(), learner=learner)
                 .values_list("chat_id", "last_read_seq"))
    after_mark = Q()
    for chat_id in chats.values():
        after_mark |= Q(room_id=chat_id, seq__gt=marks.get(chat_id, 0))
    counted = dict(
        ChatMessage.objects.filter(after_mark, deleted_at__isnull=True).exclude(author_learner=learner)
        .order_by().values("room_id").annotate(unread=Count("pk")).values_list("room_id", "unread")
    )
    return {course_id: counted.get(chat_id, 0) for course_id, chat_id in chats.items()}
