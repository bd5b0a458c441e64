"""Words the live-class page's script shows, translated on the server so the page
speaks the learner's language without a second catalogue in JavaScript."""

from django.utils.translation import gettext as _


def classroom_strings() -> dict[str, str]:
    return {
        # What the room is doing (statusWords in classroom-room.js, room_status_words in selectors.py).
        "waiting": _("The teacher will be here soon."),
        "teacherWaiting": _("Learners can come in now. Tap “Start the class” when you are ready."),
        "startsOn": _("The class starts on %(time)s."),
        "startsIn": _("The class starts in %(minutes)s minutes."),
        "live": _("The class is on."),
        "teacherDropped": _("The teacher's network dropped. Please wait."),
        "ended": _("The class has ended."),
        "nextClass": _("Next class: %(time)s"),
        "connecting": _("Connecting…"),
        "reconnecting": _("The network is poor. Reconnecting…"),
        "connected": _("Connected."),
        "raiseHand": _("Raise hand"),
        "lowerHand": _("Lower hand"),
        "handUp": _("Your hand is up. The teacher can see it."),
        "speakNow": _("The teacher has asked you to speak. Please talk now."),
        "speakDone": _("The teacher has turned your microphone off."),
        "micDenied": _("Your phone did not allow the microphone. Tap Help and a volunteer will call you."),
        "removed": _("The teacher has asked you to leave."),
        "notAllowed": _("This class is not in your list."),
        "notSignedIn": _("Please open your personal class link again."),
        # The room state's media_notice (classes/live/selectors.py), in the reader's language.
        "sfu_away": _("The video server cannot be reached: the teacher's computer sends the video to each of you directly."),
        "sfu_away_crowded": _("The video server cannot be reached: the teacher's computer sends the video to each of "
                              "you directly. With this many learners, some of you may not see the teacher. "
                              "Please stay in class."),
        "online": _("here"),
        "offline": _("left"),
        "handRaised": _("hand raised"),
        "speaking": _("speaking"),
        "qualityGood": _("connection good"),
        "qualityPoor": _("connection weak"),
        "qualityBad": _("connection bad"),
        "allowSpeak": _("Ask %(name)s to speak"),
        "revokeSpeak": _("Take the microphone back from %(name)s"),
        "remove": _("Ask %(name)s to leave"),
        "pin": _("Pin"),
        "pinned": _("Pinned by the teacher"),
        "teacher": _("Teacher"),
        "volunteer": _("Volunteer"),
        "coordinator": _("Coordinator"),
        "learner": _("Learner"),
        "chatLocked": _("The teacher has paused the chat."),
        "lockChat": _("Pause the chat"),
        "unlockChat": _("Open the chat"),
        "sending": _("Sending…"),
        "notSent": _("Not sent yet. It will be sent when the network is back."),
        "testSoundPlaying": _("Playing a test sound…"),
        "checkSaved": _("Thank you. Your answer is saved."),
        "cameraOk": _("Your camera works."),
        "cameraFailed": _("The camera or microphone could not be opened."),
        "noVideoYet": _("Waiting for the teacher's picture…"),
        "cameraOff": _("Camera is off"),
        "cameraOn": _("Camera is on"),
        "sharingScreen": _("Showing your screen"),
        "peopleHere": _("%(count)s people here"),
        "peopleLeft": _("People who left: %(count)s"),
        # Recording (static/js/classroom-recorder.js; the state's `recording`).
        "recordingOn": _("Recording now"),
        "recordingNote": _("Only the teacher's picture and voice are recorded. When you are asked to speak, "
                           "your voice is recorded too."),
        "recordStart": _("Start recording"),
        "recordStop": _("Stop recording"),
        "recordingSaving": _("Saving the last seconds of the recording…"),
        "recordingRetrying": _("The recording could not be sent just now. It is kept and sent again."),
        # The desk view (static/js/classroom-desk.js): the teacher's phone filming the desk.
        "showTeacher": _("Show the teacher large"),
        "showDesk": _("Show the desk large"),
        "deskOn": _("The teacher's desk is shown large, the teacher small in the corner."),
        "deskOff": _("The desk camera has stopped. You see the teacher again."),
        "deskConnected": _("The phone is connected: the learners see your desk."),
        "deskQrFailed": _("The QR code could not be made. Please try again."),
        # The SFU path (static/js/classroom-sfu.js): the video server, in words a learner knows.
        "videoLost": _("The video connection was lost. Reconnecting…"),
        "videoClosed": _("The class video has stopped. Reconnecting…"),
        "videoRemoved": _("You have been taken out of the class video."),
    }
