from datetime import timedelta

import pytest
from django.utils import timezone
from wagtail.models import Page, Site
from wagtail.test.utils import WagtailPageTestCase

from classes.models import ClassSession, CourseIndexPage, CoursePage, SessionMode
from home.models import HomePage, StandardPage

pytestmark = pytest.mark.django_db


class PageTreeTests(WagtailPageTestCase):
    def test_course_index_lives_under_home_only(self):
        self.assertAllowedParentPageTypes(CourseIndexPage, {HomePage})

    def test_course_lives_under_course_index_only(self):
        self.assertAllowedParentPageTypes(CoursePage, {CourseIndexPage})

    def test_home_holds_course_index_and_information_pages(self):
        self.assertAllowedSubpageTypes(HomePage, {CourseIndexPage, StandardPage})

    def test_course_has_no_subpages(self):
        self.assertAllowedSubpageTypes(CoursePage, set())


def test_site_root_is_the_home_page():
    assert isinstance(Site.objects.get(is_default_site=True).root_page.specific, HomePage)


def test_home_page_lists_the_four_demo_courses(zh_client):
    response = zh_client.get("/")
    assert response.status_code == 200
    for title in ("爱尚书法", "国画兴趣班", "少儿国画班", "学会ABC"):
        assert title in response.content.decode()


def test_home_page_shows_a_class_later_today_as_a_card(zh_client, calligraphy):
    soon = timezone.now() + timedelta(minutes=5)
    ClassSession.objects.create(course=calligraphy, starts_at=soon, mode=SessionMode.ONLINE)
    response = zh_client.get("/")
    today = [s.pk for s in response.context["today_sessions"]]
    assert ClassSession.objects.get(course=calligraphy, starts_at=soon).pk in today


def test_home_page_leaves_out_a_class_that_has_ended(zh_client, calligraphy):
    ended = ClassSession.objects.create(
        course=calligraphy, starts_at=timezone.now() - timedelta(minutes=90), duration_minutes=60
    )
    response = zh_client.get("/")
    assert ended not in response.context["today_sessions"]


def test_course_list_filters_by_category(zh_client):
    response = zh_client.get("/courses/?category=english")
    assert [c.slug for c in response.context["courses"]] == ["learn-abc"]


def test_course_list_ignores_an_unknown_category(zh_client):
    response = zh_client.get("/courses/?category=%3Cscript%3E")
    assert response.status_code == 200
    assert len(response.context["courses"]) == 4


def test_course_page_shows_teacher_summary_and_next_classes(zh_client, calligraphy):
    response = zh_client.get(calligraphy.url)
    body = response.content.decode()
    assert response.status_code == 200
    assert "王书华" in body
    assert calligraphy.summary in body
    assert list(response.context["upcoming_sessions"]) == list(
        calligraphy.sessions.filter(starts_at__gte=timezone.now())[:6]
    )


def test_course_without_teacher_or_photo_still_renders(zh_client, calligraphy):
    index = CourseIndexPage.objects.get()
    bare = index.add_child(
        instance=CoursePage(
            title="太极入门", slug="taichi", category=calligraphy.category, summary="慢慢来。",
            term_start=calligraphy.term_start, term_end=calligraphy.term_end,
        )
    )
    response = zh_client.get(bare.url)
    assert response.status_code == 200
    assert "老师待定" in response.content.decode()


def test_course_term_must_not_end_before_it_starts(calligraphy):
    calligraphy.term_end = calligraphy.term_start - timedelta(days=1)
    with pytest.raises(Exception) as error:
        calligraphy.full_clean()
    assert "term_end" in error.value.message_dict


def test_unknown_address_gets_a_friendly_page_with_help(zh_client):
    response = zh_client.get("/no-such-page/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "对不起，找不到这个页面" in body
    assert 'class="button button--help"' in body


def test_server_error_page_gives_the_help_phone(rf, settings):
    from home.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert settings.CENTRE_HELP_PHONE in response.content.decode()


def test_every_page_in_the_tree_is_served():
    client_pages = Page.objects.live().type(HomePage, CourseIndexPage, CoursePage)
    from django.test import Client

    client = Client()
    for page in client_pages:
        assert client.get(page.url).status_code == 200, page.url
