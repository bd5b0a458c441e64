from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from classes.models import SeatPool
from classes.phones import phone_normalise


class NameAndPhoneForm(forms.Form):
    """A person's name (spaces tidied) and mainland mobile number (normalised), as
    learners and volunteers type them."""

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise ValidationError(_("Please enter your name."))
        return name

    def clean_phone(self):
        return phone_normalise(self.cleaned_data["phone"])


class SignupForm(NameAndPhoneForm):
    """Two fields, large, no password and no CAPTCHA: a name and a mobile number."""

    name = forms.CharField(
        label=_("Your name"),
        max_length=60,
        error_messages={"required": _("Please enter your name.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = forms.CharField(
        label=_("Your mobile number"),
        max_length=20,
        help_text=_("We only use it to send you the link to your class."),
        error_messages={"required": _("Please enter your mobile number.")},
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    pool = forms.ChoiceField(
        label=_("How will you attend?"),
        choices=SeatPool.choices,
        initial=SeatPool.ONLINE,
        required=False,  # an old browser that drops the radio still signs up online
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, course, **kwargs):
        super().__init__(*args, **kwargs)
        if not course.centre_seats:
            # Online-only course: nothing to choose.
            del self.fields["pool"]

    def clean_pool(self):
        return self.cleaned_data.get("pool") or SeatPool.ONLINE


class BulkLearnersForm(forms.Form):
    """Coordinators paste one learner a line: “name, phone”."""

    lines = forms.CharField(
        label=_("Learners, one a line: name, mobile number"),
        widget=forms.Textarea(attrs={"rows": 12, "placeholder": "刘桂兰, 13800138001"}),
        max_length=20_000,
    )
    course = forms.ModelChoiceField(label=_("Enrol them in"), queryset=None, required=False,
                                    empty_label=_("(do not enrol yet)"))
    pool = forms.ChoiceField(label=_("Seat"), choices=SeatPool.choices, initial=SeatPool.ONLINE)

    def __init__(self, *args, **kwargs):
        from classes.models import CoursePage

        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = CoursePage.objects.live().order_by("path")


# ---------------------------------------------------------------- timetable

class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs={"step": 900, **(attrs or {})}, format="%H:%M")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _weekday_field():
    from classes.models import Weekday

    return forms.TypedChoiceField(label=_("Day"), choices=Weekday.choices, coerce=int)


class AvailabilityForm(forms.Form):
    """A weekly stretch of free time: a day, from, until."""

    weekday = _weekday_field()
    starts = forms.TimeField(label=_("From"), widget=TimeInput(), error_messages={"required": _("Enter a start time.")})
    ends = forms.TimeField(label=_("Until"), widget=TimeInput(), error_messages={"required": _("Enter an end time.")})


class AvailabilityExceptionForm(forms.Form):
    """One date that differs: away (all day when no times are given), or extra free time."""

    date = forms.DateField(label=_("Date"), widget=DateInput(), error_messages={"required": _("Enter the date.")})
    kind = forms.ChoiceField(label=_("What"), choices=(), widget=forms.RadioSelect)
    starts = forms.TimeField(label=_("From (optional)"), required=False, widget=TimeInput())
    ends = forms.TimeField(label=_("Until (optional)"), required=False, widget=TimeInput())
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        from classes.models import ExceptionKind

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = ExceptionKind.choices
        self.fields["kind"].initial = ExceptionKind.AWAY


class TimetableSlotForm(forms.Form):
    """A course's weekly time in the planner; `need` is offered only when adding one."""

    need = forms.ModelChoiceField(label=_("Course"), queryset=None)
    weekday = _weekday_field()
    starts = forms.TimeField(label=_("Starts"), widget=TimeInput())
    room = forms.ModelChoiceField(label=_("Room"), queryset=None, required=False, empty_label=_("(online)"))

    def __init__(self, *args, term, with_need: bool, **kwargs):
        from classes.models import Room

        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = Room.objects.all()
        if with_need:
            self.fields["need"].queryset = term.needs.select_related("course")
        else:
            del self.fields["need"]


class SessionMoveForm(forms.Form):
    date = forms.DateField(label=_("New date"), widget=DateInput())
    starts = forms.TimeField(label=_("New start time"), widget=TimeInput())
    room = forms.ModelChoiceField(label=_("Room"), queryset=None, required=False, empty_label=_("(keep as it is)"))
    whole_series = forms.BooleanField(label=_("Also move every later class of this course by the same amount"),
                                      required=False)

    def __init__(self, *args, **kwargs):
        from classes.models import Room

        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = Room.objects.all()


class SessionCancelForm(forms.Form):
    reason = forms.CharField(label=_("Why (learners will read this)"), max_length=200,
                             error_messages={"required": _("Please say why the class is cancelled; learners will read it.")})
    whole_series = forms.BooleanField(label=_("Also cancel every later class of this course"), required=False)
