"""The term timetable's services and models: free time, terms and course needs, the
proposal, hand edits, publishing, and moving or cancelling classes afterwards.

Each test builds a small term of its own (a teacher free on Monday and Thursday
mornings, a term of three weeks far enough ahead to clash with nothing seeded), except
where the demo centre's draft term states the behaviour better. Messages are read in
English, so the assertions do not depend on the Chinese catalogue.

The helpers (`make_teacher`, `make_term`, `make_need`, `local`) are plain functions,
used by test_timetable_admin.py too."""

from datetime import date, datetime, time, timedelta

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from classes.models import (
    AvailabilitySlot,
    ClassSession,
    CourseNeed,
    CoursePage,
    Enrolment,
    EnrolmentStatus,
    ExceptionKind,
    Notification,
    NotificationKind,
    Room,
    SessionMode,
    Teacher,
    Term,
    TermHoliday,
    TimetableSlot,
    Weekday,
)
from classes.courses.services import enrolment_create
from classes.timetable.services import availability_add, availability_exception_add, timetable_publish, timetable_slot_delete, timetable_slot_save
from classes.timetable.changes import session_cancel, session_move
from classes.timetable.engine import WHOLE_DAY, DatedChange, Interval
from classes.timetable.planner import term_weeks, timetable_problems, timetable_propose, timetable_week_changes

pytestmark = pytest.mark.django_db

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
# Far beyond the demo's draft term (12 to 24 weeks ahead), so no seeded class is near.
WEEKS_AHEAD = 40
TERM_WEEKS = 3


# ---------------------------------------------------------------- helpers


def term_monday(weeks_ahead: int = WEEKS_AHEAD) -> date:
    today = timezone.localdate()
    return today - timedelta(days=today.weekday()) + timedelta(weeks=weeks_ahead)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def make_teacher(name: str = "测试老师", *, free=((MON, 8, 12), (THU, 8, 12)), email: str | None = None) -> Teacher:
    user = None
    if email:
        user = User.objects.create_user(username=f"t{Teacher.objects.count()}-{email}", email=email)
    teacher = Teacher.objects.create(name=name, user=user)
    for weekday, start, end in free:
        AvailabilitySlot.objects.create(teacher=teacher, weekday=weekday, starts=time(start), ends=time(end))
    return teacher


def make_term(name: str = "测试学期", *, weeks: int = TERM_WEEKS) -> Term:
    starts_on = term_monday()
    return Term.objects.create(name=name, starts_on=starts_on, ends_on=starts_on + timedelta(weeks=weeks, days=-1))


def make_need(term: Term, slug: str, teacher: Teacher, *, per_week: int = 1, minutes: int = 60,
              mode: str = SessionMode.ONLINE, room: Room | None = None) -> CourseNeed:
    return CourseNeed.objects.create(
        term=term, course=CoursePage.objects.get(slug=slug), teacher=teacher, sessions_per_week=per_week,
        duration_minutes=minutes, mode=mode, room=room,
    )


def refusal(call) -> str:
    """The sentence a refused call gives (all its messages, joined)."""
    with pytest.raises(ValidationError) as refused:
        call()
    return " ".join(refused.value.messages)


def snapshot(queryset):
    return sorted(queryset.values_list("pk", "starts_at", "sequence", "cancelled_at", "room_id"))


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def teacher():
    return make_teacher(email="teacher@example.org")


@pytest.fixture
def term():
    return make_term()


@pytest.fixture
def calligraphy_need(term, teacher):
    return make_need(term, "calligraphy", teacher, per_week=2)


@pytest.fixture
def painting_need(term, teacher):
    """A second course of the same teacher."""
    return make_need(term, "chinese-painting", teacher)


@pytest.fixture
def room():
    return Room.objects.create(name="活动室", capacity=20)


@pytest.fixture
def published(term, teacher, calligraphy_need, painting_need, make_learner):
    """爱尚书法 every Monday and Thursday 09:00, 国画兴趣班 every Thursday 10:30, both one
    hour with the same teacher, published over three weeks; one more learner enrolled."""
    enrolment_create(learner=make_learner("新学员"), course=calligraphy_need.course)
    TimetableSlot.objects.create(need=calligraphy_need, weekday=MON, starts=time(9))
    TimetableSlot.objects.create(need=calligraphy_need, weekday=THU, starts=time(9))
    TimetableSlot.objects.create(need=painting_need, weekday=THU, starts=time(10, 30))
    timetable_publish(term=term)
    term.refresh_from_db()
    return term


def calligraphy_sessions(term: Term, weekday: int | None = None) -> list[ClassSession]:
    sessions = ClassSession.objects.filter(series__need__term=term, course__slug="calligraphy").order_by("starts_at")
    if weekday is not None:
        sessions = sessions.filter(series__weekday=weekday)
    return list(sessions)


