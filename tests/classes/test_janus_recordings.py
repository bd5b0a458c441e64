"""A class the video server recorded, made into one video (classes/live/janus_recordings.py):
the picture's layout, the voices' moments, a failure in words; and Janus's room records only a
class being recorded (classes/live/sfu.py, on a real Janus).

The .mjr files are made as Janus writes them (tests/classes/mjr_files.py) from ffmpeg's test
picture and tones: janus-pp-rec and ffmpeg (Debian's janus-tools and ffmpeg) must be installed."""

import array
import subprocess
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync

from classes.live import janus_recordings, sfu
from classes.live.janus_recordings import WIDTH, janus_recording_build
from classes.models import ClassSession, Participant, Recording, RecordingMaker, RecordingStatus, RoomRole
from tests.classes.mjr_files import mjr_audio, mjr_name, mjr_video

T0 = 1_700_000_000_000_000  # µs: when the first stream began
SECOND = 1_000_000
TEACHER, DESK, LEARNER = 11, 12, 13  # feed ids


def _frame_rgb(video: Path, at_s: float) -> tuple[bytes, int]:
    """One frame as raw RGB bytes, and its width."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-ss", str(at_s), "-i", str(video), "-frames:v", "1",
                          "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], capture_output=True, check=True, timeout=60).stdout
    return raw, WIDTH


def _pixel(frame: tuple[bytes, int], x: int, y: int) -> tuple[int, int, int]:
    raw, width = frame
    at = (y * width + x) * 3
    return raw[at], raw[at + 1], raw[at + 2]


def _is_red(rgb) -> bool:
    return rgb[0] > 200 and rgb[1] < 60 and rgb[2] < 60


def _is_green(rgb) -> bool:
    return rgb[1] > 100 and rgb[0] < 60 and rgb[2] < 60


def _loudness(video: Path, start_s: float, end_s: float) -> float:
    """The sound's mean absolute level between two moments (0 is silence)."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(video), "-ss", str(start_s), "-to", str(end_s),
                          "-vn", "-ac", "1", "-ar", "8000", "-f", "s16le", "-"],
                         capture_output=True, check=True, timeout=60).stdout
    samples = array.array("h", raw)
    return sum(abs(s) for s in samples) / max(1, len(samples))


@pytest.fixture(scope="module")
def class_video(tmp_path_factory) -> Path:
    """A 4 s class: the teacher's camera (test picture) throughout and their voice for the
    first second; the desk view (red) from 1 s to 3 s; a learner's voice from 2 s to 3 s and
    a video the learner's page should never have sent (green)."""
    rec = tmp_path_factory.mktemp("janus-rec")
    mjr_video(rec / mjr_name(room=1, feed=TEACHER, started_us=T0, kind="video"), seconds=4, started_us=T0)
    mjr_audio(rec / mjr_name(room=1, feed=TEACHER, started_us=T0, kind="audio"), seconds=1, started_us=T0)
    desk_at = T0 + SECOND
    mjr_video(rec / mjr_name(room=1, feed=DESK, started_us=desk_at, kind="video"), seconds=2, started_us=desk_at,
              colour="color=c=red")
    learner_at = T0 + 2 * SECOND
    mjr_audio(rec / mjr_name(room=1, feed=LEARNER, started_us=learner_at, kind="audio"), seconds=1,
              started_us=learner_at, hz=880)
    mjr_video(rec / mjr_name(room=1, feed=LEARNER, started_us=learner_at, kind="video"), seconds=1,
              started_us=learner_at, colour="color=c=green")
    return janus_recording_build(rec_dir=rec, out=rec.parent / "class.webm", teacher_feeds={TEACHER},
                                 desk_feeds={DESK})


def test_the_desk_view_is_large_with_the_teacher_small_while_there_is_one(class_video):
    with_desk, after = _frame_rgb(class_video, 1.5), _frame_rgb(class_video, 3.5)
    corner = (WIDTH - 24 - 160, 720 - 24 - 90)  # the middle of the teacher's small picture
    assert _is_red(_pixel(with_desk, 640, 360)) and not _is_red(_pixel(with_desk, *corner))
    assert not _is_red(_pixel(after, 640, 360))


def test_a_learners_video_is_never_in_the_recording(class_video):
    frame = _frame_rgb(class_video, 2.5)
    beside_the_teacher = [(x, y) for x in range(0, WIDTH - 400, 40) for y in range(0, 720, 40)]
    assert not any(_is_green(_pixel(frame, x, y)) for x, y in beside_the_teacher)


def test_each_voice_is_heard_at_the_moment_it_was_recorded(class_video):
    teacher, quiet, learner = (_loudness(class_video, a, b) for a, b in ((0.2, 0.8), (1.3, 1.8), (2.2, 2.8)))
    assert teacher > 10 * (quiet + 1) and learner > 10 * (quiet + 1)


@pytest.mark.django_db
def test_without_janus_pp_rec_the_recording_fails_in_words_and_keeps_its_files(calligraphy, settings, tmp_path,
                                                                              monkeypatch):
    settings.RECORDINGS_DIR = tmp_path
    session = ClassSession.objects.filter(course=calligraphy).order_by("starts_at").first()
    recording = Recording.objects.create(session=session, made_by=RecordingMaker.JANUS,
                                         status=RecordingStatus.PROCESSING)
    raw = janus_recordings.recording_dir(recording_id=recording.pk)
    raw.mkdir()
    mjr_audio(raw / mjr_name(room=session.pk, feed=1, started_us=T0, kind="audio"), seconds=1, started_us=T0)
    monkeypatch.setenv("PATH", "/nonexistent")

    janus_recordings.process_janus_recording.call(recording.pk)

    recording.refresh_from_db()
    assert recording.status == RecordingStatus.FAILED and "janus-pp-rec" in recording.problem
    assert any(raw.glob("*.mjr"))


@pytest.mark.django_db(transaction=True)
def test_the_room_of_a_recorded_class_records_and_one_not_recorded_does_not(settings, janus_server):
    settings.JANUS_URL, settings.JANUS_PUBLIC_URL = janus_server.http_url, janus_server.ws_url
    settings.JANUS_ADMIN_KEY = janus_server.admin_key
    recorded, plain = 900_001, 900_002  # rooms of their own on the session's Janus
    rec_dir = str(janus_server.recordings_dir / "900001")
    async_to_sync(sfu.room_ensure)(session_id=recorded, description="recorded", rec_dir=rec_dir)
    async_to_sync(sfu.room_ensure)(session_id=plain, description="plain")
    try:
        rooms = {r["room"]: r for r in async_to_sync(sfu.videoroom)(
            {"request": "list", "admin_key": janus_server.admin_key})["list"]}
        assert (rooms[recorded]["record"], rooms[recorded].get("rec_dir")) == (True, rec_dir)
        assert rooms[plain]["record"] is False
    finally:
        for room in (recorded, plain):
            async_to_sync(sfu.room_destroy)(session_id=room)
