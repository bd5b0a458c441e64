import io

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from wagtail.images.models import Image
from wagtail.models import Page, Revision

from classes.models import ClassSession, CourseCategory, CoursePage, Learner, Teacher
from core.roles import COORDINATORS, TEACHERS, VOLUNTEERS

pytestmark = pytest.mark.django_db

SEEDED = [Page, Revision, CoursePage, CourseCategory, Teacher, ClassSession, Learner, User, Group, Image]


def test_demo_has_the_four_courses():
    assert set(CoursePage.objects.values_list("title", flat=True)) == {"爱尚书法", "国画兴趣班", "少儿国画班", "学会ABC"}


def test_demo_has_a_login_for_every_signed_in_role():
    for group in (COORDINATORS, TEACHERS, VOLUNTEERS):
        assert User.objects.filter(groups__name=group).exists(), group


def test_demo_has_a_child_learner_with_a_guardian():
    assert Learner.objects.exclude(guardian_phone="").filter(birth_year__gte=2010).exists()


def test_demo_has_two_weeks_of_sessions_for_each_course():
    for course in CoursePage.objects.all():
        assert course.sessions.count() >= 2


def test_second_run_changes_nothing():
    before = {model.__name__: model.objects.count() for model in SEEDED}
    call_command("seed_demo", stdout=io.StringIO())
    after = {model.__name__: model.objects.count() for model in SEEDED}
    assert after == before


def test_seed_prints_every_demo_login():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    for username in ("coordinator", "teacher_wang", "teacher_li", "volunteer"):
        assert username in out.getvalue()


def test_coordinators_may_use_the_wagtail_admin(client):
    assert client.login(username="coordinator", password="demo-coordinator")
    assert client.get("/admin/").status_code == 200


def test_volunteers_may_not_use_the_wagtail_admin(client):
    assert client.login(username="volunteer", password="demo-volunteer")
    assert client.get("/admin/").status_code == 302