# ---------------------------------------------------------------- free time


def test_free_time_that_ends_before_it_starts_is_refused_naming_both_times(teacher):
    message = refusal(lambda: availability_add(teacher=teacher, weekday=FRI, starts=time(11), ends=time(10)))
    assert "11:00" in message and "10:00" in message
    assert not teacher.availability.filter(weekday=FRI).exists()


def test_free_time_that_ends_when_it_starts_is_refused(teacher):
    with pytest.raises(ValidationError):
        availability_add(teacher=teacher, weekday=FRI, starts=time(10), ends=time(10))
    assert not teacher.availability.filter(weekday=FRI).exists()


def test_overlapping_weekly_free_time_is_refused_naming_the_saved_slot(teacher):
    message = refusal(lambda: availability_add(teacher=teacher, weekday=MON, starts=time(11), ends=time(13)))
    assert str(Weekday.MONDAY.label) in message and "08:00–12:00" in message
    assert teacher.availability.filter(weekday=MON).count() == 1


def test_free_time_touching_a_saved_slot_is_accepted(teacher):
    availability_add(teacher=teacher, weekday=MON, starts=time(12), ends=time(13))
    assert teacher.availability.filter(weekday=MON).count() == 2


def test_another_teachers_free_time_at_the_same_hours_does_not_overlap(teacher):
    other = make_teacher("另一位老师", free=())
    availability_add(teacher=other, weekday=MON, starts=time(9), ends=time(10))
    assert other.availability.count() == 1


def test_the_database_refuses_free_time_ending_before_it_starts(teacher):
    with pytest.raises(IntegrityError), transaction.atomic():
        AvailabilitySlot.objects.create(teacher=teacher, weekday=FRI, starts=time(11), ends=time(10))


def test_a_day_away_with_only_a_start_time_is_refused(teacher):
    day = term_monday()
    message = refusal(lambda: availability_exception_add(
        teacher=teacher, date=day, kind=ExceptionKind.AWAY, starts=time(10)))
    assert "both a start and an end" in message
    assert not teacher.exceptions.exists()


def test_a_day_away_with_only_an_end_time_is_refused(teacher):
    with pytest.raises(ValidationError):
        availability_exception_add(teacher=teacher, date=term_monday(), kind=ExceptionKind.AWAY, ends=time(10))
    assert not teacher.exceptions.exists()


def test_extra_free_time_without_times_is_refused(teacher):
    message = refusal(lambda: availability_exception_add(teacher=teacher, date=term_monday(), kind=ExceptionKind.EXTRA))
    assert "from when until when" in message
    assert not teacher.exceptions.exists()


def test_a_change_of_free_time_ending_before_it_starts_is_refused_naming_both_times(teacher):
    message = refusal(lambda: availability_exception_add(
        teacher=teacher, date=term_monday(), kind=ExceptionKind.EXTRA, starts=time(15), ends=time(14)))
    assert "15:00" in message and "14:00" in message
    assert not teacher.exceptions.exists()


def test_a_whole_day_away_needs_no_times(teacher):
    exception = availability_exception_add(teacher=teacher, date=term_monday(), kind=ExceptionKind.AWAY)
    assert exception.all_day and teacher.exceptions.count() == 1


# ---------------------------------------------------------------- terms, holidays, course needs


def test_a_term_ending_before_it_starts_is_refused_on_the_last_day():
    starts_on = term_monday()
    with pytest.raises(ValidationError) as refused:
        Term(name="倒过来", starts_on=starts_on, ends_on=starts_on - timedelta(days=1)).full_clean()
    assert "ends_on" in refused.value.message_dict


def test_the_database_refuses_a_term_ending_before_it_starts():
    starts_on = term_monday()
    with pytest.raises(IntegrityError), transaction.atomic():
        Term.objects.create(name="倒过来", starts_on=starts_on, ends_on=starts_on - timedelta(days=1))


def test_a_holiday_outside_the_term_is_refused(term):
    with pytest.raises(ValidationError) as refused:
        TermHoliday(term=term, date=term.ends_on + timedelta(days=1), name="太晚").full_clean()
    assert "date" in refused.value.message_dict


def test_a_holiday_on_the_last_day_of_the_term_is_accepted(term):
    TermHoliday(term=term, date=term.ends_on, name="最后一天").full_clean()


def test_a_course_preferring_to_end_before_it_starts_is_refused(term, teacher):
    need = CourseNeed(term=term, course=CoursePage.objects.get(slug="calligraphy"), teacher=teacher,
                      preferred_from=time(11), preferred_to=time(9))
    with pytest.raises(ValidationError) as refused:
        need.full_clean()
    assert "preferred_to" in refused.value.message_dict


