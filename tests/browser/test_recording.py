"""A class recorded in the embedded mode (the teacher's browser records and uploads as the
class runs), 下课, and 看回放 for the course's learners only; the worker's sweep deletes an
expired recording."""

import pytest
from playwright.sync_api import expect

from tests.browser.gate import assert_accessible, save_screenshot
from tests.browser.test_live_class import end_class, enter, learner_enters, sign_in
from tests.server import manage, manage_json

COURSE = "国画兴趣班"
# Chunks of 4 s (classroom-recorder.js): two stored mean eight seconds of class to watch.
CHUNKS_RECORDED = 2
# Two browsers record, encode and upload on a busy machine: a chunk can take a while.
RECORDING_TIMEOUT_MS = 40_000
REPLAY_PLAYING = "() => window.replay && window.replay.video.currentTime > 1"


def teacher_starts_recording(new_context):
    """王老师 opens 国画兴趣班's class, ticks 录像 and starts it; their page."""
    teacher = new_context("desktop").new_page()
    sign_in(teacher, "teacher_wang", "demo-teacher")
    teacher.get_by_role("link", name=f"去教室：{COURSE}").click()
    enter(teacher)
    teacher.get_by_label("录像").check()
    teacher.get_by_role("button", name="开始上课").click()
    return teacher


@pytest.fixture
def recorded_class(new_context, join_paths):
    """国画兴趣班 is recorded while 赵建国 is in class, then ended; (teacher, learner)."""
    teacher = teacher_starts_recording(new_context)
    learner = learner_enters(new_context(), join_paths["赵建国", COURSE], COURSE)
    expect(learner.locator("#recording-sign")).to_be_visible()
    teacher.wait_for_function(f"window.classroom.recording.uploaded >= {CHUNKS_RECORDED}",
                              timeout=RECORDING_TIMEOUT_MS)
    end_class(teacher)
    expect(learner.locator("#room-status")).to_contain_text("已经下课了。")
    return teacher, learner


def open_replay(learner):
    """From 我的课程, 看回放 of the class just recorded."""
    learner.goto("/my/")
    learner.get_by_role("link", name="看回放").first.click()
    expect(learner.get_by_role("heading", level=1)).to_have_text(f"看{COURSE}的回放")


def recording_ids() -> str:
    return ("from classes.models import Recording; import json; "
            "print(json.dumps(list(Recording.objects.filter(removed_at__isnull=True).values_list('pk', flat=True))))")


def test_every_page_in_a_recorded_class_says_so_and_what_is_recorded(new_context, join_paths):
    teacher = teacher_starts_recording(new_context)
    learner = learner_enters(new_context(), join_paths["赵建国", COURSE], COURSE)

    for page in (teacher, learner):
        expect(page.locator("#recording-sign")).to_contain_text("正在录像")
    expect(learner.locator("#recording-sign")).to_contain_text("只录老师的画面和声音。老师请您说话时，您的声音也会被录下来。")


def test_a_learner_of_the_course_plays_the_class_again_after_it_ended(recorded_class):
    _teacher, learner = recorded_class
    open_replay(learner)
    expect(learner.locator("#replay-where")).to_contain_text("点“播放”开始看。")

    learner.get_by_role("button", name="播放", exact=True).click()

    learner.wait_for_function(REPLAY_PLAYING, timeout=RECORDING_TIMEOUT_MS)
    expect(learner.locator("#replay-where")).to_contain_text("正在播放。")
    learner.get_by_role("button", name="0.5×").click()
    assert learner.evaluate("window.replay.video.playbackRate") == 0.5
    expect(learner.locator("#replay-speed-words")).to_have_text("速度：0.5 倍")
    learner.get_by_role("button", name="暂停").click()
    paused_at = learner.evaluate("window.replay.video.currentTime")
    learner.get_by_role("button", name="后退 10 秒").click()
    assert learner.evaluate("window.replay.video.currentTime") < paused_at


