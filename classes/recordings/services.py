"""Recordings, written: starting and stopping, storing the teacher's browser's chunks,
joining them at 下课, attaching the video server's file, keeping and deleting, and the
retention sweep the notifications worker runs (`manage.py db_worker --backend notifications`).

The embedded recorder (static/js/classroom-recorder.js) uploads a part's chunks in order,
each retried until stored. A chunk is idempotent by (recording, part, seq): a retry of one
already stored stores nothing new. A part begins with its first chunk, the only one that
starts with WebM's header, so every part's file is a WebM a browser plays.
"""

import logging
import shutil
import subprocess
import tempfile
from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from classes.models import (
    ClassSession, Recording, RecordingChunk, RecordingMaker, RecordingPart, RecordingStatus,
)
from classes.models.recordings import RECORDING_FILES
from classes.recordings.selectors import recording_keep_days, recording_parts, recording_running
from core.bodies import too_large_words
from core.private_media import PrivateName

logger = logging.getLogger(__name__)

# A chunk is a few seconds of video (CHUNK_MS in classroom-recorder.js, 4 s): about 1 MB of
# camera at 2 Mbit/s, a few MB of a busy shared screen. 8 MB is twice the worst of those.
RECORDING_CHUNK_MAX_BYTES = 8 * 1024 * 1024
# Every WebM (Matroska) file begins with the EBML header's id.
WEBM_MAGIC = b"\x1a\x45\xdf\xa3"
# The recorder's own name for a part: letters, digits and dashes, as crypto.randomUUID() makes.
PART_KEY_MAX = 40
# ffmpeg copies the streams (no re-encoding): an hour of class takes seconds. Past this, something is wrong.
FFMPEG_TIMEOUT_S = 15 * 60


def _refuse(code: str, message: str):
    raise ValidationError(message, code=code)


def _is_live(session: ClassSession) -> bool:
    return session.live_started_at is not None and session.live_ended_at is None


# ---------------------------------------------------------------- starting and stopping


def recording_start(*, session: ClassSession, made_by: str = RecordingMaker.BROWSER) -> Recording:
    """Begin recording the class (the teacher ticked 录像); the one already running if there is one."""
    running = recording_running(session=session)
    if running is not None:
        return running
    try:
        with transaction.atomic():
            return Recording.objects.create(session=session, made_by=made_by)
    except IntegrityError:  # two starts at once: the other one won
        return recording_running(session=session)


def recording_stop(*, session: ClassSession) -> Recording | None:
    """Stop recording (the teacher's 停止录像, or 下课): the chunks become playable files.
    The recording being made, now ready or failed; None if none was running."""
    with transaction.atomic():
        recording = Recording.objects.select_for_update().filter(
            session=session, status=RecordingStatus.RECORDING).first()
        if recording is None:
            return None
        recording.status = RecordingStatus.PROCESSING
        recording.save(update_fields=["status"])
    if recording.made_by == RecordingMaker.JANUS:
        return recording  # the video server's file arrives later (recording_file_attach)
    return recording_join(recording=recording)


# ---------------------------------------------------------------- the browser's chunks


def recording_chunk_store(
    *, session: ClassSession, part_key: str, seq: int, data: bytes, elapsed_ms: int = 0,
) -> tuple[RecordingChunk, bool]:
    """Store one chunk of the running recording; (chunk, False) if it was stored before.
    ValidationError, in words, for a class not on, no recording, a chunk too large, or a
    part that does not begin as WebM."""
    if not _is_live(session):
        _refuse("not_live", _("The class is not on now, so nothing is being recorded."))
    recording = recording_running(session=session)
    if recording is None or recording.made_by != RecordingMaker.BROWSER:
        _refuse("not_recording", _("Recording is off for this class."))
    if not (isinstance(part_key, str) and 0 < len(part_key) <= PART_KEY_MAX
            and part_key.replace("-", "").isascii() and part_key.replace("-", "").isalnum()):
        _refuse("bad_field", _("That could not be read."))
    if len(data) > RECORDING_CHUNK_MAX_BYTES:
        _refuse("too_large", too_large_words(max_bytes=RECORDING_CHUNK_MAX_BYTES))
    if not data:
        _refuse("empty", _("That piece of the recording was empty."))
    part = RecordingPart.objects.filter(recording=recording, key=part_key).first()
    if part is not None:
        existing = RecordingChunk.objects.filter(part=part, seq=seq).first()
        if existing is not None:
            return existing, False
    elif seq != 0:
        _refuse("part_unknown", _("This part of the recording has not begun: send its first piece first."))
    if seq == 0 and not data.startswith(WEBM_MAGIC):
        # Only a part's first chunk carries the header; the rest continue it.
        _refuse("not_webm", _("That is not a WebM video."))
    chunk = None
    try:
        with transaction.atomic():
            if part is None:
                part = _part_create(recording=recording, key=part_key)
            chunk = RecordingChunk(part=part, seq=seq, size_bytes=len(data))
            chunk.file.save(f"{seq}.webm", ContentFile(data), save=False)
            chunk.save()
            RecordingPart.objects.filter(pk=part.pk, duration_ms__lt=elapsed_ms).update(duration_ms=elapsed_ms)
    except IntegrityError:  # the same chunk twice at once: the other one was stored
        if chunk is not None and chunk.file.name:
            RECORDING_FILES.delete(chunk.file.name)
        stored = RecordingChunk.objects.filter(part__recording=recording, part__key=part_key, seq=seq).first()
        if stored is None:
            _refuse("busy", _("Please send that piece again."))
        return stored, False
    return chunk, True


