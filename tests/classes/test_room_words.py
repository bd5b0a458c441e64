"""What the class page says first about the class, before its socket speaks: words that are
true now (days ahead a date and time, close to it the minutes, live, the teacher's page gone,
ended with the next class)."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from classes.live import selectors as room_reads
from classes.live import services as rooms
from classes.models import ClassSession, Participant, RoomRole
from core.timefmt import class_time

pytestmark = pytest.mark.django_db


@pytest.fixture
def lesson(calligraphy):
    return ClassSession.objects.filter(course=calligraphy).order_by("starts_at").first()


def words(lesson, *, for_teacher=False, now=None):
    lesson.refresh_from_db()  # as the class page loads it
    with translation.override("zh-hans"):
        return room_reads.room_status_words(session=lesson, for_teacher=for_teacher, now=now)


def starting_in(lesson, delta):
    lesson.starts_at = timezone.now() + delta
    lesson.save(update_fields=["starts_at"])
    return lesson


def teacher_here(lesson, online=True):
    Participant.objects.create(session=lesson, name="王老师", role=RoomRole.TEACHER,
                               connections=1 if online else 0, last_seen_at=timezone.now())


def test_days_ahead_the_page_gives_the_date_and_time(lesson):
    starting_in(lesson, timedelta(days=3))
    with translation.override("zh-hans"):
        when = class_time(lesson.starts_at)
    assert words(lesson) == f"这节课的上课时间是 {when}。"


def test_within_the_hour_the_page_counts_the_minutes(lesson):
    now = timezone.now()
    lesson.starts_at = now + timedelta(minutes=25)
    lesson.save(update_fields=["starts_at"])
    assert words(lesson, now=now) == "还有 25 分钟上课。"


def test_past_the_start_before_the_teacher_starts_the_learner_is_told_the_teacher_is_coming(lesson):
    starting_in(lesson, -timedelta(minutes=2))
    assert words(lesson) == "老师马上就来。"


def test_past_the_start_the_teacher_is_told_to_start(lesson):
    starting_in(lesson, -timedelta(minutes=2))
    assert "开始上课" in words(lesson, for_teacher=True)


def test_live_with_the_teacher_here_says_the_class_is_on(lesson):
    rooms.class_start(session=lesson)
    teacher_here(lesson)
    assert words(lesson) == "正在上课。"


def test_live_with_the_teachers_page_gone_says_to_wait(lesson):
    rooms.class_start(session=lesson)
    teacher_here(lesson, online=False)
    assert words(lesson) == "老师的网络断了，请稍等。"


def test_ended_names_the_next_class(lesson):
    rooms.class_start(session=lesson)
    rooms.class_end(session=lesson)
    following = ClassSession.objects.filter(course=lesson.course, starts_at__gt=lesson.starts_at).order_by("starts_at")[0]
    with translation.override("zh-hans"):
        when = class_time(following.starts_at)
    assert words(lesson) == f"已经下课了。 下次上课：{when}"


def test_the_class_page_shows_the_words_before_any_script_runs(client, open_link, lesson, liu):
    starting_in(lesson, timedelta(days=3))
    open_link(lesson.course, learner=liu)
    response = client.get(f"/class/{lesson.pk}/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert "这节课的上课时间是" in response.content.decode()
