"""The notification outbox: who is told what, reminders a day and half an hour ahead,
and delivery exactly once however many workers run."""

import logging
import re
import signal
import threading
from collections import Counter
from datetime import timedelta
from urllib.parse import urlparse

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from classes.groups.services import group_for_course
from classes.models import (
    ClassSession,
    CoursePage,
    Enrolment,
    EnrolmentStatus,
    Learner,
    Notification,
    NotificationChannel,
    NotificationKind,
    NotificationStatus,
)
from classes.notifications.delivery import MAX_ATTEMPTS, RETRY_AFTER, SENDING_LEASE, notifications_deliver
from classes.notifications.services import REMINDER_KINDS, notify_session_change, reminders_plan, reminders_schedule
from core.phones import phone_masked
from classes.courses.services import enrolment_create, enrolment_withdraw
from classes.courses.join_links import join_link_ensure, join_link_token

pytestmark = pytest.mark.django_db

SMS = NotificationChannel.SMS
EMAIL = NotificationChannel.EMAIL
TEACHER_EMAIL = "wang@example.org"
VOLUNTEER_EMAIL = "chen@example.org"
THIS_MODULE = "tests.classes.test_notifications"


class RecordingSMSBackend:
    """Keeps what it was asked to send, and which thread asked. When `gate` is set, each
    thread's first send waits there for the other worker, so the two really overlap."""

    sent: list[tuple[str, str, str]] = []
    gate: threading.Barrier | None = None
    _lock = threading.Lock()
    _thread = threading.local()

    def send(self, *, phone: str, text: str) -> None:
        if self.gate is not None and not getattr(self._thread, "waited", False):
            self._thread.waited = True
            self.gate.wait(timeout=10)
        with self._lock:
            self.sent.append((phone, text, threading.current_thread().name))


class FailingSMSBackend:
    def send(self, *, phone: str, text: str) -> None:
        raise ConnectionError("SMS gateway unreachable")


class WorkerKilled(BaseException):
    """Stands for the worker process dying mid-send: not an Exception, so nothing catches it."""


class DyingSMSBackend:
    def send(self, *, phone: str, text: str) -> None:
        raise WorkerKilled


@pytest.fixture
def sms(settings):
    settings.SMS_BACKEND = f"{THIS_MODULE}.RecordingSMSBackend"
    RecordingSMSBackend.sent = []
    RecordingSMSBackend.gate = None
    yield RecordingSMSBackend.sent
    RecordingSMSBackend.gate = None


def phones(sms) -> Counter:
    return Counter(phone for phone, _text, _thread in sms)


@pytest.fixture
def now():
    # A month ahead: the demo classes (this week and next) are far away, so only the
    # sessions a test makes are due.
    return timezone.now().replace(microsecond=0) + timedelta(days=30)


@pytest.fixture
def seated(calligraphy, make_learner):
    """爱尚书法 with exactly two learners, both with a seat."""
    Enrolment.objects.filter(course=calligraphy).delete()
    return [enrolment_create(learner=make_learner(name), course=calligraphy).learner for name in ("甲", "乙")]


@pytest.fixture
def teacher_user(calligraphy):
    user = calligraphy.teachers.get().user
    user.email = TEACHER_EMAIL
    user.save()
    return user


@pytest.fixture
def volunteer(calligraphy):
    user = User.objects.get(username="volunteer")
    user.email = VOLUNTEER_EMAIL
    user.save()
    group_for_course(course=calligraphy).volunteers.add(user)
    return user


@pytest.fixture
def session_at(calligraphy):
    def make(starts_at):
        return ClassSession.objects.create(course=calligraphy, starts_at=starts_at)

    return make


def rows(session, *kinds):
    found = Notification.objects.filter(session=session)
    return found.filter(kind__in=kinds) if kinds else found


def recipients(session, *kinds) -> list[tuple[str, str]]:
    return sorted(rows(session, *kinds).values_list("channel", "address"))


