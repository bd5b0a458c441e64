"""Public pages for visitors without a session come from the cache (core/pagecache.py),
are never stale after a change they show, and never carry anything personal."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from classes.courses.services import enrolment_create, enrolment_withdraw
from classes.models import ClassSession
from core import pagecache
from volunteers.models import Initiative

pytestmark = pytest.mark.django_db


def _visit(client, url="/"):
    response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.fixture(autouse=True)
def _one_minute(monkeypatch):
    """The clock holds within one minute, so a second visit never lands in the next one's entry."""
    monkeypatch.setattr(pagecache, "_minute", lambda: 0)


@pytest.fixture
def visitor():
    return Client(HTTP_ACCEPT_LANGUAGE="zh-CN")


def test_a_visitor_without_a_session_gets_the_second_home_page_from_the_cache(visitor):
    first = _visit(visitor)
    with CaptureQueriesContext(connection) as queries:
        second = _visit(visitor)

    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
    assert len(queries) == 1  # the public pages' version
    assert second.content.decode().count("<h1") == first.content.decode().count("<h1")


def test_a_course_page_published_with_a_new_title_shows_it_at_once(visitor, calligraphy):
    _visit(visitor)
    calligraphy.title = "爱尚书法（新）"
    calligraphy.save_revision().publish()

    response = _visit(visitor)

    assert response["X-Page-Cache"] == "miss"
    assert "爱尚书法（新）" in response.content.decode()


def test_a_class_moved_shows_its_new_time_at_once(visitor, calligraphy):
    session = ClassSession.objects.filter(course=calligraphy, starts_at__gt=timezone.now()).earliest("starts_at")
    before = _visit(visitor, calligraphy.url)
    session.starts_at += timedelta(minutes=17)
    session.save()

    after = _visit(visitor, calligraphy.url)

    assert after["X-Page-Cache"] == "miss"
    assert after.content != before.content


def test_a_seat_freed_shows_on_the_course_page_at_once(visitor, calligraphy, learner):
    enrolment = enrolment_create(learner=learner, course=calligraphy)
    before = _visit(visitor, calligraphy.url)

    enrolment_withdraw(enrolment=enrolment)
    after = _visit(visitor, calligraphy.url)

    assert after["X-Page-Cache"] == "miss"
    assert after.content != before.content


def test_a_new_initiative_is_on_the_home_page_at_once(visitor, calligraphy):
    _visit(visitor)
    Initiative.objects.create(title="致敬白衣天使", summary="画一幅画。", course=calligraphy,
                              ends_on=timezone.localdate() + timedelta(days=30), published=True)

    response = _visit(visitor)

    assert "致敬白衣天使" in response.content.decode()


def test_english_and_chinese_visitors_each_get_their_own_language(visitor):
    _visit(visitor)
    english = _visit(Client(HTTP_ACCEPT_LANGUAGE="en"))

    assert english["X-Page-Cache"] == "miss"
    assert '<html lang="en"' in english.content.decode()


def test_a_learner_with_a_session_never_gets_or_fills_the_cache(client, calligraphy, learner, open_link, visitor):
    enrolment_create(learner=learner, course=calligraphy)
    open_link(calligraphy, learner=learner)
    _visit(visitor, calligraphy.url)  # cached for visitors

    mine = _visit(client, calligraphy.url)
    theirs = _visit(visitor, calligraphy.url)

    assert "X-Page-Cache" not in mine
    assert 'id="my-place-heading"' in mine.content.decode()
    assert theirs["X-Page-Cache"] == "hit"
    assert 'id="my-place-heading"' not in theirs.content.decode()


def test_a_visitor_can_switch_language_from_a_cached_page():
    Client(HTTP_ACCEPT_LANGUAGE="zh-CN").get("/")  # someone else's visit fills the cache
    visitor = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="zh-CN")
    page = _visit(visitor)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)

    switched = visitor.post("/i18n/setlang/", {"language": "en", "next": "/", "csrfmiddlewaretoken": token})

    assert page["X-Page-Cache"] == "hit"
    assert switched.status_code == 302


def test_a_page_its_view_marks_never_cache_is_not_cached(visitor):
    from classes.models import Teacher

    url = f"/timetable/teacher/{Teacher.objects.first().pk}/"
    _visit(visitor, url)

    assert "X-Page-Cache" not in _visit(visitor, url)


def test_a_page_from_the_cache_has_the_headers_the_first_visitor_got(visitor):
    first = _visit(visitor)
    second = _visit(visitor)

    assert second["X-Page-Cache"] == "hit"
    for header in ("Content-Type", "Content-Language", "Vary", "X-Frame-Options", "Content-Security-Policy"):
        assert second[header] == first[header], header


def test_a_host_that_is_not_ours_is_refused_also_when_the_page_is_cached(visitor):
    _visit(visitor)

    response = visitor.get("/", headers={"host": "evil.example"})

    assert response.status_code == 400


def test_a_page_from_the_cache_says_its_length_so_the_connection_can_be_kept(visitor):
    _visit(visitor)

    second = _visit(visitor)

    assert int(second["Content-Length"]) == len(second.content)
