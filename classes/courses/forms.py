"""The learners' sign-up form and the coordinators' paste-a-list import."""

from django import forms
from django.utils.translation import gettext_lazy as _

from classes.models import CoursePage, SeatPool
from core.forms import NameAndPhoneForm


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
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = CoursePage.objects.live().order_by("path")
