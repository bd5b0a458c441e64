"""Learners' works: sending a photo from a phone, the guardian's consent page, the
teachers' decisions, and the galleries of a course and of an initiative."""

import secrets

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from classes.courses.learner_session import current_learner
from classes.courses.people import course_person
from classes.models import CoursePage, RoomRole
from core.bodies import FORM_BODY_MAX_BYTES, body_limit
from core.inputs import id_read
from core.private_media import is_private_name, private_file_response
from volunteers.forms import WorkUploadForm
from volunteers.models import LearnerWork, WorkConsent
from volunteers.selectors import works as selectors
from volunteers.services import works as services
from volunteers.services.works import ConsentProblem


def _family_page(request, template: str, context: dict, status: int = 200):
    """The consent pages are for one family: never listed by a search engine."""
    response = render(request, template, context, status=status)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _refused(request, text: str, status: int = 403):
    return render(request, "volunteers/refused.html", {
        "text": text, "back_url": reverse("my_classes"), "back_label": _("My classes")}, status=status)


def _person(request, course: CoursePage):
    return course_person(course=course, learner=current_learner(request), user=request.user)


def works_course(request, course_id: int):
    """The course's public works. The same for every visitor without a session, so the
    page cache may keep it (LearnerWork is one of the models public pages show)."""
    course = get_object_or_404(CoursePage.objects.live(), pk=course_id)
    person = _person(request, course)
    return render(request, "volunteers/works_course.html", {
        "course": course, "works": list(selectors.works_public(course=course)), "person": person,
    })


def initiative_page(request, initiative_id: int):
    """An initiative's own page: what it asks, and the works sent for it."""
    initiative = selectors.initiative_public(initiative_id=initiative_id)
    if initiative is None:
        raise Http404
    person = _person(request, initiative.course) if initiative.course else None
    return render(request, "volunteers/initiative.html", {
        "initiative": initiative, "works": list(selectors.works_public(initiative=initiative)), "person": person,
    })


