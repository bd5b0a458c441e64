"""Learner and teacher pages: join links, 我的课程, the class page, sign-up, rosters and join cards."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from classes import chat, chat_media, groups, rooms, selectors, services, timetable
from classes.classroom_strings import classroom_strings, group_strings
from classes.forms import AvailabilityExceptionForm, AvailabilityForm, SignupForm
from classes.learner_session import current_learner, session_start
from classes.models import (
    AvailabilityException,
    AvailabilitySlot,
    ClassSession,
    CoursePage,
    Enrolment,
    EnrolmentStatus,
    RoomRole,
    Teacher,
)
from classes.join_cards import join_card
from home.ratelimit import client_address, rate_limit_exceeded
from volunteers.models import AssistStep
from volunteers.selectors.access import user_is_volunteer
from volunteers.selectors.readiness import readiness_for_course, summarise_readiness
from volunteers.services.assist import assist_step_record, assist_steps_from_check

# A person typing a link by hand may get it wrong a few times; a script guessing gets stopped.
BAD_LINK_LIMIT = 20
BAD_LINK_WINDOW = 60 * 60
# Sign-ups: a family may sign up several members from one phone, a flood is something else.
SIGNUP_LIMIT_PER_ADDRESS = 10
SIGNUP_LIMIT_PER_PHONE = 5
SIGNUP_WINDOW = 60 * 60


def _no_referrer(response: HttpResponse) -> HttpResponse:
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    return response


@never_cache
def join(request, token: str):
    """Open a personal join link: sign in, then move on at once to an address without
    the token, so it never reaches a Referer header or a later log line."""
    address = client_address(request)
    check = services.join_link_check(token=token)
    if check.problem:
        if rate_limit_exceeded(key=f"badlink:{address}", limit=BAD_LINK_LIMIT, window_seconds=BAD_LINK_WINDOW):
            return _no_referrer(render(request, "classes/bad_link.html", {"problem": "too_many"}, status=429))
        return _no_referrer(render(request, "classes/bad_link.html", {"problem": check.problem}, status=404))
    session_start(request, link=check.link)
    if check.link.learner_id:  # the volunteer on the phone sees it at once
        assist_step_record(learner=check.link.learner, step=AssistStep.LINK_OPENED)
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
    if user_is_volunteer(request.user):  # a volunteer signs in to their calls to make
        return redirect("volunteer_home")
    return render(request, "classes/not_signed_in.html", status=200)


def _may_attend(request, course: CoursePage) -> bool:
    learner = current_learner(request)
    if learner is not None:
        return selectors.learner_may_attend(learner=learner, course=course)
    return selectors.user_may_see_roster(user=request.user, course=course)


def _class_session_for(request, session_id: int):
    """The session and the visitor's place in its room, or a ready 403 response."""
    session = get_object_or_404(ClassSession.objects.select_related("course"), pk=session_id, course__live=True)
    access = rooms.room_access(session=session, learner=current_learner(request), user=request.user)
    if access is None:
        return session, None, render(request, "classes/not_your_class.html", {"course": session.course}, status=403)
    return session, access, None


@never_cache
def class_page(request, session_id: int):
    """The class: waiting room, device check and the live room, on one page, so the
    进入课堂 tap that starts the sound is the same tap that opens the room."""
    session, access, refusal = _class_session_for(request, session_id)
    if refusal:
        return refusal
    return render(request, "classes/class_page.html", {
        "session": session,
        "course": session.course,
        "access": access,
        "is_teacher": access.role == RoomRole.TEACHER,
        "room_config": {
            "socket": f"/ws/class/{session.pk}/",
            "role": access.role,
            "startsAt": session.starts_at.isoformat(),
            "iceServers": settings.WEBRTC_ICE_SERVERS,
            "checkUrl": reverse("device_check", args=[session.pk]),
            "strings": classroom_strings(),
        },
    })


@require_POST
def device_check(request, session_id: int):
    """Record a device check's result (the volunteers' readiness list reads it)."""
    session, access, refusal = _class_session_for(request, session_id)
    if refusal:
        return JsonResponse({"ok": False}, status=403)
    try:
        result = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse({"ok": False, "error": _("That could not be read.")}, status=400)
    if not isinstance(result, dict):
        return JsonResponse({"ok": False, "error": _("That could not be read.")}, status=400)
    rooms.device_check_record(session=session, access=access, result=result,
                              user_agent=request.headers.get("User-Agent", ""))
    if access.learner is not None:  # the volunteer on the phone sees each finding at once
        assist_steps_from_check(learner=access.learner, result=result)
    return JsonResponse({"ok": True})


