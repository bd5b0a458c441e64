"""The notification outbox and private calendar feeds.

A notification is written once, under a unique key, in the same transaction as the
change it reports; a background worker delivers it. The key makes a second write a
no-op, and the worker's claim makes a second delivery impossible."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from classes.models.courses import ClassSession, CoursePage, Teacher
from classes.models.learners import Learner


class NotificationKind(models.TextChoices):
    REMINDER_DAY = "reminder_24h", _("Reminder a day before")
    REMINDER_SOON = "reminder_30m", _("Reminder 30 minutes before")
    MOVED = "moved", _("Class moved")
    CANCELLED = "cancelled", _("Class cancelled")


class NotificationChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Could not be sent")


class Notification(models.Model):
    """One message to one person through one channel."""

    key = models.CharField(max_length=200, unique=True, editable=False)
    kind = models.CharField(_("what"), max_length=20, choices=NotificationKind.choices)
    channel = models.CharField(_("how"), max_length=10, choices=NotificationChannel.choices)
    session = models.ForeignKey(
        ClassSession, verbose_name=_("class"), null=True, on_delete=models.CASCADE, related_name="notifications"
    )
    learner = models.ForeignKey(Learner, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="class_notifications"
    )
    address = models.CharField(_("sent to"), max_length=254)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    status = models.CharField(
        _("status"), max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self):
        return f"{self.get_kind_display()} → {self.address}"


class CalendarFeed(models.Model):
    """A private iCalendar address for one course, one teacher or one learner.
    Only the token's hash is stored; the token is derived from id and nonce so it can be shown again."""

    course = models.ForeignKey(CoursePage, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    teacher = models.ForeignKey(Teacher, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    learner = models.ForeignKey(Learner, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=32, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(course__isnull=False, teacher__isnull=True, learner__isnull=True)
                    | Q(course__isnull=True, teacher__isnull=False, learner__isnull=True)
                    | Q(course__isnull=True, teacher__isnull=True, learner__isnull=False)
                ),
                name="calendar_feed_has_one_owner",
            )
        ]

    def __str__(self):
        return str(self.course or self.teacher or self.learner)
