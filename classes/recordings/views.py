"""Recordings on the site: the teacher's browser's chunk uploads, the replay page (看回放),
its video file (served only to those who may watch, with Range so seeking works), and
deleting or keeping a recording."""

from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from classes.courses.learner_session import current_learner
from classes.courses.people import course_person
from classes.models import ClassSession, Recording, RecordingStatus, RoomRole
from classes.models.recordings import RECORDING_FILES
from classes.recordings import selectors, services
from core.bodies import body_limit
from core.confirm import confirmation_response, is_confirmed
from core.private_media import is_private_name, private_file_response
from core.timefmt import long_date

# Never kept in any cache, the browser's included: what someone could watch yesterday
# (before a withdrawal, before the recording was deleted) they may not watch today.
RECORDING_CACHE_CONTROL = "private, no-store"
# Slower helps follow a brush or a hand; a little faster, to go over what one already knows.
REPLAY_SPEEDS = ["0.5", "0.75", "1", "1.25", "1.5"]


def _person(request, course):
    return course_person(course=course, learner=current_learner(request), user=request.user)


@body_limit(max_bytes=services.RECORDING_CHUNK_MAX_BYTES, answers_json=True)
@require_POST
def recording_chunk(request, session_id: int):
    """One chunk from the teacher's recorder: ?part=<recorder's key>&seq=<n>&t=<ms recorded so far>."""
    session = get_object_or_404(ClassSession.objects.select_related("course"), pk=session_id, course__live=True)
    person = _person(request, session.course)
    if person is None or person.role != RoomRole.TEACHER:
        return JsonResponse({"ok": False, "code": "forbidden",
                             "error": _("Only the class's teacher can record it.")}, status=403)
    seq, elapsed = request.GET.get("seq", ""), request.GET.get("t", "0")
    if not (seq.isascii() and seq.isdigit() and elapsed.isascii() and elapsed.isdigit()) or len(seq) > 9:
        return JsonResponse({"ok": False, "code": "bad_field", "error": _("That could not be read.")}, status=400)
    try:
        _chunk, stored = services.recording_chunk_store(
            session=session, part_key=request.GET.get("part", ""), seq=int(seq), data=request.body,
            elapsed_ms=min(int(elapsed[:12]), 2**53),
        )
    except ValidationError as error:
        status = {"not_live": 409, "not_recording": 409, "too_large": 413, "not_webm": 415}.get(error.code, 400)
        return JsonResponse({"ok": False, "code": error.code, "error": error.messages[0]}, status=status)
    return JsonResponse({"ok": True, "stored": stored})


def _recording_for(request, recording_id: int):
    """The recording and who asks, if they may watch it; otherwise Http404 or the refusal page."""
    recording = get_object_or_404(
        Recording.objects.select_related("session__course"), pk=recording_id, status=RecordingStatus.READY,
        removed_at__isnull=True, session__course__live=True,
    )
    person = _person(request, recording.session.course)
    return recording, person


@never_cache
def replay_page(request, recording_id: int):
    recording, person = _recording_for(request, recording_id)
    if not selectors.recording_may_watch(person=person):
        return render(request, "classes/not_your_class.html", {"course": recording.session.course}, status=403)
    parts = selectors.recording_parts(recording=recording)
    return render(request, "classes/replay.html", {
        "recording": recording,
        "session": recording.session,
        "course": recording.session.course,
        "may_manage": selectors.recording_may_manage(person=person),
        "length_words": selectors.recording_length_words(recording=recording),
        "keep_until_words": long_date(recording.keep_until) if recording.keep_until else "",
        "speeds": REPLAY_SPEEDS,
        "replay_config": {
            "parts": [{"url": part.file.url, "seconds": part.duration_ms / 1000} for part in parts],
            "strings": replay_strings(),
        },
    })


def replay_strings() -> dict[str, str]:
    """The words static/js/replay.js says, in the reader's language."""
    return {
        "start": _("Tap “Play” to start."),
        "play": _("Play"),
        "pause": _("Pause"),
        "playAgain": _("Play again"),
        "playing": _("Playing."),
        "paused": _("Paused."),
        "ended": _("The recording has ended."),
        "where": _("%(position)s of %(length)s"),
        "whereUnknown": _("%(position)s watched"),
        "minSec": _("%(minutes)s min %(seconds)s s"),
        "sec": _("%(seconds)s s"),
        "speed": _("Speed: %(speed)s×"),
        "part": _("Part %(part)s of %(parts)s."),
        "failed": _("The recording could not be played. Please try again later, or call the centre."),
    }


def recording_file(request, name: str):
    """A recording's video, for those who may watch it; to anyone else the 404 of a file that
    is not there. Byte ranges are answered, so the player can seek."""
    if not is_private_name(name):
        raise Http404
    recording = selectors.recording_for_file(name=name)
    if recording is None or recording.status != RecordingStatus.READY:
        raise Http404
    if not selectors.recording_may_watch(person=_person(request, recording.session.course)):
        raise Http404
    response = private_file_response(storage=RECORDING_FILES, name=name, request=request)
    response["Cache-Control"] = RECORDING_CACHE_CONTROL
    return response


def _managed(request, recording_id: int):
    recording, person = _recording_for(request, recording_id)
    if not selectors.recording_may_manage(person=person):
        raise Http404
    return recording


@require_POST
def recording_remove(request, recording_id: int):
    """删除回放, asked once (core/confirm.py)."""
    recording = _managed(request, recording_id)
    if not is_confirmed(request):
        return confirmation_response(
            request, question=_("Delete this recording? Nobody can watch it again."),
            yes_label=_("Yes, delete the recording"), back_url=reverse("replay", args=[recording.pk]),
        )
    services.recording_remove(recording=recording)
    return redirect("my_classes")


@require_POST
def recording_keep(request, recording_id: int):
    """一直保留 (keep=yes) or 按期删除 (keep=no)."""
    recording = _managed(request, recording_id)
    services.recording_keep_set(recording=recording, kept=request.POST.get("keep") == "yes")
    return redirect("replay", recording.pk)


urlpatterns = [
    path("class/<id:session_id>/recording/chunk/", recording_chunk, name="recording_chunk"),
    path("replay/<id:recording_id>/", replay_page, name="replay"),
    path("replay/<id:recording_id>/delete/", recording_remove, name="recording_remove"),
    path("replay/<id:recording_id>/keep/", recording_keep, name="recording_keep"),
    path("replay/file/<path:name>", recording_file, name="recording_file"),
]