def signup(request, course_id: int):
    course = get_object_or_404(CoursePage.objects.live(), pk=course_id)
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
        link = services.join_link_ensure(course=course, learner=result.learner)
        session_start(request, link=link)
    return render(request, "classes/signup_done.html", {
        "course": course, "enrolment": result.enrolment, "position": position,
        "signed_in": result.learner_is_new,
    })


# ---------------------------------------------------------------- rosters (teachers and coordinators)


def _roster_course(request, course_id: int) -> CoursePage:
    course = get_object_or_404(CoursePage, pk=course_id)
    if not selectors.user_may_see_roster(user=request.user, course=course):
        raise PermissionDenied
    return course


@never_cache
def roster(request, course_id: int):
    course = _roster_course(request, course_id)
    is_coordinator = selectors.user_is_coordinator(request.user)
    rows = selectors.course_roster(course=course)
    readiness = readiness_for_course(course=course)
    for row in rows:
        row.readiness = readiness.get(row.enrolment.learner_id)
    return render(request, "classes/roster.html", {
        "course": course,
        "rows": rows,
        "readiness_summary": summarise_readiness(readiness),
        "seats": selectors.seats_summary(course=course),
        "is_coordinator": is_coordinator,
        "teachers": course.teachers.all(),
        "attendance": rooms.course_attendance(course=course),
    })


def require_coordinator(request) -> None:
    """The one gate of coordinators' pages, on the site and in the admin."""
    if not selectors.user_is_coordinator(request.user):
        raise PermissionDenied


@never_cache
def join_cards(request, course_id: int):
    """Printable A6 cards: every learner with a seat, or one learner (?enrolment=…)."""
    require_coordinator(request)
    course = get_object_or_404(CoursePage, pk=course_id)
    enrolments = Enrolment.objects.filter(course=course, status=EnrolmentStatus.ENROLLED).select_related("learner")
    if request.GET.get("enrolment", "").isdigit():
        enrolments = enrolments.filter(pk=int(request.GET["enrolment"]))
    cards = [join_card(request, course=course, learner=e.learner) for e in enrolments.order_by("learner__name")]
    return render(request, "classes/join_cards.html", {"course": course, "cards": cards})


@require_POST
def link_reissue(request, enrolment_id: int):
    """Revoke a learner's link (lost card, wrong hands) and issue a new one."""
    require_coordinator(request)
    enrolment = get_object_or_404(Enrolment.objects.select_related("learner", "course"), pk=enrolment_id)
    services.join_link_issue(course=enrolment.course, learner=enrolment.learner)
    messages.success(request, _("A new link was made for %(name)s. The old link no longer works; "
                                "please print a new card.") % {"name": enrolment.learner.name})
    return redirect("roster", course_id=enrolment.course_id)


@require_POST
def enrolment_withdraw(request, enrolment_id: int):
    require_coordinator(request)
    enrolment = get_object_or_404(Enrolment.objects.select_related("learner", "course"), pk=enrolment_id)
    if enrolment.status == EnrolmentStatus.WITHDRAWN:
        messages.info(request, _("%(name)s had already left this course.") % {"name": enrolment.learner.name})
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
    link = services.join_link_ensure(course=course, teacher=teacher)
    url = request.build_absolute_uri(reverse("join", args=[services.join_link_token(link=link)]))
    messages.success(request, _("Personal link for %(name)s: %(url)s") % {"name": teacher.name, "url": url})
    return redirect("roster", course_id=course.pk)


# ---------------------------------------------------------------- learning groups


def _group_member_or_refusal(request, course_id: int):
    course = get_object_or_404(CoursePage.objects.live(), pk=course_id)
    member = groups.group_member(course=course, learner=current_learner(request), user=request.user)
    if member is None:
        return course, None, render(request, "classes/not_your_class.html", {"course": course}, status=403)
    return course, member, None


@never_cache
def group_page(request, course_id: int):
    course, member, refusal = _group_member_or_refusal(request, course_id)
    if refusal:
        return refusal
    return render(request, "classes/group.html", {
        "course": course,
        "member": member,
        "group_config": {
            "socket": f"/ws/group/{course.pk}/",
            "role": member.role,
            "moderates": member.moderates,
            "uploadUrl": reverse("group_upload", args=[course.pk]),
            "historyUrl": reverse("group_history", args=[course.pk]),
            "strings": group_strings(),
        },
    })


