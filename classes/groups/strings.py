"""Words the learning group's script shows, translated on the server so the page
speaks the learner's language without a second catalogue in JavaScript."""

from django.utils.translation import gettext as _


def message_time_words() -> dict:
    """How a message's time is said (ChatCommon.timeLabel): 今天 14:05, 昨天 14:05, 12月3日 14:05,
    2024年12月3日 14:05 — or Today 14:05, Yesterday 14:05, 3 Dec 14:05, 3 Dec 2024 14:05."""
    return {
        "today": _("Today %(time)s"),
        "yesterday": _("Yesterday %(time)s"),
        "date": _("%(day)s %(month)s %(time)s"),
        "dateYear": _("%(day)s %(month)s %(year)s %(time)s"),
        # Translators: the twelve short month names, separated by spaces.
        "months": _("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec").split(),
    }


def group_strings() -> dict:
    return {
        # Shown only while something is wrong: a working connection needs no words.
        "reconnecting": _("The network dropped. Reconnecting… What you write will be sent when it is back."),
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
        "time": message_time_words(),
    }