def learner_sms(*learners) -> list[tuple[str, str]]:
    return [(SMS, learner.phone) for learner in learners]


def moved(session) -> ClassSession:
    session.starts_at += timedelta(hours=2)
    session.sequence += 1
    session.save()
    return session


# ---------------------------------------------------------------- reminders


def test_reminders_planned_twice_reach_each_person_once(seated, teacher_user, session_at, now, sms, mailoutbox):
    session_at(now + timedelta(hours=20))
    reminders_plan(now=now)
    assert reminders_plan(now=now + timedelta(minutes=5)) == 0
    notifications_deliver(now=now + timedelta(minutes=5))
    assert phones(sms) == {learner.phone: 1 for learner in seated}
    assert [message.to for message in mailoutbox] == [[TEACHER_EMAIL]]


def test_a_class_within_a_day_gets_the_day_ahead_reminder(seated, session_at, now):
    session = session_at(now + timedelta(hours=23))
    reminders_plan(now=now)
    assert set(rows(session).values_list("kind", flat=True)) == {NotificationKind.REMINDER_DAY}


def test_a_class_within_30_minutes_gets_only_the_30_minute_reminder(seated, session_at, now):
    session = session_at(now + timedelta(minutes=20))
    reminders_plan(now=now)
    assert set(rows(session).values_list("kind", flat=True)) == {NotificationKind.REMINDER_SOON}


def test_the_30_minute_reminder_follows_the_day_ahead_one(seated, session_at, now):
    session = session_at(now + timedelta(hours=23))
    reminders_plan(now=now)
    reminders_plan(now=session.starts_at - timedelta(minutes=30))
    assert Counter(rows(session).values_list("kind", flat=True)) == {
        NotificationKind.REMINDER_DAY: 2, NotificationKind.REMINDER_SOON: 2
    }


def test_a_class_more_than_a_day_away_gets_no_reminder_yet(seated, session_at, now):
    session = session_at(now + timedelta(hours=25))
    reminders_plan(now=now)
    assert not rows(session).exists()


def test_a_cancelled_class_gets_no_reminders(seated, session_at, now):
    session = session_at(now + timedelta(hours=2))
    session.cancelled_at = now
    session.save()
    reminders_plan(now=now)
    assert not rows(session).exists()


def test_a_class_that_has_started_gets_no_reminders(seated, session_at, now):
    session = session_at(now - timedelta(minutes=5))
    reminders_plan(now=now)
    assert not rows(session).exists()


def test_a_moved_class_gets_its_reminders_again(seated, session_at, now):
    session = session_at(now + timedelta(hours=20))
    reminders_plan(now=now)
    notifications_deliver(now=now)
    moved(session)
    reminders_plan(now=now + timedelta(minutes=5))
    assert rows(session, NotificationKind.REMINDER_DAY).count() == 2 * len(seated)


def test_moving_a_class_drops_its_unsent_reminders_for_the_old_time(seated, session_at, now):
    session = session_at(now + timedelta(hours=20))
    reminders_plan(now=now)
    notify_session_change(session=moved(session), kind=NotificationKind.MOVED)
    assert not rows(session, *REMINDER_KINDS).exists()


def test_reminders_go_to_learners_by_text_and_to_the_teacher_by_email(seated, teacher_user, session_at, now):
    session = session_at(now + timedelta(hours=20))
    reminders_plan(now=now)
    assert recipients(session) == sorted(learner_sms(*seated) + [(EMAIL, TEACHER_EMAIL)])


def test_the_teachers_reminder_links_to_the_class_page(seated, teacher_user, session_at, now, settings):
    session = session_at(now + timedelta(hours=20))
    reminders_plan(now=now)
    email = rows(session).get(channel=EMAIL)
    assert settings.WAGTAILADMIN_BASE_URL + reverse("class_page", args=[session.pk]) in email.body


