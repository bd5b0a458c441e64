"""A class Janus recorded, made into one video a browser plays (docs/realtime.md, "SFU mode").

While a recorded class runs, Janus's VideoRoom writes each publisher's streams as raw RTP
files (.mjr) into the class's folder under RECORDINGS_DIR (classes/live/sfu.py, room_ensure).
After 下课 the worker turns them into one WebM (VP8 + Opus): janus-pp-rec (Debian's
janus-tools) unpacks each .mjr into a plain media file, then ffmpeg lays them out on one
timeline — the desk view large with the teacher small in a corner while there is a desk view,
else the teacher's video; every voice mixed in at the moment it was heard.

Only the teacher's and the desk's video are ever used: a learner's page publishes a
microphone only, and if a page sent video anyway, its file is left out here (and deleted
with the rest). A learner's voice is there only while they were allowed to speak: the server
removes from the room whoever publishes without that leave (media.py, media_enforce).
"""

import json
import logging
import re
import shutil
import subprocess
import time
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from classes.live import sfu
from classes.models import ClassSession, Participant, Recording, RecordingMaker, RecordingStatus, RoomRole
from classes.recordings.selectors import recording_keep_days, recording_running, recording_to_process
from classes.recordings.services import recording_fail, recording_file_attach

logger = logging.getLogger(__name__)

# What janus-pp-rec writes for each codec Janus may record (VideoRoom's defaults are VP8 and
# Opus; the others only if a room asks for them).
EXTENSIONS = {"vp8": ".webm", "vp9": ".webm", "av1": ".webm", "h264": ".mp4", "h265": ".mp4",
              "opus": ".opus", "g722": ".wav", "pcmu": ".wav", "pcma": ".wav"}
# The VideoRoom's own names: videoroom-<room>-user-<feed>-<µs>-<audio|video|data>-<m-index>.mjr
MJR_NAME = re.compile(r"^videoroom-(?P<room>\d+)-user-(?P<feed>\d+)-(?P<created>\d+)-(?P<kind>audio|video)-\d+\.mjr$")
MJR_MAGIC = b"MJR00002"
# The picture: 720p holds a teacher's writing legibly and plays on an old laptop.
WIDTH, HEIGHT, FPS = 1280, 720, 25
# The teacher's picture over the desk view: a quarter of the width, a margin from the corner.
INSET_WIDTH, INSET_HEIGHT, INSET_MARGIN = 320, 180, 24
# A keyframe every 2 s: the replay's ±10 s buttons land on a picture at once.
KEYFRAME_EVERY = 2 * FPS
VIDEO_BITRATE = "1200k"  # the room's own cap (sfu.py): nothing is lost, nothing is padded
AUDIO_BITRATE = "64k"
# janus-pp-rec copies packets, seconds even for an hour's file.
UNPACK_TIMEOUT_S = 600
# ffmpeg encodes about as fast as the class ran on one core (-deadline realtime); twice the
# class's length, and never under 5 minutes, is room for a busy worker.
ENCODE_TIMEOUT_FACTOR = 2
ENCODE_TIMEOUT_MIN_S = 300
PROBE_TIMEOUT_S = 60


class RecordingBuildError(Exception):
    """The files could not be made into a video; str() says why, in words for the coordinator."""


@dataclass(frozen=True)
class Track:
    """One stream of one publisher, as Janus recorded it."""

    path: Path
    feed: int
    kind: str          # "audio" or "video"
    codec: str
    started_us: int    # when its first packet was written (Janus's clock, µs since the epoch)


def mjr_header(path: Path) -> dict | None:
    """The JSON header Janus writes with a stream's first packet; None if no packet ever came
    (or it is not an .mjr file Janus 1.x writes)."""
    with open(path, "rb") as handle:
        if handle.read(len(MJR_MAGIC)) != MJR_MAGIC:
            return None
        size = handle.read(2)
        if len(size) < 2:
            return None
        try:
            header = json.loads(handle.read(int.from_bytes(size, "big")))
        except ValueError:
            return None
    return header if isinstance(header, dict) else None


