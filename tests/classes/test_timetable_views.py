"""The timetable pages and the calendar feed addresses."""

from datetime import date, datetime, time, timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from icalendar import Calendar

from classes.timetable.calendars import calendar_feed_ensure, calendar_feed_token, session_uid
from classes.models import (
    CalendarFeed,
    ClassSession,
    CoursePage,
    CourseNeed,
    Enrolment,
    Learner,
    Teacher,
    Term,
    TimetableSlot,
)
from classes.courses.services import enrolment_withdraw

pytestmark = pytest.mark.django_db

# A week after the demo's two weeks of classes and within ten years of today, so it holds
# only the classes a test makes. Wednesday; its Monday is 4 March.
FAR_WEDNESDAY = "2030-03-06"
FAR_MONDAY = date(2030, 3, 4)


@pytest.fixture
def liu():
    return Learner.objects.get(phone="13800138001")  # a seat in 爱尚书法 and 学会ABC


@pytest.fixture
def wang():
    return Teacher.objects.get(user__username="teacher_wang")  # teaches 爱尚书法 and 国画兴趣班


@pytest.fixture
def painting():
    return CoursePage.objects.get(slug="chinese-painting")


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def cancel(session: ClassSession, reason: str = "") -> ClassSession:
    session.cancelled_at, session.cancel_reason = timezone.now(), reason
    session.save()
    return session


def feed_path(**owner) -> str:
    return f"/calendar/{calendar_feed_token(feed=calendar_feed_ensure(**owner))}.ics"


def feed_uids(client, path) -> set[str]:
    return {str(event.uid) for event in Calendar.from_ical(client.get(path).content).events}


def uids(sessions) -> set[str]:
    return {session_uid(s) for s in sessions}


def recent(**filters) -> set[str]:
    """The demo sessions a feed should hold: all of them are from this week on."""
    return uids(ClassSession.objects.filter(**filters))


# ---------------------------------------------------------------- calendar feeds


def test_a_feed_is_served_as_an_icalendar_file(client, calligraphy):
    assert client.get(feed_path(course=calligraphy))["Content-Type"] == "text/calendar; charset=utf-8"


def test_a_feed_is_kept_from_shared_caches_and_referrers(client, calligraphy):
    response = client.get(feed_path(course=calligraphy))
    assert (response["Cache-Control"], response["Referrer-Policy"]) == ("private", "no-referrer")


def test_a_feed_sets_no_cookie(client, calligraphy):
    assert not client.get(feed_path(course=calligraphy)).cookies


def test_an_unknown_feed_address_is_not_found(client):
    assert client.get("/calendar/abcdefghijklmnopqrstuvwxyz.ics").status_code == 404


def test_a_revoked_feed_address_is_not_found(client, calligraphy):
    path = feed_path(course=calligraphy)
    CalendarFeed.objects.update(revoked_at=timezone.now())
    assert client.get(path).status_code == 404


def test_a_course_feed_holds_exactly_that_courses_classes(client, calligraphy):
    assert feed_uids(client, feed_path(course=calligraphy)) == recent(course=calligraphy)


def test_a_feed_keeps_cancelled_classes(client, calligraphy):
    cancelled = cancel(ClassSession.objects.filter(course=calligraphy).first())
    assert session_uid(cancelled) in feed_uids(client, feed_path(course=calligraphy))


def test_a_feed_keeps_the_last_month_and_drops_what_is_older(client, calligraphy):
    now = timezone.now()
    last_month = ClassSession.objects.create(course=calligraphy, starts_at=now - timedelta(days=20))
    older = ClassSession.objects.create(course=calligraphy, starts_at=now - timedelta(days=40))
    found = feed_uids(client, feed_path(course=calligraphy))
    assert (session_uid(last_month) in found, session_uid(older) in found) == (True, False)


def test_a_teacher_feed_holds_the_classes_of_the_courses_they_teach(client, wang):
    assert feed_uids(client, feed_path(teacher=wang)) == recent(course__slug__in=["calligraphy", "chinese-painting"])


