"""The term overview's figures from classes: the term shown, seats, attendance and today's classes,
checked against a term counted by hand (tests/classes/term_world.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from classes.courses.term_figures import seat_totals, sessions_counted, term_choose, term_courses, term_seats
from classes.live.term_figures import (
    CANCELLED, ENDED, LIVE, NOT_HELD, NOT_STARTED, OVERDUE, classes_today, term_attendance,
)
from classes.models import ClassSession, Participant, RoomRole, Term, Visit
from tests.classes.learner_pages import local
from tests.classes.term_world import build_term_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _words_in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def world(calligraphy):
    return build_term_world(calligraphy.category)


def test_the_term_shown_is_the_one_asked_for_else_the_one_under_way_else_the_latest(world):
    today = timezone.localdate()
    assert term_choose(term_id=world.term.pk).term == world.term
    latest = Term.objects.order_by("-starts_on").first()
    assert term_choose(term_id=None).term == latest  # no term covers today in the demo
    current = Term.objects.create(name="本学期", starts_on=today - timedelta(days=10), ends_on=today + timedelta(days=10))
    assert term_choose(term_id=None).term == current
    assert term_choose(term_id=999_999).term == current


def test_seats_per_course_count_taken_capacity_and_waiting_with_the_room_too_small(world):
    courses = term_courses(term=world.term)
    assert [c.title for c in courses.courses] == ["太极入门", "剪纸"]
    taichi, papercut = term_seats(term_courses=courses, online_room_holds=6)
    assert (taichi.online["taken"], taichi.online["capacity"], taichi.online["waiting"]) == (3, 3, 1)
    assert (taichi.centre["taken"], taichi.centre["capacity"], taichi.centre["waiting"]) == (1, 2, 0)
    assert taichi.room == world.room
    assert taichi.notes == ["活动室 holds 1, but the course has 2 seats at the centre."]
    assert (papercut.online["taken"], papercut.online["capacity"], papercut.centre["capacity"]) == (1, 2, 0)
    assert papercut.room is None and papercut.notes == []
    totals = seat_totals([taichi, papercut])
    assert (totals.online_taken, totals.online_capacity, totals.online_waiting) == (4, 5, 1)
    assert (totals.centre_taken, totals.centre_capacity) == (1, 2)


def test_more_online_learners_than_the_live_room_carries_is_said_in_words(world):
    taichi, _papercut = term_seats(term_courses=term_courses(term=world.term), online_room_holds=2)
    assert "3 learners online, but the live room can carry 2 without the video server." in taichi.notes


def test_the_term_counts_its_classes_held_planned_and_cancelled(world):
    assert sessions_counted(term=world.term) == {"planned": 6, "held": 5, "cancelled": 1}


def test_attendance_per_class_counts_those_who_came_after_the_start_of_those_signed_up(world):
    attendance = term_attendance(term=world.term, courses=[world.taichi, world.papercut])
    got = [(row.session.pk, row.attended, row.enrolled, row.rate) for row in attendance.sessions]
    s = world.sessions
    assert got == [
        (s["a1"].pk, 2, 3, 67), (s["b1"].pk, 1, 1, 100), (s["b2"].pk, 0, 1, 0),
        (s["a2"].pk, 2, 4, 50), (s["a3"].pk, 1, 4, 25),
    ]


def test_attendance_per_learner_counts_classes_held_since_signing_up_and_flags_two_missed(world):
    attendance = term_attendance(term=world.term, courses=[world.taichi, world.papercut])
    got = {(row.course.title, row.name): (row.attended, row.held, row.missed_last_two) for row in attendance.learners}
    assert got == {
        ("太极入门", "甲"): (3, 3, False), ("太极入门", "乙"): (0, 3, True), ("太极入门", "丙"): (1, 2, False),
        ("太极入门", "戊"): (1, 3, True), ("剪纸", "己"): (1, 2, False),
    }
    assert [row.name for row in attendance.missed_last_two] == ["乙", "戊"]


def test_today_says_each_class_state_in_words_and_who_joined(noon, world):
    course = world.papercut
    ended = ClassSession.objects.create(course=course, starts_at=local(0, 9), duration_minutes=60,
                                        live_started_at=local(0, 9), live_ended_at=local(0, 10))
    live = ClassSession.objects.create(course=course, starts_at=local(0, 11, 30), duration_minutes=60,
                                       live_started_at=local(0, 11, 31))
    overdue = ClassSession.objects.create(course=course, starts_at=local(0, 11, 45), duration_minutes=60)
    not_held = ClassSession.objects.create(course=course, starts_at=local(0, 8), duration_minutes=60)
    later = ClassSession.objects.create(course=course, starts_at=local(0, 15), duration_minutes=60)
    cancelled = ClassSession.objects.create(course=course, starts_at=local(0, 16), duration_minutes=60,
                                            cancelled_at=local(-1, 9))
    ClassSession.objects.create(course=course, starts_at=local(1, 9), duration_minutes=60)  # tomorrow: not listed
    world.visit(live, world.learners["己"], local(0, 11, 32))
    # A teacher in the room is not a learner who joined.
    teacher = Participant.objects.create(session=live, name="赵老师", role=RoomRole.TEACHER)
    Visit.objects.create(participant=teacher)

    today = {item.session.pk: item for item in classes_today() if item.session.course_id == course.pk}
    assert [(today[s.pk].state, today[s.pk].joined, today[s.pk].enrolled) for s in
            (ended, live, overdue, not_held, later, cancelled)] == [
        (ENDED, 0, 1), (LIVE, 1, 1), (OVERDUE, 0, 1), (NOT_HELD, 0, 1), (NOT_STARTED, 0, 1), (CANCELLED, 0, 1)]
    assert today[live.pk].state_words == "The class is on."
    assert len(today) == 6
