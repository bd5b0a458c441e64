"""Learner and teacher pages of a course: join links, 我的课程, sign-up, rosters and join cards."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from classes import signals
from classes.courses import join_links, selectors, services
from classes.courses.forms import SignupForm
from classes.courses.join_cards import card_sheets, join_card
from classes.courses.learner_session import current_learner, session_start
from classes.courses.selectors import RosterRow
from classes.models import CoursePage, Enrolment, EnrolmentStatus, JoinLink
from core.confirm import confirmation_response, is_confirmed
from core.ratelimit import client_address, rate_limit_exceeded
from core.roles import VOLUNTEERS, require_coordinator, user_has_role, user_is_coordinator

# A person typing a link by hand may get it wrong a few times; a script guessing gets stopped.
BAD_LINK_LIMIT = 20
BAD_LINK_WINDOW = 60 * 60
# Sign-ups: a family may sign up several members from one phone, a flood is something else.
SIGNUP_LIMIT_PER_ADDRESS = 10
SIGNUP_LIMIT_PER_PHONE = 5
SIGNUP_WINDOW = 60 * 60
# The session key that carries a teacher's link from "Show the link" to the roster it is shown on.
TEACHER_LINK_SHOWN = "teacher_link_shown"


def _no_referrer(response: HttpResponse) -> HttpResponse:
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    return response


@never_cache
def join(request, token: str):
    """Open a personal join link: sign in, then move on at once to an address without
    the token, so it never reaches a Referer header or a later log line."""
    address = client_address(request)
    check = join_links.join_link_check(token=token)
    if check.problem:
        if rate_limit_exceeded(key=f"badlink:{address}", limit=BAD_LINK_LIMIT, window_seconds=BAD_LINK_WINDOW):
            return _no_referrer(render(request, "classes/bad_link.html", {"problem": "too_many"}, status=429))
        return _no_referrer(render(request, "classes/bad_link.html", {"problem": check.problem}, status=404))
    session_start(request, link=check.link)
    if check.link.learner_id:  # the volunteer on the phone sees it at once
        signals.announce(signals.learner_link_opened, learner=check.link.learner)
    return _no_referrer(redirect("my_classes"))


@never_cache
def my_classes(request):
    learner = current_learner(request)
    if learner is not None:
        return render(request, "classes/my_classes.html", {"learner": learner,
                                                           "rows": selectors.learner_courses(learner=learner)})
    teacher_courses = selectors.teacher_courses(user=request.user)
    if teacher_courses:
        rows = [(course, selectors.session_next_for_course(course=course)) for course in teacher_courses]
        return render(request, "classes/teacher_classes.html", {"rows": rows})
    if user_has_role(request.user, VOLUNTEERS):  # a volunteer signs in to their calls to make
        return redirect("volunteer_home")
    return render(request, "classes/not_signed_in.html", status=200)


def signup(request, course_id: int):
    course = get_object_or_404(CoursePage.objects.live(), pk=course_id)
    # A learner already in the course sees their place and next class, not a form to fill in
    # again; "sign up someone else" (a family on one phone) still opens the form.
    mine = selectors.learner_course(learner=current_learner(request), course=course)
    if mine is not None and request.method != "POST" and "someone_else" not in request.GET:
        return render(request, "classes/signup.html", {"course": course, "mine": mine})
    form = SignupForm(request.POST or None, course=course)
    if request.method == "POST" and form.is_valid():
        if _signup_flooded(request, form.cleaned_data["phone"]):
            form.add_error(None, _("Too many sign-ups from this phone or network. Please try again in an hour, "
                                   "or call the centre."))
        else:
            try:
                result = services.learner_signup(course=course, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return _signup_done(request, course, result)
    term_over = course.term_end < timezone.localdate()
    return render(request, "classes/signup.html", {"course": course, "form": form, "term_over": term_over},
                  status=400 if form.errors else 200)


def _signup_flooded(request, phone: str) -> bool:
    by_address = rate_limit_exceeded(key=f"signup:ip:{client_address(request)}", limit=SIGNUP_LIMIT_PER_ADDRESS,
                                     window_seconds=SIGNUP_WINDOW)
    by_phone = rate_limit_exceeded(key=f"signup:phone:{phone}", limit=SIGNUP_LIMIT_PER_PHONE,
                                   window_seconds=SIGNUP_WINDOW)
    return by_address or by_phone


def _signup_done(request, course, result):
    """A new learner is signed in on this device at once. A phone number we already know
    is not: anyone can type a number, and only its owner's card opens their classes."""
    position = selectors.waitlist_position(enrolment=result.enrolment)
    if result.learner_is_new:
        link = join_links.join_link_ensure(course=course, learner=result.learner)
        session_start(request, link=link)
    # The number typed is shown back so a wrong digit is seen now; a guardian's number
    # (a child's messages go to it) is not shown to whoever typed the child's.
    text_number = selectors.learner_text_number(learner=result.learner)
    return render(request, "classes/signup_done.html", {
        "course": course, "enrolment": result.enrolment, "position": position,
        "signed_in": result.learner_is_new,
        "first_session": selectors.session_next_for_course(course=course),
        "text_number": text_number if text_number == result.learner.phone else "",
    })


