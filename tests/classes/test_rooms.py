"""Live-room services on their own: who may come in, presence, hands, voices, removal."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from classes.courses.people import CoursePerson, course_person
from classes.groups.services import group_for_course
from classes.live import selectors as room_reads
from classes.live import services as rooms
from classes.models import ClassSession, Learner, Participant, RoomRole, Visit
from core.timefmt import class_time


def class_time_in(language, value):
    with translation.override(language):
        return class_time(value)

pytestmark = pytest.mark.django_db


@pytest.fixture
def lesson(calligraphy):
    return ClassSession.objects.filter(course=calligraphy).order_by("starts_at").first()


def user(username):
    return get_user_model().objects.get(username=username)


@pytest.fixture
def assigned_volunteer(calligraphy):
    """The demo volunteer, given this course by a coordinator (classes.courses.people)."""
    volunteer = user("volunteer")
    group_for_course(course=calligraphy).volunteers.add(volunteer)
    return volunteer


def learner(phone):
    return Learner.objects.get(phone=phone)


def enter(lesson, *, learner=None, user=None):
    person = course_person(course=lesson.course, learner=learner, user=user or AnonymousUser())
    participant, _visit = rooms.participant_join(session=lesson, person=person)
    return participant


# ---------------------------------------------------------------- who may come in


@pytest.mark.parametrize(
    "username, role",
    [("teacher_wang", RoomRole.TEACHER), ("coordinator", RoomRole.COORDINATOR), ("volunteer", RoomRole.VOLUNTEER)],
)
def test_staff_come_in_with_their_role(lesson, assigned_volunteer, username, role):
    person = course_person(course=lesson.course, learner=None, user=user(username))
    assert person.role == role


def test_a_volunteer_not_given_the_course_may_not_come_in(lesson):
    assert course_person(course=lesson.course, learner=None, user=user("volunteer")) is None


def test_a_teacher_of_another_course_may_not_come_in(lesson):
    assert course_person(course=lesson.course, learner=None, user=user("teacher_li")) is None


def test_an_enrolled_learner_comes_in_as_a_learner(lesson):
    person = course_person(course=lesson.course, learner=learner("13800138001"), user=AnonymousUser())
    assert (person.role, person.name) == (RoomRole.LEARNER, "刘桂兰")


def test_a_learner_of_another_course_may_not_come_in(lesson):
    assert course_person(course=lesson.course, learner=learner("13800138004"), user=AnonymousUser()) is None


def test_nobody_signed_in_may_not_come_in(lesson):
    assert course_person(course=lesson.course, learner=None, user=AnonymousUser()) is None


def test_the_chat_is_created_once(lesson):
    first = rooms.room_chat_id(session=lesson)
    again = rooms.room_chat_id(session=ClassSession.objects.get(pk=lesson.pk))
    assert first == again


# ---------------------------------------------------------------- presence


def test_two_sockets_of_one_person_are_one_participant_online_until_both_leave(lesson):
    person = course_person(course=lesson.course, learner=learner("13800138001"), user=AnonymousUser())
    p1, v1 = rooms.participant_join(session=lesson, person=person)
    p2, v2 = rooms.participant_join(session=lesson, person=person)
    rooms.participant_leave(participant_id=p1.pk, visit_id=v1.pk)
    online_after_one = room_reads.room_snapshot(session=lesson)["participants"][0]["online"]
    rooms.participant_leave(participant_id=p2.pk, visit_id=v2.pk)
    online_after_both = room_reads.room_snapshot(session=lesson)["participants"][0]["online"]
    assert p1.pk == p2.pk
    assert (online_after_one, online_after_both) == (True, False)
    assert Visit.objects.filter(participant=p1, left_at__isnull=False).count() == 2


def test_leaving_twice_never_counts_below_zero(lesson):
    person = course_person(course=lesson.course, learner=learner("13800138001"), user=AnonymousUser())
    participant, visit = rooms.participant_join(session=lesson, person=person)
    rooms.participant_leave(participant_id=participant.pk, visit_id=visit.pk)
    rooms.participant_leave(participant_id=participant.pk, visit_id=visit.pk)
    assert Participant.objects.get(pk=participant.pk).connections == 0


def test_someone_silent_for_longer_than_the_timeout_is_shown_offline(lesson):
    participant = enter(lesson, learner=learner("13800138001"))
    Participant.objects.filter(pk=participant.pk).update(
        last_seen_at=timezone.now() - room_reads.PRESENCE_TIMEOUT - timedelta(seconds=1))
    assert room_reads.room_snapshot(session=lesson)["participants"][0]["online"] is False


def test_the_state_names_the_next_class_in_each_language(lesson):
    following = ClassSession.objects.filter(course=lesson.course, starts_at__gt=lesson.starts_at).order_by("starts_at")[0]
    next_class = room_reads.room_snapshot(session=lesson)["next_class"]
    assert next_class["zh-hans"] == class_time_in("zh-hans", following.starts_at)
    assert next_class["en"] == class_time_in("en", following.starts_at)


def test_a_cancelled_class_is_not_named_as_the_next(lesson):
    ClassSession.objects.filter(course=lesson.course, starts_at__gt=lesson.starts_at).update(cancelled_at=timezone.now())
    assert room_reads.room_snapshot(session=lesson)["next_class"] == {}


# ---------------------------------------------------------------- the class, hands and voices


def test_starting_after_an_early_end_reopens_the_room(lesson):
    rooms.class_start(session=lesson)
    rooms.class_end(session=lesson)
    ended = room_reads.room_status(session=ClassSession.objects.get(pk=lesson.pk))
    rooms.class_start(session=lesson)
    assert (ended, room_reads.room_status(session=ClassSession.objects.get(pk=lesson.pk))) == ("ended", "live")


def test_ending_the_class_returns_who_had_a_voice(lesson):
    liu = enter(lesson, learner=learner("13800138001"))
    teacher = enter(lesson, user=user("teacher_wang"))
    rooms.speak_set(session=lesson, participant_id=liu.pk, allowed=True)
    assert rooms.class_end(session=lesson) == [liu.pk]
    assert not Participant.objects.filter(pk__in=[liu.pk, teacher.pk], may_speak=True).exists()


def test_letting_someone_speak_lowers_their_hand(lesson):
    liu = enter(lesson, learner=learner("13800138001"))
    rooms.hand_set(participant_id=liu.pk, raised=True)
    assert rooms.speak_set(session=lesson, participant_id=liu.pk, allowed=True) is True
    liu.refresh_from_db()
    assert (liu.may_speak, liu.hand_raised_at) == (True, None)


def test_voices_can_only_be_given_in_ones_own_class(lesson):
    other = ClassSession.objects.exclude(pk=lesson.pk).first()
    liu = enter(lesson, learner=learner("13800138001"))
    assert rooms.speak_set(session=other, participant_id=liu.pk, allowed=True) is False


def test_mute_all_returns_only_who_was_speaking(lesson, assigned_volunteer):
    liu = enter(lesson, learner=learner("13800138001"))
    enter(lesson, user=user("volunteer"))
    rooms.speak_set(session=lesson, participant_id=liu.pk, allowed=True)
    assert rooms.mute_all(session=lesson) == [liu.pk]
    assert rooms.mute_all(session=lesson) == []


def test_a_removed_learner_cannot_rejoin_and_is_not_touched(lesson):
    liu = enter(lesson, learner=learner("13800138001"))
    assert rooms.participant_remove(session=lesson, participant_id=liu.pk) is True
    person = course_person(course=lesson.course, learner=learner("13800138001"), user=AnonymousUser())
    assert rooms.participant_join(session=lesson, person=person) is None
    assert rooms.participant_touch(participant_id=liu.pk) is False


def test_the_teacher_cannot_be_removed(lesson):
    teacher = enter(lesson, user=user("teacher_wang"))
    assert rooms.participant_remove(session=lesson, participant_id=teacher.pk) is False


def test_an_unknown_quality_level_is_ignored(lesson):
    liu = enter(lesson, learner=learner("13800138001"))
    rooms.quality_set(participant_id=liu.pk, level="poor")
    rooms.quality_set(participant_id=liu.pk, level="<b>great</b>")
    assert Participant.objects.get(pk=liu.pk).quality == "poor"


@pytest.mark.django_db
def test_the_roster_shows_who_came_to_a_class_and_when():
    from django.test import Client

    from classes.models import CoursePage

    course = CoursePage.objects.get(slug="calligraphy")
    session = ClassSession.objects.create(course=course, starts_at=timezone.now() - timedelta(minutes=10))
    liu = Learner.objects.get(phone="13800138001")
    participant, visit = rooms.participant_join(
        session=session, person=CoursePerson(course, RoomRole.LEARNER, liu.name, learner=liu))
    rooms.participant_leave(participant_id=participant.pk, visit_id=visit.pk)
    client = Client()
    client.login(username="teacher_wang", password="demo-teacher")
    attendance = client.get(f"/roster/{course.pk}/").context["attendance"]
    # Among the latest classes that have begun (a demo class may have begun since this one did).
    ours = [row for row in attendance if row["session"] == session]
    assert [(p["name"], p["left"] is not None) for row in ours for p in row["people"]] == [("刘桂兰", True)]


# ---------------------------------------------------------------- sockets that end without a goodbye


def _fall_silent(visit, *, at):
    Visit.objects.filter(pk=visit.pk).update(last_seen_at=at)
    Participant.objects.filter(pk=visit.participant_id).update(last_seen_at=at)


def test_the_sweep_closes_a_silent_sockets_visit_as_of_its_last_frame(lesson):
    liu = Learner.objects.get(phone="13800138001")
    participant, visit = rooms.participant_join(session=lesson, person=course_person(
        course=lesson.course, learner=liu, user=AnonymousUser()))
    last_frame = timezone.now() - room_reads.PRESENCE_TIMEOUT - timedelta(seconds=5)
    _fall_silent(visit, at=last_frame)
    closed = rooms.presence_sweep()
    visit.refresh_from_db()
    participant.refresh_from_db()
    assert (closed, visit.left_at, participant.connections) == (1, last_frame, 0)


def test_the_sweep_leaves_a_socket_that_still_sends_frames(lesson):
    liu = Learner.objects.get(phone="13800138001")
    participant, visit = rooms.participant_join(session=lesson, person=course_person(
        course=lesson.course, learner=liu, user=AnonymousUser()))
    _fall_silent(visit, at=timezone.now() - room_reads.PRESENCE_TIMEOUT - timedelta(seconds=5))
    rooms.participant_touch(participant_id=participant.pk, visit_id=visit.pk)  # a ping
    assert rooms.presence_sweep() == 0
    visit.refresh_from_db()
    assert visit.left_at is None


def test_joining_a_room_queues_a_sweep_for_after_the_timeout(lesson, django_capture_on_commit_callbacks):
    liu = Learner.objects.get(phone="13800138001")
    with django_capture_on_commit_callbacks(execute=True):
        rooms.participant_join(session=lesson, person=course_person(
            course=lesson.course, learner=liu, user=AnonymousUser()))
    queued = DBTaskResult.objects.filter(task_path="classes.live.services.sweep_presence").first()
    assert queued is not None and queued.run_after > timezone.now() + room_reads.PRESENCE_TIMEOUT
