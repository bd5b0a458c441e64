"""The teacher's phone as the class's desk camera (docs/realtime.md, "Desk camera").

The teacher's console asks for a one-time token and shows it as a QR code; the phone that
scans it opens /desk/<token>/ and, with one tap (a POST, so a link preview or a second load
does not use it up), redeems it: the phone's own Django session (anonymous, no sign-in)
becomes this class's desk camera, and nothing more. Only a hash of the token is stored, as
for join links.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from classes import events
from classes.models import ClassSession, DeskCamera, Participant, RoomRole, Teacher

# Long enough to find the phone, open its camera app and scan; short enough that a QR code
# photographed over the teacher's shoulder, or left on a screen share, is soon worthless.
DESK_TOKEN_LIFETIME = timedelta(minutes=10)
# 192 bits: the token alone lets a phone send video into the class.
DESK_TOKEN_BYTES = 24
# Where the phone's session keeps the grant: the DeskCamera's id (its row also names the session).
SESSION_KEY = "desk_camera"
# The phone's session outlives the class by this much at most; the grant itself ends at 下课.
GRANT_GRACE = timedelta(hours=1)

UNKNOWN, USED, EXPIRED, ENDED, REVOKED = "unknown", "used", "expired", "ended", "revoked"


class DeskNotAllowed(Exception):
    """Only a teacher of the course may put a desk camera into its class."""


def _hash(token: str) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()


def _class_over(session: ClassSession) -> bool:
    return session.live_ended_at is not None or session.cancelled_at is not None


def desk_token_issue(*, session: ClassSession, teacher: Teacher) -> tuple[DeskCamera, str]:
    """A fresh token for this class's desk camera; any older one not yet used stops working
    (the new QR replaces the old). Returns the row and the token, which is not stored."""
    if not session.course.teachers.filter(pk=teacher.pk).exists():
        raise DeskNotAllowed
    if _class_over(session):
        raise DeskNotAllowed
    token = secrets.token_urlsafe(DESK_TOKEN_BYTES)
    now = timezone.now()
    with transaction.atomic():
        DeskCamera.objects.filter(session=session, used_at__isnull=True, revoked_at__isnull=True)\
            .update(revoked_at=now)
        camera = DeskCamera.objects.create(session=session, teacher=teacher, token_hash=_hash(token),
                                           expires_at=now + DESK_TOKEN_LIFETIME)
    return camera, token


@dataclass
class DeskCheck:
    camera: DeskCamera | None = None
    problem: str = ""  # "", UNKNOWN, USED, EXPIRED, ENDED or REVOKED


def desk_token_check(*, token: str) -> DeskCheck:
    """The token's desk camera, and whether it may still be redeemed."""
    camera = DeskCamera.objects.select_related("session__course", "teacher").filter(token_hash=_hash(token)).first()
    return DeskCheck(camera, _problem(camera))


def _problem(camera: DeskCamera | None) -> str:
    if camera is None:
        return UNKNOWN
    if _class_over(camera.session):
        return ENDED
    if camera.used_at is not None:
        return USED
    if camera.revoked_at is not None:
        return REVOKED
    if camera.expires_at <= timezone.now():
        return EXPIRED
    return ""


def desk_token_redeem(*, token: str, phone_session_key: str) -> DeskCheck:
    """Use the token up: the phone's session becomes the class's desk camera. A phone that
    held the desk before (an older QR) loses it; returns the check, with `problem` if refused."""
    with transaction.atomic():
        camera = DeskCamera.objects.select_for_update().select_related("session__course", "teacher")\
            .filter(token_hash=_hash(token)).first()
        problem = _problem(camera)
        if problem:
            return DeskCheck(camera, problem)
        now = timezone.now()
        replaced = DeskCamera.objects.filter(session=camera.session, used_at__isnull=False, revoked_at__isnull=True)\
            .update(revoked_at=now)
        camera.used_at, camera.session_key = now, phone_session_key
        camera.save(update_fields=["used_at", "session_key"])
        participant = desk_participant_ensure(camera=camera)
        if replaced:  # the phone that filmed the desk until now is out at once, not at its next ping
            transaction.on_commit(lambda: _recheck(participant.pk))
    return DeskCheck(camera)


def _recheck(participant_id: int) -> None:
    async_to_sync(get_channel_layer().group_send)(events.participant_group(participant_id),
                                                  {"type": events.LAYER_RECHECK})


def desk_participant_ensure(*, camera: DeskCamera) -> Participant:
    """The class's one desk participant, named after the teacher whose phone it is."""
    name = _("%(name)s's desk") % {"name": camera.teacher.name}
    participant, created = Participant.objects.get_or_create(
        session=camera.session, role=RoomRole.DESK, defaults={"name": name[:60]})
    if not created and participant.name != name[:60]:
        Participant.objects.filter(pk=participant.pk).update(name=name[:60])
        participant.name = name[:60]
    return participant


def desk_grant_expiry(*, camera: DeskCamera) -> int:
    """Seconds the phone's session is kept: to the end of the class and a little after."""
    left = camera.session.ends_at + GRANT_GRACE - timezone.now()
    return max(int(left.total_seconds()), int(GRANT_GRACE.total_seconds()))


def desk_grant_for(*, camera_id, phone_session_key: str | None, session_id: int) -> DeskCamera | None:
    """The desk camera this phone's session holds for this class, if it still holds: redeemed
    by this very session, not replaced by a newer phone, and the class not over."""
    if not isinstance(camera_id, int) or not phone_session_key:
        return None
    camera = DeskCamera.objects.select_related("session", "teacher").filter(
        pk=camera_id, session_id=session_id, session_key=phone_session_key, used_at__isnull=False,
        revoked_at__isnull=True,
    ).first()
    if camera is None or _class_over(camera.session):
        return None
    return camera


def desk_participant_id(*, session_id: int) -> int | None:
    return Participant.objects.filter(session_id=session_id, role=RoomRole.DESK).values_list("pk", flat=True).first()
