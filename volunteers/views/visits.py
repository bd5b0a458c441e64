"""Setup visits at the centre (错时到中心): the coming times, booking, the day's printable
sheet, and checking people in when they arrive."""

from datetime import date, time, timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, re_path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.forms import DateInput, TimeInput
from classes.models import Learner
from core.inputs import day_in_range, id_read, next_url
from core.roles import user_is_coordinator
from core.timefmt import class_time
from volunteers.models import SetupBooking, SetupSlot
from volunteers.selectors import visits as selectors
from volunteers.services import visits as services

# What a learner brings to be set up, printed on the day sheet.
WHAT_TO_BRING = [
    gettext_lazy("their mobile phone"),
    gettext_lazy("the phone's charger"),
    gettext_lazy("their reading glasses"),
]


class SlotSeriesForm(forms.Form):
    """One time, or several back to back: "from 09:30, 6 times of 30 minutes, 3 people each"."""

    day = forms.DateField(label=gettext_lazy("Date"), widget=DateInput(),
                          error_messages={"required": gettext_lazy("Enter the date."),
                                          "invalid": gettext_lazy("Enter the date, for example 2025-06-03.")})
    starts = forms.TimeField(label=gettext_lazy("First time starts at"), widget=TimeInput(attrs={"step": 300}),
                             error_messages={"required": gettext_lazy("Enter a start time."),
                                             "invalid": gettext_lazy("Enter a start time, for example 09:30.")})
    count = forms.IntegerField(label=gettext_lazy("How many times, one after another"), initial=1,
                               error_messages={"required": gettext_lazy("Enter how many times to add."),
                                               "invalid": gettext_lazy("Enter a whole number.")})
    minutes = forms.IntegerField(label=gettext_lazy("Minutes each"), initial=30,
                                 error_messages={"required": gettext_lazy("Enter how long each visit lasts."),
                                                 "invalid": gettext_lazy("Enter a whole number.")})
    capacity = forms.IntegerField(label=gettext_lazy("Learners at most, each time"), initial=3,
                                  help_text=gettext_lazy("Few people at a time keeps them apart."),
                                  error_messages={"required": gettext_lazy("Enter how many learners can come."),
                                                  "invalid": gettext_lazy("Enter a whole number.")})
    place = forms.CharField(label=gettext_lazy("Where"), max_length=60, required=False)
    volunteer = forms.ModelChoiceField(label=gettext_lazy("Volunteer on duty"), queryset=None, required=False,
                                       empty_label=gettext_lazy("(nobody yet)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["volunteer"]
        field.queryset = selectors.volunteers_for_duty()
        field.label_from_instance = selectors.person_name
        for name in ("count", "minutes", "capacity"):
            self.fields[name].widget.attrs["inputmode"] = "numeric"


class BookingForm(forms.Form):
    # Every learner and every time: whether this person may book them is the service's
    # decision, so a refusal says why instead of "not a valid choice".
    learner = forms.ModelChoiceField(label=gettext_lazy("Who comes"), queryset=Learner.objects.all(),
                                     error_messages={"required": gettext_lazy("Choose the learner who comes."),
                                                     "invalid_choice": gettext_lazy("That learner was not found.")})
    slot = forms.ModelChoiceField(label=gettext_lazy("When"), queryset=SetupSlot.objects.all(),
                                  error_messages={"required": gettext_lazy("Choose a time."),
                                                  "invalid_choice": gettext_lazy("That time no longer exists. Please choose another.")})


def _volunteers_and_coordinators_only(request):
    """None when the person may use these pages; otherwise the response to give them."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not selectors.user_may_use_visits(request.user):
        raise PermissionDenied
    return None


def _refused(request, text: str):
    return render(request, "volunteers/refused.html", {
        "text": text, "back_url": reverse("volunteer_visits"), "back_label": _("Back to setup visits")}, status=403)


def _back(request, default: str):
    return redirect(next_url(request) or default)


def _when(slot: SetupSlot) -> str:
    return class_time(slot.starts_at)


def _move_offer(request) -> dict | None:
    """After "already has a visit": the offer to move that visit to the time asked for.
    Read from the address, so a stale or doctored one is simply not offered."""
    booking_id, slot_id = id_read(request.GET.get("move")), id_read(request.GET.get("to"))
    if booking_id is None or slot_id is None:
        return None
    booking = SetupBooking.objects.select_related("slot", "learner").filter(pk=booking_id).first()
    slot = SetupSlot.objects.filter(pk=slot_id, starts_at__gt=timezone.now()).first()
    if booking is None or slot is None or booking.slot_id == slot.pk or booking.checked_in_at is not None:
        return None
    if not selectors.user_may_book_learner(user=request.user, learner=booking.learner):
        return None
    return {"booking": booking, "slot": slot}


def _initial_slot_form() -> SlotSeriesForm:
    # The place carries over from the last time; the volunteer on duty does not: a person
    # is put on duty by choosing them, not by leaving a field as it was.
    last = SetupSlot.objects.order_by("-starts_at").first()
    return SlotSeriesForm(auto_id="slot_%s", initial={
        "day": timezone.localdate() + timedelta(days=1),
        "starts": time(9, 30),
        "place": last.place if last else "",
    })


@never_cache
def volunteer_visits(request):
    """The coming times with their free places; a coordinator adds times here too."""
    if refusal := _volunteers_and_coordinators_only(request):
        return refusal
    is_coordinator = user_is_coordinator(request.user)
    slot_form = None
    status = 200
    if request.method == "POST":
        if not is_coordinator:
            raise PermissionDenied
        slot_form = SlotSeriesForm(request.POST, auto_id="slot_%s")
        if slot_form.is_valid():
            try:
                created = services.setup_slots_create(**slot_form.cleaned_data)
            except ValidationError as error:
                slot_form.add_error(None, error.messages)
                if slot_form.cleaned_data["count"] > 1:
                    slot_form.add_error(None, _("None of these times was added."))
            else:
                messages.success(request, ngettext("%(count)s new time added, from %(when)s.",
                                                   "%(count)s new times added, from %(when)s.", len(created))
                                 % {"count": len(created), "when": _when(created[0])})
                return redirect("volunteer_visits")
        status = 400
    return _visits_page(request, slot_form=slot_form, status=status)


def _visits_page(request, *, slot_form: SlotSeriesForm | None = None, book_form: BookingForm | None = None,
                 status: int = 200):
    is_coordinator = user_is_coordinator(request.user)
    days = selectors.coming_days(user=request.user)
    return render(request, "volunteers/visits.html", {
        "days": days,
        "open_slots": [row for day in days for row in day.slots if row.open],
        "learners": selectors.bookable_learners(user=request.user),
        "is_coordinator": is_coordinator,
        "slot_form": slot_form or (_initial_slot_form() if is_coordinator else None),
        # Unbound, it chooses nobody and no time: the lists start at "Please choose".
        "book_form": book_form or BookingForm(),
        "move_offer": _move_offer(request),
        "today": timezone.localdate(),
    }, status=status)


@require_POST
def visit_book(request):
    if refusal := _volunteers_and_coordinators_only(request):
        return refusal
    form = BookingForm(request.POST)
    if not form.is_valid():
        # Said next to the list left at "Please choose", with what was chosen kept.
        return _visits_page(request, book_form=form, status=400)
    learner, slot = form.cleaned_data["learner"], form.cleaned_data["slot"]
    try:
        services.visit_book(slot=slot, learner=learner, booked_by=request.user)
    except PermissionDenied as error:
        return _refused(request, str(error))
    except ValidationError as error:
        existing = selectors.future_booking_of(learner=learner) if error.code == "has_booking" else None
        if existing is not None:
            messages.info(request, error.messages[0])
            return redirect(reverse("volunteer_visits") + f"?move={existing.pk}&to={slot.pk}#move")
        messages.error(request, error.messages[0])
        return redirect("volunteer_visits")
    messages.success(request, _("%(name)s is booked for %(when)s.") % {"name": learner.name, "when": _when(slot)})
    return redirect("volunteer_visits")


@require_POST
def visit_move(request, booking_id: int):
    if refusal := _volunteers_and_coordinators_only(request):
        return refusal
    booking = SetupBooking.objects.select_related("slot", "learner").filter(pk=booking_id).first()
    slot_id = id_read(request.POST.get("slot"))
    slot = SetupSlot.objects.filter(pk=slot_id).first() if slot_id else None
    if booking is None or slot is None:
        messages.info(request, _("That visit or time has changed meanwhile. Please look again below."))
        return redirect("volunteer_visits")
    try:
        services.visit_move(booking=booking, slot=slot, moved_by=request.user)
    except PermissionDenied as error:
        return _refused(request, str(error))
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("volunteer_visits")
    messages.success(request, _("%(name)s's visit is now at %(when)s.")
                     % {"name": booking.learner.name, "when": _when(slot)})
    return redirect("volunteer_visits")


@require_POST
def visit_cancel(request, booking_id: int):
    if refusal := _volunteers_and_coordinators_only(request):
        return refusal
    booking = SetupBooking.objects.select_related("slot", "learner").filter(pk=booking_id).first()
    if booking is None:
        messages.info(request, _("This visit was already cancelled."))
        return _back(request, reverse("volunteer_visits"))
    try:
        services.visit_cancel(booking=booking, cancelled_by=request.user)
    except PermissionDenied as error:
        return _refused(request, str(error))
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("The visit of %(name)s at %(when)s is cancelled; the place is free again.")
                         % {"name": booking.learner.name, "when": _when(booking.slot)})
    return _back(request, reverse("volunteer_visits"))


@require_POST
def visit_check_in(request, booking_id: int):
    if refusal := _volunteers_and_coordinators_only(request):
        return refusal
    booking = get_object_or_404(SetupBooking.objects.select_related("slot", "learner"), pk=booking_id)
    sheet = reverse("visit_day_sheet", args=[timezone.localtime(booking.slot.starts_at).date().isoformat()])
    try:
        booking, changed = services.visit_check_in(booking=booking, checked_in_by=request.user)
    except PermissionDenied as error:
        return _refused(request, str(error))
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return _back(request, sheet)
    clock = timezone.localtime(booking.checked_in_at).strftime("%H:%M")
    if changed:
        messages.success(request, _("%(name)s has arrived (%(time)s) and is now ready for class.")
                         % {"name": booking.learner.name, "time": clock})
    else:
        messages.info(request, _("%(name)s was already checked in at %(time)s.")
                      % {"name": booking.learner.name, "time": clock})
    return _back(request, sheet)


@never_cache
def visit_day_sheet(request, day: str):
    """The day's times and who comes, to print for the volunteer on duty; check-in buttons on screen."""
    if refusal := _volunteers_and_coordinators_only(request):
        return refusal
    try:
        wanted = date.fromisoformat(day)
    except ValueError:
        raise Http404 from None
    if not day_in_range(wanted):  # no visit is that far off, and the calendar's ends overflow
        raise Http404
    if not selectors.user_may_see_day_sheet(user=request.user, day=wanted):
        return _refused(request, _("The day's sheet is for the volunteers on duty that day and the coordinators."))
    return render(request, "volunteers/day_sheet.html", {
        "day": wanted,
        "slots": selectors.day_sheet(day=wanted, user=request.user),
        "what_to_bring": WHAT_TO_BRING,
        "is_today": wanted == timezone.localdate(),
    })


urlpatterns = [
    path("volunteer/visits/", volunteer_visits, name="volunteer_visits"),
    path("volunteer/visits/book/", visit_book, name="visit_book"),
    path("volunteer/visits/booking/<id:booking_id>/move/", visit_move, name="visit_move"),
    path("volunteer/visits/booking/<id:booking_id>/cancel/", visit_cancel, name="visit_cancel"),
    path("volunteer/visits/booking/<id:booking_id>/check-in/", visit_check_in, name="visit_check_in"),
    re_path(r"^volunteer/visits/(?P<day>\d{4}-\d{2}-\d{2})/sheet/$", visit_day_sheet, name="visit_day_sheet"),
]