# ---------------------------------------------------------------- rosters (teachers and coordinators)


def _roster_course(request, course_id: int) -> CoursePage:
    course = get_object_or_404(CoursePage, pk=course_id)
    if not selectors.user_may_see_roster(user=request.user, course=course):
        raise PermissionDenied
    return course


@dataclass
class RosterLine:
    """A roster row with the words its two confirmations ask (the same words the view asks
    again when a post comes without the dialog's yes)."""

    row: RosterRow
    reissue_question: str
    withdraw_question: str


def _reissue_question(enrolment: Enrolment) -> str:
    return _("%(name)s's old link will stop working. The new link must be given to %(name)s again "
             "(a new card or a message).") % {"name": enrolment.learner.name}


def _withdraw_question(enrolment: Enrolment, *, someone_waiting: bool) -> str:
    """What taking this learner off the course does, in words: their seat (or place in line)
    and their link."""
    names = {"name": enrolment.learner.name, "course": enrolment.course.title}
    if enrolment.status == EnrolmentStatus.WAITLISTED:
        return _("%(name)s will leave the waiting list of %(course)s, and their link will stop working.") % names
    if someone_waiting:
        return _("%(name)s will leave %(course)s, and their link will stop working. "
                 "The seat goes to the first person on the waiting list.") % names
    return _("%(name)s will leave %(course)s, and their link will stop working. The seat becomes free.") % names


@never_cache
def roster(request, course_id: int):
    course = _roster_course(request, course_id)
    seats = course.seats_summary()
    lines = [
        RosterLine(row, _reissue_question(row.enrolment),
                   _withdraw_question(row.enrolment, someone_waiting=seats[row.enrolment.pool]["waiting"] > 0))
        for row in selectors.course_roster(course=course)
    ]
    # Readiness (volunteers) and attendance (the live rooms) come from template tags their
    # own packages keep, so this page needs to know neither.
    return render(request, "classes/roster.html", {
        "course": course,
        "teacher_link": _teacher_link_to_show(request, course) if user_is_coordinator(request.user) else None,
        "lines": lines,
        "seats": seats,
        "is_coordinator": user_is_coordinator(request.user),
        "teachers": course.teachers.all(),
    })


@never_cache
def join_cards(request, course_id: int):
    """Printable A6 cards: every learner with a seat, or one learner (?enrolment=…); on A4
    paper four to a sheet (static/css/join-card.css)."""
    require_coordinator(request)
    course = get_object_or_404(CoursePage, pk=course_id)
    enrolments = Enrolment.objects.filter(course=course, status=EnrolmentStatus.ENROLLED).select_related("learner")
    if request.GET.get("enrolment", "").isdigit():
        enrolments = enrolments.filter(pk=int(request.GET["enrolment"]))
    cards = [join_card(request, course=course, learner=e.learner) for e in enrolments.order_by("learner__name")]
    return render(request, "classes/join_cards.html", {"course": course, "cards": cards, "sheets": card_sheets(cards)})