def test_a_room_smaller_than_the_courses_centre_seats_is_refused_naming_both(term, teacher):
    small = Room.objects.create(name="小会议室", capacity=6)
    course = CoursePage.objects.get(slug="calligraphy")
    need = CourseNeed(term=term, course=course, teacher=teacher, mode=SessionMode.CENTRE, room=small)
    with pytest.raises(ValidationError) as refused:
        need.full_clean()
    message = " ".join(refused.value.message_dict["room"])
    assert "小会议室" in message and "6" in message and str(course.centre_seats) in message


def test_a_course_can_be_needed_only_once_a_term(calligraphy_need):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_need(calligraphy_need.term, "calligraphy", calligraphy_need.teacher)


# ---------------------------------------------------------------- proposal


@pytest.fixture
def demo_term():
    return Term.objects.get(name="新学期")


def _inside_free_time(slot: TimetableSlot) -> bool:
    return AvailabilitySlot.objects.filter(
        teacher=slot.need.teacher, weekday=slot.weekday, starts__lte=slot.starts,
    ).filter(ends__gte=(datetime.combine(date.min, slot.starts) + timedelta(minutes=slot.need.duration_minutes)).time()
             ).exists()


def test_proposal_stores_one_weekly_time_per_weekly_class_of_each_course(demo_term):
    result = timetable_propose(term=demo_term)
    assert result.problems == []
    for need in demo_term.needs.all():
        days = list(TimetableSlot.objects.filter(need=need).values_list("weekday", flat=True))
        assert len(days) == need.sessions_per_week and len(set(days)) == len(days), need


def test_proposal_places_every_class_inside_its_teachers_free_time(demo_term):
    timetable_propose(term=demo_term)
    slots = TimetableSlot.objects.filter(need__term=demo_term).select_related("need__teacher")
    assert slots and all(_inside_free_time(slot) for slot in slots)


def test_proposal_gives_courses_their_preferred_times_when_the_teacher_is_free_then(demo_term):
    timetable_propose(term=demo_term)
    slots = TimetableSlot.objects.filter(need__term=demo_term).select_related("need")
    assert slots
    for slot in slots:
        assert slot.need.preferred_from <= slot.starts
        assert slot.end_minute <= slot.need.preferred_to.hour * 60 + slot.need.preferred_to.minute


def test_proposal_gives_a_course_at_the_centre_a_room_large_enough(demo_term):
    timetable_propose(term=demo_term)
    slot = TimetableSlot.objects.get(need__term=demo_term, need__course__slug="chinese-painting")
    assert slot.room is not None and slot.room.capacity >= slot.need.course.centre_seats


def test_proposal_names_a_teacher_without_free_time(term):
    need = make_need(term, "calligraphy", make_teacher("没空老师", free=()))
    result = timetable_propose(term=term)
    assert result.problems == [(need, "没空老师 has not given any free time yet.")]
    assert not TimetableSlot.objects.filter(need=need).exists()


def test_proposal_names_a_class_longer_than_any_free_stretch(term):
    need = make_need(term, "calligraphy", make_teacher("一小时老师", free=((MON, 9, 10),)), minutes=90)
    [(unplaced, text)] = timetable_propose(term=term).problems
    assert unplaced == need
    assert text == "A class lasts 90 minutes, but 一小时老师's longest free stretch is 60 minutes."


def test_proposal_names_a_course_meeting_more_often_than_the_teacher_has_free_days(term):
    make_need(term, "calligraphy", make_teacher("周一老师", free=((MON, 9, 12),)), per_week=2)
    [(_need, text)] = timetable_propose(term=term).problems
    assert text == "The course meets 2 times a week on different days, but 周一老师 is free on only 1 days."


def test_proposal_names_a_course_larger_than_every_room(term, teacher):
    CoursePage.objects.filter(slug="calligraphy").update(centre_seats=40)
    make_need(term, "calligraphy", teacher, mode=SessionMode.CENTRE)
    largest = max(Room.objects.values_list("capacity", flat=True))
    [(_need, text)] = timetable_propose(term=term).problems
    assert text == f"40 seats at the centre are needed, but the largest room holds {largest}."


def test_proposal_names_the_course_that_took_the_only_free_time(term):
    teacher = make_teacher("忙老师", free=((MON, 9, 11),))
    make_need(term, "calligraphy", teacher, minutes=90)
    make_need(term, "chinese-painting", teacher, minutes=90)
    result = timetable_propose(term=term)
    [placed] = result.slots
    [(unplaced, text)] = result.problems
    assert unplaced != placed.need
    assert f"already taken by: {placed.need.course}" in text


def test_proposal_says_it_is_proven_best(term, calligraphy_need):
    assert timetable_propose(term=term).proven


