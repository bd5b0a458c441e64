"""Is a learner ready for class? The one definition every page, list and count uses.

Steps a learner takes on their own phone: the course's personal link opened, the device
check passed (the test sound heard), a class of the course attended. Opening the link
and passing the device check together make them ready. Proofs that make them ready on
their own: a class attended, checked in at a setup visit at the centre, or a volunteer's
call for the course logged as 已加入 (the volunteer heard them in the class room)."""

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import product

from django.db.models import F
from django.utils.translation import gettext_lazy as _

from classes.models import CoursePage, DeviceCheck, Enrolment, EnrolmentStatus, JoinLink, Learner, Visit
from volunteers.models import CallLog, CallOutcome, SetupBooking

# The steps a learner can take themselves, in the order a volunteer talks them through,
# with the words every page shows (templates/volunteers/readiness_steps.html, the export).
READINESS_STEP_LABELS = (
    ("link_opened", _("open the personal link")),
    ("device_checked", _("device check")),
    ("attended", _("come to a class")),
)
# Link and device check together are enough: the class itself need not have happened yet.
READY_STEPS = ("link_opened", "device_checked")

# Why a ready learner counts as ready, strongest proof first, in words.
READINESS_PROOF_LABELS = (
    ("attended", _("came to a class")),
    ("checked_in", _("set up at the centre")),
    ("call_confirmed", _("joined on a volunteer's call")),
    ("link_opened", _("link opened and device checked")),
)


@dataclass(frozen=True)
class StepShown:
    key: str
    label: str
    done: bool


@dataclass(frozen=True)
class Readiness:
    link_opened: bool = False
    device_checked: bool = False
    attended: bool = False
    checked_in: bool = False
    call_confirmed: bool = False

    @property
    def ready(self) -> bool:
        return self.attended or self.checked_in or self.call_confirmed or (self.link_opened and self.device_checked)

    @property
    def next_step(self) -> str:
        """The first step the learner still has to take, for the volunteer's call:
        link_opened, device_checked, or "" once ready."""
        if self.ready:
            return ""
        for step in READY_STEPS:
            if not getattr(self, step):
                return step
        return ""

    @property
    def steps(self) -> list[StepShown]:
        """The steps that make a learner ready, done or not, in words (for a learner not yet ready)."""
        labels = dict(READINESS_STEP_LABELS)
        return [StepShown(step, labels[step], getattr(self, step)) for step in READY_STEPS]

    @property
    def missing(self) -> list[str]:
        """What is still to do, in words; [] when ready."""
        return [] if self.ready else [str(step.label) for step in self.steps if not step.done]

    @property
    def proof(self) -> str:
        """Why the learner is ready, in words; "" when not ready."""
        if not self.ready:
            return ""
        return next(str(label) for key, label in READINESS_PROOF_LABELS if getattr(self, key))


def readiness_of_pairs(*, pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], Readiness]:
    """(course id, learner id) → Readiness, for any pairs, in five queries however many courses."""
    pairs = set(pairs)
    if not pairs:
        return {}
    course_ids = {course_id for course_id, _learner in pairs}
    learner_ids = {learner_id for _course, learner_id in pairs}
    opened = set(
        JoinLink.objects.filter(course_id__in=course_ids, learner_id__in=learner_ids, last_used_at__isnull=False)
        .values_list("course_id", "learner_id")
    )
    # The device check is the phone's, not a course's: it counts for every course.
    device_checked = set(
        DeviceCheck.objects.filter(learner_id__in=learner_ids, sound_heard=True).values_list("learner_id", flat=True)
    )
    attended = set(
        Visit.objects.filter(
            participant__session__course_id__in=course_ids, participant__learner_id__in=learner_ids,
            participant__session__live_started_at__isnull=False,
            joined_at__gte=F("participant__session__live_started_at"),
        ).values_list("participant__session__course_id", "participant__learner_id")
    )
    # A phone set up at the centre is ready for every course.
    checked_in = set(
        SetupBooking.objects.filter(learner_id__in=learner_ids, checked_in_at__isnull=False)
        .values_list("learner_id", flat=True)
    )
    call_confirmed = set(
        CallLog.objects.filter(
            outcome=CallOutcome.JOINED, request__course_id__in=course_ids, request__learner_id__in=learner_ids,
        ).values_list("request__course_id", "request__learner_id")
    )
    return {
        (course_id, learner_id): Readiness(
            link_opened=(course_id, learner_id) in opened,
            device_checked=learner_id in device_checked,
            attended=(course_id, learner_id) in attended,
            checked_in=learner_id in checked_in,
            call_confirmed=(course_id, learner_id) in call_confirmed,
        )
        for course_id, learner_id in pairs
    }


def readiness_for_courses(
    *, course_ids: Iterable[int], learner_ids: Iterable[int] | None = None
) -> dict[int, dict[int, Readiness]]:
    """Course id → learner id → Readiness: each course's learners with a seat (or, given
    learner_ids, those learners in every course), in six queries however many courses."""
    course_ids = list(course_ids)
    if learner_ids is None:
        pairs = list(
            Enrolment.objects.filter(course_id__in=course_ids, status=EnrolmentStatus.ENROLLED)
            .values_list("course_id", "learner_id")
        )
    else:
        pairs = list(product(course_ids, set(learner_ids)))
    readiness = readiness_of_pairs(pairs=pairs)
    result: dict[int, dict[int, Readiness]] = {course_id: {} for course_id in course_ids}
    for course_id, learner_id in pairs:
        result[course_id][learner_id] = readiness[course_id, learner_id]
    return result


def readiness_for_course(*, course: CoursePage, learner_ids: Iterable[int] | None = None) -> dict[int, Readiness]:
    """Each learner with a seat in the course (or the given learners)."""
    return readiness_for_courses(course_ids=[course.pk], learner_ids=learner_ids)[course.pk]


def readiness_of(*, learner: Learner, course: CoursePage) -> Readiness:
    return readiness_of_pairs(pairs=[(course.pk, learner.pk)])[course.pk, learner.pk]


@dataclass(frozen=True)
class CourseReadiness:
    ready: int
    seated: int


def summarise_readiness(readiness: dict[int, Readiness]) -> CourseReadiness:
    """"18/24 已准备好": learners with a seat who are ready, of all with a seat."""
    return CourseReadiness(ready=sum(1 for r in readiness.values() if r.ready), seated=len(readiness))


def course_readiness(*, course: CoursePage) -> CourseReadiness:
    return summarise_readiness(readiness_for_course(course=course))
