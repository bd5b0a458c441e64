"""Private calendar feeds: their tokens, and the iCalendar text calendar apps read back."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone, translation
from icalendar import Calendar

from classes.timetable.calendars import calendar_feed_check, calendar_feed_ensure, calendar_feed_token, calendar_ics
from classes.models import CalendarFeed, ClassSession, Room, SessionMode
from classes.courses.join_links import join_link_check, token_hash

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def session(calligraphy):
    # 01:30 UTC is 09:30 in Shanghai.
    return ClassSession.objects.create(
        course=calligraphy, starts_at=datetime(2027, 3, 2, 1, 30, tzinfo=UTC), duration_minutes=90
    )


def parse(sessions, name="课表"):
    return Calendar.from_ical(calendar_ics(sessions=sessions, name=name))


def event_of(session):
    [event] = parse([session]).events
    return event


# ---------------------------------------------------------------- tokens


def test_a_feed_token_is_stored_only_as_a_hash(calligraphy):
    feed = calendar_feed_ensure(course=calligraphy)
    token = calendar_feed_token(feed=feed)
    stored = CalendarFeed.objects.filter(pk=feed.pk).values().get()
    assert token not in " ".join(str(value) for value in stored.values())
    assert stored["token_hash"] == token_hash(token)


def test_a_feed_token_opens_its_feed(calligraphy):
    feed = calendar_feed_ensure(course=calligraphy)
    assert calendar_feed_check(token=calendar_feed_token(feed=feed)) == feed


def test_a_revoked_feed_token_opens_nothing(calligraphy):
    feed = calendar_feed_ensure(course=calligraphy)
    CalendarFeed.objects.filter(pk=feed.pk).update(revoked_at=timezone.now())
    assert calendar_feed_check(token=calendar_feed_token(feed=feed)) is None


def test_an_unknown_feed_token_opens_nothing():
    assert calendar_feed_check(token="abcdefghijklmnopqrstuvwxyz") is None


def test_ensuring_a_feed_twice_gives_the_same_address(calligraphy):
    assert calendar_feed_ensure(course=calligraphy) == calendar_feed_ensure(course=calligraphy)


def test_ensuring_a_feed_after_revoking_gives_a_new_address(calligraphy):
    old = calendar_feed_ensure(course=calligraphy)
    CalendarFeed.objects.filter(pk=old.pk).update(revoked_at=timezone.now())
    assert calendar_feed_token(feed=calendar_feed_ensure(course=calligraphy)) != calendar_feed_token(feed=old)


def test_a_feed_token_does_not_open_a_class(calligraphy):
    token = calendar_feed_token(feed=calendar_feed_ensure(course=calligraphy))
    assert join_link_check(token=token).problem == "unknown"


# ---------------------------------------------------------------- the iCalendar file


def test_each_session_is_one_event(calligraphy, session):
    other = ClassSession.objects.create(course=calligraphy, starts_at=session.starts_at + timedelta(days=7))
    assert len(parse([session, other]).events) == 2


def test_an_event_starts_and_ends_at_the_centres_wall_clock_time(session):
    event = event_of(session)
    assert (event.start, event.end) == (
        datetime(2027, 3, 2, 9, 30, tzinfo=SHANGHAI), datetime(2027, 3, 2, 11, 0, tzinfo=SHANGHAI)
    )
    assert event.start.tzinfo.key == "Asia/Shanghai"


def test_the_calendar_describes_the_centres_time_zone(session):
    assert [tz.tz_name for tz in parse([session]).timezones] == ["Asia/Shanghai"]


def test_an_event_keeps_its_uid_when_the_class_moves(session):
    before = event_of(session).uid
    session.starts_at += timedelta(days=1, hours=2)
    session.sequence += 1
    session.save()
    assert event_of(session).uid == before == f"classsession-{session.pk}@calendar.shequ-ketang"


def test_an_event_carries_the_sessions_sequence(session):
    session.sequence = 3
    assert event_of(session).sequence == 3


def test_a_cancelled_class_is_a_cancelled_event(session):
    session.cancelled_at = timezone.now()
    assert event_of(session).status == "CANCELLED"


def test_a_cancelled_class_says_so_in_its_title(session):
    session.cancelled_at = timezone.now()
    with translation.override("en"):
        assert event_of(session).summary == "爱尚书法 (cancelled)"


def test_a_class_that_goes_ahead_is_confirmed_under_the_course_title(session):
    event = event_of(session)
    assert (event.status, event.summary) == ("CONFIRMED", "爱尚书法")


def test_an_event_links_to_its_class_page(session):
    url = f"{settings.WAGTAILADMIN_BASE_URL}/class/{session.pk}/"
    event = event_of(session)
    assert event.url == url
    assert url in event.description


def test_an_online_class_is_located_online(session):
    with translation.override("en"):
        assert event_of(session).location == "Online"


def test_a_class_at_the_centre_is_located_in_its_room(session):
    session.mode = SessionMode.CENTRE
    session.room = Room.objects.create(name="二楼书画室", capacity=20)
    assert event_of(session).location == "二楼书画室"


def test_the_calendar_carries_its_name(session):
    assert parse([session], name="社区课堂：爱尚书法").calendar_name == "社区课堂：爱尚书法"


def test_a_calendar_without_classes_still_reads_back():
    assert parse([]).events == []
