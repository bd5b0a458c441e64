"""The desk camera's pages: the teacher's console asks for a QR code, and the phone that scans
it opens /desk/<token>/ (classes/live/desk.py has the rules)."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from classes.courses.join_cards import qr_code_svg, site_url
from classes.live import desk
from classes.live.views import class_session_for
from classes.models import RoomRole

# What the phone page says for each refusal; the HTTP status says it too, for whatever else reads it.
REFUSAL_STATUS = {desk.UNKNOWN: 404, desk.USED: 410, desk.EXPIRED: 410, desk.REVOKED: 410, desk.ENDED: 410}


@require_POST
def desk_qr_new(request, session_id: int):
    """The teacher's console: a fresh one-time QR code for the desk camera (the older one stops working)."""
    session, person, refusal = class_session_for(request, session_id)
    teacher = getattr(request.user, "teacher", None) if person else None
    if refusal or person.role != RoomRole.TEACHER or teacher is None:
        return JsonResponse({"ok": False}, status=403)
    try:
        camera, token = desk.desk_token_issue(session=session, teacher=teacher)
    except desk.DeskNotAllowed:
        return JsonResponse({"ok": False, "error": _("The class has ended.")}, status=400)
    url = site_url(request) + reverse("desk_camera", args=[token])
    minutes = int(desk.DESK_TOKEN_LIFETIME.total_seconds() // 60)
    return JsonResponse({
        "ok": True, "url": url, "svg": qr_code_svg(url), "expires_at": camera.expires_at.isoformat(),
        "expires_words": _("This QR code works once, for %(minutes)s minutes.") % {"minutes": minutes},
    })


@never_cache
def desk_camera(request, token: str):
    """The phone's page. GET shows it (a link preview or a second load uses nothing up); the big
    button POSTs, which redeems the token for this phone's session and opens the camera."""
    check = desk.desk_token_check(token=token)
    camera = check.camera
    holds = camera is not None and desk.desk_grant_for(
        camera_id=request.session.get(desk.SESSION_KEY), phone_session_key=request.session.session_key,
        session_id=camera.session_id) is not None
    if request.method == "POST" and not holds:
        if not check.problem:
            # A fresh key for the grant: a session someone planted in this browser does not get it.
            request.session.cycle_key()
        check = desk.desk_token_redeem(token=token, phone_session_key=request.session.session_key)
        if not check.problem:
            request.session[desk.SESSION_KEY] = check.camera.pk
            request.session.set_expiry(desk.desk_grant_expiry(camera=check.camera))
            return redirect("desk_camera", token=token)
    if not holds and (check.problem or request.method == "POST"):
        return render(request, "classes/desk_refused.html", {"problem": check.problem},
                      status=REFUSAL_STATUS.get(check.problem, 410))
    return render(request, "classes/desk_camera.html", {
        "camera": camera,
        "streaming": holds,
        "config": {
            "socket": f"/ws/class/{camera.session_id}/desk/",
            "iceServers": settings.WEBRTC_ICE_SERVERS,
            "strings": desk_strings(),
        } if holds else None,
    })


def desk_strings() -> dict[str, str]:
    """The phone page's words, for its script (static/js/desk-camera.js)."""
    return {
        "starting": _("Opening the back camera…"),
        "waitingTeacher": _("Waiting for the teacher's computer…"),
        "sending": _("Sending the desk to the learners."),
        "stopped": _("Stopped. The learners see the teacher again."),
        "cameraFailed": _("The phone did not allow the camera. Allow the camera for this page in the browser's "
                          "settings, then reload the page."),
        "reconnecting": _("The network is poor. Reconnecting…"),
        "refused": _("This phone is no longer the desk camera: a newer QR code was scanned, or the class has "
                     "ended."),
        "ended": _("The class has ended. You can close this page."),
        "videoLost": _("The video connection was lost. Reconnecting…"),
    }


urlpatterns = [
    path("class/<id:session_id>/desk/new/", desk_qr_new, name="desk_qr_new"),
    path("desk/<str:token>/", desk_camera, name="desk_camera"),
]
