"""Live class rooms, read: the room's state as every page draws it, and who came to past classes."""

import math
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from classes.live.sfu import sfu_configured
from classes.live.strings import classroom_strings
from classes.recordings.selectors import recording_running
from classes.models import ChatRoom, ClassSession, Enrolment, EnrolmentStatus, Participant, RoomRole, SeatPool
from core.timefmt import class_time, class_time_by_language

# A socket that has sent nothing for this long is presumed gone (its process may have died).
PRESENCE_TIMEOUT = timedelta(seconds=75)
# Further ahead than this, a waiting page gives the class's date and time; closer, the minutes
# to go, which is what someone watching the clock before class wants to read.
COUNTDOWN_FROM_MINUTES = 60


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


def _next_session(session: ClassSession) -> ClassSession | None:
    return (
        ClassSession.objects.filter(course_id=session.course_id, starts_at__gt=session.starts_at,
                                    cancelled_at__isnull=True)
        .order_by("starts_at").first()
    )


def room_status_words(*, session: ClassSession, for_teacher: bool, now=None) -> str:
    """What the class page says first, before its socket speaks; the same rules as
    statusWords in static/js/classroom-room.js, which says it from then on."""
    words = classroom_strings()
    now = now or timezone.now()
    status = room_status(session=session)
    if status == "ended":
        following = _next_session(session)
        return words["ended"] + (" " + words["nextClass"] % {"time": class_time(following.starts_at)}
                                 if following else "")
    if status == "live":
        teachers = Participant.objects.filter(session=session, role=RoomRole.TEACHER, removed_at__isnull=True)
        return words["live"] if for_teacher or any(_is_online(t, now) for t in teachers) else words["teacherDropped"]
    minutes = math.ceil((session.starts_at - now).total_seconds() / 60)
    if minutes > COUNTDOWN_FROM_MINUTES:
        return words["startsOn"] % {"time": class_time(session.starts_at)}
    if minutes > 0:
        return words["startsIn"] % {"minutes": minutes}
    return words["teacherWaiting"] if for_teacher else words["waiting"]


def room_snapshot(*, session: ClassSession) -> dict:
    """Everything a client needs to draw the room; broadcast whole after each change."""
    session.refresh_from_db(fields=["live_started_at", "live_ended_at", "chat", "state_version", "media_mode",
                                    "media_fallback"])
    now = timezone.now()
    everyone = list(Participant.objects.filter(session=session, removed_at__isnull=True).order_by("role", "pk"))
    # The desk camera is no person: it is left out of the list (presence, hands, the count) and
    # said on its own, so every page knows whether there is a desk view to show.
    people = [p for p in everyone if p.role != RoomRole.DESK]
    desk = next((p for p in everyone if p.role == RoomRole.DESK), None)
    chat = ChatRoom.objects.select_related("pinned").filter(pk=session.chat_id).first()
    next_session = _next_session(session)
    recording = recording_running(session=session)
    return {
        "type": "state",
        # Increases with every broadcast state: a page keeps the newest it has seen (frames from
        # several server processes can arrive out of order), a socket notices one it missed.
        "version": session.state_version,
        "status": room_status(session=session),
        "media": session.media_mode or "embedded",
        "media_notice": media_notice(session=session),
        "starts_at": session.starts_at.isoformat(),
        # The words in each language (the state is built once for every page): a page picks its own.
        "next_class": class_time_by_language(next_session.starts_at) if next_session else {},
        "chat_locked": bool(chat and chat.locked),
        # Every page says 正在录像 while this is true; the teacher's browser records when it is "browser".
        "recording": recording is not None,
        "recording_by": recording.made_by if recording else "",
        "pinned": chat.pinned.text if chat and chat.pinned_id and not chat.pinned.deleted_at else "",
        "desk": {"id": desk.pk, "name": desk.name, "online": _is_online(desk, now)} if desk else None,
        "participants": [
            {
                "id": p.pk, "name": p.name, "role": p.role, "online": _is_online(p, now),
                "hand": p.hand_raised_at is not None, "may_speak": p.may_speak, "quality": p.quality,
            }
            for p in people
        ],
    }


def online_learners_count(*, course) -> int:
    """Learners with an online seat: who may be in the live room at once."""
    return Enrolment.objects.filter(course=course, pool=SeatPool.ONLINE, status=EnrolmentStatus.ENROLLED).count()


# What the room's state says about how the video travels when it is not the usual way; each
# page says it in its reader's language (classes/live/strings.py).
NOTICE_SFU_AWAY = "sfu_away"
NOTICE_SFU_AWAY_CROWDED = "sfu_away_crowded"


def media_notice(*, session: ClassSession) -> str:
    """"" as usual; NOTICE_SFU_AWAY when the video server did not answer and the teacher's
    browser sends the video; NOTICE_SFU_AWAY_CROWDED when, besides, the class is larger than that carries."""
    if not session.media_fallback:
        return ""
    if online_learners_count(course=session.course) > settings.EMBEDDED_MAX_LEARNERS:
        return NOTICE_SFU_AWAY_CROWDED
    return NOTICE_SFU_AWAY


def media_capacity_warning(*, course) -> str:
    """For the teacher and the coordinators before class: more learners than the teacher's
    browser can send to, and no video server to help."""
    if sfu_configured():
        return ""
    learners = online_learners_count(course=course)
    if learners <= settings.EMBEDDED_MAX_LEARNERS:
        return ""
    return _(
        "%(count)s learners have an online seat, but without the video server the teacher's browser can send "
        "the class to %(most)s at most. Please ask the centre to switch the video server on before class."
    ) % {"count": learners, "most": settings.EMBEDDED_MAX_LEARNERS}


def room_state_version(*, session_id: int) -> int:
    return ClassSession.objects.values_list("state_version", flat=True).get(pk=session_id)


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
            Participant.objects.filter(session=session, visits__isnull=False).exclude(role=RoomRole.DESK)
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
