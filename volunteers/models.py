"""Volunteers and the work they do for learners: help requests, calls, remote assist,
setup visits at the centre, and the hours it all adds up to."""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.search import index

from classes.models import ClassSession, CoursePage, Learner
from core.private_media import PrivateName, PrivateStorage


class VolunteerStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Not accepted")


class Volunteer(models.Model):
    """A volunteer's profile. Signing up makes an inactive account; a coordinator's
    approval activates it and adds it to the Volunteers group."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="volunteer")
    name = models.CharField(_("name"), max_length=60)
    phone = models.CharField(_("mobile phone"), max_length=20)
    phone_guidance = models.BooleanField(_("can guide learners by phone"), default=True)
    in_person_setup = models.BooleanField(_("can help at the centre in person"), default=False)
    english = models.BooleanField(_("speaks English"), default=False)
    availability = models.CharField(
        _("when you can help"), max_length=200, blank=True, help_text=_("For example: weekday evenings, Saturday mornings.")
    )
    status = models.CharField(_("status"), max_length=10, choices=VolunteerStatus.choices, default=VolunteerStatus.PENDING)
    created_at = models.DateTimeField(_("signed up on"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided on"), null=True, blank=True, editable=False)

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("phone")]),
        MultiFieldPanel(
            [FieldPanel("phone_guidance"), FieldPanel("in_person_setup"), FieldPanel("english"), FieldPanel("availability")],
            heading=_("Skills and time"),
        ),
        FieldPanel("status"),
    ]

    class Meta:
        ordering = ["status", "name"]
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")

    def __str__(self):
        return self.name


class HelpStatus(models.TextChoices):
    OPEN = "open", _("Waiting for a volunteer")
    ASSIGNED = "assigned", _("A volunteer is on it")
    CLOSED = "closed", _("Done")


class HelpSource(models.TextChoices):
    LEARNER = "learner", _("The learner asked")
    TEACHER = "teacher", _("A teacher asked")
    COORDINATOR = "coordinator", _("A coordinator asked")
    CALL_LIST = "call_list", _("Not ready before class")


class HelpRequest(models.Model):
    """Someone needs a volunteer to call a learner. A learner has at most one open
    request: asking again adds to it instead of making another."""

    learner = models.ForeignKey(Learner, verbose_name=_("learner"), on_delete=models.CASCADE, related_name="help_requests")
    course = models.ForeignKey(
        CoursePage, verbose_name=_("course"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    session = models.ForeignKey(
        ClassSession, verbose_name=_("class"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text=_("The class the learner should be ready for."),
    )
    source = models.CharField(_("asked by"), max_length=12, choices=HelpSource.choices)
    note = models.TextField(_("note"), blank=True, max_length=1000)
    asks = models.PositiveSmallIntegerField(_("times asked"), default=1)
    status = models.CharField(_("status"), max_length=10, choices=HelpStatus.choices, default=HelpStatus.OPEN)
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("volunteer"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="help_requests",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("asked on"), auto_now_add=True)
    assigned_at = models.DateTimeField(_("assigned on"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed on"), null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("help request")
        verbose_name_plural = _("help requests")
        constraints = [
            models.UniqueConstraint(
                fields=["learner"], condition=~Q(status="closed"), name="one_open_help_request_per_learner"
            ),
            models.CheckConstraint(
                condition=Q(status="open") | Q(volunteer__isnull=False) | Q(status="closed"),
                name="assigned_help_request_has_volunteer",
            ),
        ]

    def __str__(self):
        return _("%(learner)s (%(course)s)") % {"learner": self.learner, "course": self.course or "—"}


class CallOutcome(models.TextChoices):
    JOINED = "joined", _("Joined")
    NOT_REACHED = "not_reached", _("Not reached")
    NEEDS_VISIT = "needs_visit", _("Needs a visit to the centre")
    OTHER = "other", _("Other")


# A long call talking someone through a first class; anything longer is a typing slip.
MAX_CALL_MINUTES = 180


class CallLog(models.Model):
    """One call attempt by a volunteer."""

    request = models.ForeignKey(HelpRequest, on_delete=models.CASCADE, related_name="calls")
    volunteer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="calls")
    called_at = models.DateTimeField(_("when"))
    minutes = models.PositiveSmallIntegerField(
        _("minutes"), validators=[MinValueValidator(0), MaxValueValidator(MAX_CALL_MINUTES)]
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=CallOutcome.choices)
    notes = models.TextField(_("notes"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-called_at"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        constraints = [
            models.CheckConstraint(condition=Q(minutes__lte=MAX_CALL_MINUTES), name="call_minutes_sane"),
        ]

    def __str__(self):
        return f"{self.request} {self.get_outcome_display()}"


class AssistStep(models.TextChoices):
    """What the learner's phone reports while a volunteer talks them through joining."""

    LINK_OPENED = "link_opened", _("Opened the link")
    PAGE_OPENED = "page_opened", _("Opened the class page")
    CAMERA_ALLOWED = "camera_allowed", _("Allowed the camera")
    CAMERA_BLOCKED = "camera_blocked", _("Camera not allowed")
    MICROPHONE_ALLOWED = "microphone_allowed", _("Allowed the microphone")
    MICROPHONE_BLOCKED = "microphone_blocked", _("Microphone not allowed")
    SOUND_HEARD = "sound_heard", _("Heard the test sound")
    SOUND_NOT_HEARD = "sound_not_heard", _("Did not hear the test sound")
    ROOM_JOINED = "room_joined", _("Joined the class room")
    ROOM_LEFT = "room_left", _("Left the class room")