def test_a_reminder_not_sent_before_the_class_began_is_dropped(seated, session_at, now, sms):
    session = session_at(now + timedelta(minutes=20))
    reminders_plan(now=now)
    notifications_deliver(now=now + timedelta(minutes=25))  # the worker was down until after the start
    assert sms == []
    assert set(rows(session).values_list("status", flat=True)) == {NotificationStatus.FAILED}


def test_reminders_schedule_wakes_the_worker_a_day_and_half_an_hour_before(session_at, now):
    session = session_at(now + timedelta(days=3))
    reminders_schedule(sessions=[session], now=now)
    queued = DBTaskResult.objects.filter(task_path="classes.notifications.services.send_due_reminders", run_after__gte=now)
    assert sorted(queued.values_list("run_after", flat=True)) == [
        session.starts_at - timedelta(hours=24), session.starts_at - timedelta(minutes=30)
    ]


def test_a_wake_up_whose_time_has_passed_is_queued_for_now(session_at, now):
    session = session_at(now + timedelta(hours=2))
    reminders_schedule(sessions=[session], now=now)
    queued = DBTaskResult.objects.filter(task_path="classes.notifications.services.send_due_reminders", run_after__gte=now)
    assert sorted(queued.values_list("run_after", flat=True)) == [now, session.starts_at - timedelta(minutes=30)]


# ---------------------------------------------------------------- changes


def test_a_change_reaches_the_learners_the_teacher_and_the_volunteers(
    seated, teacher_user, volunteer, session_at, now
):
    session = session_at(now + timedelta(days=3))
    notify_session_change(session=moved(session), kind=NotificationKind.MOVED)
    assert recipients(session) == sorted(learner_sms(*seated) + [(EMAIL, TEACHER_EMAIL), (EMAIL, VOLUNTEER_EMAIL)])


def test_a_change_skips_withdrawn_and_waiting_learners(seated, calligraphy, make_learner, session_at, now):
    calligraphy.online_seats = len(seated)
    calligraphy.save()
    enrolment_withdraw(enrolment=Enrolment.objects.get(course=calligraphy, learner=seated[0]))
    newcomer = enrolment_create(learner=make_learner(), course=calligraphy)
    waiting = enrolment_create(learner=make_learner(), course=calligraphy)
    assert (newcomer.status, waiting.status) == (EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED)
    session = session_at(now + timedelta(days=3))
    notify_session_change(session=moved(session), kind=NotificationKind.MOVED)
    assert recipients(session) == sorted(learner_sms(seated[1], newcomer.learner))


def test_a_childs_messages_go_to_the_guardians_phone(now):
    child = Learner.objects.get(phone="13800138005")
    session = ClassSession.objects.create(course=CoursePage.objects.get(slug="children-painting"),
                                          starts_at=now + timedelta(days=3))
    notify_session_change(session=moved(session), kind=NotificationKind.MOVED)
    assert rows(session).get(learner=child).address == child.guardian_phone


def test_telling_the_same_change_twice_writes_nothing_new(seated, teacher_user, session_at, now):
    session = moved(session_at(now + timedelta(days=3)))
    notify_session_change(session=session, kind=NotificationKind.MOVED)
    assert notify_session_change(session=session, kind=NotificationKind.MOVED) == 0
    assert rows(session).count() == len(seated) + 1


def test_the_moved_text_carries_a_join_link_that_opens_my_classes(client, seated, session_at, now, sms):
    session = session_at(now + timedelta(days=3))
    notify_session_change(session=moved(session), kind=NotificationKind.MOVED)
    notifications_deliver(now=now)
    text = next(text for phone, text, _thread in sms if phone == seated[0].phone)
    url = re.search(r"https?://\S+/j/\S+/", text).group(0)
    response = client.get(urlparse(url).path, follow=True)
    assert response.resolver_match.url_name == "my_classes"
    assert response.context["learner"] == seated[0]


