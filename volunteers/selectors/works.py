"""Reads for learners' works: what the public sees, what waits for a teacher, and who may
see a work's private picture."""

from django.db.models import Q, QuerySet

from classes.courses.people import CoursePerson, course_person
from classes.models import CoursePage, EnrolmentStatus, Learner, RoomRole
from core.roles import user_is_coordinator
from volunteers.models import Initiative, LearnerWork, WorkConsent, WorkStatus


def works_public_q() -> Q:
    """The one rule for what the public sees: approved and, for a child, with the
    guardian's consent standing; and its public copy made."""
    return Q(status=WorkStatus.APPROVED, public_image__isnull=False) & (
        Q(is_child=False) | Q(consent=WorkConsent.GIVEN))


def works_public(*, course: CoursePage | None = None, initiative: Initiative | None = None) -> QuerySet[LearnerWork]:
    works = LearnerWork.objects.filter(works_public_q()).select_related("public_image", "course")
    if course is not None:
        works = works.filter(course=course)
    if initiative is not None:
        works = works.filter(initiative=initiative)
    return works


def works_public_count(*, course: CoursePage) -> int:
    return LearnerWork.objects.filter(works_public_q(), course=course).count()


def initiative_public(*, initiative_id: int) -> Initiative | None:
    """A published initiative: its page exists while the centre shows it."""
    return Initiative.objects.filter(pk=initiative_id, published=True).select_related("course").first()


def initiatives_for_course(*, course: CoursePage) -> QuerySet[Initiative]:
    """Published initiatives a work of this course may be sent to: the course's and everyone's."""
    return Initiative.objects.filter(published=True).filter(Q(course=course) | Q(course__isnull=True))


def courses_moderated_by(*, user) -> QuerySet[CoursePage]:
    """The courses whose works this person decides about: their own as a teacher, every one as a coordinator."""
    if not user.is_authenticated:
        return CoursePage.objects.none()
    if user_is_coordinator(user):
        return CoursePage.objects.all()
    teacher = getattr(user, "teacher", None)
    if teacher is None:
        return CoursePage.objects.none()
    return CoursePage.objects.filter(teachers=teacher)


def works_to_moderate(*, user) -> QuerySet[LearnerWork]:
    """Works waiting for a teacher, oldest first, in the courses this person moderates."""
    return (LearnerWork.objects.filter(status=WorkStatus.PENDING, course__in=courses_moderated_by(user=user))
            .select_related("learner", "course", "initiative").order_by("created_at"))


def works_pending_count(*, course: CoursePage) -> int:
    return LearnerWork.objects.filter(status=WorkStatus.PENDING, course=course).count()


def learners_of_course(*, course: CoursePage) -> QuerySet[Learner]:
    return Learner.objects.filter(enrolments__course=course, enrolments__status=EnrolmentStatus.ENROLLED).distinct()


def person_may_see_work(*, person: CoursePerson | None, work: LearnerWork) -> bool:
    """The private picture: the work's own learner (or family on their phone), and the
    course's teachers, coordinators and volunteers."""
    if person is None or person.course.pk != work.course_id:
        return False
    if person.role == RoomRole.LEARNER:
        return person.learner.pk == work.learner_id
    return True


def work_person(*, work: LearnerWork, learner: Learner | None, user) -> CoursePerson | None:
    return course_person(course=work.course, learner=learner, user=user)


def courses_helped_by(*, user) -> QuerySet[CoursePage]:
    """The courses a volunteer was given (on their learning groups): they send works for their learners."""
    if not user.is_authenticated:
        return CoursePage.objects.none()
    return CoursePage.objects.filter(pk__in=user.learning_groups.values("course")).order_by("title")