def test_proposal_avoids_a_weekly_time_the_teacher_is_away_on_some_date(term):
    # Monday starts earlier, but the teacher is away on the second Monday: Thursday is taken.
    teacher = make_teacher("请假老师", free=((MON, 9, 12), (THU, 10, 12)))
    make_need(term, "calligraphy", teacher)
    availability_exception_add(teacher=teacher, date=term.starts_on + timedelta(weeks=1), kind=ExceptionKind.AWAY)
    [slot] = timetable_propose(term=term).slots
    assert slot.weekday == THU


def test_term_weeks_close_holidays_and_days_outside_the_term_and_place_dated_changes_in_their_week(teacher):
    # The term runs from a Wednesday to the Saturday of the next week: the first week's Monday and
    # Tuesday and the second week's Sunday hold no class, nor does the holiday.
    starts_on = term_monday() + timedelta(days=2)
    term = Term.objects.create(name="周三开学", starts_on=starts_on, ends_on=starts_on + timedelta(days=10))
    TermHoliday.objects.create(term=term, date=starts_on + timedelta(days=7), name="社区活动日")
    availability_exception_add(teacher=teacher, date=starts_on + timedelta(days=6), kind=ExceptionKind.AWAY)
    availability_exception_add(teacher=teacher, date=starts_on + timedelta(days=8), kind=ExceptionKind.EXTRA,
                               starts=time(14), ends=time(15, 30))
    weeks = term_weeks(term=term, teacher_ids={teacher.pk})
    assert weeks.count == 2
    assert weeks.closed == {(0, MON), (0, TUE), (1, WED), (1, SUN)}
    assert weeks.changes == (
        DatedChange(week=1, teacher=teacher.pk, interval=Interval(TUE, *WHOLE_DAY), away=True),
        DatedChange(week=1, teacher=teacher.pk, interval=Interval(THU, 14 * 60, 15 * 60 + 30), away=False),
    )


def test_week_changes_move_a_missed_class_to_the_teachers_extra_free_time_that_week(term, teacher, calligraphy_need,
                                                                                    two_weekly_times):
    thursday = term.starts_on + timedelta(weeks=1, days=3)
    availability_exception_add(teacher=teacher, date=thursday, kind=ExceptionKind.AWAY)
    availability_exception_add(teacher=teacher, date=thursday + timedelta(days=1), kind=ExceptionKind.EXTRA,
                               starts=time(15), ends=time(17))
    [change] = timetable_week_changes(term=term)
    assert (change.slot, change.missed_on) == (two_weekly_times[1], thursday)
    assert (change.moved_on, change.moved_starts) == (thursday + timedelta(days=1), time(15))


def test_proposing_again_replaces_the_weekly_times(demo_term):
    first = {slot.pk for slot in timetable_propose(term=demo_term).slots}
    timetable_propose(term=demo_term)
    again = set(TimetableSlot.objects.filter(need__term=demo_term).values_list("pk", flat=True))
    assert len(again) == len(first) and not again & first


def test_proposing_a_term_without_courses_is_refused(term):
    assert "Add the courses this term first" in refusal(lambda: timetable_propose(term=term))


def test_proposing_a_published_term_is_refused_and_keeps_its_weekly_times(published):
    before = list(TimetableSlot.objects.filter(need__term=published).values_list("pk", "weekday", "starts"))
    assert "published" in refusal(lambda: timetable_propose(term=published))
    assert list(TimetableSlot.objects.filter(need__term=published).values_list("pk", "weekday", "starts")) == before


def test_problems_name_a_course_missing_a_weekly_class_it_could_have(term, calligraphy_need):
    TimetableSlot.objects.create(need=calligraphy_need, weekday=MON, starts=time(9))
    [(need, text)] = timetable_problems(term=term)
    assert need == calligraphy_need and "has 1 of its 2 weekly classes" in text


# ---------------------------------------------------------------- hand edits


def test_a_weekly_time_when_the_teacher_is_not_free_is_refused(calligraphy_need):
    message = refusal(lambda: timetable_slot_save(need=calligraphy_need, weekday=TUE, starts=time(9)))
    assert "测试老师 is not free on" in message and str(Weekday.TUESDAY.label) in message and "09:00–10:00" in message
    assert not calligraphy_need.slots.exists()


def test_a_weekly_time_running_past_the_teachers_free_time_is_refused(calligraphy_need):
    with pytest.raises(ValidationError):
        timetable_slot_save(need=calligraphy_need, weekday=MON, starts=time(11, 30))
    assert not calligraphy_need.slots.exists()


