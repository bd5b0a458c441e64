"""Courses as Wagtail pages, their teachers and categories as snippets, and the
class sessions of the timetable as plain models."""

from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.documents import get_document_model_string
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index
from wagtail.snippets.models import register_snippet

from core.blocks import BodyBlock


class SeatPool(models.TextChoices):
    ONLINE = "online", _("Online")
    CENTRE = "centre", _("At the centre")


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("Has a seat")
    WAITLISTED = "waitlisted", _("On the waiting list")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# How many upcoming sessions a course page lists.
COURSE_PAGE_SESSIONS = 6


class CourseCategory(models.Model):
    """A kind of class, e.g. 书法 or 英语. Coordinators add new ones as the centre grows."""

    name = models.CharField(_("name"), max_length=40, unique=True)
    slug = models.SlugField(_("web address part"), max_length=40, unique=True, allow_unicode=False)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0, help_text=_("Smaller numbers come first."))

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("sort_order")]

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("course category")
        verbose_name_plural = _("course categories")

    def __str__(self):
        return self.name

    @classmethod
    def in_use(cls) -> list["CourseCategory"]:
        """The categories that have a live course, for the course list's filter."""
        return list(cls.objects.filter(courses__live=True).distinct())


class Teacher(index.Indexed, models.Model):
    """A person who teaches one or more courses. A teacher who signs in to run a
    live class is linked to a user account."""

    name = models.CharField(_("name"), max_length=60)
    photo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("photo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("A friendly face helps learners recognise their teacher."),
    )
    bio = models.TextField(_("short introduction"), blank=True, max_length=500)
    user = models.OneToOneField(
        "auth.User",
        verbose_name=_("user account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="teacher",
        help_text=_("The account the teacher signs in with to run live classes."),
    )

    panels = [FieldPanel("name"), FieldPanel("photo"), FieldPanel("bio"), FieldPanel("user")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("teacher")
        verbose_name_plural = _("teachers")

    def __str__(self):
        return self.name


register_snippet(CourseCategory)
register_snippet(Teacher)


class Audience(models.TextChoices):
    SENIORS = "seniors", _("Seniors")
    ADULTS = "adults", _("Adults")
    CHILDREN = "children", _("Children")


class Level(models.TextChoices):
    BEGINNER = "beginner", _("Beginner")
    INTERMEDIATE = "intermediate", _("Intermediate")
    ADVANCED = "advanced", _("Advanced")


class CourseIndexPage(Page):
    """The list of all courses (课程). Learners filter it by category."""

    introduction = models.TextField(_("introduction"), blank=True, help_text=_("A sentence above the course list."))

    content_panels = Page.content_panels + [FieldPanel("introduction")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["classes.CoursePage"]
    max_count = 1

    class Meta:
        verbose_name = _("course list")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        categories = CourseCategory.in_use()
        selected = next((c for c in categories if c.slug == request.GET.get("category")), None)
        context["categories"] = categories
        context["selected_category"] = selected
        context["courses"] = CoursePage.listed(category=selected)
        return context


class CoursePage(Page):
    """One interest class, e.g. 爱尚书法. Its weekly sessions are in the timetable."""

    category = models.ForeignKey(
        CourseCategory,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="courses",
        help_text=_("Add new categories under Snippets › Course categories."),
    )
    teachers = ParentalManyToManyField(
        Teacher,
        verbose_name=_("teachers"),
        blank=True,
        related_name="courses",
        help_text=_("Who teaches this course. Add teachers under Snippets › Teachers."),
    )
    audience = models.CharField(_("who it is for"), max_length=20, choices=Audience.choices, default=Audience.SENIORS)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, default=Level.BEGINNER)
    summary = models.TextField(
        _("summary"), max_length=300, help_text=_("Two short sentences for the course card and search results.")
    )
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("course details"), help_text=_("What learners will do."))
    online_seats = models.PositiveSmallIntegerField(
        _("online seats"), default=24, validators=[MaxValueValidator(500)], help_text=_("How many learners can join online.")
    )
    centre_seats = models.PositiveSmallIntegerField(
        _("seats at the centre"),
        default=12,
        validators=[MaxValueValidator(200)],
        help_text=_("How many learners the classroom holds. 0 if the course is online only."),
    )
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends"))
    record_by_default = models.BooleanField(
        _("record classes by default"), default=False,
        help_text=_("The teacher's “Record” choice starts ticked. Learners who missed a class can watch it "
                    "again; only the teacher's picture and voice are recorded."),
    )

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [FieldPanel("category"), FieldPanel("audience"), FieldPanel("level"), FieldPanel("summary")],
            heading=_("About the course"),
        ),
        FieldPanel("teachers", widget=forms.CheckboxSelectMultiple),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("online_seats"), FieldPanel("centre_seats")]),
                FieldRowPanel([FieldPanel("term_start"), FieldPanel("term_end")]),
            ],
            heading=_("Seats and term"),
        ),
        FieldPanel("record_by_default"),
        FieldPanel("body"),
        MultiFieldPanel(
            [InlinePanel("materials", label=_("File"))],
            heading=_("Materials to download"),
            help_text=_("Handouts, worksheets and recordings, listed on the course page with their size and kind."),
        ),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.AutocompleteField("summary"),
        index.FilterField("category"),
        index.RelatedFields("category", [index.SearchField("name")]),
        index.RelatedFields("teachers", [index.SearchField("name")]),
    ]
    parent_page_types = ["classes.CourseIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("course")

    def clean(self):
        super().clean()
        if self.term_start and self.term_end and self.term_end < self.term_start:
            raise ValidationError({"term_end": _("The term must end on or after the day it starts.")})

    def seats_in(self, pool: str) -> int:
        """The capacity of one seat pool ("online" or "centre")."""
        return self.centre_seats if pool == "centre" else self.online_seats

    @classmethod
    def listed(cls, *, category: CourseCategory | None = None) -> QuerySet["CoursePage"]:
        """Live courses in the order the course list and the home page show them."""
        courses = cls.objects.live().select_related("category").prefetch_related("teachers__photo")
        if category is not None:
            courses = courses.filter(category=category)
        return courses.order_by("category__sort_order", "path")

    def sessions_upcoming(self, *, now=None) -> list["ClassSession"]:
        """The next classes the course page lists."""
        now = now or timezone.now()
        return list(self.sessions.filter(starts_at__gte=now).order_by("starts_at")[:COURSE_PAGE_SESSIONS])

    def seats_summary(self, *, counts: dict[tuple[str, str], int] | None = None) -> dict[str, dict[str, int]]:
        """Per pool: capacity, seats taken, seats free and how many are waiting. `counts`, the
        enrolments by (pool, status), may come from one query over many courses (the term overview)."""
        if counts is None:
            counts = {
                (row["pool"], row["status"]): row["n"]
                for row in self.enrolments.values("pool", "status").annotate(n=Count("pk"))
            }
        summary = {}
        for pool in SeatPool.values:
            capacity = self.seats_in(pool)
            taken = counts.get((pool, EnrolmentStatus.ENROLLED), 0)
            summary[pool] = {
                "capacity": capacity,
                "taken": taken,
                "free": max(capacity - taken, 0),
                "waiting": counts.get((pool, EnrolmentStatus.WAITLISTED), 0),
            }
        return summary

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["upcoming_sessions"] = self.sessions_upcoming()
        context["seats"] = self.seats_summary()
        context["term_over"] = self.term_end < timezone.localdate()
        return context


class CourseMaterial(Orderable):
    """A file the course page offers to download: a handout, a worksheet, a recording.
    Everyone sees it in the list; one marked for the course's learners only is downloaded
    only by learners with a seat, the course's teachers and coordinators."""

    course = ParentalKey(CoursePage, verbose_name=_("course"), on_delete=models.CASCADE, related_name="materials")
    document = models.ForeignKey(
        get_document_model_string(),
        verbose_name=_("file"),
        # A material is its file: when a coordinator deletes the file, the button goes too.
        on_delete=models.CASCADE,
        related_name="course_materials",
        help_text=_("Upload it under Documents, or here. PDF opens on every phone."),
    )
    title = models.CharField(
        _("button text"), max_length=100, help_text=_("What the button says, e.g. “This week's handout”.")
    )
    description = models.CharField(
        _("short description"), max_length=200, blank=True, help_text=_("A sentence under the button (optional).")
    )
    learners_only = models.BooleanField(
        _("only for this course's learners"),
        default=False,
        help_text=_(
            "Only learners with a seat, the course's teachers and coordinators can download it. Everyone else "
            "still sees it in the list, with how to sign up."
        ),
    )

    panels = [FieldPanel("document"), FieldPanel("title"), FieldPanel("description"), FieldPanel("learners_only")]

    class Meta(Orderable.Meta):
        verbose_name = _("course material")
        verbose_name_plural = _("course materials")

    def __str__(self):
        return self.title


class SessionMode(models.TextChoices):
    ONLINE = "online", _("Online")
    CENTRE = "centre", _("At the centre")
    BOTH = "both", _("Online and at the centre")


class ClassSession(models.Model):
    """One meeting of a course at a given time. Times are stored in UTC and shown in Asia/Shanghai."""

    course = models.ForeignKey(CoursePage, verbose_name=_("course"), on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    duration_minutes = models.PositiveSmallIntegerField(
        _("length in minutes"), default=60, validators=[MinValueValidator(10), MaxValueValidator(480)]
    )
    mode = models.CharField(_("where"), max_length=10, choices=SessionMode.choices, default=SessionMode.ONLINE)
    live_started_at = models.DateTimeField(_("live class started"), null=True, blank=True, editable=False)
    live_ended_at = models.DateTimeField(_("live class ended"), null=True, blank=True, editable=False)
    chat = models.OneToOneField(
        "classes.ChatRoom", null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="class_session"
    )
    series = models.ForeignKey(
        "classes.TimetableSlot", verbose_name=_("weekly class time"), null=True, blank=True, editable=False,
        on_delete=models.SET_NULL, related_name="sessions",
    )
    room = models.ForeignKey(
        "classes.Room", verbose_name=_("room"), null=True, blank=True, on_delete=models.PROTECT, related_name="sessions"
    )
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True, editable=False)
    cancel_reason = models.CharField(_("why it was cancelled"), max_length=200, blank=True, editable=False)
    # Counts changes of time or status, for calendar apps (iCalendar SEQUENCE).
    sequence = models.PositiveIntegerField(default=0, editable=False)
    # Orders the live room's state broadcasts (see classes.live.services.room_state_publish).
    state_version = models.PositiveBigIntegerField(default=0, editable=False)
    # How the live room's video travels (classes/live/media.py): through the SFU, or from the
    # teacher's browser to each learner; empty until someone enters the room.
    media_mode = models.CharField(max_length=10, blank=True, editable=False,
                                  choices=[("sfu", "SFU"), ("embedded", "embedded")])
    # The SFU is configured but did not answer: the room fell back to the embedded mode.
    media_fallback = models.BooleanField(default=False, editable=False)

    panels = [
        FieldPanel("course"), FieldPanel("starts_at"), FieldPanel("duration_minutes"), FieldPanel("mode"), FieldPanel("room")
    ]

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("class session")
        verbose_name_plural = _("class sessions")
        constraints = [
            models.UniqueConstraint(fields=["course", "starts_at"], name="one_session_per_course_and_time"),
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=10, duration_minutes__lte=480), name="session_duration_sane"
            ),
        ]

    def __str__(self):
        local = timezone.localtime(self.starts_at)
        return f"{self.course.title} {date_format(local, 'SHORT_DATETIME_FORMAT')}"

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None



