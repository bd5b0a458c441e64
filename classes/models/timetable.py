"""The term timetable: rooms, terms with holidays, what each course needs,
teachers' free time, and the weekly slots a proposal places courses into.

All wall-clock times (TimeField) are Asia/Shanghai, the centre's time."""

from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel
from wagtail.models import Orderable

from classes.models.courses import CoursePage, SessionMode, Teacher


class Weekday(models.IntegerChoices):
    # Python's date.weekday(): Monday is 0.
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


def minutes_of(value: time) -> int:
    return value.hour * 60 + value.minute


def time_of(minutes: int) -> time:
    return time(minutes // 60, minutes % 60)


def local_datetime(day: date, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at))


def _ends_after_starts(starts, ends) -> None:
    if starts is not None and ends is not None and ends <= starts:
        raise ValidationError(
            {"ends": _("The end time %(ends)s must be later than the start time %(starts)s.")
             % {"ends": ends.strftime("%H:%M"), "starts": starts.strftime("%H:%M")}}
        )


class Room(models.Model):
    """A room at the centre. Its capacity limits the seats of courses held in it."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    capacity = models.PositiveSmallIntegerField(
        _("capacity"), validators=[MinValueValidator(1), MaxValueValidator(500)],
        help_text=_("How many learners the room holds with space between them."),
    )

    panels = [FieldPanel("name"), FieldPanel("capacity")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("room")
        verbose_name_plural = _("rooms")

    def __str__(self):
        return _("%(name)s (%(capacity)s seats)") % {"name": self.name, "capacity": self.capacity}


class Term(ClusterableModel):
    """A term: its dates, its holidays and what each course needs. The timetable
    planner proposes weekly times from this, and publishing creates the class sessions."""

    name = models.CharField(_("name"), max_length=60, help_text=_("For example 2027 春季学期."))
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    published_at = models.DateTimeField(_("timetable published"), null=True, blank=True, editable=False)

    panels = [
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("starts_on"), FieldPanel("ends_on")]),
        InlinePanel("holidays", heading=_("Holidays"), label=_("holiday")),
        InlinePanel("needs", heading=_("Courses this term"), label=_("course")),
    ]

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="term_ends_after_start")]

    def __str__(self):
        return self.name

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The last day must not be before the first day.")})

    def holiday_dates(self) -> set[date]:
        return set(self.holidays.values_list("date", flat=True))

    def teaching_days(self):
        """Every day of the term that is not a holiday."""
        holidays = self.holiday_dates()
        day = self.starts_on
        while day <= self.ends_on:
            if day not in holidays:
                yield day
            day += timedelta(days=1)


class TermHoliday(Orderable):
    term = ParentalKey(Term, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=40, blank=True, help_text=_("For example 国庆节."))

    panels = [FieldRowPanel([FieldPanel("date"), FieldPanel("name")])]

    class Meta(Orderable.Meta):
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        constraints = [models.UniqueConstraint(fields=["term", "date"], name="one_holiday_per_term_and_date")]

    def __str__(self):
        return self.name or str(self.date)

    def clean(self):
        term = self.term
        if self.date and term.starts_on and term.ends_on and not term.starts_on <= self.date <= term.ends_on:
            raise ValidationError({"date": _("This holiday is outside the term.")})


class CourseNeed(Orderable):
    """What one course needs in one term: how often, how long, when it would like to
    meet, where, and who teaches it."""

    term = ParentalKey(Term, on_delete=models.CASCADE, related_name="needs")
    course = models.ForeignKey(CoursePage, verbose_name=_("course"), on_delete=models.CASCADE, related_name="needs")
    teacher = models.ForeignKey(
        Teacher, verbose_name=_("teacher"), on_delete=models.PROTECT, related_name="needs",
        help_text=_("Who teaches the course this term; their free time decides when it can meet."),
    )
    sessions_per_week = models.PositiveSmallIntegerField(
        _("classes a week"), default=1, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    duration_minutes = models.PositiveSmallIntegerField(
        _("length in minutes"), default=90, validators=[MinValueValidator(30), MaxValueValidator(240)]
    )
    preferred_from = models.TimeField(_("preferably from"), null=True, blank=True)
    preferred_to = models.TimeField(_("preferably until"), null=True, blank=True)
    mode = models.CharField(_("where"), max_length=10, choices=SessionMode.choices, default=SessionMode.ONLINE)
    room = models.ForeignKey(
        Room, verbose_name=_("room"), null=True, blank=True, on_delete=models.PROTECT, related_name="needs",
        help_text=_("The room you would like when the course meets at the centre; another room large enough is used when it is taken."),
    )

    panels = [
        FieldRowPanel([FieldPanel("course"), FieldPanel("teacher")]),
        FieldRowPanel([FieldPanel("sessions_per_week"), FieldPanel("duration_minutes"), FieldPanel("mode")]),
        FieldRowPanel([FieldPanel("preferred_from"), FieldPanel("preferred_to"), FieldPanel("room")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("course this term")
        verbose_name_plural = _("courses this term")
        constraints = [
            models.UniqueConstraint(fields=["term", "course"], name="one_need_per_term_and_course"),
            models.CheckConstraint(
                condition=Q(sessions_per_week__gte=1, sessions_per_week__lte=5), name="need_sessions_per_week_sane"
            ),
        ]

    def __str__(self):
        return str(self.course)

    @property
    def in_centre(self) -> bool:
        return self.mode in (SessionMode.CENTRE, SessionMode.BOTH)

    def clean(self):
        errors = {}
        if self.preferred_from and self.preferred_to and self.preferred_to <= self.preferred_from:
            errors["preferred_to"] = _("The preferred end must be later than the preferred start.")
        if self.in_centre and self.room_id and self.course_id and self.course.centre_seats > self.room.capacity:
            errors["room"] = _("%(room)s holds %(capacity)s, but the course has %(seats)s seats at the centre.") % {
                "room": self.room.name, "capacity": self.room.capacity, "seats": self.course.centre_seats,
            }
        if errors:
            raise ValidationError(errors)


class AvailabilitySlot(models.Model):
    """A weekly stretch of time a teacher is free to teach, e.g. every Tuesday 09:00–11:30."""

    teacher = models.ForeignKey(Teacher, verbose_name=_("teacher"), on_delete=models.CASCADE, related_name="availability")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("until"))

    panels = [FieldPanel("teacher"), FieldRowPanel([FieldPanel("weekday"), FieldPanel("starts"), FieldPanel("ends")])]

    class Meta:
        ordering = ["teacher", "weekday", "starts"]
        verbose_name = _("free time")
        verbose_name_plural = _("teachers' free time")
        constraints = [models.CheckConstraint(condition=Q(ends__gt=F("starts")), name="availability_ends_after_start")]

    def __str__(self):
        return _("%(teacher)s %(day)s %(starts)s–%(ends)s") % {
            "teacher": self.teacher, "day": self.get_weekday_display(),
            "starts": self.starts.strftime("%H:%M"), "ends": self.ends.strftime("%H:%M"),
        }

    def clean(self):
        _ends_after_starts(self.starts, self.ends)
        if self.teacher_id is None or self.weekday is None:
            return
        overlapping = AvailabilitySlot.objects.filter(
            teacher_id=self.teacher_id, weekday=self.weekday, starts__lt=self.ends, ends__gt=self.starts
        ).exclude(pk=self.pk).first()
        if overlapping:
            raise ValidationError(
                _("This overlaps %(day)s %(starts)s–%(ends)s, which is already saved. Change that one instead.") % {
                    "day": overlapping.get_weekday_display(),
                    "starts": overlapping.starts.strftime("%H:%M"), "ends": overlapping.ends.strftime("%H:%M"),
                }
            )


class ExceptionKind(models.TextChoices):
    AWAY = "away", _("Away")
    EXTRA = "extra", _("Extra free time")


class AvailabilityException(models.Model):
    """One date that differs from the weekly pattern: away (all day, or some hours), or extra free time."""

    teacher = models.ForeignKey(Teacher, verbose_name=_("teacher"), on_delete=models.CASCADE, related_name="exceptions")
    date = models.DateField(_("date"))
    kind = models.CharField(_("what"), max_length=10, choices=ExceptionKind.choices, default=ExceptionKind.AWAY)
    starts = models.TimeField(_("from"), null=True, blank=True, help_text=_("Leave empty when away all day."))
    ends = models.TimeField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=100, blank=True)

    panels = [
        FieldPanel("teacher"),
        FieldRowPanel([FieldPanel("date"), FieldPanel("kind")]),
        FieldRowPanel([FieldPanel("starts"), FieldPanel("ends")]),
        FieldPanel("note"),
    ]

    class Meta:
        ordering = ["teacher", "date", "starts"]
        verbose_name = _("change to free time")
        verbose_name_plural = _("changes to free time")
        constraints = [
            models.CheckConstraint(
                condition=Q(starts__isnull=True, ends__isnull=True) | Q(ends__gt=F("starts")),
                name="exception_times_sane",
            )
        ]

    def __str__(self):
        return _("%(teacher)s %(date)s %(kind)s") % {
            "teacher": self.teacher, "date": self.date, "kind": self.get_kind_display()
        }

    @property
    def all_day(self) -> bool:
        return self.starts is None

    def clean(self):
        if (self.starts is None) != (self.ends is None):
            raise ValidationError(_("Give both a start and an end time, or neither for the whole day."))
        _ends_after_starts(self.starts, self.ends)
        if self.kind == ExceptionKind.EXTRA and self.all_day:
            raise ValidationError(_("Say from when until when the extra free time is."))

    def covers(self, starts_at: datetime, ends_at: datetime) -> bool:
        """Whether this day's change touches a class from starts_at to ends_at (local times)."""
        if self.all_day:
            return True
        return local_datetime(self.date, self.starts) < ends_at and starts_at < local_datetime(self.date, self.ends)


class TimetableSlot(models.Model):
    """One weekly meeting of a course in a term, e.g. 爱尚书法 every Tuesday 09:30.
    The planner proposes these; publishing the term turns each into dated class sessions."""

    need = models.ForeignKey(CourseNeed, verbose_name=_("course"), on_delete=models.CASCADE, related_name="slots")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    starts = models.TimeField(_("starts"))
    room = models.ForeignKey(Room, verbose_name=_("room"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["weekday", "starts"]
        verbose_name = _("weekly class time")
        verbose_name_plural = _("weekly class times")

    def __str__(self):
        return _("%(course)s %(day)s %(starts)s") % {
            "course": self.need.course, "day": self.get_weekday_display(), "starts": self.starts.strftime("%H:%M")
        }

    @property
    def start_minute(self) -> int:
        return minutes_of(self.starts)

    @property
    def end_minute(self) -> int:
        return self.start_minute + self.need.duration_minutes