def test_a_weekly_time_when_the_teacher_teaches_another_course_is_refused_naming_it(calligraphy_need, painting_need):
    timetable_slot_save(need=painting_need, weekday=MON, starts=time(9))
    message = refusal(lambda: timetable_slot_save(need=calligraphy_need, weekday=MON, starts=time(9, 30)))
    assert "already teaches 国画兴趣班" in message and "09:00–10:00" in message
    assert not calligraphy_need.slots.exists()


def test_a_weekly_time_in_a_room_already_used_is_refused_naming_the_course(term, teacher, room):
    first = make_need(term, "children-painting", teacher, mode=SessionMode.CENTRE, room=room)
    second = make_need(term, "learn-abc", make_teacher("第二位老师"), mode=SessionMode.CENTRE, room=room)
    timetable_slot_save(need=first, weekday=MON, starts=time(9), room=room)
    message = refusal(lambda: timetable_slot_save(need=second, weekday=MON, starts=time(9, 30), room=room))
    assert "活动室 is used by 少儿国画班" in message
    assert not second.slots.exists()


def test_a_course_at_the_centre_without_a_room_is_refused(term, teacher):
    need = make_need(term, "children-painting", teacher, mode=SessionMode.CENTRE)
    assert "Choose a room" in refusal(lambda: timetable_slot_save(need=need, weekday=MON, starts=time(9)))


def test_a_room_too_small_for_the_course_is_refused(term, teacher):
    need = make_need(term, "children-painting", teacher, mode=SessionMode.CENTRE)
    small = Room.objects.create(name="小会议室", capacity=6)
    message = refusal(lambda: timetable_slot_save(need=need, weekday=MON, starts=time(9), room=small))
    assert "小会议室 holds 6" in message
    assert not need.slots.exists()


def test_a_second_overlapping_class_of_a_course_on_one_day_is_refused(calligraphy_need):
    timetable_slot_save(need=calligraphy_need, weekday=MON, starts=time(9))
    message = refusal(lambda: timetable_slot_save(need=calligraphy_need, weekday=MON, starts=time(9, 30)))
    assert "already meets on" in message
    assert calligraphy_need.slots.count() == 1


def test_a_second_class_of_a_course_later_the_same_day_is_refused(calligraphy_need):
    timetable_slot_save(need=calligraphy_need, weekday=MON, starts=time(9))
    message = refusal(lambda: timetable_slot_save(need=calligraphy_need, weekday=MON, starts=time(10, 30)))
    assert "already meets on" in message
    assert calligraphy_need.slots.count() == 1


def test_a_course_with_all_its_weekly_classes_gets_no_more(calligraphy_need):
    timetable_slot_save(need=calligraphy_need, weekday=MON, starts=time(9))
    timetable_slot_save(need=calligraphy_need, weekday=THU, starts=time(9))
    message = refusal(lambda: timetable_slot_save(need=calligraphy_need, weekday=THU, starts=time(11)))
    assert "already has its 2 weekly classes" in message
    assert calligraphy_need.slots.count() == 2


def test_an_accepted_edit_moves_the_weekly_time(calligraphy_need):
    slot = timetable_slot_save(need=calligraphy_need, weekday=MON, starts=time(9))
    timetable_slot_save(need=calligraphy_need, weekday=THU, starts=time(10), slot=slot)
    slot.refresh_from_db()
    assert (slot.weekday, slot.starts) == (THU, time(10))
    assert calligraphy_need.slots.count() == 1


def test_moving_a_weekly_time_by_a_quarter_hour_does_not_clash_with_itself(calligraphy_need):
    slot = timetable_slot_save(need=calligraphy_need, weekday=MON, starts=time(9))
    timetable_slot_save(need=calligraphy_need, weekday=MON, starts=time(9, 15), slot=slot)
    slot.refresh_from_db()
    assert slot.starts == time(9, 15)


def test_a_refused_edit_leaves_the_weekly_time_as_it_was(calligraphy_need):
    slot = timetable_slot_save(need=calligraphy_need, weekday=MON, starts=time(9))
    with pytest.raises(ValidationError):
        timetable_slot_save(need=calligraphy_need, weekday=TUE, starts=time(9), slot=slot)
    slot.refresh_from_db()
    assert (slot.weekday, slot.starts) == (MON, time(9))


def test_hand_edits_of_a_published_term_are_refused(published):
    slot = TimetableSlot.objects.filter(need__term=published).first()
    assert "published" in refusal(lambda: timetable_slot_save(
        need=slot.need, weekday=slot.weekday, starts=time(11), slot=slot))
    assert "published" in refusal(lambda: timetable_slot_delete(slot=slot))
    assert TimetableSlot.objects.filter(pk=slot.pk, starts=time(9)).exists()


# ---------------------------------------------------------------- publish


