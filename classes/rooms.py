"""Live class rooms: who may come in, who is here, hands, voices and the class's state.

Everything a room knows lives in the database (Participant, Visit, ClassSession),
so every Daphne process sees the same room and a reconnecting learner gets
their raised hand back.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from classes import selectors
from classes.chat import chat_room_create
from classes.models import ChatRoom, ClassSession, DeviceCheck, Learner, Participant, RoomRole, Visit
from classes.roles import VOLUNTEERS
from home.templatetags.site_tags import class_time

# A socket that has sent nothing for this long is presumed gone (its process may have died).
PRESENCE_TIMEOUT = timedelta(seconds=75)


@dataclass
class RoomAccess:
    role: str
    name: str
    learner: Learner | None = None
    user: AbstractBaseUser | None = None


def room_access(*, session: ClassSession, learner: Learner | None, user) -> RoomAccess | None:
    """Who this person is in the room, or None if the class is not theirs."""
    course = session.course
    if learner is not None:
        if selectors.learner_may_attend(learner=learner, course=course):
            return RoomAccess(RoomRole.LEARNER, learner.name, learner=learner)
        return None
    if not user.is_authenticated:
        return None
    name = user.get_full_name() or user.get_username()
    teacher = getattr(user, "teacher", None)
    if teacher is not None and course.teachers.filter(pk=teacher.pk).exists():
        return RoomAccess(RoomRole.TEACHER, teacher.name, user=user)
    if selectors.user_is_coordinator(user):
        return RoomAccess(RoomRole.COORDINATOR, name, user=user)
    if user.groups.filter(name=VOLUNTEERS).exists():
        return RoomAccess(RoomRole.VOLUNTEER, name, user=user)
    return None


def room_chat_id(*, session: ClassSession) -> int:
    """The class's chat, created the first time anyone needs it."""
    if session.chat_id is None:
        with transaction.atomic():
            locked = ClassSession.objects.select_for_update().get(pk=session.pk)
            if locked.chat_id is None:
                locked.chat = chat_room_create()
                locked.save(update_fields=["chat"])
            session.chat_id = locked.chat_id
    return session.chat_id


def participant_join(*, session: ClassSession, access: RoomAccess) -> tuple[Participant, Visit] | None:
    """Count one more socket for this person and open a visit; None if the teacher removed them."""
    with transaction.atomic():
        key = {"learner": access.learner} if access.learner else {"user": access.user}
        participant, _created = Participant.objects.select_for_update().get_or_create(
            session=session, **key, defaults={"name": access.name, "role": access.role}
        )
        if participant.removed_at is not None:
            return None
        Participant.objects.filter(pk=participant.pk).update(
            connections=F("connections") + 1, last_seen_at=timezone.now()
        )
        visit = Visit.objects.create(participant=participant)
    return participant, visit


def participant_leave(*, participant_id: int, visit_id: int) -> None:
    now = timezone.now()
    with transaction.atomic():
        Participant.objects.filter(pk=participant_id, connections__gt=0).update(connections=F("connections") - 1)
        Visit.objects.filter(pk=visit_id, left_at__isnull=True).update(left_at=now)


def participant_touch(*, participant_id: int) -> bool:
    """Note the person is still here; False if the teacher has removed them."""
    return bool(
        Participant.objects.filter(pk=participant_id, removed_at__isnull=True).update(last_seen_at=timezone.now())
    )


def _is_online(participant: Participant, now) -> bool:
    return (
        participant.connections > 0
        and participant.removed_at is None
        and participant.last_seen_at is not None
        and now - participant.last_seen_at < PRESENCE_TIMEOUT
    )


def room_status(*, session: ClassSession) -> str:
    """"waiting" (before the teacher starts), "live" or "ended"."""
    if session.live_ended_at:
        return "ended"
    if session.live_started_at:
        return "live"
    return "waiting"