def mjr_tracks(rec_dir: Path) -> list[Track]:
    """The audio and video streams recorded in the folder, in the order they started."""
    tracks = []
    for path in sorted(rec_dir.glob("*.mjr")):
        name, header = MJR_NAME.match(path.name), mjr_header(path)
        if not name or not header or header.get("t") not in ("a", "v") or "u" not in header:
            continue
        tracks.append(Track(path=path, feed=int(name["feed"]), kind=name["kind"],
                            codec=str(header.get("c", "")).lower(), started_us=int(header["u"])))
    return sorted(tracks, key=lambda t: t.started_us)


def _run(command: list[str], *, timeout_s: float) -> str:
    """Run a tool; its output. RecordingBuildError, in words, if it is missing, fails or hangs."""
    tool = command[0]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s, check=False)
    except FileNotFoundError as error:
        raise RecordingBuildError(
            _("The recording could not be made into a video: %(tool)s is not installed on the server.")
            % {"tool": tool}) from error
    except subprocess.TimeoutExpired as error:
        raise RecordingBuildError(
            _("The recording could not be made into a video: %(tool)s took longer than %(minutes)s minutes.")
            % {"tool": tool, "minutes": max(1, round(timeout_s / 60))}) from error
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [""])[-1][:200]
        raise RecordingBuildError(
            _("The recording could not be made into a video: %(tool)s failed (%(detail)s).")
            % {"tool": tool, "detail": last or done.returncode})
    return done.stdout


def _tool(name: str) -> str:
    """The tool's path, or RecordingBuildError naming it (never a crash in the worker)."""
    found = shutil.which(name)
    if not found:
        raise RecordingBuildError(
            _("The recording could not be made into a video: %(tool)s is not installed on the server.")
            % {"tool": name})
    return found