@pytest.fixture
def two_weekly_times(calligraphy_need):
    """爱尚书法 every Monday and Thursday at 09:00, ready to publish (nothing else in the term)."""
    monday = TimetableSlot.objects.create(need=calligraphy_need, weekday=MON, starts=time(9))
    thursday = TimetableSlot.objects.create(need=calligraphy_need, weekday=THU, starts=time(9))
    return monday, thursday


def test_publishing_creates_a_class_per_weekly_time_on_every_teaching_day(term, two_weekly_times):
    result = timetable_publish(term=term)
    first = term.starts_on
    expected = [local(first + timedelta(days=offset), 9) for offset in (0, 3, 7, 10, 14, 17)]
    assert sorted(session.starts_at for session in result.created) == expected
    assert sorted(calligraphy_sessions(term), key=lambda s: s.pk) == sorted(result.created, key=lambda s: s.pk)


def test_publishing_marks_the_term_published(term, two_weekly_times):
    timetable_publish(term=term)
    term.refresh_from_db()
    assert term.published_at is not None


def test_published_classes_carry_their_weekly_time_room_length_and_mode(term, teacher, room):
    need = make_need(term, "children-painting", teacher, minutes=90, mode=SessionMode.BOTH, room=room)
    slot = timetable_slot_save(need=need, weekday=THU, starts=time(9), room=room)
    sessions = timetable_publish(term=term).created
    assert len(sessions) == TERM_WEEKS
    assert {(s.series_id, s.room_id, s.duration_minutes, s.mode) for s in sessions} == {
        (slot.pk, room.pk, 90, SessionMode.BOTH)
    }


def test_publishing_skips_holidays_and_lists_them(term, calligraphy_need, two_weekly_times):
    holiday = term.starts_on + timedelta(weeks=1)
    TermHoliday.objects.create(term=term, date=holiday, name="社区活动日")
    result = timetable_publish(term=term)
    assert not ClassSession.objects.filter(series__need__term=term, starts_at__date=holiday).exists()
    assert len(result.created) == 5
    assert (calligraphy_need, holiday, "holiday") in result.skipped


def test_publishing_skips_a_date_the_teacher_is_away_and_free_at_no_other_time_that_week(
        term, teacher, calligraphy_need, two_weekly_times):
    away = term.starts_on + timedelta(weeks=1, days=3)
    availability_exception_add(teacher=teacher, date=away, kind=ExceptionKind.AWAY, note="看医生")
    result = timetable_publish(term=term)
    assert away not in {timezone.localtime(s.starts_at).date() for s in calligraphy_sessions(term)}
    assert [(need, day) for need, day, _why in result.skipped] == [(calligraphy_need, away)]
    assert "测试老师" in result.skipped[0][2]


def test_publishing_holds_a_class_the_teacher_misses_at_their_extra_free_time_that_week(
        term, teacher, calligraphy_need, two_weekly_times):
    thursday = term.starts_on + timedelta(weeks=1, days=3)
    availability_exception_add(teacher=teacher, date=thursday, kind=ExceptionKind.AWAY, note="看医生")
    availability_exception_add(teacher=teacher, date=thursday + timedelta(days=1), kind=ExceptionKind.EXTRA,
                               starts=time(15), ends=time(17))
    result = timetable_publish(term=term)
    [(need, missed, session)] = result.moved
    assert (need, missed) == (calligraphy_need, thursday)
    assert session.starts_at == local(thursday + timedelta(days=1), 15)
    assert session.series == two_weekly_times[1]
    assert result.skipped == []
    assert len(result.created) == 2 * TERM_WEEKS


def test_publishing_keeps_a_class_outside_the_hours_the_teacher_is_away(term, teacher, two_weekly_times):
    away = term.starts_on + timedelta(weeks=1, days=3)
    availability_exception_add(teacher=teacher, date=away, kind=ExceptionKind.AWAY, starts=time(14), ends=time(16))
    result = timetable_publish(term=term)
    assert result.skipped == []
    assert away in {timezone.localtime(s.starts_at).date() for s in result.created}


def test_publishing_twice_is_refused_and_creates_nothing_more(term, two_weekly_times):
    timetable_publish(term=term)
    count = ClassSession.objects.count()
    assert "already published" in refusal(lambda: timetable_publish(term=term))
    assert ClassSession.objects.count() == count


def test_publishing_with_a_course_missing_its_times_is_refused_naming_it(term, calligraphy_need, painting_need):
    TimetableSlot.objects.create(need=calligraphy_need, weekday=MON, starts=time(9))
    TimetableSlot.objects.create(need=calligraphy_need, weekday=THU, starts=time(9))
    message = refusal(lambda: timetable_publish(term=term))
    assert "国画兴趣班 has 0 of its 1 weekly classes" in message
    term.refresh_from_db()
    assert term.published_at is None
    assert not ClassSession.objects.filter(series__need__term=term).exists()


