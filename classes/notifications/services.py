"""Telling people about their classes: a class moved or cancelled, and reminders a day
and half an hour before. The services here write rows to the outbox (Notification);
classes/notifications/delivery.py sends them in the notifications worker
(`manage.py db_worker --backend notifications`).

Writing is idempotent: each row's key names the news, the class and its version
(`sequence`), the person and the channel, so writing the same news again adds nothing."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from classes import signals
from classes.courses.join_cards import join_url, site_url
from classes.courses.join_links import join_link_ensure, join_link_token
from classes.courses.people import CoursePerson, user_display_name
from classes.courses.selectors import learner_text_number, session_teachers
from classes.models import (
    ClassSession,
    Enrolment,
    EnrolmentStatus,
    Learner,
    Notification,
    NotificationChannel,
    NotificationKind,
    NotificationStatus,
    RoomRole,
)
from classes.notifications import delivery
from classes.notifications.delivery import REMINDER_KINDS
from core.timefmt import class_time

# The two reminders: the evening before (time to plan the day, find the glasses),
# and just before class (time to find the phone and a quiet corner, not to forget again).
REMINDER_DAY_AHEAD = timedelta(hours=24)
REMINDER_SOON_AHEAD = timedelta(minutes=30)
CHANGE_KINDS = (NotificationKind.MOVED, NotificationKind.CANCELLED)

# ---------------------------------------------------------------- recipients


@dataclass(frozen=True)
class Recipient:
    """One of the course's people, at the address a message to them goes to."""

    person: CoursePerson
    channel: str
    address: str

    @property
    def key_part(self) -> str:
        person = self.person
        return f"learner{person.learner.pk}" if person.learner is not None else f"user{person.user.pk}"


def _learner_recipients(session: ClassSession) -> list[Recipient]:
    """Learners with a seat, by text message; a child's messages go to the guardian's phone."""
    seated = Enrolment.objects.filter(course_id=session.course_id, status=EnrolmentStatus.ENROLLED)
    learners = Learner.objects.filter(pk__in=seated.values("learner_id")).order_by("pk")
    return [
        Recipient(CoursePerson(session.course, RoomRole.LEARNER, learner.name, learner=learner),
                  NotificationChannel.SMS, learner_text_number(learner=learner))
        for learner in learners
    ]


def _email_recipients(session: ClassSession, role: str, people: Iterable[tuple[str, object]]) -> list[Recipient]:
    return [
        Recipient(CoursePerson(session.course, role, name, user=user), NotificationChannel.EMAIL, user.email)
        for name, user in people
        if user is not None and user.is_active and user.email
    ]


def _teacher_recipients(session: ClassSession) -> list[Recipient]:
    return _email_recipients(session, RoomRole.TEACHER,
                             ((teacher.name, teacher.user) for teacher in session_teachers(session)))


def _volunteer_recipients(session: ClassSession) -> list[Recipient]:
    """The course's volunteers (classes.courses.people), assigned on its learning group."""
    volunteers = get_user_model().objects.filter(learning_groups__course_id=session.course_id).order_by("pk")
    return _email_recipients(session, RoomRole.VOLUNTEER, ((user_display_name(user), user) for user in volunteers))


# ---------------------------------------------------------------- messages


def _class_page_url(session: ClassSession) -> str:
    return site_url().rstrip("/") + reverse("class_page", args=[session.pk])


def _personal_link_url(session: ClassSession, learner: Learner) -> str:
    link = join_link_ensure(course=session.course, learner=learner)
    return join_url(base=site_url().rstrip("/"), token=join_link_token(link=link))


def _learner_message(kind: str, session: ClassSession, recipient: Recipient) -> tuple[str, str]:
    values = {
        "centre": settings.CENTRE_NAME, "name": recipient.person.name, "course": session.course.title,
        "time": class_time(session.starts_at), "phone": settings.CENTRE_HELP_PHONE,
    }
    if kind == NotificationKind.CANCELLED:
        subject = _("Class cancelled")
        if session.cancel_reason:
            body = _("%(centre)s: %(name)s, %(course)s on %(time)s is cancelled: %(reason)s. Help: %(phone)s") % {
                **values, "reason": session.cancel_reason}
        else:
            body = _("%(centre)s: %(name)s, %(course)s on %(time)s is cancelled. Help: %(phone)s") % values
        return subject, body
    values["url"] = _personal_link_url(session, recipient.person.learner)
    if kind == NotificationKind.MOVED:
        return _("Class moved"), _(
            "%(centre)s: %(name)s, %(course)s has moved to %(time)s. Open your personal link to join: %(url)s"
            "  Help: %(phone)s"
        ) % values
    if kind == NotificationKind.REMINDER_DAY:
        return _("Class reminder"), _(
            "%(centre)s: %(name)s, a reminder: %(course)s is on %(time)s. Open your personal link to join: %(url)s"
        ) % values
    return _("Class starts soon"), _(
        "%(centre)s: %(name)s, %(course)s starts soon, at %(time)s. Open your personal link to join: %(url)s"
    ) % values