class AssistEvent(models.Model):
    """One step the learner's phone took, kept so an assist page opened later shows the way so far."""

    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="assist_events")
    step = models.CharField(max_length=24, choices=AssistStep.choices)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["at", "pk"]


class SetupSlot(models.Model):
    """A time to come to the centre and get a phone set up. Few people per slot, to keep them apart."""

    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    minutes = models.PositiveSmallIntegerField(
        _("length in minutes"), default=30, validators=[MinValueValidator(10), MaxValueValidator(240)]
    )
    capacity = models.PositiveSmallIntegerField(
        _("learners at most"), default=3, validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("Few people at a time keeps them apart."),
    )
    place = models.CharField(_("place"), max_length=60, default="", blank=True)
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("volunteer on duty"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="setup_slots",
    )

    panels = [
        FieldRowPanel([FieldPanel("starts_at"), FieldPanel("minutes"), FieldPanel("capacity")]),
        FieldRowPanel([FieldPanel("place"), FieldPanel("volunteer")]),
    ]

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("setup visit time")
        verbose_name_plural = _("setup visit times")
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="setup_slot_holds_someone"),
        ]

    def __str__(self):
        return date_format(timezone.localtime(self.starts_at), "SHORT_DATETIME_FORMAT")

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.minutes)


class SetupBooking(models.Model):
    """A learner booked into a setup visit; checking in at the centre marks them ready."""

    slot = models.ForeignKey(SetupSlot, on_delete=models.CASCADE, related_name="bookings")
    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="setup_bookings")
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)

    class Meta:
        ordering = ["slot", "created_at"]
        constraints = [models.UniqueConstraint(fields=["slot", "learner"], name="one_booking_per_slot_and_learner")]

    def __str__(self):
        return f"{self.learner} @ {self.slot}"


class Initiative(index.Indexed, models.Model):
    """A call to action from the centre, e.g. 为医护人员画一幅画, or write a bilingual dialogue."""

    title = models.CharField(_("title"), max_length=80)
    summary = models.TextField(_("what we ask"), max_length=600)
    how_to_take_part = models.TextField(_("how to take part"), max_length=600, blank=True)
    course = models.ForeignKey(
        CoursePage, verbose_name=_("for the learners of"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", help_text=_("Leave empty for everyone."),
    )
    ends_on = models.DateField(_("until"), null=True, blank=True)
    published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        FieldPanel("title"), FieldPanel("summary"), FieldPanel("how_to_take_part"),
        FieldRowPanel([FieldPanel("course"), FieldPanel("ends_on")]), FieldPanel("published"),
    ]
    search_fields = [index.SearchField("title"), index.SearchField("summary")]

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")

    def __str__(self):
        return self.title


# A title fits under a picture on a phone in one or two lines.
WORK_TITLE_MAX = 40
WORK_DISPLAY_NAME_MAX = 20


class WorkStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the teacher")
    APPROVED = "approved", _("Approved by the teacher")
    REJECTED = "rejected", _("Not approved")


class WorkConsent(models.TextChoices):
    NOT_NEEDED = "not_needed", _("Not needed: the learner is an adult and agreed")
    ASKED = "asked", _("Asked the guardian, no answer yet")
    GIVEN = "given", _("The guardian agreed")
    REFUSED = "refused", _("The guardian did not agree")
    WITHDRAWN = "withdrawn", _("The guardian withdrew their agreement")


class LearnerWork(models.Model):
    """A photo of a learner's painting or calligraphy. It is public only when a teacher of
    the course approved it and, for a child, the guardian agreed and has not withdrawn;
    until then the picture is a private file nobody reaches by address. Once public, its
    copy in the Wagtail image library (`public_image`) gives the gallery its sizes."""

    learner = models.ForeignKey(Learner, verbose_name=_("learner"), on_delete=models.CASCADE, related_name="works")
    course = models.ForeignKey(CoursePage, verbose_name=_("course"), on_delete=models.CASCADE, related_name="+")
    initiative = models.ForeignKey(
        Initiative, verbose_name=_("initiative"), null=True, blank=True, on_delete=models.SET_NULL, related_name="works",
    )
    title = models.CharField(_("title"), max_length=WORK_TITLE_MAX)
    display_name = models.CharField(
        _("name shown with the work"), max_length=WORK_DISPLAY_NAME_MAX,
        help_text=_("Never a child's full name."),
    )
    picture = models.FileField(
        _("picture"), storage=PrivateStorage(view_name="work_picture"), upload_to=PrivateName("works"),
        max_length=200, editable=False,
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False,
        help_text=_("Empty when the learner (or their guardian, on the same phone) uploaded it."),
    )
    # The form's one-off token: a second tap on 上传 finds the work the first one made.
    upload_token = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=WorkStatus.choices, default=WorkStatus.PENDING)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False,
    )
    moderated_at = models.DateTimeField(null=True, blank=True, editable=False)
    reject_reason = models.CharField(_("why not approved"), max_length=200, blank=True)
    # Whether the learner was a child when the work was uploaded: a child's consent rule
    # keeps applying to it after their eighteenth birthday.
    is_child = models.BooleanField(_("a child's work"), editable=False)
    consent = models.CharField(_("consent"), max_length=10, choices=WorkConsent.choices, editable=False)
    consent_guardian_name = models.CharField(_("guardian who answered"), max_length=60, blank=True, editable=False)
    consent_guardian_phone = models.CharField(_("guardian's phone"), max_length=20, blank=True, editable=False)
    consent_at = models.DateTimeField(_("answered on"), null=True, blank=True, editable=False)
    consent_how = models.CharField(_("how they answered"), max_length=200, blank=True, editable=False)
    # The consent and withdraw links' tokens are made from this (classes.courses.join_links.token_for);
    # only their hashes are stored, to find the work a link belongs to.
    nonce = models.CharField(max_length=32, editable=False)
    consent_token_hash = models.CharField(max_length=64, unique=True, null=True, editable=False)
    consent_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdraw_token_hash = models.CharField(max_length=64, unique=True, null=True, editable=False)
    public_image = models.OneToOneField(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False,
    )
    created_at = models.DateTimeField(_("uploaded on"), auto_now_add=True)

    panels = [FieldPanel("title"), FieldPanel("display_name"), FieldPanel("initiative"), FieldPanel("status"),
              FieldPanel("reject_reason")]

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("learner's work")
        verbose_name_plural = _("learners' works")
        constraints = [
            models.CheckConstraint(
                # A child's work is never marked as needing no consent, whatever the code above it does.
                condition=~Q(is_child=True, consent="not_needed"), name="work_child_needs_consent",
            ),
            models.CheckConstraint(
                condition=Q(public_image__isnull=True) | (Q(status="approved") & (Q(is_child=False) | Q(consent="given"))),
                name="work_public_only_when_allowed",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def should_be_public(self) -> bool:
        return self.status == WorkStatus.APPROVED and (not self.is_child or self.consent == WorkConsent.GIVEN)