def room_snapshot(*, session: ClassSession) -> dict:
    """Everything a client needs to draw the room; broadcast whole after each change."""
    session.refresh_from_db(fields=["live_started_at", "live_ended_at", "chat"])
    now = timezone.now()
    people = Participant.objects.filter(session=session, removed_at__isnull=True).order_by("role", "pk")
    chat = ChatRoom.objects.select_related("pinned").filter(pk=session.chat_id).first()
    next_session = (
        ClassSession.objects.filter(course_id=session.course_id, starts_at__gt=session.starts_at)
        .order_by("starts_at").first()
    )
    return {
        "type": "state",
        "status": room_status(session=session),
        "starts_at": session.starts_at.isoformat(),
        "next_class": class_time(next_session.starts_at) if next_session else "",
        "chat_locked": bool(chat and chat.locked),
        "pinned": chat.pinned.text if chat and chat.pinned_id and not chat.pinned.deleted_at else "",
        "participants": [
            {
                "id": p.pk, "name": p.name, "role": p.role, "online": _is_online(p, now),
                "hand": p.hand_raised_at is not None, "may_speak": p.may_speak, "quality": p.quality,
            }
            for p in people
        ],
    }


def class_start(*, session: ClassSession) -> None:
    ClassSession.objects.filter(pk=session.pk, live_started_at__isnull=True).update(live_started_at=timezone.now())
    # Starting again after an early "end" reopens the room.
    ClassSession.objects.filter(pk=session.pk).update(live_ended_at=None)


def class_end(*, session: ClassSession) -> list[int]:
    """End the class, lowering every hand and taking every voice back; returns who had a voice."""
    with transaction.atomic():
        ClassSession.objects.filter(pk=session.pk).update(live_ended_at=timezone.now())
        speaking = mute_all(session=session)
        Participant.objects.filter(session=session).update(may_speak=False, hand_raised_at=None)
    return speaking


def hand_set(*, participant_id: int, raised: bool) -> None:
    Participant.objects.filter(pk=participant_id).update(hand_raised_at=timezone.now() if raised else None)


def speak_set(*, session: ClassSession, participant_id: int, allowed: bool) -> bool:
    """Let one learner speak (lowering their hand), or take it back. False if no such learner here."""
    changes = {"may_speak": allowed}
    if allowed:
        changes["hand_raised_at"] = None
    return bool(
        Participant.objects.filter(pk=participant_id, session=session, removed_at__isnull=True).update(**changes)
    )


def mute_all(*, session: ClassSession) -> list[int]:
    """Take everyone's voice back; returns who had it."""
    with transaction.atomic():
        speaking = list(
            Participant.objects.select_for_update().filter(session=session, may_speak=True).values_list("pk", flat=True)
        )
        Participant.objects.filter(pk__in=speaking).update(may_speak=False)
    return speaking


def participant_remove(*, session: ClassSession, participant_id: int) -> bool:
    return bool(
        Participant.objects.filter(pk=participant_id, session=session)
        .exclude(role=RoomRole.TEACHER)
        .update(removed_at=timezone.now(), may_speak=False, hand_raised_at=None)
    )


QUALITY_LEVELS = ("good", "poor", "bad")


def quality_set(*, participant_id: int, level: str) -> None:
    if level in QUALITY_LEVELS:
        Participant.objects.filter(pk=participant_id).update(quality=level)


# How many past classes the roster's attendance table shows.
ATTENDANCE_SESSIONS = 6


def course_attendance(*, course) -> list[dict]:
    """For the course's latest classes that have begun: who came, and from when to when."""
    sessions = (
        ClassSession.objects.filter(course=course, starts_at__lte=timezone.now())
        .order_by("-starts_at")[:ATTENDANCE_SESSIONS]
    )
    rows = []
    for session in sessions:
        people = (
            Participant.objects.filter(session=session, visits__isnull=False)
            .distinct().prefetch_related("visits").order_by("role", "name")
        )
        rows.append({
            "session": session,
            "people": [
                {"name": p.name, "role": p.get_role_display(),
                 "joined": min(v.joined_at for v in p.visits.all()),
                 "left": None if any(v.left_at is None for v in p.visits.all())
                 else max(v.left_at for v in p.visits.all())}
                for p in people
            ],
        })
    return rows


def device_check_record(*, session: ClassSession, access: RoomAccess, result: dict, user_agent: str) -> DeviceCheck:
    def flag(name):
        value = result.get(name)
        return value if isinstance(value, bool) else None

    return DeviceCheck.objects.create(
        learner=access.learner, user=access.user, session=session, sound_heard=flag("sound_heard"),
        camera_ok=flag("camera_ok"), microphone_ok=flag("microphone_ok"), user_agent=user_agent[:300],
    )
