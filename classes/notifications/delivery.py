"""Sending the outbox, exactly once: a worker sends a row only after its conditional
UPDATE has moved the row from PENDING to SENDING, which only one worker can do."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from classes.models import Notification, NotificationChannel, NotificationKind, NotificationStatus
from classes.notifications.sms import get_sms_backend
from core.logs import redact_tokens

logger = logging.getLogger(__name__)

# Reminders go stale once their class has begun.
REMINDER_KINDS = (NotificationKind.REMINDER_DAY, NotificationKind.REMINDER_SOON)
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
        delivery_later(run_after=now + RETRY_AFTER)
    if len(due) == limit:
        delivery_later()  # more are waiting
    return sent


@task(backend="notifications")
def deliver_notifications() -> int:
    return notifications_deliver()


def delivery_later(*, run_after: datetime | None = None) -> None:
    """Wake the notifications worker to send what is pending (at `run_after`, or at once)."""
    (deliver_notifications.using(run_after=run_after) if run_after else deliver_notifications).enqueue()
