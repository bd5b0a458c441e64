"""Readiness per learner per course: link opened and device check passed, a class
attended, a setup visit at the centre, or a volunteer's call logged 已加入."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from classes.models import ClassSession, CoursePage, DeviceCheck, Participant, RoomRole, SeatPool, Visit
from classes.courses.services import enrolment_create
from classes.courses.join_links import join_link_ensure, join_link_mark_used
from volunteers.models import SetupBooking, SetupSlot
from volunteers.selectors.readiness import course_readiness, readiness_for_course, readiness_for_courses, readiness_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def seated(calligraphy, make_learner):
    learner = make_learner("准备中")
    enrolment_create(learner=learner, course=calligraphy, pool=SeatPool.ONLINE)
    return learner


def _open_link(course, learner):
    join_link_mark_used(link=join_link_ensure(course=course, learner=learner))


def _check_device(learner, heard=True):
    DeviceCheck.objects.create(learner=learner, sound_heard=heard, camera_ok=True, microphone_ok=True)


def _join_room(course, learner, live=False):
    session = ClassSession.objects.filter(course=course).first()
    if live:
        session.live_started_at = timezone.now() - timedelta(minutes=5)
        session.save(update_fields=["live_started_at"])
    participant = Participant.objects.create(session=session, learner=learner, name=learner.name, role=RoomRole.LEARNER)
    Visit.objects.create(participant=participant)
    return session


def test_a_new_learner_has_no_step_done_and_is_not_ready(calligraphy, seated):
    readiness = readiness_of(learner=seated, course=calligraphy)
    assert not readiness.ready
    assert readiness.next_step == "link_opened"


def test_the_link_and_a_passed_device_check_together_make_a_learner_ready(calligraphy, seated):
    _open_link(calligraphy, seated)
    _check_device(seated)
    readiness = readiness_of(learner=seated, course=calligraphy)
    assert readiness.ready and readiness.next_step == ""


def test_a_device_check_without_the_sound_heard_does_not_count(calligraphy, seated):
    _open_link(calligraphy, seated)
    _check_device(seated, heard=False)
    readiness = readiness_of(learner=seated, course=calligraphy)
    assert not readiness.ready
    assert readiness.next_step == "device_checked"


def test_attending_a_live_class_makes_a_learner_ready(calligraphy, seated):
    _join_room(calligraphy, seated, live=True)
    readiness = readiness_of(learner=seated, course=calligraphy)
    assert readiness.attended and readiness.ready


def test_checking_in_at_a_setup_visit_makes_a_learner_ready(calligraphy, seated):
    slot = SetupSlot.objects.create(starts_at=timezone.now() - timedelta(minutes=10))
    SetupBooking.objects.create(slot=slot, learner=seated, checked_in_at=timezone.now())
    assert readiness_of(learner=seated, course=calligraphy).ready


def test_a_link_opened_for_another_course_does_not_count(calligraphy, seated):
    other = CoursePage.objects.get(slug="learn-abc")
    _open_link(other, seated)
    _check_device(seated)
    assert not readiness_of(learner=seated, course=calligraphy).ready


def test_course_readiness_counts_ready_learners_among_those_with_a_seat(calligraphy, seated, make_learner):
    before = course_readiness(course=calligraphy)
    _join_room(calligraphy, seated, live=True)
    after = course_readiness(course=calligraphy)
    assert (after.ready, after.seated) == (before.ready + 1, before.seated)


def test_waitlisted_learners_are_not_counted(calligraphy, make_learner):
    seated_ids = set(readiness_for_course(course=calligraphy))
    calligraphy.online_seats = len(seated_ids)
    calligraphy.save()
    waiting = make_learner("等位")
    enrolment_create(learner=waiting, course=calligraphy, pool=SeatPool.ONLINE)
    assert waiting.pk not in readiness_for_course(course=calligraphy)


def test_the_roster_shows_how_many_are_ready(client, calligraphy, seated):
    _join_room(calligraphy, seated, live=True)
    summary = course_readiness(course=calligraphy)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(get_user_model().objects.get(username="coordinator"))
    response = client.get(reverse("roster", args=[calligraphy.pk]))
    assert f"{summary.ready}/{summary.seated} ready" in response.content.decode()


def test_readiness_for_courses_takes_as_many_queries_for_three_courses_as_for_one(
    django_assert_num_queries, calligraphy, seated,
):
    three = [calligraphy.pk, *CoursePage.objects.filter(slug__in=["learn-abc", "chinese-painting"]).values_list(
        "pk", flat=True)]
    _open_link(calligraphy, seated)
    with django_assert_num_queries(6) as one:
        readiness_for_courses(course_ids=[calligraphy.pk])
    with django_assert_num_queries(len(one.captured_queries)):
        by_course = readiness_for_courses(course_ids=three)

    assert set(by_course) == set(three) and all(by_course.values())
