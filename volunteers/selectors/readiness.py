"""Is a learner ready for class? Four steps on their own phone — link opened, device
check passed, practice room joined, first class attended — or a setup visit at the centre."""

from dataclasses import dataclass

from django.db.models import F

from classes.models import CoursePage, DeviceCheck, Enrolment, EnrolmentStatus, JoinLink, Learner, Participant, Visit
from volunteers.models import SetupBooking


@dataclass(frozen=True)
class Readiness:
    link_opened: bool = False
    device_checked: bool = False
    practice_joined: bool = False
    attended: bool = False
    checked_in: bool = False

    @property
    def ready(self) -> bool:
        # Attending a class, or being set up at the centre, proves it; otherwise all three first steps.
        return self.attended or self.checked_in or (self.link_opened and self.device_checked and self.practice_joined)

    @property
    def next_step(self) -> str:
        """The first step not yet done, for the volunteer's call: link_opened, device_checked, practice_joined, or ""."""
        for step in ("link_opened", "device_checked", "practice_joined"):
            if not getattr(self, step):
                return step
        return ""


def readiness_for_course(*, course: CoursePage, learner_ids=None) -> dict[int, Readiness]:
    """Each learner with a seat in the course (or the given learners), in five queries."""
    if learner_ids is None:
        learner_ids = list(
            Enrolment.objects.filter(course=course, status=EnrolmentStatus.ENROLLED).values_list("learner_id", flat=True)
        )
    learner_ids = list(learner_ids)
    opened = set(
        JoinLink.objects.filter(course=course, learner_id__in=learner_ids, last_used_at__isnull=False)
        .values_list("learner_id", flat=True)
    )
    checked = set(
        DeviceCheck.objects.filter(learner_id__in=learner_ids, sound_heard=True).values_list("learner_id", flat=True)
    )
    joined = set(
        Participant.objects.filter(session__course=course, learner_id__in=learner_ids).values_list("learner_id", flat=True)
    )
    attended = set(
        Visit.objects.filter(
            participant__session__course=course, participant__learner_id__in=learner_ids,
            participant__session__live_started_at__isnull=False,
            joined_at__gte=F("participant__session__live_started_at"),
        ).values_list("participant__learner_id", flat=True)
    )
    checked_in = set(
        SetupBooking.objects.filter(learner_id__in=learner_ids, checked_in_at__isnull=False)
        .values_list("learner_id", flat=True)
    )
    return {
        learner_id: Readiness(
            link_opened=learner_id in opened, device_checked=learner_id in checked,
            practice_joined=learner_id in joined, attended=learner_id in attended, checked_in=learner_id in checked_in,
        )
        for learner_id in learner_ids
    }


def readiness_of(*, learner: Learner, course: CoursePage) -> Readiness:
    return readiness_for_course(course=course, learner_ids=[learner.pk])[learner.pk]


@dataclass(frozen=True)
class CourseReadiness:
    ready: int
    seated: int


def summarise_readiness(readiness: dict[int, Readiness]) -> CourseReadiness:
    """"18/24 已准备好": learners with a seat who are ready, of all with a seat."""
    return CourseReadiness(ready=sum(1 for r in readiness.values() if r.ready), seated=len(readiness))


def course_readiness(*, course: CoursePage) -> CourseReadiness:
    return summarise_readiness(readiness_for_course(course=course))
