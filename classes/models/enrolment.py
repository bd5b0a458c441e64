"""Seats, waitlists and the personal join links that replace passwords."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from classes.models.courses import CoursePage, EnrolmentStatus, SeatPool, Teacher
from classes.models.learners import Learner


class Enrolment(models.Model):
    """A learner's place in one course, in one of its two seat pools.

    When the pool is full the learner waits; the waiting list is first come,
    first served (by id), and the first in line is promoted when a seat frees.
    """

    learner = models.ForeignKey(Learner, verbose_name=_("learner"), on_delete=models.CASCADE, related_name="enrolments")
    course = models.ForeignKey(CoursePage, verbose_name=_("course"), on_delete=models.CASCADE, related_name="enrolments")
    pool = models.CharField(_("seat"), max_length=10, choices=SeatPool.choices, default=SeatPool.ONLINE)
    status = models.CharField(_("status"), max_length=12, choices=EnrolmentStatus.choices)
    created_at = models.DateTimeField(_("signed up on"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed on"), auto_now=True)

    class Meta:
        ordering = ["course", "pool", "pk"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "course"],
                condition=~Q(status="withdrawn"),
                name="one_active_enrolment_per_learner_and_course",
            ),
        ]
        indexes = [models.Index(fields=["course", "pool", "status"], name="enrolment_pool_status")]

    def __str__(self):
        return f"{self.learner} · {self.course.title} · {self.get_status_display()}"


class JoinLink(models.Model):
    """A personal link into one course for a learner or a teacher, valid all term.

    The token itself is never stored: it is derived from the row's id, its
    random nonce and the site's secret key (as Django's password-reset tokens
    are), so a card can be printed again with the same link; the database holds
    only a SHA-256 hash to look it up. Revoking sets `revoked_at`; re-issuing
    creates a new row with a new nonce.
    """

    learner = models.ForeignKey(
        Learner, verbose_name=_("learner"), null=True, blank=True, on_delete=models.CASCADE, related_name="join_links"
    )
    teacher = models.ForeignKey(
        Teacher, verbose_name=_("teacher"), null=True, blank=True, on_delete=models.CASCADE, related_name="join_links"
    )
    course = models.ForeignKey(CoursePage, verbose_name=_("course"), on_delete=models.CASCADE, related_name="join_links")
    nonce = models.CharField(max_length=32, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("issued on"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked on"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last opened"), null=True, blank=True)

    class Meta:
        verbose_name = _("join link")
        verbose_name_plural = _("join links")
        constraints = [
            models.CheckConstraint(
                condition=Q(learner__isnull=False, teacher__isnull=True) | Q(learner__isnull=True, teacher__isnull=False),
                name="join_link_for_a_learner_or_a_teacher",
            ),
            models.UniqueConstraint(
                fields=["learner", "course"], condition=Q(revoked_at__isnull=True, learner__isnull=False),
                name="one_live_link_per_learner_and_course",
            ),
            models.UniqueConstraint(
                fields=["teacher", "course"], condition=Q(revoked_at__isnull=True, teacher__isnull=False),
                name="one_live_link_per_teacher_and_course",
            ),
        ]

    def __str__(self):
        return f"{self.learner or self.teacher} · {self.course.title}"
