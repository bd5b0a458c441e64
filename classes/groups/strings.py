"""Words the learning group's script shows, translated on the server so the page
speaks the learner's language without a second catalogue in JavaScript."""

from django.utils.translation import gettext as _


def group_strings() -> dict[str, str]:
    return {
        "connecting": _("Connecting…"),
        "reconnecting": _("The network is poor. Reconnecting…"),
        "connected": _("Connected."),
        "notSignedIn": _("Please open your personal class link again."),
        "notAllowed": _("This group is not yours."),
        "sending": _("Sending…"),
        "notSent": _("Not sent yet. It will be sent when the network is back."),
        "deleted": _("This message was removed by the teacher."),
        "delete": _("Remove"),
        "mute": _("Pause %(name)s's messages"),
        "pin": _("Pin"),
        "pinned": _("Pinned by the teacher"),
        "picture": _("Picture from %(name)s"),
        "openPicture": _("Open the large picture"),
        "play": _("Play the voice message (%(seconds)s seconds)"),
        "recordStart": _("Record a voice message"),
        "recordStop": _("Tap to stop and send (%(seconds)s s)"),
        "recording": _("Recording… %(seconds)s s"),
        "micDenied": _("Your phone did not allow the microphone. Tap Help and a volunteer will call you."),
        "uploading": _("Sending the file…"),
        "uploadFailed": _("The file could not be sent."),
        "older": _("Show earlier messages"),
        "teacher": _("Teacher"),
        "volunteer": _("Volunteer"),
        "coordinator": _("Coordinator"),
        "learner": _("Learner"),
    }
