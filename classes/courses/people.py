"""Who a person is in a course: the one answer the class room, the learning group and
the notifications all use.

The people of a course are
- its learners with a seat (a waiting place is not a seat);
- its teachers;
- the coordinators (every course);
- its volunteers: the approved volunteers a coordinator assigned to the course (on its
  learning group). A volunteer helps the learners of the courses they are given, in the
  class room and in the group alike, and sees no other course's learners: the same rule
  as for learners' phone numbers, which a volunteer sees only for the learners assigned
  to them.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser

from classes.models import CoursePage, EnrolmentStatus, Learner, RoomRole
from core.roles import VOLUNTEERS, user_has_role, user_is_coordinator


@dataclass(frozen=True)
class CoursePerson:
    course: CoursePage
    role: str  # a RoomRole
    name: str
    learner: Learner | None = None
    user: AbstractBaseUser | None = None

    @property
    def key(self) -> dict:
        """The filter that finds this person's rows (participants, read marks, mutes)."""
        return {"learner": self.learner} if self.learner is not None else {"user": self.user}

    @property
    def who(self) -> str:
        """A stable text id, for rate-limit keys and notification keys."""
        return f"learner:{self.learner.pk}" if self.learner is not None else f"user:{self.user.pk}"

    @property
    def moderates(self) -> bool:
        """Teachers and coordinators lock and pin the chat, mute and remove."""
        return self.role in (RoomRole.TEACHER, RoomRole.COORDINATOR)


def user_display_name(user) -> str:
    return user.get_full_name() or user.get_username()


def course_person(*, course: CoursePage, learner: Learner | None, user) -> CoursePerson | None:
    """The person as one of the course's people, or None if the course is not theirs.
    A learner signed in by their link is asked about first: a family phone may also
    hold a staff session."""
    if learner is not None:
        if learner.enrolments.filter(course=course, status=EnrolmentStatus.ENROLLED).exists():
            return CoursePerson(course, RoomRole.LEARNER, learner.name, learner=learner)
        return None
    if user is None or not user.is_authenticated:
        return None
    teacher = getattr(user, "teacher", None)
    if teacher is not None and course.teachers.filter(pk=teacher.pk).exists():
        return CoursePerson(course, RoomRole.TEACHER, teacher.name, user=user)
    if user_is_coordinator(user):
        return CoursePerson(course, RoomRole.COORDINATOR, user_display_name(user), user=user)
    if user_has_role(user, VOLUNTEERS) and user.learning_groups.filter(course=course).exists():
        return CoursePerson(course, RoomRole.VOLUNTEER, user_display_name(user), user=user)
    return None