def _part_create(*, recording: Recording, key: str) -> RecordingPart:
    # The recording's row is locked, so two recorders starting at once take two numbers.
    Recording.objects.select_for_update().filter(pk=recording.pk).first()
    number = (recording.parts.aggregate(n=Max("number"))["n"] or 0) + 1
    return RecordingPart.objects.create(recording=recording, key=key, number=number)


# ---------------------------------------------------------------- 下课: the parts become files


def recording_join(*, recording: Recording) -> Recording:
    """Each part's chunks, in order, become one WebM file (a MediaRecorder's chunks are one
    stream cut in pieces, so joining them byte by byte makes the whole). The recording is
    then ready to watch, or failed if nothing came. With ffmpeg installed the worker later
    joins the parts into one file that says its length (recording_polish)."""
    for part in recording.parts.filter(file=""):
        chunks = list(part.chunks.order_by("seq"))
        if not chunks:
            part.delete()
            continue
        name = PrivateName("recordings")(part, "part.webm")
        target = Path(RECORDING_FILES.path(name))
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as out:
            for chunk in chunks:
                with RECORDING_FILES.open(chunk.file.name, "rb") as piece:
                    shutil.copyfileobj(piece, out)
        part.file.name = name
        part.size_bytes = target.stat().st_size
        part.save(update_fields=["file", "size_bytes"])
        for chunk in chunks:
            RECORDING_FILES.delete(chunk.file.name)
        part.chunks.all().delete()
    ready = _recording_ready(recording=recording)
    if ready.status == RecordingStatus.READY and shutil.which("ffmpeg") and len(recording_parts(recording=ready)) > 1:
        transaction.on_commit(lambda: polish_recording.enqueue(recording_id=ready.pk))
    return ready


def _recording_ready(*, recording: Recording) -> Recording:
    """Count the recording's files: ready to watch (and kept for the centre's time), or failed."""
    totals = recording.parts.exclude(file="").aggregate(size=Sum("size_bytes"), ms=Sum("duration_ms"))
    if not totals["size"]:
        recording.status = RecordingStatus.FAILED
        recording.size_bytes = 0
    else:
        recording.status = RecordingStatus.READY
        recording.size_bytes = totals["size"]
        if totals["ms"]:
            recording.duration_seconds = round(totals["ms"] / 1000)
        if recording.keep_until is None:
            recording.keep_until = timezone.localdate() + timedelta(days=recording_keep_days())
    recording.save(update_fields=["status", "size_bytes", "duration_seconds", "keep_until"])
    if recording.status == RecordingStatus.READY:
        run_after = _day_after(recording.keep_until)
        transaction.on_commit(lambda: recordings_sweep_later(run_after=run_after))
    return recording


