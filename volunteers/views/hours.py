"""Service hours: a volunteer's own, and the centre's for coordinators, on a page and as CSV."""

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from core.inputs import DAY_EARLIEST, DAY_LATEST, day_in_range
from core.roles import user_is_coordinator
from volunteers.exports import csv_response
from volunteers.selectors.access import user_is_volunteer
from volunteers.selectors.hours import (
    CATEGORY_CALLS,
    CATEGORY_CLASS,
    CATEGORY_SETUP,
    PERIOD_ALL,
    PERIOD_MONTH,
    PERIOD_TERM,
    category_label,
    centre_hours,
    hours_chart,
    minutes_as_hours,
    period_for,
    volunteer_activities,
    volunteer_hours,
)

RECENT_ACTIVITIES = 20


class PeriodForm(forms.Form):
    """?period=term|month|all, or ?from=YYYY-MM-DD&to=YYYY-MM-DD."""

    period = forms.ChoiceField(
        label=gettext_lazy("Show"), required=False,
        choices=[(PERIOD_TERM, gettext_lazy("This term")), (PERIOD_MONTH, gettext_lazy("This month")),
                 (PERIOD_ALL, gettext_lazy("All time"))],
        error_messages={"invalid_choice": gettext_lazy("Please choose this term, this month or all time.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword, so these two are added by name.
        for name, label in (("from", gettext_lazy("From")), ("to", gettext_lazy("To"))):
            self.fields[name] = forms.DateField(
                label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}),
                error_messages={"invalid": gettext_lazy("Please enter a date like 2027-03-01.")},
            )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from"), cleaned.get("to")
        for name in ("from", "to"):
            day = cleaned.get(name)
            if day and not day_in_range(day):
                self.add_error(name, _("Please enter a date between %(first)s and %(last)s.") % {
                    "first": DAY_EARLIEST.isoformat(), "last": DAY_LATEST.isoformat()})
        if start and end and start > end:
            self.add_error("to", _("The last day must not be before the first day."))
        return cleaned


def _period(request):
    """The period asked for, or this term with the form's errors when the dates are wrong."""
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return period_for(kind=PERIOD_TERM), form
    data = form.cleaned_data
    start, end = data.get("from"), data.get("to")
    if start and not end:
        end = max(start, timezone.localdate())
    return period_for(kind=data.get("period") or PERIOD_TERM, date_from=start, date_to=end), form


def _signed_in_or_login(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return None


def _may_have_hours(user) -> bool:
    # Coordinators take calls and stand in at setup visits too; their own page shows theirs.
    return user_is_volunteer(user) or user_is_coordinator(user)


def _filename(prefix: str, period) -> str:
    if period.ends_on is None:
        return f"{prefix}-all.csv"
    if period.starts_on is None:
        return f"{prefix}-until-{period.ends_on.isoformat()}.csv"
    return f"{prefix}-{period.starts_on.isoformat()}-{period.ends_on.isoformat()}.csv"


def _period_status(form) -> int:
    return 400 if form.errors else 200


# ---------------------------------------------------------------- a volunteer's own hours


@never_cache
def my_hours(request):
    if refusal := _signed_in_or_login(request):
        return refusal
    if not _may_have_hours(request.user):
        raise PermissionDenied
    period, form = _period(request)
    hours = volunteer_hours(user=request.user, period=period)
    categories = [
        (category_label(CATEGORY_CALLS), minutes_as_hours(hours.calls)),
        (category_label(CATEGORY_SETUP), minutes_as_hours(hours.setup)),
        (category_label(CATEGORY_CLASS), minutes_as_hours(hours.in_class)),
    ]
    return render(request, "volunteers/hours.html", {
        "form": form, "period": period, "total_hours": minutes_as_hours(hours.total), "categories": categories,
        "activities": volunteer_activities(user=request.user, period=period, limit=RECENT_ACTIVITIES),
        "csv_url": _with_query(reverse("volunteer_hours_csv"), request),
        "is_coordinator": user_is_coordinator(request.user),
    }, status=_period_status(form))


@never_cache
def my_hours_csv(request):
    if refusal := _signed_in_or_login(request):
        return refusal
    if not _may_have_hours(request.user):
        raise PermissionDenied
    period, form = _period(request)
    if form.errors:
        return _bad_period(form)
    activities = volunteer_activities(user=request.user, period=period)
    rows = [
        [timezone.localtime(a.at).strftime("%Y-%m-%d %H:%M"), a.category_label, a.description, a.minutes]
        for a in activities
    ]
    rows.append(["", _("Total"), "", sum(a.minutes for a in activities)])
    return csv_response(
        filename=_filename("volunteer-hours", period),
        header=[_("When"), _("Kind"), _("What"), _("Minutes")],
        rows=rows,
    )


# ---------------------------------------------------------------- the centre (coordinators)


def _coordinator_or_refusal(request):
    if refusal := _signed_in_or_login(request):
        return refusal
    if not user_is_coordinator(request.user):
        raise PermissionDenied
    return None


@never_cache
def centre_hours_page(request):
    if refusal := _coordinator_or_refusal(request):
        return refusal
    period, form = _period(request)
    centre = centre_hours(period=period)
    total = centre.total
    return render(request, "volunteers/hours_centre.html", {
        "form": form, "period": period, "centre": centre, "chart": hours_chart(centre=centre),
        "total_hours": minutes_as_hours(total.total),
        "rows": [
            {"name": row.name, "calls": minutes_as_hours(row.hours.calls), "setup": minutes_as_hours(row.hours.setup),
             "in_class": minutes_as_hours(row.hours.in_class), "total": minutes_as_hours(row.hours.total)}
            for row in centre.rows
        ],
        "totals": {"calls": minutes_as_hours(total.calls), "setup": minutes_as_hours(total.setup),
                   "in_class": minutes_as_hours(total.in_class)},
        "csv_url": _with_query(reverse("centre_hours_csv"), request),
    }, status=_period_status(form))


@never_cache
def centre_hours_csv(request):
    if refusal := _coordinator_or_refusal(request):
        return refusal
    period, form = _period(request)
    if form.errors:
        return _bad_period(form)
    centre = centre_hours(period=period)
    rows = [
        [row.name, row.hours.calls, row.hours.setup, row.hours.in_class, row.hours.total,
         minutes_as_hours(row.hours.total)]
        for row in centre.rows
    ]
    total = centre.total
    rows.append([_("Total"), total.calls, total.setup, total.in_class, total.total, minutes_as_hours(total.total)])
    return csv_response(
        filename=_filename("centre-volunteer-hours", period),
        header=[_("Volunteer"), _("Phone calls (minutes)"), _("Setup visits (minutes)"),
                _("Helping in class (minutes)"), _("Total (minutes)"), _("Total (hours)")],
        rows=rows,
    )


def _bad_period(form) -> HttpResponse:
    messages = [message for errors in form.errors.values() for message in errors]
    return HttpResponse("\n".join(messages), status=400, content_type="text/plain; charset=utf-8")


def _with_query(url: str, request) -> str:
    query = request.GET.urlencode()
    return f"{url}?{query}" if query else url


urlpatterns = [
    path("volunteer/hours/", my_hours, name="volunteer_hours"),
    path("volunteer/hours/csv/", my_hours_csv, name="volunteer_hours_csv"),
    path("volunteer/hours/centre/", centre_hours_page, name="centre_hours"),
    path("volunteer/hours/centre/csv/", centre_hours_csv, name="centre_hours_csv"),
]
