"""Remote assist: the volunteer's live checklist of a learner's steps, and the small
endpoint the learner's phone reports its own steps to."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from classes.courses.learner_session import current_learner
from classes.models import Learner
from core.bodies import body_limit, json_body_read
from core.ratelimit import rate_limit_exceeded
from volunteers import events
from volunteers.models import AssistStep
from volunteers.selectors.access import user_may_see_learner
from volunteers.selectors.assist import (
    CHECKLIST, DONE, LEFT, PROBLEM, STEP_ROWS, WAITING, assist_checklist, assist_events_recent, assist_learner_courses,
    assist_open_request,
)
from volunteers.services.assist import BROWSER_STEPS, assist_step_record

# A class page reports a handful of steps; a page reloading in a loop, or a script, is stopped.
STEP_LIMIT_PER_MINUTE = 30


def assist_strings() -> dict:
    """Every word the checklist shows, in the volunteer's language, for the template and the script alike."""
    return {
        "rows": {
            "link": {
                "title": _("Open the link"),
                "say": _("Say: “Please tap the link in the text message from the centre, or scan the QR code on "
                         "your class card.”"),
                "fix": "",
            },
            "page": {
                "title": _("Open the class page"),
                "say": _("Say: “Under the name of your class, please tap the big red button ‘Go to the classroom’.”"),
                "fix": "",
            },
            "camera": {
                "title": _("Camera"),
                "say": _("Say: “Please tap ‘Check camera and microphone’. When the phone asks, tap ‘Allow’.”"),
                "fix": _("The phone said no to the camera. Ask them to tap the lock or the three dots next to the "
                         "address, allow the camera for this site, and try again."),
            },
            "microphone": {
                "title": _("Microphone"),
                "say": _("Say: “When the phone asks about the microphone, please tap ‘Allow’.”"),
                "fix": _("The phone said no to the microphone. Ask them to allow the microphone for this site in "
                         "the browser's settings, and try again."),
            },
            "sound": {
                "title": _("Test sound"),
                "say": _("Say: “Please tap ‘Play a test sound’, then tell me if you heard it.”"),
                "fix": _("They did not hear it. Ask them to turn the volume up with the buttons on the side of the "
                         "phone and take it off silent, then play the sound again."),
            },
            "room": {
                "title": _("Enter the class room"),
                "say": _("Say: “Please tap ‘Enter class’.”"),
                "fix": _("They have left the class room. If that was a mistake, ask them to tap ‘Enter class’ again."),
            },
        },
        "steps": {str(step): str(step.label) for step in AssistStep},
        "states": {
            DONE: _("Done"),
            WAITING: _("Not yet"),
            PROBLEM: _("Problem"),
            LEFT: _("Left"),
        },
        "at": _("%(step)s at %(time)s"),
        "latest": _("Latest step: %(step)s at %(time)s"),
        "connecting": _("Connecting…"),
        "connected": _("Live: steps appear here as they happen."),
        "reconnecting": _("The network is poor. Reconnecting…"),
        "notAllowed": _("This learner is no longer assigned to you."),
        "notSignedIn": _("Please sign in again, then reload this page."),
        "noSuchLearner": str(events.NOT_YOURS_OR_MISSING),
    }


@never_cache
def volunteer_assist(request, learner_id: int):
    """The volunteer's side of a call: who, their courses, and the checklist that fills in live."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    learner = Learner.objects.filter(pk=learner_id).first()
    if learner is None or not user_may_see_learner(user=request.user, learner=learner):
        # A learner who is not there and one who is not yours answer alike: trying ids tells nothing.
        return render(request, "volunteers/assist_not_yours.html", status=404)
    strings = assist_strings()
    rows = [
        {
            "key": row.key, "state": row.state, "state_label": strings["states"][row.state],
            "detail": strings["at"] % {"step": strings["steps"][row.step], "time": row.time} if row.step else "",
            **strings["rows"][row.key],
        }
        for row in assist_checklist(events_so_far=assist_events_recent(learner_id=learner.pk))
    ]
    return render(request, "volunteers/assist.html", {
        "learner": learner,
        "courses": assist_learner_courses(learner=learner),
        "help_request": assist_open_request(learner=learner),
        "rows": rows,
        "assist_config": {
            "socket": f"/ws/assist/{learner.pk}/",
            "checklist": [key for key, _steps in CHECKLIST],
            "stepRows": STEP_ROWS,
            "strings": strings,
        },
    })


@body_limit(answers_json=True)
@require_POST
def assist_step(request):
    """A step the learner's own phone saw (page opened, camera allowed…), for the volunteer
    on the call. Only for a signed-in learner; the CSRF token is checked as for any POST."""
    learner = current_learner(request)
    if learner is None:
        return JsonResponse({"ok": False, "error": _("Please open your personal class link again.")}, status=403)
    if rate_limit_exceeded(key=f"assist-step:{learner.pk}", limit=STEP_LIMIT_PER_MINUTE, window_seconds=60):
        return JsonResponse({"ok": False, "error": _("Too much at once. Please wait a moment."),
                             "code": "rate_limited"}, status=429)
    body = json_body_read(request)
    step = body.get("step") if body is not None else None
    if not isinstance(step, str) or step not in BROWSER_STEPS:
        return JsonResponse({"ok": False, "error": _("That step is not one a phone can report."),
                             "code": "bad_step"}, status=400)
    try:
        event = assist_step_record(learner=learner, step=step)
    except ValidationError as error:
        return JsonResponse({"ok": False, "error": error.messages[0], "code": "bad_step"}, status=400)
    return JsonResponse({"ok": True, "recorded": event is not None})


urlpatterns = [
    path("volunteer/assist/<id:learner_id>/", volunteer_assist, name="volunteer_assist"),
    path("assist/step/", assist_step, name="assist_step"),
]
