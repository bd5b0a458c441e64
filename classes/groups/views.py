"""The learning group's page, its photo and voice uploads, and older messages for scrolling up."""

from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from classes.courses.learner_session import current_learner
from classes.courses.people import course_person
from classes.groups import media
from classes.groups import services as groups
from classes.groups.selectors import HISTORY_PAGE, chat_file_course
from classes.groups.strings import group_strings
from classes.live import chat
from classes.models import CoursePage
from classes.models.live import CHAT_FILES
from core.bodies import FORM_BODY_MAX_BYTES, body_limit
from core.private_media import is_private_name, private_file_response
from core.ratelimit import rate_limit_exceeded


def _group_member_or_refusal(request, course_id: int):
    course = get_object_or_404(CoursePage.objects.live(), pk=course_id)
    member = course_person(course=course, learner=current_learner(request), user=request.user)
    if member is None:
        return course, None, render(request, "classes/not_your_class.html", {"course": course}, status=403)
    return course, member, None


@never_cache
def group_page(request, course_id: int):
    course, member, refusal = _group_member_or_refusal(request, course_id)
    if refusal:
        return refusal
    return render(request, "classes/group.html", {
        "course": course,
        "member": member,
        "group_config": {
            "socket": f"/ws/group/{course.pk}/",
            "role": member.role,
            "moderates": member.moderates,
            "uploadUrl": reverse("group_upload", args=[course.pk]),
            "historyUrl": reverse("group_history", args=[course.pk]),
            "strings": group_strings(),
        },
    })


# The largest file the group takes (media.py), plus the form fields around it.
@body_limit(max_bytes=max(media.IMAGE_MAX_BYTES, media.VOICE_MAX_BYTES) + FORM_BODY_MAX_BYTES, answers_json=True)
@require_POST
def group_upload(request, course_id: int):
    """A picture or a voice message, posted as a file; the socket then delivers it to everyone."""
    course, member, refusal = _group_member_or_refusal(request, course_id)
    if refusal:
        return JsonResponse({"ok": False, "error": _("This group is not yours.")}, status=403)
    if rate_limit_exceeded(key=groups.group_rate_key(member=member), limit=chat.chat_messages_per_minute(), window_seconds=60):
        return JsonResponse({"ok": False, "error": _("You are sending messages very fast. Please wait a minute."),
                             "code": "rate_limited"}, status=429)
    upload = request.FILES.get("file")
    kind = request.POST.get("kind")
    if upload is None or kind not in ("image", "voice"):
        return JsonResponse({"ok": False, "error": _("Please choose a photo or record a voice message.")}, status=400)
    try:
        if kind == "image":
            large, thumbnail = media.picture_prepare(upload)
            attachments = {"image": large, "thumbnail": thumbnail}
        else:
            voice, seconds = media.voice_prepare(upload, request.POST.get("seconds"))
            attachments = {"voice": voice, "voice_seconds": seconds}
        message = groups.group_post(member=member, client_id=request.POST.get("client_id"), attachments=attachments)
    except ValidationError as error:
        return JsonResponse({"ok": False, "error": error.messages[0], "code": error.code}, status=400)
    return JsonResponse({"ok": True, "seq": message.seq})


def group_file(request, name: str):
    """A photo, thumbnail or voice message of a group, for its members only. Whoever else
    asks gets the 404 of a file that is not there, so the answer never tells them it is."""
    if not is_private_name(name):
        raise Http404
    course = chat_file_course(name=name)
    if course is None or course_person(course=course, learner=current_learner(request), user=request.user) is None:
        raise Http404
    return private_file_response(storage=CHAT_FILES, name=name)


@body_limit(answers_json=True)
@never_cache
def group_history(request, course_id: int):
    """Older messages, a page at a time, for scrolling up."""
    course, member, refusal = _group_member_or_refusal(request, course_id)
    if refusal:
        return JsonResponse({"ok": False}, status=403)
    before = request.GET.get("before", "")
    if not (before.isascii() and before.isdigit()):  # "²".isdigit() is True, but int() refuses it
        return JsonResponse({"ok": False, "error": _("That could not be read.")}, status=400)
    chat_id = groups.group_for_course(course=course).chat_id
    page = chat.chat_messages_before(room_id=chat_id, before_seq=int(before), limit=HISTORY_PAGE)
    return JsonResponse({"ok": True, "messages": [chat.chat_message_payload(m) for m in page]})


urlpatterns = [
    path("group/<id:course_id>/", group_page, name="group"),
    path("group/<id:course_id>/upload/", group_upload, name="group_upload"),
    path("group/<id:course_id>/history/", group_history, name="group_history"),
    path("group/file/<path:name>", group_file, name="group_file"),
]
