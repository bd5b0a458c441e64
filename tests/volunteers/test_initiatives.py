"""Initiatives (倡议) on the home page: published and current ones only."""

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from volunteers.models import Initiative
from volunteers.selectors.initiatives import initiatives_current

pytestmark = pytest.mark.django_db


@pytest.fixture
def initiative():
    def make(title="写一段双语对话", **fields):
        fields.setdefault("summary", "和家人一起写一段中英文对话。")
        fields.setdefault("published", True)
        return Initiative.objects.create(title=title, **fields)
    return make


def home_html(client) -> str:
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def test_published_initiative_without_an_end_is_current(initiative):
    made = initiative()
    assert made in initiatives_current()


def test_unpublished_initiative_is_not_current(initiative):
    made = initiative(published=False)
    assert made not in initiatives_current()


def test_initiative_ending_today_is_still_current(initiative):
    made = initiative(ends_on=timezone.localdate())
    assert made in initiatives_current()


def test_initiative_that_ended_yesterday_is_not_current(initiative):
    made = initiative(ends_on=timezone.localdate() - timedelta(days=1))
    assert made not in initiatives_current()


def test_home_page_shows_the_published_initiative_and_how_to_take_part(client, initiative):
    initiative(how_to_take_part="写好后发到学习群。")
    html = home_html(client)
    assert "写一段双语对话" in html
    assert "写好后发到学习群。" in html


def test_home_page_hides_unpublished_and_ended_initiatives(client, initiative):
    initiative(title="还没发布的倡议", published=False)
    initiative(title="已经结束的倡议", ends_on=timezone.localdate() - timedelta(days=1))
    html = home_html(client)
    assert "还没发布的倡议" not in html
    assert "已经结束的倡议" not in html


def test_home_page_has_no_initiatives_section_when_there_is_none(client):
    Initiative.objects.update(published=False)
    assert 'id="initiatives-heading"' not in home_html(client)


def test_initiative_for_a_course_links_to_its_learning_group(client, initiative, calligraphy):
    initiative(course=calligraphy)
    assert f'href="{reverse("group", args=[calligraphy.pk])}"' in home_html(client)


def test_the_template_tag_shows_current_initiatives_on_any_page(initiative):
    initiative()
    html = Template("{% load initiative_tags %}{% current_initiatives %}").render(Context({}))
    assert "写一段双语对话" in html
