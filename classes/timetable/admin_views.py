"""The coordinators' timetable planner and a class's move and cancel, inside the Wagtail admin."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from classes.models import ClassSession, Term, TimetableSlot, Weekday
from classes.models.timetable import local_datetime
from classes.timetable import changes, planner, services
from classes.timetable.forms import SessionCancelForm, SessionMoveForm, TimetableSlotForm
from classes.timetable.selectors import sessions_of_term
from core.confirm import confirmation_response, is_confirmed
from core.roles import require_coordinator


def _refused(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def timetable_terms(request):
    """The terms, newest first, each with a link to its planner."""
    require_coordinator(request)
    return TemplateResponse(request, "classes/admin/timetable_terms.html", {
        "terms": Term.objects.prefetch_related("needs"),
        "page_title": _("Timetable"),
        "header_icon": "date",
    })


def _posted_slot(request, term: Term) -> TimetableSlot:
    pk = request.POST.get("slot", "")
    slot = TimetableSlot.objects.filter(pk=int(pk) if pk.isdigit() else None, need__term=term).first()
    if slot is None:
        # A second tap, or a page left open while someone else re-proposed the term.
        raise ValidationError(_("That weekly time no longer exists. Here is the timetable as it is now."))
    return slot


def _publish_question(term: Term) -> str:
    return _("Publish the timetable of %(term)s? Every class of the term is then set, and learners get a reminder "
             "before each class. Publishing cannot be undone: afterwards classes are moved or cancelled one by one.") % {
        "term": term}


@dataclass(frozen=True)
class _RefusedEdit:
    """A hand edit not saved: its form as the coordinator typed it, with the reason, for the
    row it belongs to (slot_pk None: the add form), so the page shows it there."""

    form: TimetableSlotForm
    slot_pk: int | None


def _slot_form_prefix(slot_pk: int | None) -> str:
    """The ids of one row's fields and of the refusal shown next to them."""
    return f"slot{slot_pk}" if slot_pk else "add"


def _planner_action(request, term: Term) -> _RefusedEdit | None:
    """Carry out one POSTed planner action; returns the hand edit when it was refused."""
    action = request.POST.get("action", "")
    if action == "propose":
        result = planner.timetable_propose(term=term)
        messages.success(request, _("Proposed %(count)s weekly classes.") % {"count": len(result.slots)})
        for need, text in result.problems:
            messages.warning(request, _("%(course)s was not placed: %(why)s") % {"course": need.course, "why": text})
        if result.proven:
            messages.info(request, _("This is the best timetable the teachers' free time allows: no other places more courses or meets more wishes."))
        else:
            messages.warning(request, _(
                "The planner stopped looking after %(seconds)s seconds. This is the best timetable it found, "
                "but a better one may exist: propose again, or move courses by hand."
            ) % {"seconds": f"{settings.TIMETABLE_SOLVER_SECONDS:g}"})
    elif action == "publish":
        result = services.timetable_publish(term=term)
        messages.success(request, _("Published: %(count)s classes created.") % {"count": len(result.created)})
        for need, day, session in result.moved:
            messages.info(request, _("%(course)s on %(day)s is held on %(when)s instead: the teacher is away.") % {
                "course": need.course, "day": day,
                "when": date_format(timezone.localtime(session.starts_at), "SHORT_DATETIME_FORMAT"),
            })
        for need, day, why in result.skipped:
            messages.info(request, _("%(course)s on %(day)s skipped: %(why)s") % {"course": need.course, "day": day, "why": why})
    elif action in ("add", "save"):
        slot = _posted_slot(request, term) if action == "save" else None
        prefix = _slot_form_prefix(slot.pk if slot else None)
        form = TimetableSlotForm(request.POST, term=term, with_need=slot is None, auto_id=f"{prefix}_%s")
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.timetable_slot_save(
                    need=slot.need if slot else data["need"], weekday=data["weekday"], starts=data["starts"],
                    room=data["room"], slot=slot,
                )
            except ValidationError as error:
                # A clash or a teacher not free: said next to the fields, which keep what was typed.
                form.add_error(None, error)
                form.point_at_refusal(message_id=f"{prefix}-refusal")
        if form.errors:
            return _RefusedEdit(form=form, slot_pk=slot.pk if slot else None)
        messages.success(request, _("Saved."))
    elif action == "delete":
        services.timetable_slot_delete(slot=_posted_slot(request, term))
        messages.success(request, _("Removed."))
    return None