def test_the_cancelled_text_gives_the_reason(seated, session_at, now):
    session = session_at(now + timedelta(days=3))
    session.cancelled_at, session.cancel_reason, session.sequence = now, "王老师生病了", 1
    session.save()
    notify_session_change(session=session, kind=NotificationKind.CANCELLED)
    assert all("王老师生病了" in body for body in rows(session).values_list("body", flat=True))


def test_delivery_is_queued_only_once_the_change_commits(seated, session_at, now, django_capture_on_commit_callbacks):
    session = session_at(now + timedelta(days=3))
    deliveries = DBTaskResult.objects.filter(task_path="classes.notifications.delivery.deliver_notifications")
    before = deliveries.count()
    with django_capture_on_commit_callbacks(execute=True):
        notify_session_change(session=moved(session), kind=NotificationKind.MOVED)
        assert deliveries.count() == before
    assert deliveries.count() == before + 1


# ---------------------------------------------------------------- delivery


def test_two_deliveries_in_a_row_send_each_message_once(seated, teacher_user, session_at, now, sms, mailoutbox):
    session = session_at(now + timedelta(days=3))
    notify_session_change(session=moved(session), kind=NotificationKind.MOVED)
    assert notifications_deliver(now=now) == len(seated) + 1
    assert notifications_deliver(now=now + timedelta(minutes=1)) == 0
    assert phones(sms) == {learner.phone: 1 for learner in seated}
    assert [message.to for message in mailoutbox] == [[TEACHER_EMAIL]]


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_message_once(calligraphy, make_learner, now, sms):
    Enrolment.objects.filter(course=calligraphy).delete()
    learners = [enrolment_create(learner=make_learner(), course=calligraphy).learner for _ in range(12)]
    session = ClassSession.objects.create(course=calligraphy, starts_at=now + timedelta(days=3))
    notify_session_change(session=moved(session), kind=NotificationKind.MOVED)
    RecordingSMSBackend.gate = threading.Barrier(2)
    start = threading.Barrier(2)
    errors = []

    def worker():
        try:
            start.wait(timeout=10)
            notifications_deliver(now=now)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, name=f"worker-{n}") for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert phones(sms) == {learner.phone: 1 for learner in learners}
    assert {thread for _phone, _text, thread in sms} == {"worker-1", "worker-2"}


def test_a_message_left_sending_by_a_dead_worker_is_not_resent_before_the_lease(seated, session_at, now, sms, settings):
    session = session_at(now + timedelta(days=3))
    notify_session_change(session=moved(session), kind=NotificationKind.MOVED)
    settings.SMS_BACKEND = f"{THIS_MODULE}.DyingSMSBackend"
    with pytest.raises(WorkerKilled):
        notifications_deliver(now=now)
    stuck = rows(session).get(status=NotificationStatus.SENDING)
    settings.SMS_BACKEND = f"{THIS_MODULE}.RecordingSMSBackend"
    notifications_deliver(now=now + SENDING_LEASE - timedelta(seconds=1))
    assert stuck.address not in phones(sms)


def test_a_message_left_sending_by_a_dead_worker_is_sent_once_after_the_lease(seated, session_at, now, sms, settings):
    session = session_at(now + timedelta(days=3))
    notify_session_change(session=moved(session), kind=NotificationKind.MOVED)
    settings.SMS_BACKEND = f"{THIS_MODULE}.DyingSMSBackend"
    with pytest.raises(WorkerKilled):
        notifications_deliver(now=now)
    settings.SMS_BACKEND = f"{THIS_MODULE}.RecordingSMSBackend"
    notifications_deliver(now=now + SENDING_LEASE + timedelta(seconds=1))
    notifications_deliver(now=now + SENDING_LEASE + timedelta(minutes=1))
    assert phones(sms) == {learner.phone: 1 for learner in seated}