# ---------------------------------------------------------------- moving


def enrolled_learner_ids(course) -> set[int]:
    enrolled = Enrolment.objects.filter(course=course, status=EnrolmentStatus.ENROLLED)
    return set(enrolled.values_list("learner_id", flat=True))


def test_moving_a_class_changes_its_time_and_its_version(published):
    session = calligraphy_sessions(published, MON)[0]
    new_time = session.starts_at + timedelta(hours=2)
    session_move(session=session, starts_at=new_time)
    session.refresh_from_db()
    assert (session.starts_at, session.sequence) == (new_time, 1)


def test_moving_a_class_tells_every_enrolled_learner_and_the_teacher(published, teacher):
    session = calligraphy_sessions(published, MON)[0]
    session_move(session=session, starts_at=session.starts_at + timedelta(hours=2))
    moved = Notification.objects.filter(session=session, kind=NotificationKind.MOVED)
    learners = set(moved.exclude(learner=None).values_list("learner_id", flat=True))
    assert len(learners) >= 2 and learners == enrolled_learner_ids(session.course)
    assert moved.filter(user=teacher.user, address="teacher@example.org").exists()


def test_moving_a_class_to_another_room_changes_its_room(published, room):
    session = calligraphy_sessions(published, MON)[0]
    session_move(session=session, starts_at=session.starts_at, room=room)
    session.refresh_from_db()
    assert session.room == room


def test_moving_the_rest_of_a_series_shifts_later_classes_only(published):
    first, second, third = calligraphy_sessions(published, MON)
    thursdays = snapshot(ClassSession.objects.filter(series__need__term=published, series__weekday=THU))
    session_move(session=second, starts_at=second.starts_at + timedelta(hours=1), whole_series=True)
    moved = {s.pk: s.starts_at for s in calligraphy_sessions(published, MON)}
    assert moved == {first.pk: first.starts_at, second.pk: second.starts_at + timedelta(hours=1),
                     third.pk: third.starts_at + timedelta(hours=1)}
    assert snapshot(ClassSession.objects.filter(series__need__term=published, series__weekday=THU)) == thursdays


def test_moving_a_class_into_a_holiday_is_refused(published):
    session = calligraphy_sessions(published, MON)[2]
    thursday = published.starts_on + timedelta(weeks=2, days=3)
    TermHoliday.objects.create(term=published, date=thursday, name="放假")
    before = snapshot(ClassSession.objects.all())
    # 08:00 on that Thursday is free of every other class; only the holiday is in the way.
    assert "is a holiday" in refusal(lambda: session_move(session=session, starts_at=local(thursday, 8)))
    assert snapshot(ClassSession.objects.all()) == before


def test_moving_a_class_outside_the_term_is_refused(published):
    session = calligraphy_sessions(published, MON)[-1]
    before = snapshot(ClassSession.objects.all())
    message = refusal(lambda: session_move(session=session, starts_at=session.starts_at + timedelta(weeks=1)))
    assert "outside the term" in message
    assert snapshot(ClassSession.objects.all()) == before


def test_moving_a_class_to_when_the_teacher_is_not_free_is_refused(published):
    session = calligraphy_sessions(published, MON)[0]
    before = snapshot(ClassSession.objects.all())
    message = refusal(lambda: session_move(session=session, starts_at=session.starts_at + timedelta(hours=4)))
    assert "测试老师 is not free at" in message
    assert snapshot(ClassSession.objects.all()) == before


def test_moving_a_class_to_a_date_with_extra_free_time_is_accepted(published, teacher):
    session = calligraphy_sessions(published, MON)[0]
    tuesday = published.starts_on + timedelta(days=1)
    availability_exception_add(teacher=teacher, date=tuesday, kind=ExceptionKind.EXTRA, starts=time(14), ends=time(16))
    session_move(session=session, starts_at=local(tuesday, 14))
    session.refresh_from_db()
    assert session.starts_at == local(tuesday, 14)


def test_moving_a_class_onto_another_class_of_the_same_teacher_is_refused_naming_it(published):
    session = calligraphy_sessions(published, THU)[0]
    before = snapshot(ClassSession.objects.all())
    message = refusal(lambda: session_move(session=session, starts_at=session.starts_at + timedelta(minutes=90)))
    assert "already teaches 国画兴趣班" in message
    assert snapshot(ClassSession.objects.all()) == before


def test_moving_a_class_onto_a_cancelled_class_of_the_same_teacher_is_accepted(published):
    session = calligraphy_sessions(published, THU)[0]
    painting = ClassSession.objects.get(series__need__course__slug="chinese-painting",
                                        starts_at=session.starts_at + timedelta(minutes=90))
    session_cancel(session=painting, reason="老师出差")
    session_move(session=session, starts_at=painting.starts_at)
    session.refresh_from_db()
    assert session.starts_at == painting.starts_at


