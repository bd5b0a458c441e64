"""Recordings, read: who may watch and manage them, which a page offers, how long they are kept."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from classes.courses.people import CoursePerson
from classes.models import ClassSession, EnrolmentStatus, Recording, RecordingMaker, RecordingPart, RecordingSettings, RecordingStatus, RoomRole

# Who watches a class again: its learners with a seat, its teachers and the coordinators —
# not the volunteers, who help in class but were not asked to be in its recording's audience.
WATCHERS = frozenset({RoomRole.LEARNER, RoomRole.TEACHER, RoomRole.COORDINATOR})
# Who may delete a recording or keep it beyond the usual time.
KEEPERS = frozenset({RoomRole.TEACHER, RoomRole.COORDINATOR})
# How many of a course's latest recordings 我的课程 offers.
REPLAYS_LISTED = 3


def recording_may_watch(*, person: CoursePerson | None) -> bool:
    return person is not None and person.role in WATCHERS


def recording_may_manage(*, person: CoursePerson | None) -> bool:
    return person is not None and person.role in KEEPERS


def recording_running(*, session: ClassSession) -> Recording | None:
    """The recording being made of this class now, if any."""
    return Recording.objects.filter(session=session, status=RecordingStatus.RECORDING).first()


def recording_to_process(*, session: ClassSession) -> Recording | None:
    """The video server's recording of this class, stopped and waiting for its file."""
    return Recording.objects.filter(session=session, status=RecordingStatus.PROCESSING,
                                    made_by=RecordingMaker.JANUS, removed_at__isnull=True).first()


def recordings_ready(*, session: ClassSession | None = None) -> QuerySet[Recording]:
    """Recordings one can watch, newest class first."""
    recordings = Recording.objects.filter(status=RecordingStatus.READY, removed_at__isnull=True)\
        .select_related("session__course").order_by("-session__starts_at", "-created_at")
    if session is not None:
        recordings = recordings.filter(session=session)
    return recordings


def replays_of_learner(*, learner) -> dict[int, list[Recording]]:
    """The latest recordings (REPLAYS_LISTED) of each course the learner has a seat in, by
    course id: who may watch is the rule of recording_may_watch (a seat), read for all the
    learner's courses in one query, so 我的课程 costs the same however many courses they take."""
    by_course: dict[int, list[Recording]] = {}
    seated = recordings_ready().filter(session__course__enrolments__learner=learner,
                                       session__course__enrolments__status=EnrolmentStatus.ENROLLED)
    for recording in seated:
        listed = by_course.setdefault(recording.session.course_id, [])
        if len(listed) < REPLAYS_LISTED:
            listed.append(recording)
    return by_course


def recording_parts(*, recording: Recording) -> list[RecordingPart]:
    """The files to play, in order."""
    return list(recording.parts.exclude(file="").order_by("number"))


def recording_for_file(*, name: str) -> Recording | None:
    """The watchable recording a file belongs to, for the view that serves it."""
    part = RecordingPart.objects.select_related("recording__session__course")\
        .filter(file=name, recording__removed_at__isnull=True).first()
    return part.recording if part is not None else None


def recording_keep_days() -> int:
    return RecordingSettings.load().keep_days


def recording_length_words(*, recording: Recording) -> str:
    seconds = recording.duration_seconds
    if not seconds:
        return ""
    minutes, seconds = divmod(seconds, 60)
    if minutes:
        return _("%(minutes)s min %(seconds)s s") % {"minutes": minutes, "seconds": seconds}
    return _("%(seconds)s s") % {"seconds": seconds}