def recording_file_attach(
    *, recording: Recording, path: str | Path, made_by: str = RecordingMaker.JANUS,
    duration_seconds: int | None = None,
) -> Recording:
    """A finished, web-playable file (the video server's recording after janus-pp-rec and
    ffmpeg) becomes the recording's next part; the recording is then ready. The file at
    `path` is moved into private storage."""
    source = Path(path)
    with transaction.atomic():
        locked = Recording.objects.select_for_update().get(pk=recording.pk)
        number = (locked.parts.aggregate(n=Max("number"))["n"] or 0) + 1
        part = RecordingPart(recording=locked, key=f"{made_by}-{number}", number=number,
                             size_bytes=source.stat().st_size,
                             duration_ms=(duration_seconds or 0) * 1000)
        name = PrivateName("recordings")(part, source.name if source.suffix else "recording.webm")
        target = Path(RECORDING_FILES.path(name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(source), target)
        part.file.name = name
        part.save()
        locked.made_by = made_by
        if locked.status != RecordingStatus.RECORDING:
            locked.save(update_fields=["made_by"])
            return _recording_ready(recording=locked)
        locked.save(update_fields=["made_by"])
        return locked


def recording_fail(*, recording: Recording, reason: str) -> Recording:
    """The recording could not be made (the video server's files would not convert): it is
    offered to nobody, and the coordinators' list says why, in words."""
    recording.status = RecordingStatus.FAILED
    recording.problem = reason[:300]
    recording.save(update_fields=["status", "problem"])
    return recording


def recording_polish(*, recording: Recording) -> bool:
    """Join a recording's parts into one file with ffmpeg (streams copied, not re-encoded),
    which also writes the length and the index a player seeks by. False, changing nothing,
    without ffmpeg or when it fails: the parts still play one after another."""
    ffmpeg = shutil.which("ffmpeg")
    parts = recording_parts(recording=recording)
    if ffmpeg is None or not parts:
        return False
    name = PrivateName("recordings")(recording, "joined.webm")
    target = Path(RECORDING_FILES.path(name))
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as listing:
        for part in parts:
            listing.write("file '%s'\n" % RECORDING_FILES.path(part.file.name).replace("'", r"'\''"))
    try:
        done = subprocess.run(
            [ffmpeg, "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", listing.name, "-c", "copy", str(target)],
            capture_output=True, timeout=FFMPEG_TIMEOUT_S, check=False,
        )
    except subprocess.TimeoutExpired:
        done = None
    finally:
        Path(listing.name).unlink(missing_ok=True)
    if done is None or done.returncode != 0 or not target.exists() or not target.stat().st_size:
        logger.warning("ffmpeg could not join recording %s: %s", recording.pk,
                       done.stderr.decode(errors="replace")[-500:] if done else "timed out")
        target.unlink(missing_ok=True)
        return False
    old = [part.file.name for part in parts]
    with transaction.atomic():
        total_ms = sum(part.duration_ms for part in parts)
        number = max(part.number for part in parts) + 1
        RecordingPart.objects.filter(pk__in=[part.pk for part in parts]).delete()
        RecordingPart.objects.create(recording=recording, key=f"joined-{number}", number=number, file=name,
                                     size_bytes=target.stat().st_size, duration_ms=total_ms)
        Recording.objects.filter(pk=recording.pk).update(size_bytes=target.stat().st_size)
    for old_name in old:
        RECORDING_FILES.delete(old_name)
    return True


@task(backend="notifications")
def polish_recording(recording_id: int) -> bool:
    recording = Recording.objects.filter(pk=recording_id, status=RecordingStatus.READY, removed_at__isnull=True).first()
    return recording is not None and recording_polish(recording=recording)


# ---------------------------------------------------------------- keeping and deleting


def recording_remove(*, recording: Recording) -> None:
    """Delete the recording's files; the row stays, marked deleted, so the coordinators'
    list says what became of it."""
    names = [p.file.name for p in recording.parts.exclude(file="")]
    names += [c.file.name for c in RecordingChunk.objects.filter(part__recording=recording)]
    with transaction.atomic():
        recording.parts.all().delete()
        recording.removed_at = timezone.now()
        recording.size_bytes = 0
        if recording.status == RecordingStatus.RECORDING:
            recording.status = RecordingStatus.FAILED
        recording.save(update_fields=["removed_at", "size_bytes", "status"])
    for name in names:
        RECORDING_FILES.delete(name)


def recording_keep_set(*, recording: Recording, kept: bool) -> Recording:
    """一直保留 (kept), or 按期删除: deleted the centre's usual number of days from now."""
    recording.kept = kept
    fields = ["kept"]
    if not kept:
        recording.keep_until = timezone.localdate() + timedelta(days=recording_keep_days())
        fields.append("keep_until")
        run_after = _day_after(recording.keep_until)
        transaction.on_commit(lambda: recordings_sweep_later(run_after=run_after))
    recording.save(update_fields=fields)
    return recording


def recordings_sweep(*, today: date | None = None) -> int:
    """Delete every recording past its day that nobody chose to keep, with its files. Returns how many."""
    today = today or timezone.localdate()
    expired = Recording.objects.filter(removed_at__isnull=True, kept=False, keep_until__lt=today)
    count = 0
    for recording in expired:
        recording_remove(recording=recording)
        count += 1
    return count


@task(backend="notifications")  # the platform's one task worker, as the reminders
def sweep_recordings() -> int:
    return recordings_sweep()


def recordings_sweep_later(*, run_after: datetime) -> None:
    """Wake the worker when a recording's time is up; a sweep deletes all that are due, so extra wake-ups are harmless."""
    sweep_recordings.using(run_after=run_after).enqueue()


def _day_after(day: date) -> datetime:
    """The first moment a recording kept until `day` may go: the next midnight, in the centre's time."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
