"""How a live room's video travels, decided by the server: through the SFU when it is
configured and answers, else from the teacher's browser ("embedded", docs/realtime.md).

The mode is the room's, kept on its class session, so every socket of every process
sends the same way. It is decided when the first person enters, again whenever the
teacher enters or starts the class (so a video server that came back is used from
then on), and again when the SFU stops answering someone's entry.
"""

import logging

from channels.db import database_sync_to_async
from django.conf import settings

from classes.live import janus_recordings, sfu
from classes.live.services import media_mode_set
from classes.models import ClassSession, Participant, RoomRole

logger = logging.getLogger(__name__)

SFU = "sfu"
EMBEDDED = "embedded"


async def media_decide(*, session: ClassSession) -> bool:
    """Choose the room's mode now (making the SFU's room if it is the SFU); True if it changed."""
    mode, fallback = EMBEDDED, False
    if sfu.sfu_configured():
        try:
            # A room made again while the video server records the class (Janus restarted) records too.
            await sfu.room_ensure(session_id=session.pk, description=str(session),
                                  rec_dir=await database_sync_to_async(janus_recordings.recording_rec_dir)(session=session))
            mode = SFU
        except (sfu.JanusUnavailable, sfu.JanusRefused) as error:
            logger.warning("The video server did not answer for class %s (%s): embedded mode", session.pk, error)
            fallback = True
    return await database_sync_to_async(media_mode_set)(session=session, mode=mode, fallback=fallback)


async def media_for(*, session: ClassSession, participant_id: int) -> dict:
    """What this person's page needs to send and receive video in the room's mode.
    Raises JanusUnavailable/JanusRefused if the SFU does not take their token."""
    if session.media_mode != SFU:
        return {"mode": EMBEDDED}
    token = await sfu.token_allow(session_id=session.pk, participant_id=participant_id)
    teacher = await Participant.objects.filter(session=session, role=RoomRole.TEACHER).order_by("pk")\
        .values_list("pk", flat=True).afirst()
    # The teacher's phone filming the desk publishes a feed of its own (classes/live/desk.py).
    desk = await Participant.objects.filter(session=session, role=RoomRole.DESK, removed_at__isnull=True)\
        .values_list("pk", flat=True).afirst()
    return {
        "mode": SFU, "server": settings.JANUS_PUBLIC_URL, "room": sfu.room_id(session_id=session.pk), "token": token,
        "feed": sfu.participant_feed(participant_id=participant_id),
        "teacher_feed": sfu.participant_feed(participant_id=teacher) if teacher else None,
        "desk_feed": sfu.participant_feed(participant_id=desk) if desk else None,
    }


async def media_enforce(*, session: ClassSession) -> bool:
    """Remove from the SFU whoever publishes without the server's leave. False if the SFU did not answer."""
    if session.media_mode != SFU:
        return True
    allowed = {
        sfu.participant_feed(participant_id=pk) async for pk in Participant.objects.filter(
            session=session, removed_at__isnull=True).filter(role__in=[RoomRole.TEACHER, RoomRole.DESK])
        .values_list("pk", flat=True)
    } | {
        sfu.participant_feed(participant_id=pk) async for pk in Participant.objects.filter(
            session=session, removed_at__isnull=True, may_speak=True).values_list("pk", flat=True)
    }
    try:
        kicked = await sfu.publishers_enforce(session_id=session.pk, may_publish=allowed)
    except (sfu.JanusUnavailable, sfu.JanusRefused) as error:
        logger.warning("Could not check the publishers of class %s: %s", session.pk, error)
        return False
    if kicked:
        logger.info("Removed publishers %s from class %s: no leave to speak", kicked, session.pk)
    return True


async def media_cut(*, session: ClassSession, participant_id: int) -> None:
    """End one person's SFU connection (removed, withdrawn, link revoked)."""
    if session.media_mode != SFU:
        return
    try:
        await sfu.participant_cut(session_id=session.pk, participant_id=participant_id)
    except (sfu.JanusUnavailable, sfu.JanusRefused) as error:
        logger.warning("Could not cut participant %s from class %s: %s", participant_id, session.pk, error)


async def media_recording(*, session: ClassSession) -> None:
    """The video server records the class exactly while its recording runs (after the
    teacher's 录像 or 停止录像, and at 下课): a stopped one is processed by the worker."""
    if session.media_mode != SFU:
        return
    rec_dir = await database_sync_to_async(janus_recordings.recording_rec_dir)(session=session)
    try:
        await sfu.room_recording_set(session_id=session.pk, rec_dir=rec_dir)
    except (sfu.JanusUnavailable, sfu.JanusRefused) as error:
        logger.warning("Could not %s recording class %s: %s", "start" if rec_dir else "stop", session.pk, error)
    if rec_dir is None:  # Janus has closed the files before answering
        await database_sync_to_async(janus_recordings.recording_process_later)(session=session)


async def media_close(*, session: ClassSession) -> None:
    """下课: the SFU's room goes, and with it every token of the class."""
    if session.media_mode == SFU:
        await media_recording(session=session)
        try:
            await sfu.room_destroy(session_id=session.pk)
        except (sfu.JanusUnavailable, sfu.JanusRefused) as error:
            logger.warning("Could not close the video room of class %s: %s", session.pk, error)
    await database_sync_to_async(media_mode_set)(session=session, mode="", fallback=False)
