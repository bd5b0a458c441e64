"""Who may see a learner's phone number. One rule, used by every page, export and socket:
coordinators see everyone; a volunteer sees only the learners assigned to them."""

from classes.models import Learner
from core.roles import user_is_coordinator
from core.roles import VOLUNTEERS
from volunteers.models import HelpRequest, HelpStatus, VolunteerStatus


def user_is_volunteer(user) -> bool:
    """An approved volunteer with an active account."""
    return bool(
        user.is_authenticated and user.is_active and user.groups.filter(name=VOLUNTEERS).exists()
        and getattr(getattr(user, "volunteer", None), "status", VolunteerStatus.APPROVED) == VolunteerStatus.APPROVED
    )


def learners_assigned_to(*, user):
    """The learners whose open help requests are assigned to this volunteer."""
    return Learner.objects.filter(
        help_requests__volunteer=user, help_requests__status=HelpStatus.ASSIGNED
    ).distinct()


def user_may_see_learner(*, user, learner: Learner) -> bool:
    if not user.is_authenticated:
        return False
    if user_is_coordinator(user):
        return True
    return user_is_volunteer(user) and HelpRequest.objects.filter(
        learner=learner, volunteer=user, status=HelpStatus.ASSIGNED
    ).exists()
