"""The timetable: the public week grid, a teacher's and a learner's coming classes,
the private calendar feeds that phones subscribe to, and a teacher's free time."""

from datetime import date, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from classes.courses.learner_session import current_learner
from classes.models import AvailabilityException, AvailabilitySlot, CalendarFeed, Teacher
from classes.timetable import calendars, selectors, services
from classes.timetable.forms import AvailabilityExceptionForm, AvailabilityForm
from core.roles import user_is_coordinator

# Weeks further than this from today are a typo in the address (and near year 1 or 9999
# the previous and next week links would not exist).
WEEK_RANGE = timedelta(days=10 * 366)
ICS_CONTENT_TYPE = "text/calendar; charset=utf-8"


def _feed_name(feed: CalendarFeed) -> str:
    if feed.course_id:
        return _("%(centre)s: %(course)s") % {"centre": settings.CENTRE_NAME, "course": feed.course.title}
    if feed.teacher_id:
        return _("%(centre)s: classes of %(teacher)s") % {"centre": settings.CENTRE_NAME, "teacher": feed.teacher.name}
    return _("%(centre)s: my classes") % {"centre": settings.CENTRE_NAME}


@require_safe
def calendar_feed(request, token: str):
    """The iCalendar file a calendar app fetches by itself: no cookies, no sign-in, only the secret address."""
    feed = calendars.calendar_feed_check(token=token)
    if feed is None:
        raise Http404
    body = calendars.calendar_ics(sessions=selectors.sessions_for_feed(feed=feed), name=_feed_name(feed))
    response = HttpResponse(body, content_type=ICS_CONTENT_TYPE)
    # Someone's timetable: no shared cache keeps it, and the secret address is never passed on.
    response["Cache-Control"] = "private"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _feed_links(request, feed: CalendarFeed) -> dict[str, str]:
    """The address to copy, and the same as webcal://, which an iPhone subscribes to with one tap."""
    url = request.build_absolute_uri(reverse("calendar_feed", args=[calendars.calendar_feed_token(feed=feed)]))
    return {"url": url, "webcal": "webcal://" + url.split("://", 1)[1]}


def _week_asked(value: str, today: date) -> date:
    """The day in ?week=YYYY-MM-DD, or today when it is missing, unreadable or far off."""
    try:
        day = date.fromisoformat(value)
    except (TypeError, ValueError):
        return today
    return day if abs(day - today) <= WEEK_RANGE else today


def timetable_week(request):
    today = timezone.localdate()
    monday = selectors.week_monday(_week_asked(request.GET.get("week"), today))
    return render(request, "classes/timetable_week.html", {
        "days": selectors.timetable_week(monday=monday),
        "monday": monday,
        "sunday": monday + timedelta(days=6),
        "previous_week": monday - timedelta(weeks=1),
        "next_week": monday + timedelta(weeks=1),
        "is_this_week": monday == selectors.week_monday(today),
        "today": today,
    })


@never_cache
def timetable_teacher(request, teacher_id: int):
    """Anyone may see when a teacher teaches; only the teacher and coordinators see their private feed."""
    teacher = get_object_or_404(Teacher, pk=teacher_id)
    is_own = teacher.user_id is not None and request.user.is_authenticated and request.user.pk == teacher.user_id
    feed = None
    if is_own or user_is_coordinator(request.user):
        feed = _feed_links(request, calendars.calendar_feed_ensure(teacher=teacher))
    return render(request, "classes/timetable_teacher.html", {
        "teacher": teacher,
        "entries": selectors.teacher_timetable(teacher=teacher),
        "is_own": is_own,
        "feed": feed,
        "today": timezone.localdate(),
    })


@never_cache
def my_timetable(request):
    learner = current_learner(request)
    if learner is None:
        teacher = getattr(request.user, "teacher", None) if request.user.is_authenticated else None
        if teacher is not None:
            return redirect("timetable_teacher", teacher_id=teacher.pk)
        # What 我的课程 shows a stranger: how to open their link, and whom to call.
        return render(request, "classes/not_signed_in.html", status=200)
    return render(request, "classes/my_timetable.html", {
        "learner": learner,
        "entries": selectors.learner_timetable(learner=learner),
        "feed": _feed_links(request, calendars.calendar_feed_ensure(learner=learner)),
        "today": timezone.localdate(),
    })


def _availability_teacher(request) -> Teacher:
    """The teacher whose free time is shown: the signed-in teacher, or for a coordinator ?teacher=<id>."""
    wanted = request.GET.get("teacher", "")
    if wanted.isdigit() and user_is_coordinator(request.user):
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
            add = services.availability_add if action == "add_slot" else services.availability_exception_add
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


urlpatterns = [
    path("teach/free-time/", teacher_availability, name="teacher_availability"),
    path("calendar/<str:token>.ics", calendar_feed, name="calendar_feed"),
    path("timetable/", timetable_week, name="timetable_week"),
    path("timetable/teacher/<id:teacher_id>/", timetable_teacher, name="timetable_teacher"),
    path("my/timetable/", my_timetable, name="my_timetable"),
]
