"""Private calendar feeds: a secret address per course, teacher or learner that a
phone's calendar app subscribes to, and the iCalendar text it fetches.

A feed's token works like a join link's: derived from the feed's id and nonce, only
its hash stored, so the address can be shown again on the timetable pages."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from classes.models import CalendarFeed, ClassSession, CoursePage, Learner, SessionMode, Teacher
from classes.courses.join_links import token_for, token_hash

# A feed token is no join link: a different salt, so one can never be turned into the other.
FEED_TOKEN_SALT = "classes.calendar_feed"
# The right-hand side of every event's UID. Fixed, not the site's address: if the site
# moves, calendar apps must still see the same events, not a second copy of each class.
UID_DOMAIN = "calendar.shequ-ketang"
PRODID = "-//Shequ Ketang//Class timetable//ZH"
# Calendar apps poll subscribed feeds at their own pace; this asks them to look hourly,
# so a cancelled class reaches the learner's phone before they set off.
REFRESH = timedelta(hours=1)


def calendar_feed_ensure(
    *, course: CoursePage | None = None, teacher: Teacher | None = None, learner: Learner | None = None
) -> CalendarFeed:
    """The live feed of this course, teacher or learner, making one if there is none."""
    owner = {"course": course, "teacher": teacher, "learner": learner}
    feed = CalendarFeed.objects.filter(**owner, revoked_at__isnull=True).order_by("pk").first()
    if feed is not None:
        return feed
    with transaction.atomic():
        # A placeholder hash until the id exists; the token depends on it.
        feed = CalendarFeed.objects.create(**owner, nonce=secrets.token_hex(16), token_hash=secrets.token_hex(32))
        feed.token_hash = token_hash(calendar_feed_token(feed=feed))
        feed.save(update_fields=["token_hash"])
    return feed


def calendar_feed_token(*, feed: CalendarFeed) -> str:
    return token_for(feed, salt=FEED_TOKEN_SALT)


def calendar_feed_check(*, token: str) -> CalendarFeed | None:
    """The live feed a token opens; None for an unknown or revoked one."""
    return (
        CalendarFeed.objects.select_related("course", "teacher", "learner")
        .filter(token_hash=token_hash(token), revoked_at__isnull=True)
        .first()
    )


def session_uid(session: ClassSession) -> str:
    """Stable across moves and cancellation: the calendar app updates its event instead of adding one."""
    return f"classsession-{session.pk}@{UID_DOMAIN}"


def _location(session: ClassSession) -> str:
    room = session.room.name if session.room_id else ""
    if session.mode == SessionMode.ONLINE or not room:
        return session.get_mode_display()
    if session.mode == SessionMode.BOTH:
        return _("%(room)s, or online") % {"room": room}
    return room


def _event(session: ClassSession) -> Event:
    class_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("class_page", args=[session.pk])
    title = session.course.title
    lines = []
    if session.is_cancelled:
        title = _("%(title)s (cancelled)") % {"title": title}
        if session.cancel_reason:
            lines.append(_("Cancelled: %(reason)s") % {"reason": session.cancel_reason})
    lines.append(_("Class page: %(url)s") % {"url": class_url})
    # The centre's wall-clock time (settings.TIME_ZONE) with its VTIMEZONE, as people read it.
    starts = timezone.localtime(session.starts_at, timezone.get_default_timezone())
    return Event.new(
        uid=session_uid(session),
        start=starts,
        end=starts + timedelta(minutes=session.duration_minutes),
        summary=title,
        status="CANCELLED" if session.is_cancelled else "CONFIRMED",
        sequence=session.sequence,
        location=_location(session),
        description="\n".join(lines),
        url=class_url,
    )


def calendar_ics(*, sessions, name: str) -> bytes:
    """An iCalendar file with one event per session, cancelled ones marked so, in the centre's time zone."""
    sessions = list(sessions)
    calendar = Calendar.new(name=name, prodid=PRODID, subcomponents=[_event(s) for s in sessions])
    # Calendar.new gives the calendar a random UID; a feed that changes identity on every fetch confuses some apps.
    calendar.pop("UID", None)
    calendar.add("REFRESH-INTERVAL", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", REFRESH)  # Apple's and Outlook's name for the same
    if sessions:
        centre = timezone.get_default_timezone()
        first = timezone.localtime(min(s.starts_at for s in sessions), centre).date()
        last = timezone.localtime(max(s.ends_at for s in sessions), centre).date()
        calendar.add_missing_timezones(first_date=first - timedelta(days=1), last_date=last + timedelta(days=1))
    return calendar.to_ical()
