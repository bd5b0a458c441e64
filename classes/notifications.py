"""Telling people about their classes: a class moved or cancelled, and reminders a day
and half an hour before. Services here write rows to the outbox (Notification) and
deliver them; the tasks in classes/tasks.py run them in the notifications worker.

Writing is idempotent: each row's key names the news, the class and its version
(`sequence`), the person and the channel, so writing the same news again adds nothing.
Delivery is exactly once: a worker sends a row only after its conditional UPDATE has
moved the row from PENDING to SENDING, which only one worker can do."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from classes.join_cards import join_url, site_url
from classes.models import (
    ClassSession,
    Enrolment,
    EnrolmentStatus,
    Learner,
    Notification,
    NotificationChannel,
    NotificationKind,
    NotificationStatus,
)
from classes.selectors import session_teachers
from classes.services import join_link_ensure, join_link_token
from classes.sms import get_sms_backend
from home.templatetags.site_tags import class_time
from learning.logs import redact_tokens

logger = logging.getLogger(__name__)

# The two reminders: the evening before (time to plan the day, find the glasses),
# and just before class (time to find the phone and a quiet corner, not to forget again).
REMINDER_DAY_AHEAD = timedelta(hours=24)
REMINDER_SOON_AHEAD = timedelta(minutes=30)
REMINDER_KINDS = (NotificationKind.REMINDER_DAY, NotificationKind.REMINDER_SOON)
CHANGE_KINDS = (NotificationKind.MOVED, NotificationKind.CANCELLED)

# A send gives up within a minute or two (an SMS gateway's HTTP timeout; for mail,
# EMAIL_TIMEOUT, which production must set: Django's default is to wait forever), so a
# row still SENDING after ten minutes belongs to a worker that died mid-send and another
# worker may take it. Shorter would risk a second copy while a slow gateway still answers.
SENDING_LEASE = timedelta(minutes=10)
# Five tries, a few minutes apart, outlast a gateway's or a mail server's usual hiccup;
# beyond that someone has to look (wrong address, account out of credit).
MAX_ATTEMPTS = 5
RETRY_AFTER = timedelta(minutes=5)
# A batch a worker finishes in well under the lease even with a slow gateway.
DELIVERY_BATCH = 200
# Notification.last_error is a short column.
ERROR_LENGTH = 300


# ---------------------------------------------------------------- recipients


@dataclass(frozen=True)
class Recipient:
    channel: str
    address: str
    name: str
    learner: Learner | None = None
    user: AbstractUser | None = None

    @property
    def key_part(self) -> str:
        return f"learner{self.learner.pk}" if self.learner is not None else f"user{self.user.pk}"


def _learner_recipients(session: ClassSession) -> list[Recipient]:
    """Learners with a seat, by text message; a child's messages go to the guardian's phone."""
    seated = Enrolment.objects.filter(course_id=session.course_id, status=EnrolmentStatus.ENROLLED)
    learners = Learner.objects.filter(pk__in=seated.values("learner_id")).order_by("pk")
    return [
        Recipient(NotificationChannel.SMS, learner.guardian_phone or learner.phone, learner.name, learner=learner)
        for learner in learners
    ]


def _email_recipients(people: Iterable[tuple[str, AbstractUser | None]]) -> list[Recipient]:
    return [
        Recipient(NotificationChannel.EMAIL, user.email, name, user=user)
        for name, user in people
        if user is not None and user.is_active and user.email
    ]


def _teacher_recipients(session: ClassSession) -> list[Recipient]:
    return _email_recipients((teacher.name, teacher.user) for teacher in session_teachers(session))


def _volunteer_recipients(session: ClassSession) -> list[Recipient]:
    """The volunteers assigned to the course's learning group."""
    volunteers = get_user_model().objects.filter(learning_groups__course_id=session.course_id).order_by("pk")
    return _email_recipients((user.get_full_name() or user.get_username(), user) for user in volunteers)


# ---------------------------------------------------------------- messages


def _class_page_url(session: ClassSession) -> str:
    return site_url().rstrip("/") + reverse("class_page", args=[session.pk])


def _personal_link_url(session: ClassSession, learner: Learner) -> str:
    link = join_link_ensure(course=session.course, learner=learner)
    return join_url(base=site_url().rstrip("/"), token=join_link_token(link=link))