def test_a_teacher_feed_holds_a_class_the_term_plan_gives_them(client, wang):
    children = CoursePage.objects.get(slug="children-painting")  # 李安妮's course
    term = Term.objects.create(name="2027 春季学期", starts_on=date(2027, 3, 1), ends_on=date(2027, 6, 30))
    need = CourseNeed.objects.create(term=term, course=children, teacher=wang)
    slot = TimetableSlot.objects.create(need=need, weekday=5, starts=time(10))
    substitute = ClassSession.objects.create(course=children, starts_at=timezone.now() + timedelta(days=3), series=slot)
    assert session_uid(substitute) in feed_uids(client, feed_path(teacher=wang))


def test_a_learner_feed_holds_only_the_courses_they_have_a_seat_in(client, liu):
    assert feed_uids(client, feed_path(learner=liu)) == recent(course__slug__in=["calligraphy", "learn-abc"])


def test_a_learner_feed_drops_a_course_they_left(client, liu, calligraphy):
    enrolment_withdraw(enrolment=Enrolment.objects.get(learner=liu, course=calligraphy))
    assert feed_uids(client, feed_path(learner=liu)) == recent(course__slug="learn-abc")


# ---------------------------------------------------------------- the week grid


def test_the_week_grid_lists_monday_to_sunday_of_the_asked_week(client):
    days = client.get(f"/timetable/?week={FAR_WEDNESDAY}").context["days"]
    assert [d.day for d in days] == [FAR_MONDAY + timedelta(days=n) for n in range(7)]


def test_the_week_grid_shows_exactly_that_weeks_classes(client, calligraphy):
    first = ClassSession.objects.create(course=calligraphy, starts_at=local(FAR_MONDAY, 0, 0))
    last = ClassSession.objects.create(course=calligraphy, starts_at=local(FAR_MONDAY + timedelta(days=6), 23, 0))
    ClassSession.objects.create(course=calligraphy, starts_at=local(FAR_MONDAY + timedelta(days=7), 0, 0))
    ClassSession.objects.create(course=calligraphy, starts_at=local(FAR_MONDAY - timedelta(days=1), 23, 0))
    days = client.get(f"/timetable/?week={FAR_WEDNESDAY}").context["days"]
    assert [e.session for d in days for e in d.entries] == [first, last]


def test_the_week_grid_puts_a_class_under_its_day_in_the_centres_time(client, calligraphy):
    # 07:00 on Tuesday in Shanghai is still Monday in UTC.
    ClassSession.objects.create(course=calligraphy, starts_at=local(FAR_MONDAY + timedelta(days=1), 7))
    days = client.get(f"/timetable/?week={FAR_WEDNESDAY}").context["days"]
    assert [len(d.entries) for d in days] == [0, 1, 0, 0, 0, 0, 0]


def test_the_week_grid_shows_the_teacher_course_link_and_place(client, calligraphy):
    ClassSession.objects.create(course=calligraphy, starts_at=local(FAR_MONDAY, 9))
    html = client.get(f"/timetable/?week={FAR_WEDNESDAY}").content.decode()
    assert all(part in html for part in ('href="/courses/calligraphy/"', "王书华", "timetable-card"))


