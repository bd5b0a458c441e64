"""Form pieces every app's forms use: a person's name and mobile number, and the
date and time inputs phones show as their own pickers."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.phones import phone_normalise


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


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        # Quarter hours: classes and visits start on them, and the picker's steps stay few.
        super().__init__(attrs={"step": 900, **(attrs or {})}, format="%H:%M")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")
