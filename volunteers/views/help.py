"""Help requests: a learner's 求助, a teacher's "please call", the volunteers' home
page with their calls to make, the coordinators' list, one request's page with its call
log, and the export of calls to make. Every phone number shown here has passed
volunteers.selectors.access."""


from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from classes.courses.learner_session import current_learner
from classes.models import CoursePage, Enrolment, EnrolmentStatus, Learner
from classes.courses.selectors import session_next_for_course, user_may_see_roster
from core.inputs import id_read
from core.roles import user_is_coordinator
from core.ratelimit import rate_limit_exceeded
from core.timefmt import class_time
from volunteers.exports import csv_response
from volunteers.forms import AssignForm, CallLogForm, HelpAskForm
from volunteers.models import CallOutcome, HelpSource, HelpStatus
from volunteers.selectors import help as help_selectors
from volunteers.selectors.access import user_is_volunteer
from volunteers.services import help as help_services

# A learner who taps 求助 twice in a row (or reloads) asked once.
DOUBLE_TAP_SECONDS = 30
# Asking again and again adds nothing a volunteer can act on; past this, nothing is written.
HELP_ASKS_PER_HOUR = 6


def _refusal(request, reason: str, status: int = 403):
    """The clear "not for you" page of the volunteers' pages. It never shows a learner."""
    return render(request, "volunteers/help_not_yours.html", {"reason": reason}, status=status)


def _staff_refusal(request):
    """None for volunteers and coordinators; the login page for the signed-out; else a 403 page."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if user_is_volunteer(request.user) or user_is_coordinator(request.user):
        return None
    return _refusal(request, "volunteers")


def _lists_refresh() -> None:
    """Opening a list brings it up to date: the call list is built and ready learners'
    requests close. Both are idempotent and cheap, so no worker needs to be running."""
    help_services.call_lists_build()
    help_services.help_requests_close_ready()


# ---------------------------------------------------------------- learners


@never_cache
def help_call_me(request):
    """POST: ask for a call (one tap, from any page). GET: the confirmation, which a reload shows again."""
    learner = current_learner(request)
    if learner is None:
        # Signed out meanwhile (a stale page, a revoked card): the help page has the centre's phone.
        return redirect("help")
    if request.method != "POST":
        open_request = help_selectors.learner_open_request(learner=learner)
        if open_request is None:
            return redirect("help")
        return _call_me_done(request, learner, again=request.GET.get("again") == "1")
    again = _learner_ask(request, learner)
    if again is None:  # too many asks: nothing written, the same reassuring page
        return _call_me_done(request, learner, again=True, status=429)
    return redirect(reverse("help_call_me") + ("?again=1" if again else ""))


def _learner_ask(request, learner: Learner) -> bool | None:
    """Record the ask; True when the learner already had a request, None when rate-limited."""
    if not cache.add(f"help-call-me-tap:{learner.pk}", 1, timeout=DOUBLE_TAP_SECONDS):
        return True
    if rate_limit_exceeded(key=f"help-call-me:{learner.pk}", limit=HELP_ASKS_PER_HOUR, window_seconds=60 * 60):
        return None
    wanted = id_read(request.POST.get("course"))
    page_course = CoursePage.objects.filter(pk=wanted).first() if wanted else None
    course = help_selectors.learner_help_course(learner=learner, course=page_course)
    session = session_next_for_course(course=course) if course else None
    ask = help_services.help_request_ask(learner=learner, source=HelpSource.LEARNER, course=course, session=session)
    return ask.merged


def _call_me_done(request, learner: Learner, *, again: bool, status: int = 200):
    return render(request, "volunteers/call_me_done.html", {"learner": learner, "again": again}, status=status)


# ---------------------------------------------------------------- teachers and coordinators


@require_POST
def help_request_ask(request, course_id: int, learner_id: int):
    """From the roster: ask a volunteer to call one learner of the course."""
    course = get_object_or_404(CoursePage, pk=course_id)
    if not user_may_see_roster(user=request.user, course=course):
        raise PermissionDenied
    enrolment = (
        Enrolment.objects.filter(course=course, learner_id=learner_id).exclude(status=EnrolmentStatus.WITHDRAWN)
        .select_related("learner").first()
    )
    if enrolment is None:
        raise Http404
    learner = enrolment.learner
    form = HelpAskForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("note", [])) or _("Please check the note."))
        return redirect("roster", course_id=course.pk)
    source = HelpSource.COORDINATOR if user_is_coordinator(request.user) else HelpSource.TEACHER
    try:
        ask = help_services.help_request_ask(
            learner=learner, source=source, course=course, session=session_next_for_course(course=course),
            note=form.cleaned_data["note"], by=request.user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("roster", course_id=course.pk)
    if ask.merged:
        messages.success(request, _("%(name)s already had a request for a call; we added yours to it "
                                    "(asked %(asks)s times).") % {"name": learner.name, "asks": ask.help_request.asks})
    else:
        messages.success(request, _("A volunteer will call %(name)s.") % {"name": learner.name})
    return redirect("roster", course_id=course.pk)


# ---------------------------------------------------------------- volunteers and coordinators


@never_cache
def volunteer_home(request):
    refusal = _staff_refusal(request)
    if refusal:
        return refusal
    _lists_refresh()
    is_volunteer = user_is_volunteer(request.user)
    return render(request, "volunteers/home.html", {
        "mine": help_selectors.help_requests_assigned_to(user=request.user) if is_volunteer else [],
        "open_rows": help_selectors.help_requests_open(user=request.user),
        "is_volunteer": is_volunteer,
        "is_coordinator": user_is_coordinator(request.user),
    })


@never_cache
def volunteer_requests(request):
    """Coordinators: every request not yet done, with who has it, and assignment controls."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not user_is_coordinator(request.user):
        return _refusal(request, "coordinators")
    _lists_refresh()
    return render(request, "volunteers/requests.html", {
        "rows": help_selectors.help_requests_all(user=request.user),
        "volunteers": [(v.pk, help_selectors.volunteer_label(v)) for v in help_selectors.volunteers_approved()],
    })


