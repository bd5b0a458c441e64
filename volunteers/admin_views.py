"""Coordinators' actions on volunteers inside the Wagtail admin: approve or decline a sign-up."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.inputs import next_url
from core.roles import user_is_coordinator
from volunteers.models import Volunteer
from volunteers.services.signup import volunteer_approve, volunteer_decline

VOLUNTEER_LIST_URL_NAME = "wagtailsnippets_volunteers_volunteer:list"


def _back(request):
    """Back to the list the coordinator was looking at (with its filter), never off the site."""
    return redirect(next_url(request) or reverse(VOLUNTEER_LIST_URL_NAME))


def _volunteer_for_coordinator(request, volunteer_id: int) -> Volunteer:
    if not user_is_coordinator(request.user):
        raise PermissionDenied
    return get_object_or_404(Volunteer.objects.select_related("user"), pk=volunteer_id)


@require_POST
def volunteer_approve_view(request, volunteer_id: int):
    volunteer = volunteer_approve(volunteer=_volunteer_for_coordinator(request, volunteer_id))
    messages.success(request, _("%(name)s is now a volunteer and can sign in as %(username)s.") % {
        "name": volunteer.name, "username": volunteer.user.get_username(),
    })
    return _back(request)


@require_POST
def volunteer_decline_view(request, volunteer_id: int):
    volunteer = volunteer_decline(volunteer=_volunteer_for_coordinator(request, volunteer_id))
    messages.success(request, _("%(name)s was not accepted; their account stays closed.") % {"name": volunteer.name})
    return _back(request)