def test_the_week_grid_marks_a_cancelled_class_with_its_reason(client, calligraphy):
    cancel(ClassSession.objects.create(course=calligraphy, starts_at=local(FAR_MONDAY, 9)), reason="老师生病")
    html = client.get(f"/timetable/?week={FAR_WEDNESDAY}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'class="timetable-card__cancelled">Cancelled: 老师生病<' in html


@pytest.mark.parametrize("week", ["garbage", "2030-02-30", "0001-01-01", "9999-12-31", ""])
def test_the_week_grid_shows_this_week_for_a_week_it_cannot_use(client, week):
    response = client.get(f"/timetable/?week={week}")
    this_monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    assert (response.status_code, response.context["monday"]) == (200, this_monday)


def test_the_week_grid_links_to_the_weeks_before_and_after(client):
    html = client.get(f"/timetable/?week={FAR_WEDNESDAY}").content.decode()
    assert 'href="/timetable/?week=2030-02-25"' in html and 'href="/timetable/?week=2030-03-11"' in html


def test_the_week_grid_has_a_print_button(client):
    assert b'<button class="button" type="button" data-print>' in client.get("/timetable/").content


def test_the_header_links_to_the_week_grid(client):
    assert b'<li><a href="/timetable/">' in client.get("/").content


# ---------------------------------------------------------------- a teacher's timetable


def test_a_teacher_page_lists_their_coming_classes(client, wang):
    entries = client.get(f"/timetable/teacher/{wang.pk}/").context["entries"]
    assert {e.session.course.slug for e in entries} == {"calligraphy", "chinese-painting"}
    assert all(e.session.ends_at > timezone.now() for e in entries)


def test_a_teacher_page_stops_after_eight_weeks(client, wang, calligraphy):
    later = ClassSession.objects.create(course=calligraphy, starts_at=timezone.now() + timedelta(weeks=9))
    entries = client.get(f"/timetable/teacher/{wang.pk}/").context["entries"]
    assert later not in [e.session for e in entries]


def test_a_teacher_sees_their_own_calendar_address(client, wang):
    client.login(username="teacher_wang", password="demo-teacher")
    feed = client.get(f"/timetable/teacher/{wang.pk}/").context["feed"]
    assert feed["url"].endswith(feed_path(teacher=wang))


def test_a_coordinator_sees_a_teachers_calendar_address(client, wang):
    client.login(username="coordinator", password="demo-coordinator")
    assert client.get(f"/timetable/teacher/{wang.pk}/").context["feed"] is not None


def test_another_teacher_does_not_see_a_teachers_calendar_address(client, wang):
    client.login(username="teacher_li", password="demo-teacher")
    response = client.get(f"/timetable/teacher/{wang.pk}/")
    assert response.context["feed"] is None and b"/calendar/" not in response.content


def test_a_visitor_does_not_see_a_teachers_calendar_address(client, wang):
    response = client.get(f"/timetable/teacher/{wang.pk}/")
    assert response.context["feed"] is None and b"/calendar/" not in response.content


def test_an_unknown_teacher_page_is_not_found(client):
    assert client.get("/timetable/teacher/999999/").status_code == 404


# ---------------------------------------------------------------- a learner's timetable


def test_my_timetable_lists_the_classes_of_the_learners_courses(client, liu, calligraphy, open_link):
    open_link(calligraphy, learner=liu)
    entries = client.get("/my/timetable/").context["entries"]
    assert {e.session.course.slug for e in entries} == {"calligraphy", "learn-abc"}


def test_my_timetable_marks_a_cancelled_class(client, liu, calligraphy, open_link):
    cancel(ClassSession.objects.create(course=calligraphy, starts_at=timezone.now() + timedelta(days=2)), "停电")
    open_link(calligraphy, learner=liu)
    html = client.get("/my/timetable/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'class="timetable-card__cancelled">Cancelled: 停电<' in html


def test_my_timetable_offers_enter_class_for_todays_class(client, liu, calligraphy, open_link):
    today = ClassSession.objects.create(course=calligraphy, starts_at=timezone.now(), duration_minutes=60)
    open_link(calligraphy, learner=liu)
    html = client.get("/my/timetable/").content.decode()
    assert f'class="button button--primary button--block" href="/class/{today.pk}/"' in html


def test_my_timetable_offers_no_enter_class_for_a_later_day(client, liu, calligraphy, open_link):
    later = ClassSession.objects.create(course=calligraphy, starts_at=timezone.now() + timedelta(days=2))
    open_link(calligraphy, learner=liu)
    assert f'href="/class/{later.pk}/"'.encode() not in client.get("/my/timetable/").content


def test_my_timetable_shows_the_learners_calendar_address(client, liu, calligraphy, open_link):
    open_link(calligraphy, learner=liu)
    assert client.get("/my/timetable/").context["feed"]["url"].endswith(feed_path(learner=liu))


def test_my_timetable_for_a_stranger_explains_how_to_get_in(client):
    response = client.get("/my/timetable/")
    assert (response.status_code, response.templates[0].name) == (200, "classes/not_signed_in.html")


def test_my_timetable_for_a_teacher_leads_to_their_timetable(client, wang):
    client.force_login(User.objects.get(username="teacher_wang"))
    assert client.get("/my/timetable/")["Location"] == f"/timetable/teacher/{wang.pk}/"


def test_my_classes_links_to_my_timetable(client, liu, calligraphy, open_link):
    open_link(calligraphy, learner=liu)
    assert b'href="/my/timetable/"' in client.get("/my/").content