@require_POST
def group_upload(request, course_id: int):
    """A picture or a voice message, posted as a file; the socket then delivers it to everyone."""
    course, member, refusal = _group_member_or_refusal(request, course_id)
    if refusal:
        return JsonResponse({"ok": False, "error": _("This group is not yours.")}, status=403)
    if rate_limit_exceeded(key=member.rate_key, limit=chat.chat_messages_per_minute(), window_seconds=60):
        return JsonResponse({"ok": False, "error": _("You are sending messages very fast. Please wait a minute."),
                             "code": "rate_limited"}, status=429)
    upload = request.FILES.get("file")
    kind = request.POST.get("kind")
    if upload is None or kind not in ("image", "voice"):
        return JsonResponse({"ok": False, "error": _("Please choose a photo or record a voice message.")}, status=400)
    try:
        if kind == "image":
            large, thumbnail = chat_media.picture_prepare(upload)
            attachments = {"image": large, "thumbnail": thumbnail}
        else:
            voice, seconds = chat_media.voice_prepare(upload, request.POST.get("seconds"))
            attachments = {"voice": voice, "voice_seconds": seconds}
        message = groups.group_post(member=member, client_id=request.POST.get("client_id"), attachments=attachments)
    except ValidationError as error:
        return JsonResponse({"ok": False, "error": error.messages[0], "code": error.code}, status=400)
    return JsonResponse({"ok": True, "seq": message.seq})


@never_cache
def group_history(request, course_id: int):
    """Older messages, a page at a time, for scrolling up."""
    course, member, refusal = _group_member_or_refusal(request, course_id)
    if refusal:
        return JsonResponse({"ok": False}, status=403)
    before = request.GET.get("before", "")
    if not (before.isascii() and before.isdigit()):  # "²".isdigit() is True, but int() refuses it
        return JsonResponse({"ok": False, "error": _("That could not be read.")}, status=400)
    page = chat.chat_messages_before(room_id=member.group.chat_id, before_seq=int(before), limit=groups.HISTORY_PAGE)
    return JsonResponse({"ok": True, "messages": [chat.chat_message_payload(m) for m in page]})


# ---------------------------------------------------------------- teachers' free time


def _availability_teacher(request) -> Teacher:
    """The teacher whose free time is shown: the signed-in teacher, or for a coordinator ?teacher=<id>."""
    wanted = request.GET.get("teacher", "")
    if wanted.isdigit() and selectors.user_is_coordinator(request.user):
        return get_object_or_404(Teacher, pk=int(wanted))
    teacher = Teacher.objects.filter(user=request.user).first() if request.user.is_authenticated else None
    if teacher is None:
        raise PermissionDenied
    return teacher


@never_cache
def teacher_availability(request):
    """A teacher's weekly free time and the dates that differ, with large simple controls.
    Coordinators can fill it in on a teacher's behalf."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    teacher = _availability_teacher(request)
    # Both forms have "from" and "until": their own id prefixes keep the labels apart.
    forms = {"add_slot": AvailabilityForm(auto_id="weekly_%s"), "add_exception": AvailabilityExceptionForm(auto_id="date_%s")}
    action = request.POST.get("action", "")
    if request.method == "POST" and action in forms:
        form = forms[action] = type(forms[action])(request.POST, auto_id=forms[action].auto_id)
        if form.is_valid():
            add = timetable.availability_add if action == "add_slot" else timetable.availability_exception_add
            try:
                add(teacher=teacher, **form.cleaned_data)
                messages.success(request, _("Saved."))
                return redirect(request.get_full_path())
            except ValidationError as error:
                form.add_error(None, error)
    elif request.method == "POST" and action in ("delete_slot", "delete_exception"):
        model = AvailabilitySlot if action == "delete_slot" else AvailabilityException
        pk = request.POST.get("pk", "")
        # Only this teacher's own rows; a stale or doubled tap on a removed one does nothing.
        model.objects.filter(teacher=teacher, pk=int(pk) if pk.isdigit() else None).delete()
        messages.success(request, _("Removed."))
        return redirect(request.get_full_path())
    return render(request, "classes/teacher_availability.html", {
        "teacher": teacher,
        "slots": teacher.availability.all(),
        "exceptions": teacher.exceptions.filter(date__gte=timezone.localdate()),
        "slot_form": forms["add_slot"],
        "exception_form": forms["add_exception"],
        "on_behalf": teacher.user_id != request.user.pk,
    })
