"""The class page (waiting room, device check and live room in one) and the device check's report."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from classes import signals
from classes.courses.learner_session import current_learner
from classes.courses.people import course_person
from classes.live import services as rooms
from classes.live.selectors import COUNTDOWN_FROM_MINUTES, media_capacity_warning, room_status_words
from classes.live.strings import classroom_strings
from classes.recordings.selectors import recording_running
from classes.models import ClassSession, RoomRole
from core.bodies import body_limit, json_body_read
from core.timefmt import class_time


def class_session_for(request, session_id: int):
    """The session and the visitor's place in its room, or a ready 403 response."""
    session = get_object_or_404(ClassSession.objects.select_related("course"), pk=session_id, course__live=True)
    person = course_person(course=session.course, learner=current_learner(request), user=request.user)
    if person is None:
        return session, None, render(request, "classes/not_your_class.html", {"course": session.course}, status=403)
    return session, person, None


@never_cache
def class_page(request, session_id: int):
    """The class: waiting room, device check and the live room, on one page, so the
    进入课堂 tap that starts the sound is the same tap that opens the room."""
    session, person, refusal = class_session_for(request, session_id)
    if refusal:
        return refusal
    return render(request, "classes/class_page.html", {
        "session": session,
        "course": session.course,
        "person": person,
        "is_teacher": person.role == RoomRole.TEACHER,
        "status_words": room_status_words(session=session, for_teacher=person.role == RoomRole.TEACHER),
        # Told before class, in words, not found out when the picture breaks.
        "media_warning": media_capacity_warning(course=session.course) if person.role == RoomRole.TEACHER else "",
        "recording": recording_running(session=session) is not None,
        "room_config": {
            "socket": f"/ws/class/{session.pk}/",
            "role": person.role,
            "startsAt": session.starts_at.isoformat(),
            "startsWhen": class_time(session.starts_at),
            "countdownFromMinutes": COUNTDOWN_FROM_MINUTES,
            "iceServers": settings.WEBRTC_ICE_SERVERS,
            "checkUrl": reverse("device_check", args=[session.pk]),
            "deskQrUrl": reverse("desk_qr_new", args=[session.pk]),
            "strings": classroom_strings(),
            "recordingUpload": reverse("recording_chunk", args=[session.pk]),
            "recordingTick": static("js/classroom-recorder-tick.js"),
        },
    })


@body_limit(answers_json=True)
@require_POST
def device_check(request, session_id: int):
    """Record a device check's result (the volunteers' readiness list reads it)."""
    session, person, refusal = class_session_for(request, session_id)
    if refusal:
        return JsonResponse({"ok": False}, status=403)
    result = json_body_read(request)
    if result is None:
        return JsonResponse({"ok": False, "error": _("That could not be read.")}, status=400)
    rooms.device_check_record(session=session, person=person, result=result,
                              user_agent=request.headers.get("User-Agent", ""))
    if person.learner is not None:  # the volunteer on the phone sees each finding at once
        signals.announce(signals.learner_device_checked, learner=person.learner, result=result)
    return JsonResponse({"ok": True})


urlpatterns = [
    path("class/<id:session_id>/", class_page, name="class_page"),
    path("class/<id:session_id>/check/", device_check, name="device_check"),
]
