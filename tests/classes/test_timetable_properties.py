"""Hand edits in the planner, driven by hypothesis: whatever a coordinator tries,
the saved weekly times never clash and stay inside the teachers' free time."""

from datetime import date, time

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from classes.models.timetable import time_of
from classes.timetable import engine as scheduling
from classes.timetable import planner, services
from classes.models import AvailabilitySlot, CourseNeed, CoursePage, Room, SessionMode, Teacher, Term, TimetableSlot

pytestmark = pytest.mark.django_db

EDIT = st.tuples(
    st.integers(0, 3),  # which course need
    st.integers(0, 6),  # weekday
    st.integers(8 * 4, 20 * 4).map(lambda quarter: time(quarter // 4, quarter % 4 * 15)),  # start
    st.sampled_from([None, "small", "large"]),  # room
    st.booleans(),  # move an existing slot (True) or add one
)


def _small_term():
    """Two teachers with a little free time, four courses competing for it and for two rooms."""
    teachers = [Teacher.objects.create(name=name) for name in ("甲老师", "乙老师")]
    AvailabilitySlot.objects.create(teacher=teachers[0], weekday=0, starts=time(9), ends=time(12))
    AvailabilitySlot.objects.create(teacher=teachers[0], weekday=2, starts=time(14), ends=time(16))
    AvailabilitySlot.objects.create(teacher=teachers[1], weekday=0, starts=time(10), ends=time(13))
    AvailabilitySlot.objects.create(teacher=teachers[1], weekday=4, starts=time(18), ends=time(20))
    rooms = {"small": Room.objects.create(name="小教室", capacity=6), "large": Room.objects.create(name="大教室", capacity=20)}
    term = Term.objects.create(name="测试学期", starts_on=date(2031, 3, 3), ends_on=date(2031, 4, 27))
    courses = list(CoursePage.objects.live().order_by("pk")[:4])
    needs = [
        CourseNeed.objects.create(
            term=term, course=course, teacher=teachers[i % 2], sessions_per_week=1 + i % 2, duration_minutes=60 + 30 * (i % 2),
            mode=SessionMode.BOTH if i % 2 else SessionMode.ONLINE,
        )
        for i, course in enumerate(courses)
    ]
    return needs, rooms


def _assert_sound(needs):
    slots = list(TimetableSlot.objects.filter(need__in=needs).select_related("need"))
    engine_needs = {need.pk: planner._engine_need(need) for need in needs}
    placements = [
        scheduling.Placement(slot.need_id, slot.weekday, slot.start_minute, slot.end_minute, slot.room_id) for slot in slots
    ]
    assert scheduling.clashes(placements, engine_needs) == []
    for slot in slots:
        assert AvailabilitySlot.objects.filter(
            teacher_id=slot.need.teacher_id, weekday=slot.weekday, starts__lte=slot.starts,
            ends__gte=scheduling_end(slot),
        ).exists()
        if slot.room_id:
            assert slot.room.capacity >= slot.need.course.centre_seats
    for need in needs:
        days = [slot.weekday for slot in slots if slot.need_id == need.pk]
        assert len(days) == len(set(days)) <= need.sessions_per_week


def scheduling_end(slot) -> time:
    return time_of(slot.end_minute)


@settings(max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(EDIT, min_size=1, max_size=12))
def test_hand_edits_never_leave_a_clash_or_time_outside_free_time(edits):
    with transaction.atomic():
        needs, rooms = _small_term()
        for which, weekday, starts, room_name, move in edits:
            need = needs[which]
            existing = need.slots.first() if move else None
            try:
                services.timetable_slot_save(
                    need=need, weekday=weekday, starts=starts, room=rooms.get(room_name), slot=existing
                )
            except ValidationError as error:
                assert error.messages and all(message.strip() for message in error.messages)
            _assert_sound(needs)
        transaction.set_rollback(True)


@settings(max_examples=10, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(EDIT, min_size=1, max_size=6))
def test_a_refused_edit_changes_nothing(edits):
    with transaction.atomic():
        needs, rooms = _small_term()
        planner.timetable_propose(term=needs[0].term)
        for which, weekday, starts, room_name, move in edits:
            need = needs[which]
            before = sorted(TimetableSlot.objects.filter(need__in=needs).values_list("pk", "weekday", "starts", "room_id"))
            try:
                services.timetable_slot_save(
                    need=need, weekday=weekday, starts=starts, room=rooms.get(room_name),
                    slot=need.slots.first() if move else None,
                )
            except ValidationError:
                after = sorted(TimetableSlot.objects.filter(need__in=needs).values_list("pk", "weekday", "starts", "room_id"))
                assert after == before
        transaction.set_rollback(True)