def test_a_send_error_puts_the_message_back_and_queues_a_retry(seated, session_at, now, settings):
    settings.SMS_BACKEND = f"{THIS_MODULE}.FailingSMSBackend"
    session = session_at(now + timedelta(days=3))
    notify_session_change(session=moved(session), kind=NotificationKind.MOVED)
    assert notifications_deliver(now=now) == 0
    row = rows(session).first()
    assert (row.status, row.attempts) == (NotificationStatus.PENDING, 1)
    assert "SMS gateway unreachable" in row.last_error
    assert DBTaskResult.objects.filter(
        task_path="classes.notifications.delivery.deliver_notifications", run_after=now + RETRY_AFTER
    ).exists()


def test_a_message_fails_for_good_after_five_attempts(seated, session_at, now, settings):
    settings.SMS_BACKEND = f"{THIS_MODULE}.FailingSMSBackend"
    session = session_at(now + timedelta(days=3))
    notify_session_change(session=moved(session), kind=NotificationKind.MOVED)
    for attempt in range(MAX_ATTEMPTS + 1):
        notifications_deliver(now=now + attempt * RETRY_AFTER)
    assert set(rows(session).values_list("status", "attempts")) == {(NotificationStatus.FAILED, MAX_ATTEMPTS)}


def test_a_sent_message_keeps_no_working_join_link(seated, session_at, now, sms):
    session = session_at(now + timedelta(days=3))
    notify_session_change(session=moved(session), kind=NotificationKind.MOVED)
    notifications_deliver(now=now)
    token = join_link_token(link=join_link_ensure(course=session.course, learner=seated[0]))
    body = rows(session).get(learner=seated[0]).body
    assert token in next(text for phone, text, _thread in sms if phone == seated[0].phone)
    assert token not in body and "/j/[token]/" in body


def test_the_log_sms_backend_masks_the_phone_and_hides_the_join_token(seated, session_at, now, caplog):
    session = session_at(now + timedelta(days=3))
    notify_session_change(session=moved(session), kind=NotificationKind.MOVED)
    with caplog.at_level(logging.INFO, logger="classes.notifications.sms"):
        notifications_deliver(now=now)
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "classes.notifications.sms")
    token = join_link_token(link=join_link_ensure(course=session.course, learner=seated[0]))
    assert phone_masked(seated[0].phone) in logged and seated[0].phone not in logged
    assert "/j/[token]/" in logged and token not in logged


# ---------------------------------------------------------------- the real worker


@pytest.fixture
def worker_leaves_no_trace():
    """db_worker installs signal handlers and sets its loggers' levels; put them back."""
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    levels = {name: logging.getLogger(name).level for name in ("django_tasks", "django_tasks_db")}
    yield
    for sig, handler in handlers.items():
        signal.signal(sig, handler)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


@pytest.mark.django_db(transaction=True)
def test_the_worker_command_run_twice_sends_each_message_once(
    seated, teacher_user, calligraphy, sms, mailoutbox, worker_leaves_no_trace
):
    # The worker reads the clock itself; keep the demo classes out of its way.
    ClassSession.objects.update(cancelled_at=timezone.now())
    session = ClassSession.objects.create(course=calligraphy, starts_at=timezone.now() + timedelta(minutes=20))
    with transaction.atomic():
        session.sequence += 1  # moved to another room, say
        session.save()
        notify_session_change(session=session, kind=NotificationKind.MOVED)
    reminders_schedule(sessions=[session])
    for _run in range(2):
        call_command("db_worker", "--backend", "notifications", "--batch", "--no-startup-delay", verbosity=0)
    assert phones(sms) == {learner.phone: 2 for learner in seated}  # moved, then starts soon
    assert [message.to for message in mailoutbox] == [[TEACHER_EMAIL]] * 2
    assert sorted(message.subject for message in mailoutbox) == sorted(
        rows(session).filter(channel=EMAIL).values_list("subject", flat=True)
    )
    assert set(rows(session).values_list("kind", "status")) == {
        (NotificationKind.MOVED, NotificationStatus.SENT), (NotificationKind.REMINDER_SOON, NotificationStatus.SENT)
    }