def _staff_message(kind: str, session: ClassSession, recipient: Recipient) -> tuple[str, str]:
    values = {
        "name": recipient.person.name, "course": session.course.title, "time": class_time(session.starts_at),
        "url": _class_page_url(session), "reason": session.cancel_reason,
    }
    if kind == NotificationKind.CANCELLED:
        return _("%(course)s on %(time)s is cancelled") % values, _(
            "%(name)s,\n\n%(course)s on %(time)s is cancelled. Reason: %(reason)s\n\n"
            "The learners with a seat are told by text message."
        ) % values
    if kind == NotificationKind.MOVED:
        return _("%(course)s has moved to %(time)s") % values, _(
            "%(name)s,\n\n%(course)s has moved to %(time)s. The learners with a seat are told by text message.\n\n"
            "The class page: %(url)s"
        ) % values
    if kind == NotificationKind.REMINDER_DAY:
        return _("Reminder: %(course)s on %(time)s") % values, _(
            "%(name)s,\n\nA reminder: %(course)s is on %(time)s.\n\nThe class page: %(url)s"
        ) % values
    return _("%(course)s starts soon, at %(time)s") % values, _(
        "%(name)s,\n\n%(course)s starts soon, at %(time)s.\n\nThe class page: %(url)s"
    ) % values


def _write(*, session: ClassSession, kind: str, recipients: list[Recipient]) -> int:
    """Write one row per person and channel that has none yet; returns how many were new."""
    by_key = {f"{kind}:{session.pk}:{session.sequence}:{r.key_part}:{r.channel}": r for r in recipients}
    existing = set(Notification.objects.filter(key__in=list(by_key)).values_list("key", flat=True))
    rows = []
    # Messages are in the centre's language, whoever's request or worker writes them.
    with translation.override(settings.LANGUAGE_CODE):
        for key, recipient in by_key.items():
            if key in existing:
                continue
            message = _staff_message if recipient.person.user is not None else _learner_message
            subject, body = message(kind, session, recipient)
            rows.append(Notification(
                key=key, kind=kind, channel=recipient.channel, session=session, learner=recipient.person.learner,
                user=recipient.person.user, address=recipient.address, subject=subject[:200], body=body,
            ))
    # A writer racing us to the same key loses quietly: the unique key decides.
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


# ---------------------------------------------------------------- writing


def notify_session_change(*, session: ClassSession, kind: str) -> int:
    """Tell the learners with a seat (text message), the teacher and the course's volunteers
    (email) that the session has moved or is cancelled. Call it inside the transaction
    that changed the session, after bumping `sequence`; delivery starts once it commits.
    Returns how many messages were written."""
    if kind not in CHANGE_KINDS:
        raise ValueError(f"Not a change: {kind!r}")
    session = ClassSession.objects.select_related("course", "series__need__teacher__user").get(pk=session.pk)
    # Reminders not yet sent speak of the old time, or of a class no longer held.
    Notification.objects.filter(session=session, kind__in=REMINDER_KINDS, status=NotificationStatus.PENDING).delete()
    recipients = _learner_recipients(session) + _teacher_recipients(session) + _volunteer_recipients(session)
    written = _write(session=session, kind=kind, recipients=recipients)
    transaction.on_commit(delivery.delivery_later)
    return written


def reminders_plan(*, now: datetime | None = None) -> int:
    """Write the reminders now due: the day-ahead one for sessions starting within 24 hours,
    the 30-minute one for sessions starting within 30 minutes (and then no day-ahead one),
    to the learners with a seat and the teacher. Planning again writes nothing new; a
    moved session (new sequence) gets reminders again. Returns how many were written."""
    now = now or timezone.now()
    sessions = ClassSession.objects.filter(
        starts_at__gt=now, starts_at__lte=now + REMINDER_DAY_AHEAD, cancelled_at__isnull=True, course__live=True
    ).select_related("course", "series__need__teacher__user")
    written = 0
    for session in sessions:
        soon = session.starts_at - now <= REMINDER_SOON_AHEAD
        kind = NotificationKind.REMINDER_SOON if soon else NotificationKind.REMINDER_DAY
        written += _write(
            session=session, kind=kind, recipients=_learner_recipients(session) + _teacher_recipients(session)
        )
    return written


def reminders_schedule(*, sessions: Iterable[ClassSession], now: datetime | None = None) -> int:
    """Wake the notifications worker when each session's reminders fall due (a day and half
    an hour before; at once if that has passed). Each wake-up plans every due reminder,
    so extra ones are harmless. Returns how many wake-ups were queued."""
    now = now or timezone.now()
    wake_ups = sorted({
        max(session.starts_at - ahead, now)
        for session in sessions
        if not session.is_cancelled and session.starts_at > now
        for ahead in (REMINDER_DAY_AHEAD, REMINDER_SOON_AHEAD)
    })
    for run_after in wake_ups:
        send_due_reminders.using(run_after=run_after).enqueue()
    return len(wake_ups)




@task(backend="notifications")
def send_due_reminders() -> int:
    """A sweep of every reminder now due, so running it twice, or late, is harmless. Those
    listening hear of the sweep (volunteers call the learners not yet ready for a class
    within two days) before the messages go out."""
    now = timezone.now()
    reminders_plan(now=now)
    signals.reminders_swept.send(sender=None, now=now)
    return delivery.notifications_deliver()