def test_a_learner_of_another_course_cannot_open_the_replay(recorded_class, new_context, join_paths, _site):
    (recording_id,) = manage_json(_site.env, recording_ids())
    painting = {name for name, course in join_paths if course == COURSE}
    outsider_name, outsider_course = next((name, course) for name, course in join_paths if name not in painting)
    outsider = new_context().new_page()
    outsider.goto(join_paths[outsider_name, outsider_course])

    answer = outsider.goto(f"/replay/{recording_id}/")

    assert answer.status == 403
    expect(outsider.get_by_role("button", name="播放", exact=True)).to_have_count(0)


def test_the_worker_deletes_a_recording_past_its_day(recorded_class, _site):
    _teacher, learner = recorded_class
    open_replay(learner)
    replay_path = learner.url
    manage_json(_site.env, "from datetime import timedelta; from django.utils import timezone; "
                           "from classes.models import Recording; "
                           "print(Recording.objects.update(keep_until=timezone.localdate() - timedelta(days=1)))")

    deleted = manage_json(_site.env, "from classes.recordings.services import sweep_recordings; "
                                     "print(sweep_recordings.call())")

    assert deleted == 1
    assert manage_json(_site.env, recording_ids()) == []
    assert learner.goto(replay_path).status == 404


def test_the_replay_page_passes_the_accessibility_gate(recorded_class):
    teacher, learner = recorded_class
    open_replay(learner)
    assert_accessible(learner)
    save_screenshot(learner, "replay", "phone")
    teacher.goto(learner.url)
    expect(teacher.get_by_role("button", name="删除录像")).to_be_visible()
    save_screenshot(teacher, "replay-teacher", "desktop")


def test_the_console_of_a_recorded_class_passes_the_accessibility_gate(new_context, join_paths):
    teacher = teacher_starts_recording(new_context)
    learner = learner_enters(new_context(), join_paths["赵建国", COURSE], COURSE)
    expect(learner.locator("#recording-sign")).to_be_visible()
    # While the class is on, the console offers what can be done now: not 开始上课 or 录像 again.
    expect(teacher.get_by_role("button", name="开始上课")).to_be_hidden()
    expect(teacher.get_by_label("录像")).to_be_hidden()
    expect(teacher.get_by_role("button", name="停止录像")).to_be_visible()
    assert_accessible(learner)
    save_screenshot(teacher, "recording-console", "desktop")


# ---------------------------------------------------------------- with the SFU: Janus records

# Seconds of class the video server records before 下课 (its picture, as the learner plays it).
SFU_SECONDS_RECORDED = 6


def test_with_the_video_server_janus_records_and_the_worker_makes_the_replay(new_sfu_context, join_paths, janus_server,
                                                                          _site):
    teacher = teacher_starts_recording(new_sfu_context)
    teacher.wait_for_function("window.classroom.mediaMode === 'sfu' && window.classroom.sfu.publishPc !== null",
                              timeout=RECORDING_TIMEOUT_MS)
    learner = learner_enters(new_sfu_context(), join_paths["赵建国", COURSE], COURSE)
    expect(learner.locator("#recording-sign")).to_be_visible()
    learner.wait_for_function(f"document.getElementById('teacher-video').currentTime > {SFU_SECONDS_RECORDED}",
                              timeout=RECORDING_TIMEOUT_MS)
    end_class(teacher)
    expect(learner.locator("#room-status")).to_contain_text("已经下课了。")

    # The worker (make run starts it) turns Janus's files into one video: here, once, to the end.
    manage(_site.env | {"RECORDINGS_DIR": str(janus_server.recordings_dir)},
           "db_worker", "--backend", "notifications", "--batch", "--no-reload")
    open_replay(learner)
    learner.get_by_role("button", name="播放", exact=True).click()

    learner.wait_for_function(REPLAY_PLAYING, timeout=RECORDING_TIMEOUT_MS)
    assert learner.evaluate("window.replay.video.videoWidth") > 0