@require_POST
def link_reissue(request, enrolment_id: int):
    """Revoke a learner's link (lost card, wrong hands) and issue a new one, once confirmed."""
    require_coordinator(request)
    enrolment = get_object_or_404(Enrolment.objects.select_related("learner", "course"), pk=enrolment_id)
    if not is_confirmed(request):
        return confirmation_response(
            request, question=_reissue_question(enrolment),
            yes_label=_("New link for %(name)s") % {"name": enrolment.learner.name},
            back_url=reverse("roster", args=[enrolment.course_id]))
    join_links.join_link_issue(course=enrolment.course, learner=enrolment.learner)
    messages.success(request, _("A new link was made for %(name)s. The old link no longer works; "
                                "please print a new card.") % {"name": enrolment.learner.name})
    return redirect("roster", course_id=enrolment.course_id)


@require_POST
def enrolment_withdraw(request, enrolment_id: int):
    """Take a learner off a course (their seat goes to the waiting list), once confirmed."""
    require_coordinator(request)
    enrolment = get_object_or_404(Enrolment.objects.select_related("learner", "course"), pk=enrolment_id)
    if enrolment.status == EnrolmentStatus.WITHDRAWN:
        messages.info(request, _("%(name)s had already left this course.") % {"name": enrolment.learner.name})
    elif not is_confirmed(request):
        waiting = enrolment.course.seats_summary()[enrolment.pool]["waiting"]
        return confirmation_response(
            request, question=_withdraw_question(enrolment, someone_waiting=waiting > 0),
            yes_label=_("Remove %(name)s from the course") % {"name": enrolment.learner.name},
            back_url=reverse("roster", args=[enrolment.course_id]))
    else:
        promoted = services.enrolment_withdraw(enrolment=enrolment)
        text = _("%(name)s has left the course.") % {"name": enrolment.learner.name}
        if promoted:
            text += " " + _("Now given a seat from the waiting list: %(names)s.") % {
                "names": "、".join(e.learner.name for e in promoted)}
        messages.success(request, text)
    return redirect("roster", course_id=enrolment.course_id)


@require_POST
def teacher_link(request, course_id: int, teacher_id: int):
    """Give a teacher a personal link to this course (shown once on the roster page)."""
    require_coordinator(request)
    course = get_object_or_404(CoursePage, pk=course_id)
    teacher = get_object_or_404(course.teachers.all(), pk=teacher_id)
    if teacher.user_id is None:
        messages.error(request, _("%(name)s has no user account yet. Link one under Snippets › Teachers first.")
                       % {"name": teacher.name})
        return redirect("roster", course_id=course.pk)
    link = join_links.join_link_ensure(course=course, teacher=teacher)
    # Not a message: Django keeps messages in a cookie anyone holding the browser can read.
    # The session (kept server-side) holds only the link's id, and the roster shows it once.
    request.session[TEACHER_LINK_SHOWN] = {"course": course.pk, "link": link.pk}
    return redirect("roster", course_id=course.pk)


def _teacher_link_to_show(request, course: CoursePage) -> dict | None:
    """The teacher's link a coordinator just asked for, once: {"name", "url"}, or None."""
    shown = request.session.pop(TEACHER_LINK_SHOWN, None)
    if not shown or shown.get("course") != course.pk:
        return None
    link = JoinLink.objects.select_related("teacher").filter(pk=shown.get("link"), course=course).first()
    if link is None or link.teacher is None:
        return None
    token = join_links.join_link_token(link=link)
    return {"name": link.teacher.name, "url": request.build_absolute_uri(reverse("join", args=[token]))}


urlpatterns = [
    path("j/<str:token>/", join, name="join"),
    path("my/", my_classes, name="my_classes"),
    path("signup/<id:course_id>/", signup, name="signup"),
    path("roster/<id:course_id>/", roster, name="roster"),
    path("roster/<id:course_id>/cards/", join_cards, name="join_cards"),
    path("roster/<id:course_id>/teacher/<id:teacher_id>/link/", teacher_link, name="teacher_link"),
    path("enrolment/<id:enrolment_id>/new-link/", link_reissue, name="link_reissue"),
    path("enrolment/<id:enrolment_id>/withdraw/", enrolment_withdraw, name="enrolment_withdraw"),
]
