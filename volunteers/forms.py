"""Forms of the volunteers' pages: the note with a request, the call log, assignment.
They only read what was typed; the rules are in volunteers/services."""

from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from volunteers.models import WORK_DISPLAY_NAME_MAX, WORK_TITLE_MAX, CallOutcome
from volunteers.selectors.works import initiatives_for_course, learners_of_course
from volunteers.selectors.help import volunteer_label, volunteers_approved
from volunteers.services.help import NOTE_INPUT_MAX


class HelpAskForm(forms.Form):
    """A teacher's or coordinator's note with "ask a volunteer to call"; it may stay empty."""

    note = forms.CharField(
        label=_("Note for the volunteer (optional)"), required=False, max_length=NOTE_INPUT_MAX,
        error_messages={"max_length": _("Please keep the note under %(limit_value)s characters.")},
    )


class CallLogForm(forms.Form):
    """One call: when (today, now, unless changed), how long, how it went, notes."""

    call_date = forms.DateField(
        label=_("Date of the call"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Please enter the date of the call."),
                        "invalid": _("Please enter a date such as 2025-03-01.")},
    )
    call_time = forms.TimeField(
        label=_("Time of the call"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"required": _("Please enter the time of the call."),
                        "invalid": _("Please enter a time such as 14:30.")},
    )
    # No min/max here: the service refuses a bad length with the reason, for every caller.
    minutes = forms.IntegerField(
        label=_("How many minutes"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"required": _("Please enter how many minutes the call took."),
                        "invalid": _("Please enter the minutes as a whole number, for example 15.")},
    )
    outcome = forms.ChoiceField(
        label=_("How did it go?"), choices=CallOutcome.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Please choose how the call went."),
                        "invalid_choice": _("Please choose how the call went.")},
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    @classmethod
    def starting_now(cls):
        local = timezone.localtime()
        return cls(initial={"call_date": local.date(), "call_time": local.time().replace(second=0, microsecond=0)})

    def called_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.cleaned_data["call_date"], self.cleaned_data["call_time"]))

    def add_service_error(self, error: ValidationError) -> None:
        """Put the service's reasons next to the fields they are about."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, errors in error.message_dict.items():
            target = {"called_at": "call_time"}.get(field, field)
            self.add_error(target if target in self.fields else None, errors)


class VolunteerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return volunteer_label(obj)


class AssignForm(forms.Form):
    volunteer = VolunteerChoiceField(
        label=_("Volunteer"), queryset=None, empty_label=_("Choose a volunteer"),
        error_messages={"required": _("Please choose a volunteer."),
                        "invalid_choice": _("Please choose an approved volunteer.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = volunteers_approved()


class WorkUploadForm(forms.Form):
    """A photo of a learner's work, sent from a phone: one big button to take or choose the
    photo, a title, and the name shown with it. Titles and names are checked by the
    service (volunteers/services/works.py), so each refusal says why in one place."""

    picture = forms.FileField(
        label=_("Take or choose a photo of the work"),
        widget=forms.FileInput(attrs={"accept": "image/*", "capture": "environment", "class": "upload-button__input"}),
        error_messages={"required": _("Please take or choose a photo of the work."),
                        "empty": _("The photo is empty. Please take it again.")},
    )
    learner = forms.ModelChoiceField(
        label=_("Whose work is it?"), queryset=None, empty_label=_("Please choose"),
        error_messages={"required": _("Please choose the learner."),
                        "invalid_choice": _("That learner is not in this course.")},
    )
    title = forms.CharField(label=_("Title of the work"), required=False,
                            widget=forms.TextInput(attrs={"maxlength": WORK_TITLE_MAX}))
    display_name = forms.CharField(
        label=_("Name shown with the work"), required=False,
        help_text=_("For example 吴同学. A child's full name is never shown."),
        widget=forms.TextInput(attrs={"maxlength": WORK_DISPLAY_NAME_MAX}),
    )
    initiative = forms.ModelChoiceField(
        label=_("For an initiative (optional)"), queryset=None, required=False, empty_label=_("(none)"),
        error_messages={"invalid_choice": _("That initiative is not open to this course.")},
    )
    adult_agreed = forms.BooleanField(
        label=_("The learner agrees that this work is shown on the website"), required=False,
        help_text=_("For a child, we also ask the guardian by text message before anything is shown."),
    )
    upload_token = forms.RegexField(regex=r"^[A-Za-z0-9_-]{16,64}$", widget=forms.HiddenInput,
                                    error_messages={"required": _("Please open the page again and send it once more."),
                                                    "invalid": _("Please open the page again and send it once more.")})

    def __init__(self, *args, course, learner=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["initiative"].queryset = initiatives_for_course(course=course)
        if learner is not None:
            # A learner (or their family, on the same phone) sends their own works only.
            del self.fields["learner"]
        else:
            self.fields["learner"].queryset = learners_of_course(course=course)
