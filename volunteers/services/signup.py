"""Becoming a volunteer: sign up (an inactive account waiting for a coordinator), then
approval (the account opens and joins the Volunteers group) or a polite no."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.phones import phone_normalise
from core.roles import VOLUNTEERS
from volunteers.models import Volunteer, VolunteerStatus


def _same_person_again(*, username: str, phone: str, password: str) -> Volunteer | None:
    """A double tap on 提交 sends the sign-up twice: the second one finds the first
    one's account with the same number and the same password, and is the same sign-up."""
    volunteer = (
        Volunteer.objects.select_related("user")
        .filter(user__username__iexact=username, phone=phone, status=VolunteerStatus.PENDING)
        .first()
    )
    if volunteer is not None and volunteer.user.check_password(password):
        return volunteer
    return None


def volunteer_signup(
    *,
    name: str,
    phone: str,
    username: str,
    password: str,
    phone_guidance: bool = False,
    in_person_setup: bool = False,
    english: bool = False,
    availability: str = "",
) -> Volunteer:
    """Make an inactive account and a pending volunteer profile, both or neither.

    Raises ValidationError (with the field it is about) for a taken username or mobile
    number, a number that is not a mobile number, or a password Django's validators refuse.
    """
    User = get_user_model()
    name = " ".join((name or "").split())
    username = (username or "").strip()
    try:
        phone = phone_normalise(phone)
    except ValidationError as error:
        raise ValidationError({"phone": error.messages}) from error

    again = _same_person_again(username=username, phone=phone, password=password)
    if again is not None:
        return again
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This username is taken. Please choose another one.")})
    if Volunteer.objects.filter(phone=phone).exists():
        raise ValidationError({"phone": _(
            "Someone has already signed up as a volunteer with this mobile number. "
            "If that was you, please wait for the coordinator, or call the centre."
        )})

    user = User(username=username, first_name=name[:150], is_active=False)
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error
    user.set_password(password)
    user.full_clean(exclude=["password"])
    volunteer = Volunteer(
        name=name, phone=phone, phone_guidance=phone_guidance, in_person_setup=in_person_setup, english=english,
        availability=(availability or "").strip(), status=VolunteerStatus.PENDING,
    )
    volunteer.full_clean(exclude=["user"])
    try:
        with transaction.atomic():
            user.save()
            volunteer.user = user
            volunteer.save()
    except IntegrityError as error:
        # Two sign-ups with the same username at the same moment: the database keeps one.
        raise ValidationError({"username": _("This username is taken. Please choose another one.")}) from error
    return volunteer


def _locked(volunteer: Volunteer) -> Volunteer:
    return Volunteer.objects.select_for_update().select_related("user").get(pk=volunteer.pk)


def volunteer_approve(*, volunteer: Volunteer) -> Volunteer:
    """Open the account and add it to the Volunteers group. Approving twice changes nothing."""
    with transaction.atomic():
        volunteer = _locked(volunteer)
        if volunteer.status == VolunteerStatus.APPROVED and volunteer.user.is_active:
            return volunteer
        volunteer.user.is_active = True
        volunteer.user.save(update_fields=["is_active"])
        volunteer.user.groups.add(Group.objects.get_or_create(name=VOLUNTEERS)[0])
        volunteer.status = VolunteerStatus.APPROVED
        volunteer.decided_at = timezone.now()
        volunteer.save(update_fields=["status", "decided_at"])
    return volunteer


def volunteer_decline(*, volunteer: Volunteer) -> Volunteer:
    """Keep the account closed (or close it again). Declining twice changes nothing."""
    with transaction.atomic():
        volunteer = _locked(volunteer)
        if volunteer.status == VolunteerStatus.DECLINED and not volunteer.user.is_active:
            return volunteer
        volunteer.user.is_active = False
        volunteer.user.save(update_fields=["is_active"])
        volunteer.user.groups.remove(*Group.objects.filter(name=VOLUNTEERS))
        volunteer.status = VolunteerStatus.DECLINED
        volunteer.decided_at = timezone.now()
        volunteer.save(update_fields=["status", "decided_at"])
    return volunteer
