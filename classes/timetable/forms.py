"""The teachers' free-time forms and the planner's and a class's move and cancel forms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from classes.models import ExceptionKind, Room, Weekday
from core.forms import DateInput, TimeInput


def _weekday_field():
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
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = ExceptionKind.choices
        self.fields["kind"].initial = ExceptionKind.AWAY


class TimetableSlotForm(forms.Form):
    """A course's weekly time in the planner; `need` is offered only when adding one."""

    # No course chosen until the coordinator chooses one: adding a time to the wrong course is easy to miss.
    need = forms.ModelChoiceField(label=_("Course"), queryset=None, empty_label=_("Please choose"),
                                  error_messages={"required": _("Choose the course.")})
    weekday = _weekday_field()
    starts = forms.TimeField(label=_("Starts"), widget=TimeInput())
    room = forms.ModelChoiceField(label=_("Room"), queryset=None, required=False, empty_label=_("(online)"))

    def __init__(self, *args, term, with_need: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = Room.objects.all()
        if with_need:
            self.fields["need"].queryset = term.needs.select_related("course")
        else:
            del self.fields["need"]

    def point_at_refusal(self, *, message_id: str) -> None:
        """Tie the fields to the refusal shown next to them (the page's element `message_id`)
        and put the cursor in the first, so the coordinator lands on what to change."""
        for name, field in self.fields.items():
            field.widget.attrs.update({"aria-invalid": "true", "aria-describedby": message_id})
            if name == next(iter(self.fields)):
                field.widget.attrs["autofocus"] = True


class SessionMoveForm(forms.Form):
    date = forms.DateField(label=_("New date"), widget=DateInput())
    starts = forms.TimeField(label=_("New start time"), widget=TimeInput())
    room = forms.ModelChoiceField(label=_("Room"), queryset=None, required=False, empty_label=_("(keep as it is)"))
    whole_series = forms.BooleanField(label=_("Also move every later class of this course by the same amount"),
                                      required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = Room.objects.all()


class SessionCancelForm(forms.Form):
    reason = forms.CharField(label=_("Why (learners will read this)"), max_length=200,
                             error_messages={"required": _("Please say why the class is cancelled; learners will read it.")})
    whole_series = forms.BooleanField(label=_("Also cancel every later class of this course"), required=False)