def _duration_s(path: Path, ffprobe: str) -> float:
    out = _run([ffprobe, "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)],
               timeout_s=PROBE_TIMEOUT_S)
    try:
        return float(out.strip())
    except ValueError:
        return 0.0


@dataclass(frozen=True)
class Piece:
    """A stream unpacked into a media file, placed on the class's timeline."""

    path: Path
    feed: int
    kind: str
    offset_s: float
    duration_s: float

    @property
    def end_s(self) -> float:
        return self.offset_s + self.duration_s


def _fit(label_in: str, label_out: str, width: int, height: int, offset_s: float) -> str:
    """Scale a picture into width×height (bars, never cropped) and move it to its moment."""
    return (f"[{label_in}]scale={width}:{height}:force_original_aspect_ratio=decrease,"
            f"pad={width}:{height}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps={FPS},"
            f"setpts=PTS-STARTPTS+{offset_s:.3f}/TB[{label_out}]")


def filter_graph(pieces: list[Piece], *, teacher_feeds: Collection[int], desk_feeds: Collection[int],
                 duration_s: float) -> tuple[str, bool]:
    """ffmpeg's -filter_complex for the pieces (input i is pieces[i]): [v] the picture, [a] the
    sound. Returns it, and whether there is sound at all."""
    parts = [f"color=c=black:s={WIDTH}x{HEIGHT}:r={FPS}:d={duration_s:.3f},format=yuv420p[base]"]
    teacher = [(i, p) for i, p in enumerate(pieces) if p.kind == "video" and p.feed in teacher_feeds]
    desk = [(i, p) for i, p in enumerate(pieces) if p.kind == "video" and p.feed in desk_feeds]
    layer = "base"

    def overlay(source: str, where: str = "0:0", enable: str = "") -> None:
        nonlocal layer
        out = f"l{len(parts)}"
        option = f":enable='{enable}'" if enable else ""
        parts.append(f"[{layer}][{source}]overlay={where}:eof_action=pass:repeatlast=0{option}[{out}]")
        layer = out

    # The teacher large; the desk view over it while the phone sent one, with the teacher
    # small in the corner only then (each teacher piece is split for the two sizes).
    for i, piece in teacher:
        if desk:
            parts.append(f"[{i}:v]split[t{i}big][t{i}small]")
            parts.append(_fit(f"t{i}big", f"tb{i}", WIDTH, HEIGHT, piece.offset_s))
        else:
            parts.append(_fit(f"{i}:v", f"tb{i}", WIDTH, HEIGHT, piece.offset_s))
        overlay(f"tb{i}")
    for i, piece in desk:
        parts.append(_fit(f"{i}:v", f"d{i}", WIDTH, HEIGHT, piece.offset_s))
        overlay(f"d{i}")
    if desk:
        while_desk = "+".join(f"between(t,{p.offset_s:.3f},{p.end_s:.3f})" for _, p in desk)
        for i, piece in teacher:
            parts.append(_fit(f"t{i}small", f"ts{i}", INSET_WIDTH, INSET_HEIGHT, piece.offset_s))
            overlay(f"ts{i}", f"{WIDTH - INSET_WIDTH - INSET_MARGIN}:{HEIGHT - INSET_HEIGHT - INSET_MARGIN}",
                    while_desk)
    parts.append(f"[{layer}]null[v]")
    voices = [(i, p) for i, p in enumerate(pieces) if p.kind == "audio"]
    for i, piece in voices:
        parts.append(f"[{i}:a]aresample=48000,adelay={round(piece.offset_s * 1000)}:all=1[a{i}]")
    if voices:
        # normalize=0: a voice keeps its loudness however many others were recorded.
        parts.append("".join(f"[a{i}]" for i, _ in voices)
                     + f"amix=inputs={len(voices)}:duration=longest:normalize=0[a]")
    return ";".join(parts), bool(voices)


def janus_recording_build(*, rec_dir: Path, out: Path, teacher_feeds: Collection[int],
                          desk_feeds: Collection[int] = ()) -> Path:
    """Make the class's .mjr files in rec_dir into one WebM at `out`; returns `out`.
    teacher_feeds and desk_feeds are the Janus feed ids whose video is shown; every other
    feed's video is left out. RecordingBuildError, in words, when it cannot."""
    pp_rec, ffmpeg, ffprobe = _tool("janus-pp-rec"), _tool("ffmpeg"), _tool("ffprobe")
    shown = set(teacher_feeds) | set(desk_feeds)
    tracks = [t for t in mjr_tracks(rec_dir) if t.kind == "audio" or t.feed in shown]
    tracks = [t for t in tracks if t.codec in EXTENSIONS]
    if not tracks:
        raise RecordingBuildError(_("Nothing was recorded: no picture or sound reached the video server."))
    work = rec_dir / "unpacked"
    work.mkdir(exist_ok=True)
    first_us = tracks[0].started_us
    pieces = []
    for track in tracks:
        unpacked = work / (track.path.stem + EXTENSIONS[track.codec])
        _run([pp_rec, "--disable-colors", "--debug-level=2", str(track.path), str(unpacked)],
             timeout_s=UNPACK_TIMEOUT_S)
        if not unpacked.exists() or unpacked.stat().st_size == 0:
            continue  # a stream with no usable packet (e.g. a camera that never sent a keyframe)
        duration = _duration_s(unpacked, ffprobe)
        if duration > 0:
            pieces.append(Piece(path=unpacked, feed=track.feed, kind=track.kind,
                                offset_s=(track.started_us - first_us) / 1e6, duration_s=duration))
    if not pieces:
        raise RecordingBuildError(_("Nothing was recorded: no picture or sound reached the video server."))
    duration_s = max(p.end_s for p in pieces)
    graph, has_sound = filter_graph(pieces, teacher_feeds=set(teacher_feeds), desk_feeds=set(desk_feeds),
                                    duration_s=duration_s)
    command = [ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
    for piece in pieces:
        command += ["-i", str(piece.path)]
    command += ["-filter_complex", graph, "-map", "[v]"]
    if has_sound:
        command += ["-map", "[a]", "-c:a", "libopus", "-b:a", AUDIO_BITRATE]
    partial = out.with_name(out.name + ".part")
    out.parent.mkdir(parents=True, exist_ok=True)
    command += ["-c:v", "libvpx", "-b:v", VIDEO_BITRATE, "-deadline", "realtime", "-cpu-used", "8",
                "-g", str(KEYFRAME_EVERY), "-t", f"{duration_s:.3f}", "-f", "webm", str(partial)]
    try:
        _run(command, timeout_s=max(ENCODE_TIMEOUT_MIN_S, ENCODE_TIMEOUT_FACTOR * duration_s))
        partial.replace(out)  # never a half-written file under the final name
    finally:
        partial.unlink(missing_ok=True)
        shutil.rmtree(work, ignore_errors=True)
    return out


def media_duration_s(path: Path) -> float:
    """A media file's length in seconds (0 if ffprobe cannot tell)."""
    return _duration_s(path, _tool("ffprobe"))


# ---------------------------------------------------------------- the class's recording


def recording_dir(*, recording_id: int) -> Path:
    """Where Janus writes one recording's raw files: a folder of its own, so a recording
    started again in the same class never mixes with the one being processed."""
    return Path(settings.RECORDINGS_DIR) / str(recording_id)


def recording_rec_dir(*, session: ClassSession) -> str | None:
    """The folder Janus records this class into now; None if the video server is not recording it."""
    recording = recording_running(session=session)
    if recording is None or recording.made_by != RecordingMaker.JANUS:
        return None
    return str(recording_dir(recording_id=recording.pk))


def recording_process_later(*, session: ClassSession) -> None:
    """Have the worker process the class's stopped Janus recording, if there is one."""
    recording = recording_to_process(session=session)
    if recording is not None:
        transaction.on_commit(lambda: process_janus_recording.enqueue(recording.pk))


def recording_process(*, recording: Recording) -> Recording:
    """Make the recording's raw files into its video and attach it, or mark it failed with the
    reason in words. The raw files are deleted once the video is made; after a failure they
    stay for the keeping time (someone may rescue them by hand), then raw_recordings_sweep goes."""
    rec_dir = recording_dir(recording_id=recording.pk)
    feeds = dict(Participant.objects.filter(session=recording.session, role__in=[RoomRole.TEACHER, RoomRole.DESK])
                 .values_list("pk", "role"))
    out = rec_dir.parent / f"{recording.pk}.webm"
    with translation.override(settings.LANGUAGE_CODE):  # the reason is read by the coordinator
        try:
            if not rec_dir.is_dir():
                raise RecordingBuildError(_("Nothing was recorded: no picture or sound reached the video server."))
            janus_recording_build(
                rec_dir=rec_dir, out=out,
                teacher_feeds={sfu.participant_feed(participant_id=pk) for pk, role in feeds.items()
                               if role == RoomRole.TEACHER},
                desk_feeds={sfu.participant_feed(participant_id=pk) for pk, role in feeds.items()
                            if role == RoomRole.DESK})
            duration = round(media_duration_s(out))
        except RecordingBuildError as error:
            logger.warning("Recording %s could not be made: %s", recording.pk, error)
            out.unlink(missing_ok=True)
            return recording_fail(recording=recording, reason=str(error))
    done = recording_file_attach(recording=recording, path=out, made_by=RecordingMaker.JANUS,
                                 duration_seconds=duration)
    shutil.rmtree(rec_dir, ignore_errors=True)
    return done


def raw_recordings_sweep(*, now: float | None = None) -> int:
    """Delete raw folders older than the keeping time (left by a recording that failed, or
    by a page that asked Janus to record itself). Returns how many went."""
    root = Path(settings.RECORDINGS_DIR)
    if not root.is_dir():
        return 0
    oldest = (now or time.time()) - recording_keep_days() * 24 * 3600
    gone = 0
    for folder in root.iterdir():
        if folder.is_dir() and folder.stat().st_mtime < oldest:
            shutil.rmtree(folder, ignore_errors=True)
            gone += 1
    return gone


@task(backend="notifications")  # the platform's one task worker (make run starts it)
def process_janus_recording(recording_id: int) -> str:
    """After 下课 (or the teacher's 停止录像): the video server's recording, made watchable."""
    recording = Recording.objects.filter(pk=recording_id, status=RecordingStatus.PROCESSING).first()
    status = recording_process(recording=recording).status if recording else "gone"
    raw_recordings_sweep()
    return status
