"""The timetable: the public week grid, a teacher's and a learner's coming classes,
and the private calendar feeds that phones subscribe to."""

from datetime import date, timedelta

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from classes import calendars, selectors
from classes.learner_session import current_learner
from classes.models import CalendarFeed, Teacher

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
    if is_own or selectors.user_is_coordinator(request.user):
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