def _learner_message(kind: str, session: ClassSession, recipient: Recipient) -> tuple[str, str]:
    values = {
        "centre": settings.CENTRE_NAME, "name": recipient.name, "course": session.course.title,
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
    values["url"] = _personal_link_url(session, recipient.learner)
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
        "name": recipient.name, "course": session.course.title, "time": class_time(session.starts_at),
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
            message = _staff_message if recipient.user is not None else _learner_message
            subject, body = message(kind, session, recipient)
            rows.append(Notification(
                key=key, kind=kind, channel=recipient.channel, session=session, learner=recipient.learner,
                user=recipient.user, address=recipient.address, subject=subject[:200], body=body,
            ))
    # A writer racing us to the same key loses quietly: the unique key decides.
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _deliver_later(*, run_after: datetime | None = None) -> None:
    # Imported here: the tasks module imports this one.
    from classes.tasks import deliver_notifications

    (deliver_notifications.using(run_after=run_after) if run_after else deliver_notifications).enqueue()


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
    transaction.on_commit(_deliver_later)
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
    from classes.tasks import send_due_reminders  # the tasks module imports this one

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


# ---------------------------------------------------------------- delivering


def _send(notification: Notification) -> None:
    if notification.channel == NotificationChannel.EMAIL:
        send_mail(notification.subject, notification.body, None, [notification.address])
    else:
        get_sms_backend().send(phone=notification.address, text=notification.body)


def _claimable(*, lease_expired: datetime) -> Q:
    return Q(status=NotificationStatus.PENDING) | Q(
        status=NotificationStatus.SENDING, claimed_at__lt=lease_expired, attempts__lt=MAX_ATTEMPTS
    )


def _give_up(*, now: datetime, lease_expired: datetime) -> None:
    """Fail what must not go out any more: reminders of classes that have begun, and rows
    whose workers died on their last attempt."""
    with translation.override(settings.LANGUAGE_CODE):
        Notification.objects.filter(
            _claimable(lease_expired=lease_expired), kind__in=REMINDER_KINDS, session__starts_at__lte=now
        ).update(status=NotificationStatus.FAILED, last_error=_("The class had already begun."))
        Notification.objects.filter(
            status=NotificationStatus.SENDING, claimed_at__lt=lease_expired, attempts__gte=MAX_ATTEMPTS
        ).update(status=NotificationStatus.FAILED, last_error=_("The worker stopped while sending, too many times."))


def notifications_deliver(*, now: datetime | None = None, limit: int = DELIVERY_BATCH) -> int:
    """Send pending notifications, each exactly once however many workers run: a worker
    sends a row only if its UPDATE moved it from PENDING (or from an expired SENDING
    lease) to SENDING. A send error puts the row back for a retry; after MAX_ATTEMPTS
    it is FAILED. Returns how many were sent."""
    now = now or timezone.now()
    lease_expired = now - SENDING_LEASE
    _give_up(now=now, lease_expired=lease_expired)
    claimable = _claimable(lease_expired=lease_expired)
    due = list(Notification.objects.filter(claimable).order_by("pk").values_list("pk", flat=True)[:limit])
    sent, retry = 0, False
    for pk in due:
        claimed = Notification.objects.filter(claimable, pk=pk).update(
            status=NotificationStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
        if not claimed:
            continue  # another worker has it
        notification = Notification.objects.get(pk=pk)
        # Once it has gone out (or never will), the stored copy needs no working link in it.
        body = redact_tokens(notification.body)
        try:
            _send(notification)
        except Exception as error:  # noqa: BLE001 - any failure of a gateway is retried
            failed = notification.attempts >= MAX_ATTEMPTS
            error_text = redact_tokens(f"{type(error).__name__}: {error}")[:ERROR_LENGTH]
            if failed:
                Notification.objects.filter(pk=pk).update(
                    status=NotificationStatus.FAILED, last_error=error_text, body=body
                )
            else:
                Notification.objects.filter(pk=pk).update(status=NotificationStatus.PENDING, last_error=error_text)
            logger.warning(
                "Notification %s by %s not sent (attempt %s of %s): %s",
                pk, notification.channel, notification.attempts, MAX_ATTEMPTS, error,
            )
            retry = retry or not failed
            continue
        Notification.objects.filter(pk=pk).update(
            status=NotificationStatus.SENT, sent_at=timezone.now(), last_error="", body=body
        )
        sent += 1
    if retry:
        _deliver_later(run_after=now + RETRY_AFTER)
    if len(due) == limit:
        _deliver_later()  # more are waiting
    return sent
