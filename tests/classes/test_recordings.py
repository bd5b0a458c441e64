"""Class recordings: the teacher's browser's chunks, joining them at 下课, the video server's
file, keeping and the retention sweep (services), and who may upload and watch (views)."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone, translation

from classes.models import ClassSession, Learner, Recording, RecordingStatus
from classes.models.recordings import RECORDING_FILES
from classes.recordings import services
from classes.recordings.services import WEBM_MAGIC

pytestmark = pytest.mark.django_db

HEADER = WEBM_MAGIC + b"-header-"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path


@pytest.fixture
def live_session(calligraphy):
    session = ClassSession.objects.filter(course=calligraphy).first()
    ClassSession.objects.filter(pk=session.pk).update(live_started_at=timezone.now(), live_ended_at=None)
    session.refresh_from_db()
    return session


@pytest.fixture
def recording(live_session):
    return services.recording_start(session=live_session)


def store(session, part, seq, data, elapsed_ms=0):
    return services.recording_chunk_store(session=session, part_key=part, seq=seq, data=data, elapsed_ms=elapsed_ms)


def ready_recording(session, data=HEADER + b"video"):
    services.recording_start(session=session)
    store(session, "only", 0, data, elapsed_ms=4000)
    return services.recording_stop(session=session)


def test_a_retried_chunk_is_stored_once(live_session, recording):
    first, created = store(live_session, "a", 0, HEADER)
    again, created_again = store(live_session, "a", 0, HEADER)
    assert (created, created_again, again.pk) == (True, False, first.pk)
    assert recording.parts.get().chunks.count() == 1


def test_at_class_end_each_parts_chunks_join_in_order_and_the_parts_play_in_order(live_session, recording):
    store(live_session, "first", 0, HEADER + b"1")
    store(live_session, "first", 2, b"3", elapsed_ms=12_000)  # a later chunk can arrive before a retried one
    store(live_session, "first", 1, b"2", elapsed_ms=8_000)
    store(live_session, "reloaded", 0, HEADER + b"again", elapsed_ms=4_000)

    ready = services.recording_stop(session=live_session)

    files = [RECORDING_FILES.open(part.file.name).read() for part in ready.parts.order_by("number")]
    assert files == [HEADER + b"123", HEADER + b"again"]
    assert (ready.status, ready.size_bytes, ready.duration_seconds) == (RecordingStatus.READY, sum(map(len, files)), 16)
    assert ready.keep_until == timezone.localdate() + timedelta(days=30)
    assert not any(Path(RECORDING_FILES.location, "recording-chunks").iterdir())


@pytest.mark.parametrize("situation, words", [
    ("not_live", "The class is not on now, so nothing is being recorded."),
    ("not_recording", "Recording is off for this class."),
    ("too_large", "That is too large to send here."),
    ("not_webm", "That is not a WebM video."),
    ("part_unknown", "This part of the recording has not begun: send its first piece first."),
])
def test_a_chunk_is_refused_in_words(live_session, situation, words):
    data, seq = HEADER, 0
    if situation != "not_recording":
        services.recording_start(session=live_session)
    if situation == "not_live":
        ClassSession.objects.filter(pk=live_session.pk).update(live_ended_at=timezone.now())
        live_session.refresh_from_db()
    elif situation == "too_large":
        data = HEADER + bytes(services.RECORDING_CHUNK_MAX_BYTES)
    elif situation == "not_webm":
        data = b"<html>not a video"
    elif situation == "part_unknown":
        seq = 3
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        store(live_session, "a", seq, data)
    assert refused.value.code == situation
    assert refused.value.messages[0].startswith(words)


def test_the_video_servers_file_makes_its_stopped_recording_ready(live_session, tmp_path):
    services.recording_start(session=live_session, made_by="janus")
    stopped = services.recording_stop(session=live_session)
    built = tmp_path / "built.webm"
    built.write_bytes(HEADER + b"janus")

    ready = services.recording_file_attach(recording=stopped, path=built)

    assert ready.status == RecordingStatus.READY
    assert RECORDING_FILES.open(ready.parts.get().file.name).read() == HEADER + b"janus"
    assert not built.exists()


def test_the_sweep_deletes_expired_recordings_nobody_kept_with_their_files(live_session):
    expired = ready_recording(live_session)
    kept = ready_recording(live_session)
    services.recording_keep_set(recording=kept, kept=True)
    fresh = ready_recording(live_session)
    expired_file = expired.parts.get().file.name
    Recording.objects.filter(pk__in=[expired.pk, kept.pk]).update(keep_until=timezone.localdate() - timedelta(days=1))

    assert services.sweep_recordings.call() == 1

    assert Recording.objects.get(pk=expired.pk).removed_at is not None
    assert not RECORDING_FILES.exists(expired_file)
    assert Recording.objects.filter(pk__in=[kept.pk, fresh.pk], removed_at__isnull=True).count() == 2


# ---------------------------------------------------------------- views


def test_only_the_courses_teacher_may_upload_a_chunk(client, live_session, recording, open_link, calligraphy):
    open_link(calligraphy, learner=Learner.objects.get(phone="13800138001"))
    response = client.post(f"/class/{live_session.pk}/recording/chunk/?part=a&seq=0&t=0", HEADER,
                           content_type="video/webm")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    teacher = Client()
    teacher.login(username="teacher_wang", password="demo-teacher")
    response = teacher.post(f"/class/{live_session.pk}/recording/chunk/?part=a&seq=0&t=0", HEADER,
                           content_type="video/webm")
    assert response.json() == {"ok": True, "stored": True}


@pytest.mark.parametrize("who, status", [("enrolled learner", 200), ("another course's learner", 404),
                                         ("nobody signed in", 404)])
def test_only_the_courses_people_may_fetch_a_recording(client, live_session, open_link, who, status):
    part = ready_recording(live_session).parts.get()
    if who == "enrolled learner":
        open_link(live_session.course, learner=Learner.objects.get(phone="13800138001"))
    elif who == "another course's learner":
        painting = ClassSession.objects.filter(course__slug="chinese-painting").first().course
        learner = Learner.objects.filter(enrolments__course=painting).exclude(enrolments__course=live_session.course)\
            .first()
        open_link(painting, learner=learner)
    assert client.get(part.file.url).status_code == status


def test_a_recording_is_served_by_byte_range_and_never_cached(client, live_session, open_link):
    part = ready_recording(live_session, data=HEADER + b"0123456789").parts.get()
    open_link(live_session.course, learner=Learner.objects.get(phone="13800138001"))

    response = client.get(part.file.url, HTTP_RANGE="bytes=4-9")

    assert response.status_code == 206
    assert b"".join(response.streaming_content) == (HEADER + b"0123456789")[4:10]
    assert response["Content-Range"] == f"bytes 4-9/{len(HEADER) + 10}"
    assert response["Cache-Control"] == "private, no-store"


def test_a_learner_cannot_delete_a_recording_and_its_teacher_can(client, live_session, open_link):
    recording = ready_recording(live_session)
    open_link(live_session.course, learner=Learner.objects.get(phone="13800138001"))
    assert client.post(f"/replay/{recording.pk}/delete/", {"confirmed": "yes"}).status_code == 404
    teacher = Client()
    teacher.login(username="teacher_wang", password="demo-teacher")

    teacher.post(f"/replay/{recording.pk}/delete/", {"confirmed": "yes"})

    assert Recording.objects.get(pk=recording.pk).removed_at is not None


def test_the_teacher_keeps_a_recording_beyond_the_usual_days(live_session):
    recording = ready_recording(live_session)
    teacher = Client()
    teacher.login(username="teacher_wang", password="demo-teacher")

    teacher.post(f"/replay/{recording.pk}/keep/", {"keep": "yes"})

    assert Recording.objects.get(pk=recording.pk).kept is True


def test_the_coordinator_reads_each_recording_with_its_size(client, live_session):
    ready_recording(live_session, data=HEADER + bytes(2 * 1024 * 1024))
    client.login(username="coordinator", password="demo-coordinator")

    page = client.get("/admin/snippets/classes/recording/").content.decode()

    assert "2.0\xa0MB" in page


@pytest.mark.parametrize("by_default", [True, False])
def test_the_record_choice_starts_ticked_where_the_coordinator_set_the_course_so(client, live_session, by_default):
    live_session.course.record_by_default = by_default
    live_session.course.save()
    client.login(username="teacher_wang", password="demo-teacher")

    page = client.get(f"/class/{live_session.pk}/").content.decode()

    assert ('id="record-choice" checked' in page) is by_default
