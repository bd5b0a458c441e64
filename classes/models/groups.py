"""Learning groups (学习群): a course's chat that carries on after class."""

from django import forms
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet

from classes.models.courses import CoursePage
from classes.models.learners import Learner
from classes.models.live import ChatRoom


class LearningGroup(models.Model):
    """One per course. Its members are the enrolled learners, the teachers, the
    volunteers assigned here and the coordinators."""

    course = models.OneToOneField(CoursePage, verbose_name=_("course"), on_delete=models.CASCADE,
                                  related_name="learning_group")
    chat = models.OneToOneField(ChatRoom, on_delete=models.PROTECT, related_name="learning_group", editable=False)
    volunteers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("volunteers"), blank=True, related_name="learning_groups",
        limit_choices_to={"groups__name": "Volunteers"},
        help_text=_("Volunteers who help this course's learners and may read and write in its group."),
    )

    panels = [FieldPanel("volunteers", widget=forms.CheckboxSelectMultiple)]

    class Meta:
        verbose_name = _("learning group")
        verbose_name_plural = _("learning groups")

    def __str__(self):
        return str(self.course.title)


class GroupMute(models.Model):
    """A member the teacher or a coordinator has muted in a group: they may read, not write."""

    group = models.ForeignKey(LearningGroup, on_delete=models.CASCADE, related_name="mutes")
    learner = models.ForeignKey(Learner, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "learner"], condition=Q(learner__isnull=False),
                                    name="one_mute_per_learner"),
            models.UniqueConstraint(fields=["group", "user"], condition=Q(user__isnull=False),
                                    name="one_mute_per_user"),
        ]


class ReadMark(models.Model):
    """How far a member has read a chat, for the unread count on 我的课程."""

    chat = models.ForeignKey(ChatRoom, on_delete=models.CASCADE, related_name="read_marks")
    learner = models.ForeignKey(Learner, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    last_read_seq = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["chat", "learner"], condition=Q(learner__isnull=False),
                                    name="one_read_mark_per_learner"),
            models.UniqueConstraint(fields=["chat", "user"], condition=Q(user__isnull=False),
                                    name="one_read_mark_per_user"),
        ]


register_snippet(LearningGroup)