def _request_or_refusal(request, request_id: int):
    """The request and None, or None and a ready response (login, 403, or "done").

    Who may look at requests at all is asked first, so to anyone else a request that
    exists and one that does not answer alike."""
    refusal = _staff_refusal(request)
    if refusal:
        return None, refusal
    help_request = help_selectors.help_request_get(pk=request_id)
    if help_request is None:
        raise Http404
    if help_selectors.user_may_open_request(user=request.user, help_request=help_request):
        return help_request, None
    if help_request.status == HelpStatus.CLOSED and help_request.volunteer_id == request.user.pk:
        return None, _refusal(request, "closed", status=200)
    return None, _refusal(request, "not_assigned")


@never_cache
def volunteer_request(request, request_id: int):
    """One request: who to call and their number, their readiness, the calls so far, and
    the form to log a call (the assigned volunteer or a coordinator)."""
    help_request, refusal = _request_or_refusal(request, request_id)
    if refusal:
        return refusal
    form = CallLogForm.starting_now()
    if request.method == "POST":
        form = CallLogForm(request.POST)
        if form.is_valid():
            try:
                logged = help_services.call_log_add(
                    help_request=help_request, user=request.user, called_at=form.called_at(),
                    minutes=form.cleaned_data["minutes"], outcome=form.cleaned_data["outcome"],
                    notes=form.cleaned_data["notes"],
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                return _after_call(request, help_request, logged)
    return render(request, "volunteers/request.html", {
        "help_request": help_request,
        "row": help_selectors.help_request_row(help_request=help_request, user=request.user),
        "calls": help_selectors.help_request_calls(help_request=help_request),
        "form": form,
        "is_coordinator": user_is_coordinator(request.user),
        "volunteers": [(v.pk, help_selectors.volunteer_label(v)) for v in help_selectors.volunteers_approved()],
        "needs_visit": help_request.calls.filter(outcome=CallOutcome.NEEDS_VISIT).exists(),
    }, status=400 if form.errors else 200)


def _after_call(request, help_request, logged):
    name = help_request.learner.name
    if logged.closed or help_request.status == HelpStatus.CLOSED:
        messages.success(request, _("Call saved. %(name)s is ready for class, so this request is done. Thank you!")
                         % {"name": name})
        return redirect("volunteer_home")
    if logged.call.outcome == CallOutcome.NEEDS_VISIT:
        messages.info(request, _("Call saved. Please book a setup visit at the centre for %(name)s.") % {"name": name})
    else:
        messages.success(request, _("Call saved."))
    return redirect("volunteer_request", request_id=help_request.pk)


@require_POST
def volunteer_request_claim(request, request_id: int):
    # The role first: to anyone else a request that exists and one that does not answer alike.
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("volunteer_home"))
    if not user_is_volunteer(request.user):
        return _refusal(request, "volunteers")
    help_request = help_selectors.help_request_get(pk=request_id)
    if help_request is None:
        raise Http404
    try:
        help_services.help_request_claim(help_request=help_request, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("volunteer_home")
    messages.success(request, _("%(name)s is yours to call now. Their number is on this page.")
                     % {"name": help_request.learner.name})
    return redirect("volunteer_request", request_id=help_request.pk)


@require_POST
def volunteer_request_assign(request, request_id: int):
    """Coordinators: give a request to a volunteer, move it, or take it back (action=unassign)."""
    if not user_is_coordinator(request.user):  # first, as above
        return _refusal(request, "coordinators")
    help_request = help_selectors.help_request_get(pk=request_id)
    if help_request is None:
        raise Http404
    back = redirect("volunteer_request", request_id=help_request.pk) if request.POST.get("back") == "request" \
        else redirect("volunteer_requests")
    name = help_request.learner.name
    if request.POST.get("action") == "unassign":
        help_services.help_request_unassign(help_request=help_request, by=request.user)
        messages.success(request, _("%(name)s is back on the list for any volunteer to take.") % {"name": name})
        return back
    form = AssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("volunteer", [])))
        return back
    volunteer = form.cleaned_data["volunteer"]
    try:
        help_services.help_request_assign(help_request=help_request, volunteer=volunteer, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return back
    messages.success(request, _("%(volunteer)s will call %(name)s.")
                     % {"volunteer": help_selectors.volunteer_label(volunteer), "name": name})
    return back


@never_cache
def volunteer_calls_csv(request):
    """"My calls to make" as a spreadsheet: a volunteer's assigned learners only; a coordinator's, all."""
    refusal = _staff_refusal(request)
    if refusal:
        return refusal
    return csv_response(
        filename="calls-to-make.csv",
        header=[_("Name"), _("Mobile"), _("Course"), _("Next class"), _("Still to do")],
        rows=(
            [
                row.name, row.phone, row.course.title if row.course else "",
                class_time(row.next_session.starts_at) if row.next_session else "",
                "、".join(row.missing) if row.missing else (_("Ready") if row.ready else ""),
            ]
            for row in help_selectors.calls_to_make(user=request.user)
        ),
    )

urlpatterns = [
    path("help/call-me/", help_call_me, name="help_call_me"),
    path("volunteer/", volunteer_home, name="volunteer_home"),
    path("volunteer/requests/", volunteer_requests, name="volunteer_requests"),
    path("volunteer/request/<id:request_id>/", volunteer_request, name="volunteer_request"),
    path("volunteer/request/<id:request_id>/claim/", volunteer_request_claim, name="volunteer_request_claim"),
    path("volunteer/request/<id:request_id>/assign/", volunteer_request_assign, name="volunteer_request_assign"),
    path("volunteer/calls.csv", volunteer_calls_csv, name="volunteer_calls_csv"),
    path("volunteer/ask/<id:course_id>/<id:learner_id>/", help_request_ask, name="help_request_ask"),
]