def test_moving_a_class_into_the_past_is_refused(calligraphy):
    starts_at = local(timezone.localdate() + timedelta(days=3), 15, 30)
    session = ClassSession.objects.create(course=calligraphy, starts_at=starts_at, duration_minutes=60)
    message = refusal(lambda: session_move(session=session, starts_at=timezone.now() - timedelta(days=1)))
    assert "has already passed" in message
    session.refresh_from_db()
    assert (session.starts_at, session.sequence) == (starts_at, 0)


def test_a_series_move_with_one_clash_moves_none_of_the_series(published, teacher):
    first, second, third = calligraphy_sessions(published, MON)
    # Only the last Monday's new hour is blocked: the teacher is away then.
    availability_exception_add(teacher=teacher, date=timezone.localtime(third.starts_at).date(),
                               kind=ExceptionKind.AWAY, starts=time(10), ends=time(11))
    before = snapshot(ClassSession.objects.all())
    notifications = Notification.objects.count()
    message = refusal(lambda: session_move(session=first, starts_at=first.starts_at + timedelta(hours=1),
                                           whole_series=True))
    assert "测试老师 is not free at" in message
    assert snapshot(ClassSession.objects.all()) == before
    assert Notification.objects.count() == notifications


# ---------------------------------------------------------------- cancelling


@pytest.mark.parametrize("reason", ["", "   "])
def test_cancelling_needs_a_reason(published, reason):
    session = calligraphy_sessions(published)[0]
    assert "say why" in refusal(lambda: session_cancel(session=session, reason=reason))
    session.refresh_from_db()
    assert session.cancelled_at is None and session.sequence == 0


def test_cancelling_marks_the_class_cancelled_with_its_reason(published):
    session = calligraphy_sessions(published)[0]
    session_cancel(session=session, reason="老师生病")
    session.refresh_from_db()
    assert session.is_cancelled and session.cancel_reason == "老师生病" and session.sequence == 1


def test_cancelling_tells_every_enrolled_learner_and_the_teacher(published, teacher):
    session = calligraphy_sessions(published)[0]
    session_cancel(session=session, reason="老师生病")
    cancelled = Notification.objects.filter(session=session, kind=NotificationKind.CANCELLED)
    learners = set(cancelled.exclude(learner=None).values_list("learner_id", flat=True))
    assert len(learners) >= 2 and learners == enrolled_learner_ids(session.course)
    assert cancelled.filter(user=teacher.user).exists()
    assert all("老师生病" in body for body in cancelled.values_list("body", flat=True))


def test_cancelling_the_rest_of_a_series_cancels_later_classes_only(published):
    first, second, third = calligraphy_sessions(published, MON)
    session_cancel(session=second, reason="场地维修", whole_series=True)
    cancelled = set(ClassSession.objects.filter(cancelled_at__isnull=False).values_list("pk", flat=True))
    assert cancelled == {second.pk, third.pk}


def test_a_cancelled_class_cannot_be_cancelled_again(published):
    session = calligraphy_sessions(published)[0]
    session_cancel(session=session, reason="老师生病")
    session.refresh_from_db()
    assert "already cancelled" in refusal(lambda: session_cancel(session=session, reason="又一次"))
    session.refresh_from_db()
    assert (session.cancel_reason, session.sequence) == ("老师生病", 1)


def test_a_cancelled_class_cannot_be_moved(published):
    session = calligraphy_sessions(published)[0]
    session_cancel(session=session, reason="老师生病")
    session.refresh_from_db()
    old = session.starts_at
    assert "cancelled" in refusal(lambda: session_move(session=session, starts_at=old + timedelta(hours=1)))
    session.refresh_from_db()
    assert (session.starts_at, session.sequence) == (old, 1)



def test_cancelling_from_a_copy_loaded_before_it_was_cancelled_is_refused(published):
    session = calligraphy_sessions(published)[0]
    loaded_earlier = ClassSession.objects.get(pk=session.pk)
    session_cancel(session=session, reason="老师生病")
    with pytest.raises(ValidationError):
        session_cancel(session=loaded_earlier, reason="又一次")


def test_moving_from_a_copy_loaded_before_it_was_cancelled_is_refused(published):
    session = calligraphy_sessions(published)[0]
    loaded_earlier = ClassSession.objects.get(pk=session.pk)
    session_cancel(session=session, reason="老师生病")
    with pytest.raises(ValidationError):
        session_move(session=loaded_earlier, starts_at=loaded_earlier.starts_at + timedelta(hours=1))
