"""Recordings of live classes, to watch again (看回放), and how long the centre keeps them.

A recording is private media (core/private_media.py): its files are served only by the
view that checks who asks (classes/recordings/views.py), never from /media/.

In the embedded mode the teacher's browser records and uploads numbered chunks while the
class runs. Each MediaRecorder the page starts is one part (a reload starts a new one);
a part's chunks, joined in order, are one playable WebM file. With the SFU, Janus records
and its processed file is attached as the recording's one part.
"""

from django.contrib import admin
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from classes.models.courses import ClassSession
from core.private_media import PrivateName, PrivateStorage

RECORDING_FILES = PrivateStorage(view_name="recording_file")
# How long recordings are kept unless the coordinator says otherwise: a month covers the
# weeks a learner who missed a class needs to catch up, without keeping faces for ever.
KEEP_DAYS_DEFAULT = 30


class RecordingStatus(models.TextChoices):
    RECORDING = "recording", _("Recording")
    PROCESSING = "processing", _("Being prepared")
    READY = "ready", _("Ready to watch")
    FAILED = "failed", _("Could not be made")


class RecordingMaker(models.TextChoices):
    BROWSER = "browser", _("The teacher's browser")
    JANUS = "janus", _("The video server")


class Recording(models.Model):
    """One class session's recording. Its files are its parts, played in order."""

    session = models.ForeignKey(
        ClassSession, verbose_name=_("class"), on_delete=models.CASCADE, related_name="recordings"
    )
    status = models.CharField(_("status"), max_length=12, choices=RecordingStatus.choices,
                              default=RecordingStatus.RECORDING)
    made_by = models.CharField(_("made by"), max_length=10, choices=RecordingMaker.choices,
                               default=RecordingMaker.BROWSER)
    size_bytes = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    duration_seconds = models.PositiveIntegerField(_("length in seconds"), null=True, blank=True)
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    keep_until = models.DateField(
        _("kept until"), null=True, blank=True,
        help_text=_("Deleted after this day unless kept; set when the recording is ready."),
    )
    kept = models.BooleanField(
        _("kept"), default=False, help_text=_("The teacher or a coordinator chose to keep it beyond the usual time."),
    )
    removed_at = models.DateTimeField(_("deleted"), null=True, blank=True)
    problem = models.CharField(_("what went wrong"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("class recording")
        verbose_name_plural = _("class recordings")
        constraints = [
            # One recording at a time per class: a second 录像 tap while one runs adds nothing.
            models.UniqueConstraint(fields=["session"], condition=Q(status="recording"),
                                    name="one_running_recording_per_session"),
        ]

    def __str__(self):
        return str(self.session)

    @admin.display(description=_("size"))
    def size_words(self) -> str:
        """“320.0 MB”, as the course materials give sizes (core/documents.py), for the coordinators' list."""
        return filesizeformat(self.size_bytes)


class RecordingPart(models.Model):
    """What one recorder made: the chunks of one MediaRecorder (or Janus's processed file).
    `key` is the recorder's own name for it, so a retried chunk finds its part again."""

    recording = models.ForeignKey(Recording, on_delete=models.CASCADE, related_name="parts")
    key = models.CharField(max_length=40)
    number = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    # The joined, playable file; empty while the chunks are still coming.
    file = models.FileField(upload_to=PrivateName("recordings"), storage=RECORDING_FILES, blank=True,
                            db_index=True, max_length=200)
    size_bytes = models.PositiveBigIntegerField(default=0)
    # From the recorder's clock: the WebM a browser records says no length of its own.
    duration_ms = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["recording", "number"]
        constraints = [
            models.UniqueConstraint(fields=["recording", "number"], name="one_part_per_number"),
            models.UniqueConstraint(fields=["recording", "key"], name="one_part_per_recorder"),
        ]

    def __str__(self):
        return f"{self.recording_id}/{self.number}"


class RecordingChunk(models.Model):
    """A few seconds of one part, as uploaded; joined into the part's file at 下课."""

    part = models.ForeignKey(RecordingPart, on_delete=models.CASCADE, related_name="chunks")
    seq = models.PositiveIntegerField()
    file = models.FileField(upload_to=PrivateName("recording-chunks"), storage=RECORDING_FILES, max_length=200)
    size_bytes = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["part", "seq"]
        constraints = [models.UniqueConstraint(fields=["part", "seq"], name="one_chunk_per_seq")]


@register_setting(icon="media")
class RecordingSettings(BaseGenericSetting):
    """How long the centre keeps class recordings (看回放) before the worker deletes them."""

    keep_days = models.PositiveSmallIntegerField(
        _("keep recordings for (days)"), default=KEEP_DAYS_DEFAULT,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_("Each class's recording is deleted this many days after the class, unless a teacher "
                    "or coordinator chose to keep it."),
    )

    panels = [FieldPanel("keep_days")]

    class Meta:
        verbose_name = _("class recordings")