# The largest photo we take (services/works.py), plus the form's fields around it.
@body_limit(max_bytes=services.WORK_MAX_BYTES + FORM_BODY_MAX_BYTES)
@never_cache
def work_upload(request, course_id: int):
    course = get_object_or_404(CoursePage.objects.live(), pk=course_id)
    person = _person(request, course)
    if person is None:
        return _refused(request, _("Only the learners, teachers and volunteers of %(course)s can send its works. "
                                   "Learners: please open your personal link first.") % {"course": course.title})
    own = person.learner if person.role == RoomRole.LEARNER else None
    initial = {"upload_token": secrets.token_urlsafe(24)}
    if own is not None:
        initial["display_name"] = services.display_name_default(learner=own)
    wanted = id_read(request.GET.get("initiative"))
    if wanted is not None:
        initial["initiative"] = wanted
    form = WorkUploadForm(request.POST or None, request.FILES or None, course=course, learner=own, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            work, created = services.work_upload(
                uploader=person, learner=own or data["learner"], title=data["title"],
                display_name=data["display_name"], picture=data["picture"], initiative=data["initiative"],
                adult_agreed=data["adult_agreed"], upload_token=data["upload_token"],
            )
        except PermissionDenied as error:
            return _refused(request, str(error))
        except ValidationError as error:
            form.add_error(None if hasattr(error, "error_dict") else "picture", error)
        else:
            if work.is_child:
                text = _("Thank you! \"%(title)s\" is sent. We have asked the guardian by text message; "
                         "it is shown once they agree and the teacher has looked at it.")
            else:
                text = _("Thank you! \"%(title)s\" is sent. It is shown once the teacher has looked at it.")
            messages.success(request, text % {"title": work.title})
            return redirect("works_course", course_id=course.pk)
    return render(request, "volunteers/work_upload.html", {"course": course, "form": form, "person": person},
                  status=400 if form.errors else 200)


@never_cache
def works_moderation(request):
    """Works waiting for the teachers of their course (and the coordinators)."""
    if not request.user.is_authenticated:
        return redirect("login")
    courses = selectors.courses_moderated_by(user=request.user)
    if not courses.exists():
        raise PermissionDenied
    return render(request, "volunteers/works_moderation.html", {
        "works": list(selectors.works_to_moderate(user=request.user)),
    })


def _decision(request, work_id: int):
    work = get_object_or_404(LearnerWork.objects.select_related("course"), pk=work_id)
    return work, course_person(course=work.course, learner=None, user=request.user)


@require_POST
def work_approve(request, work_id: int):
    work, person = _decision(request, work_id)
    try:
        work = services.work_approve(work=work, by=person)
    except PermissionDenied as error:
        return _refused(request, str(error))
    if work.public_image_id:
        messages.success(request, _("\"%(title)s\" is approved and now shown in the gallery.") % {"title": work.title})
    else:
        messages.success(request, _("\"%(title)s\" is approved. It is shown once the guardian agrees.")
                         % {"title": work.title})
    return redirect("works_moderation")


@require_POST
def work_reject(request, work_id: int):
    work, person = _decision(request, work_id)
    try:
        services.work_reject(work=work, by=person, reason=request.POST.get("reason", ""))
    except PermissionDenied as error:
        return _refused(request, str(error))
    messages.success(request, _("\"%(title)s\" is not shown.") % {"title": work.title})
    return redirect("works_moderation")


def work_picture(request, name: str):
    """A work's private picture, for its learner and the people of its course."""
    if not is_private_name(name):
        raise Http404
    work = LearnerWork.objects.select_related("course").filter(picture=name).first()
    if work is None:
        raise Http404
    person = selectors.work_person(work=work, learner=current_learner(request), user=request.user)
    if not selectors.person_may_see_work(person=person, work=work):
        raise Http404
    return private_file_response(storage=work.picture.storage, name=work.picture.name)


def _consent_problem(request, problem: ConsentProblem):
    if problem.code == "answered":
        return _family_page(request, "volunteers/work_consent_answered.html", {"work": problem.work})
    return _family_page(request, "volunteers/work_consent_bad.html", {"expired": problem.code == "expired"},
                        status=410 if problem.code == "expired" else 404)


@never_cache
def work_consent(request, token: str):
    """The guardian's page from the text message: the work, the name it would carry, 同意公开 / 不同意."""
    try:
        if request.method == "POST":
            answer = request.POST.get("answer")
            if answer not in ("yes", "no"):
                work = services.work_for_consent(token=token)
            else:
                work = services.work_consent_answer(token=token, agree=answer == "yes")
                return _family_page(request, "volunteers/work_consent_done.html", {
                    "work": work, "agreed": work.consent == WorkConsent.GIVEN,
                    "withdraw_token": services.work_withdraw_token(work=work),
                })
        else:
            work = services.work_for_consent(token=token)
    except ConsentProblem as problem:
        return _consent_problem(request, problem)
    return _family_page(request, "volunteers/work_consent.html", {"work": work, "token": token})


@never_cache
def work_consent_picture(request, token: str):
    try:
        work = services.work_for_consent(token=token)
    except ConsentProblem:
        raise Http404 from None
    return private_file_response(storage=work.picture.storage, name=work.picture.name)


@never_cache
def work_withdraw(request, token: str):
    """Works for as long as the work exists: a guardian may change their mind at any time."""
    work = services.work_for_withdraw(token=token)
    if work is None:
        return _family_page(request, "volunteers/work_consent_bad.html", {"expired": False}, status=404)
    if request.method == "POST":
        work = services.work_consent_withdraw(token=token)
        return _family_page(request, "volunteers/work_withdrawn.html", {"work": work})
    return _family_page(request, "volunteers/work_withdraw.html", {
        "work": work, "token": token, "withdrawn": work.consent in (WorkConsent.WITHDRAWN, WorkConsent.REFUSED),
    })


@never_cache
def work_withdraw_picture(request, token: str):
    work = services.work_for_withdraw(token=token)
    if work is None:
        raise Http404
    return private_file_response(storage=work.picture.storage, name=work.picture.name)


urlpatterns = [
    path("works/course/<id:course_id>/", works_course, name="works_course"),
    path("works/course/<id:course_id>/send/", work_upload, name="work_upload"),
    path("works/check/", works_moderation, name="works_moderation"),
    path("works/<id:work_id>/approve/", work_approve, name="work_approve"),
    path("works/<id:work_id>/reject/", work_reject, name="work_reject"),
    path("works/picture/<path:name>", work_picture, name="work_picture"),
    path("works/consent/<str:token>/", work_consent, name="work_consent"),
    path("works/consent/<str:token>/picture/", work_consent_picture, name="work_consent_picture"),
    path("works/withdraw/<str:token>/", work_withdraw, name="work_withdraw"),
    path("works/withdraw/<str:token>/picture/", work_withdraw_picture, name="work_withdraw_picture"),
    path("initiatives/<id:initiative_id>/", initiative_page, name="initiative"),
]