def timetable_planner(request, term_id: int):
    """Propose a term's weekly times, adjust them by hand (each edit checked for clashes), publish."""
    require_coordinator(request)
    term = get_object_or_404(Term, pk=term_id)
    refused = None
    if request.method == "POST":
        if request.POST.get("action") == "publish" and not is_confirmed(request):
            return confirmation_response(request, question=_publish_question(term), yes_label=_("Publish the timetable"),
                                         back_url=reverse("wagtailadmin_timetable_planner", args=[term.pk]))
        try:
            refused = _planner_action(request, term)
        except ValidationError as error:
            _refused(request, error)
        if refused is None:
            return redirect("wagtailadmin_timetable_planner", term_id=term.pk)
        messages.error(request, _("Please correct the marked fields."))
    slots = list(TimetableSlot.objects.filter(need__term=term).select_related("need__course", "need__teacher", "room"))
    refused_slot = refused.slot_pk if refused else None
    return TemplateResponse(request, "classes/admin/timetable_planner.html", {
        "term": term,
        "needs": term.needs.select_related("course", "teacher", "room"),
        "days": [(value, label, [s for s in slots if s.weekday == value]) for value, label in Weekday.choices],
        "slots": [
            (slot, refused.form if refused_slot == slot.pk else TimetableSlotForm(
                initial={"weekday": slot.weekday, "starts": slot.starts, "room": slot.room},
                term=term, with_need=False, auto_id=f"{_slot_form_prefix(slot.pk)}_%s"))
            for slot in slots
        ],
        "problems": [] if term.published_at else planner.timetable_problems(term=term, hint_before_proposal=False),
        "week_changes": [] if term.published_at else planner.timetable_week_changes(term=term),
        "add_form": refused.form if refused and refused_slot is None else TimetableSlotForm(
            term=term, with_need=True, auto_id=f"{_slot_form_prefix(None)}_%s"),
        "sessions": sessions_of_term(term=term) if term.published_at else None,
        "publish_question": _publish_question(term),
        "page_title": _("Timetable: %(term)s") % {"term": term},
        "header_icon": "date",
    })


def timetable_session(request, session_id: int):
    """Move or cancel one class, or it and the rest of its series."""
    require_coordinator(request)
    session = get_object_or_404(ClassSession.objects.select_related("course", "room", "series__need__term"), pk=session_id)
    local = timezone.localtime(session.starts_at)
    move_form = SessionMoveForm(initial={"date": local.date(), "starts": local.time(), "room": session.room})
    cancel_form = SessionCancelForm()
    if request.method == "POST":
        action = request.POST.get("action")
        form = (SessionMoveForm if action == "move" else SessionCancelForm)(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if action == "move":
                    starts_at = local_datetime(data["date"], data["starts"])
                    changed = changes.session_move(session=session, starts_at=starts_at, room=data["room"],
                                                     whole_series=data["whole_series"])
                    messages.success(request, _("%(count)s classes moved; learners, the teacher and volunteers will be told.")
                                     % {"count": len(changed)})
                else:
                    changed = changes.session_cancel(session=session, reason=data["reason"],
                                                       whole_series=data["whole_series"])
                    messages.success(request, _("%(count)s classes cancelled; learners, the teacher and volunteers will be told.")
                                     % {"count": len(changed)})
                return redirect("wagtailadmin_timetable_session", session_id=session.pk)
            except ValidationError as error:
                _refused(request, error)
        if action == "move":
            move_form = form
        else:
            cancel_form = form
    term = session.series.need.term if session.series_id else None
    return TemplateResponse(request, "classes/admin/timetable_session.html", {
        "session": session,
        "term": term,
        "move_form": move_form,
        "cancel_form": cancel_form,
        "page_title": str(session),
        "header_icon": "date",
    })
