"""Signing up to volunteer: one page, then a thank-you page."""

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.forms import NameAndPhoneForm
from core.ratelimit import client_address, rate_limit_exceeded
from volunteers.models import Volunteer
from volunteers.services.signup import volunteer_signup

# A few people signing up together at the centre's Wi-Fi is fine; a script is not.
SIGNUP_LIMIT_PER_ADDRESS = 10
SIGNUP_WINDOW = 60 * 60


class VolunteerSignupForm(NameAndPhoneForm):
    name = forms.CharField(
        label=gettext_lazy("Your name"), max_length=60,
        error_messages={"required": gettext_lazy("Please enter your name.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = forms.CharField(
        label=gettext_lazy("Your mobile number"), max_length=20,
        help_text=gettext_lazy("The coordinator calls you on it about volunteering."),
        error_messages={"required": gettext_lazy("Please enter your mobile number.")},
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    username = forms.CharField(
        label=gettext_lazy("Choose a username"), max_length=150,
        help_text=gettext_lazy("Letters, digits and @ . + - _ only. You sign in with it."),
        error_messages={"required": gettext_lazy("Please choose a username.")},
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=gettext_lazy("Choose a password"), strip=False,
        help_text=gettext_lazy("At least 8 characters, not only digits, and not easy to guess."),
        error_messages={"required": gettext_lazy("Please choose a password.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    phone_guidance = forms.BooleanField(
        label=gettext_lazy("I can guide learners by phone"), required=False, initial=True,
    )
    in_person_setup = forms.BooleanField(
        label=gettext_lazy("I can help set up phones at the centre"), required=False,
    )
    english = forms.BooleanField(label=gettext_lazy("I speak English"), required=False)
    availability = forms.CharField(
        label=Volunteer._meta.get_field("availability").verbose_name.capitalize(), max_length=200, required=False,
        help_text=Volunteer._meta.get_field("availability").help_text,
    )

    SKILLS = ("phone_guidance", "in_person_setup", "english")

    def skill_fields(self):
        return [self[name] for name in self.SKILLS]



def signup(request):
    form = VolunteerSignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if rate_limit_exceeded(key=f"volunteer-signup:{client_address(request)}", limit=SIGNUP_LIMIT_PER_ADDRESS,
                               window_seconds=SIGNUP_WINDOW):
            form.add_error(None, _("Too many sign-ups from this network. Please try again in an hour, "
                                   "or call the centre."))
        else:
            try:
                volunteer_signup(**form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                # Post/redirect/get: reloading the thank-you page sends nothing again.
                return redirect("volunteer_signup_done")
    return render(request, "volunteers/signup.html", {"form": form}, status=400 if form.errors else 200)


def signup_done(request):
    return render(request, "volunteers/signup_done.html")


urlpatterns = [
    path("volunteer/signup/", signup, name="volunteer_signup"),
    path("volunteer/signup/thanks/", signup_done, name="volunteer_signup_done"),
]
