"""Writes for help requests and calls: asking (and merging into the one open request a
learner may have), the automatic call list, claiming and assigning, logging a call,
and closing a request once the learner is ready for class."""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from classes.models import ClassSession, CoursePage, Learner
from core.inputs import DAY_EARLIEST, DAY_LATEST, day_in_range
from core.roles import user_is_coordinator
from volunteers.models import MAX_CALL_MINUTES, CallLog, CallOutcome, HelpRequest, HelpSource, HelpStatus
from volunteers.selectors.access import user_is_volunteer
from volunteers.selectors.help import call_list_due, requests_readiness
from volunteers.selectors.readiness import readiness_of

NOTE_FIELD_MAX = HelpRequest._meta.get_field("note").max_length
# What one person may type as a note; the request's note collects several of them.
NOTE_INPUT_MAX = 300
CALL_NOTES_MAX = CallLog._meta.get_field("notes").max_length


@dataclass(frozen=True)
class HelpAsk:
    help_request: HelpRequest
    merged: bool  # the learner already had an open request; this ask was added to it


def _when(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _append_note(existing: str, line: str) -> str:
    """Add a line to a request's note. When it is full, the oldest lines give way:
    the newest ask says most about what the learner needs now."""
    note = f"{existing}\n{line}" if existing else line
    if len(note) > NOTE_FIELD_MAX:
        note = note[-NOTE_FIELD_MAX:]
    return note


def _ask_line(*, source: str, course: CoursePage | None, note: str, now: datetime) -> str:
    line = _("%(when)s · %(source)s · %(course)s") % {
        "when": _when(now), "source": HelpSource(source).label, "course": course.title if course else "—",
    }
    return f"{line}: {note}" if note else line


def help_request_ask(
    *, learner: Learner, source: str, course: CoursePage | None = None, session: ClassSession | None = None,
    note: str = "", by=None, now: datetime | None = None,
) -> HelpAsk:
    """Ask a volunteer to call the learner. A learner has at most one open request: asking
    again (a second tap, a teacher too) counts one more ask and adds the note to it."""
    now = now or timezone.now()
    note = (note or "").strip()
    if source not in HelpSource.values:
        raise ValidationError(_("Unknown kind of request."), code="bad_source")
    if len(note) > NOTE_INPUT_MAX:
        raise ValidationError(
            _("Please keep the note under %(max)s characters.") % {"max": NOTE_INPUT_MAX}, code="note_too_long"
        )
    # Two asks at the same moment both find no open request; the database's "one open request
    # per learner" lets only one insert in, and the other tries again and merges.
    for _attempt in range(3):
        try:
            with transaction.atomic():
                existing = (
                    HelpRequest.objects.select_for_update().exclude(status=HelpStatus.CLOSED).filter(learner=learner).first()
                )
                if existing is not None:
                    _merge(existing, source=source, course=course, session=session, note=note, now=now)
                    return HelpAsk(existing, merged=True)
                help_request = HelpRequest(
                    learner=learner, course=course, session=session, source=source, created_by=by,
                    note=_ask_line(source=source, course=course, note=note, now=now) if note else "",
                )
                help_request.full_clean(validate_constraints=False)  # the database checks them, race-free
                help_request.save()
                return HelpAsk(help_request, merged=False)
        except IntegrityError:
            continue
    raise ValidationError(_("Your request could not be saved. Please try again."), code="busy")


def _merge(existing: HelpRequest, *, source, course, session, note, now) -> None:
    changes = {"asks": F("asks") + 1, "note": _append_note(existing.note, _ask_line(
        source=source, course=course, note=note, now=now))}
    if existing.course_id is None and course is not None:
        changes["course"] = course
    if existing.session_id is None and session is not None and (course is None or session.course_id == course.pk):
        changes["session"] = session
    HelpRequest.objects.filter(pk=existing.pk).update(**changes)
    existing.refresh_from_db()


def call_lists_build(*, now: datetime | None = None) -> int:
    """Put every learner with a seat in a class within two days who is not ready on the
    call list: a new CALL_LIST request, or the class linked to the open request they
    already have. Running it again changes nothing. Returns how many requests it made or linked."""
    now = now or timezone.now()
    changed = 0
    due = {entry.learner_id: entry for entry in call_list_due(now=now)}
    # One query finds the learners already on the list for their class (or asked about
    # another course), so opening a volunteer page, which runs this, stays cheap.
    settled = {
        learner_id
        for learner_id, session_id, course_id in HelpRequest.objects.exclude(status=HelpStatus.CLOSED)
        .filter(learner_id__in=list(due)).values_list("learner_id", "session_id", "course_id")
        if session_id == due[learner_id].session.pk or course_id not in (None, due[learner_id].course.pk)
    }
    for entry in due.values():
        if entry.learner_id in settled:
            continue
        note = _("Not ready for the class on %(when)s.") % {"when": _when(entry.session.starts_at)}
        try:
            with transaction.atomic():
                existing = (
                    HelpRequest.objects.select_for_update().exclude(status=HelpStatus.CLOSED)
                    .filter(learner_id=entry.learner_id).first()
                )
                if existing is None:
                    HelpRequest.objects.create(
                        learner_id=entry.learner_id, course=entry.course, session=entry.session,
                        source=HelpSource.CALL_LIST, note=note,
                    )
                    changed += 1
                elif existing.session_id != entry.session.pk and existing.course_id in (None, entry.course.pk):
                    HelpRequest.objects.filter(pk=existing.pk).update(
                        session=entry.session, course=entry.course, note=_append_note(existing.note, note),
                    )
                    changed += 1
        except IntegrityError:
            continue  # someone asked at this very moment; the next sweep links the class
    return changed


def help_requests_close_ready(*, now: datetime | None = None) -> int:
    """Close the requests whose learner is now ready for the request's course. A request a
    person asked for stays open until a volunteer has called at least once: a learner who
    is ready but asks for help still gets the call we promised. Returns how many closed."""
    now = now or timezone.now()
    candidates = list(
        HelpRequest.objects.exclude(status=HelpStatus.CLOSED).filter(course__isnull=False)
        .select_related("course")
        .annotate(called=Exists(CallLog.objects.filter(request=OuterRef("pk"))))
    )
    readiness = requests_readiness(requests=candidates)
    done = [
        r.pk for r in candidates
        if readiness[r.pk].ready and (r.source == HelpSource.CALL_LIST or r.called)
    ]
    if not done:
        return 0
    return HelpRequest.objects.filter(pk__in=done).exclude(status=HelpStatus.CLOSED).update(
        status=HelpStatus.CLOSED, closed_at=now
    )


def help_request_claim(*, help_request: HelpRequest, user, now: datetime | None = None) -> HelpRequest:
    """A volunteer takes an open request. Two volunteers tapping at once: the conditional
    update lets exactly one through; the other is told someone else has it."""
    if not user_is_volunteer(user):
        raise PermissionDenied
    now = now or timezone.now()
    taken = HelpRequest.objects.filter(pk=help_request.pk, status=HelpStatus.OPEN).update(
        status=HelpStatus.ASSIGNED, volunteer=user, assigned_at=now
    )
    help_request.refresh_from_db()
    if taken or (help_request.status == HelpStatus.ASSIGNED and help_request.volunteer_id == user.pk):
        return help_request  # a double tap finds it already ours
    if help_request.status == HelpStatus.CLOSED:
        raise ValidationError(
            _("%(name)s does not need a call any more: this request is done.") % {"name": help_request.learner.name},
            code="closed",
        )
    raise ValidationError(
        _("Another volunteer has just taken %(name)s. Please choose another learner.")
        % {"name": help_request.learner.name},
        code="taken",
    )


def help_request_assign(*, help_request: HelpRequest, volunteer, by, now: datetime | None = None) -> HelpRequest:
    """A coordinator gives a request to a volunteer, or moves it to another one."""
    if not user_is_coordinator(by):
        raise PermissionDenied
    if volunteer is None or not user_is_volunteer(volunteer):
        raise ValidationError(_("Please choose an approved volunteer."), code="not_a_volunteer")
    now = now or timezone.now()
    updated = HelpRequest.objects.filter(pk=help_request.pk).exclude(status=HelpStatus.CLOSED).update(
        status=HelpStatus.ASSIGNED, volunteer=volunteer, assigned_at=now
    )
    help_request.refresh_from_db()
    if not updated:
        raise ValidationError(_("This request is already done, so it cannot be given to a volunteer."), code="closed")
    return help_request


def help_request_unassign(*, help_request: HelpRequest, by) -> HelpRequest:
    """A coordinator takes a request back, so any volunteer may claim it. Again is harmless."""
    if not user_is_coordinator(by):
        raise PermissionDenied
    HelpRequest.objects.filter(pk=help_request.pk, status=HelpStatus.ASSIGNED).update(
        status=HelpStatus.OPEN, volunteer=None, assigned_at=None
    )
    help_request.refresh_from_db()
    return help_request


@dataclass(frozen=True)
class CallLogged:
    call: CallLog
    ready: bool   # the learner is ready for the request's course
    closed: bool  # so the request is now closed


def user_may_log_call(*, user, help_request: HelpRequest) -> bool:
    """The volunteer the request is (or was, when it closed meanwhile) assigned to, or a coordinator."""
    if user_is_coordinator(user):
        return True
    return bool(user.is_authenticated and help_request.volunteer_id == user.pk and user_is_volunteer(user)
                and help_request.status in (HelpStatus.ASSIGNED, HelpStatus.CLOSED))


def call_log_add(
    *, help_request: HelpRequest, user, called_at: datetime, minutes: int, outcome: str, notes: str = "",
    now: datetime | None = None,
) -> CallLogged:
    """Write down one call. A call in the future, of negative length or longer than
    MAX_CALL_MINUTES is refused with the reason, and nothing is saved. Afterwards the
    request closes if the learner is now ready: a call logged 已加入 makes them so."""
    if not user_may_log_call(user=user, help_request=help_request):
        raise PermissionDenied
    now = now or timezone.now()
    errors = {}
    if minutes is None:
        errors["minutes"] = _("Please enter how many minutes the call took.")
    elif minutes < 0:
        errors["minutes"] = _("A call cannot take less than 0 minutes. Please check the minutes.")
    elif minutes > MAX_CALL_MINUTES:
        errors["minutes"] = _("A call of more than %(max)s minutes is surely a typing slip. Please check the minutes.") % {
            "max": MAX_CALL_MINUTES}
    if called_at is None:
        errors["called_at"] = _("Please enter when you called.")
    elif called_at > now:
        errors["called_at"] = _("That time is in the future. Please enter when you called.")
    elif not day_in_range(called_at.date()):  # long before the centre opened; its time zone would overflow
        errors["called_at"] = _("Please enter a date between %(first)s and %(last)s.") % {
            "first": DAY_EARLIEST.isoformat(), "last": DAY_LATEST.isoformat()}
    if outcome not in CallOutcome.values:
        errors["outcome"] = _("Please choose how the call went.")
    if len(notes or "") > CALL_NOTES_MAX:
        errors["notes"] = _("Please keep the notes under %(max)s characters.") % {"max": CALL_NOTES_MAX}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        call = CallLog(request=help_request, volunteer=user, called_at=called_at, minutes=minutes, outcome=outcome,
                       notes=(notes or "").strip())
        call.full_clean()
        call.save()
        # A call logged 已加入 is itself proof (volunteers.selectors.readiness), so it closes the
        # request; a request about no course has nothing else to be ready for.
        ready = outcome == CallOutcome.JOINED or (
            bool(help_request.course_id) and readiness_of(learner=help_request.learner, course=help_request.course).ready
        )
        closed = False
        if ready:
            closed = bool(HelpRequest.objects.filter(pk=help_request.pk).exclude(status=HelpStatus.CLOSED).update(
                status=HelpStatus.CLOSED, closed_at=now))
    help_request.refresh_from_db()
    return CallLogged(call=call, ready=ready, closed=closed)
