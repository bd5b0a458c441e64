"""A live class in three browsers on loopback: a teacher and two learners, with fake
camera and microphone. Media flows between browsers over WebRTC; signalling, hands
and chat go through the Channels socket of a real Daphne."""

import pytest
from playwright.sync_api import expect

from tests.browser import accounts
from tests.browser.gate import assert_accessible, save_screenshot

# Video needs a moment to start flowing between three browsers on a busy machine.
MEDIA_TIMEOUT_MS = 20_000

TEACHER_VIDEO_PLAYING = """() => {
  const v = document.getElementById("teacher-video");
  return v && v.videoWidth > 0 && v.currentTime > 0.5;
}"""


def sign_in(page, username, password):
    """A teacher signs in and lands on 我的课程."""
    accounts.sign_in(page, username, password)
    expect(page.get_by_role("heading", level=1)).to_have_text("我的课程")


def enter(page):
    page.get_by_role("button", name="进入课堂").click()
    expect(page.locator("#room")).to_be_visible()


def wait_for_teacher_video(page, timeout_ms=MEDIA_TIMEOUT_MS):
    """Until the teacher's video plays on `page`, and goes on playing."""
    page.wait_for_function(TEACHER_VIDEO_PLAYING, timeout=timeout_ms)
    first = page.evaluate("document.getElementById('teacher-video').currentTime")
    page.wait_for_function(f"document.getElementById('teacher-video').currentTime > {first} + 0.5")


def teacher_starts(new_context, course):
    """王老师 signs in, opens `course`'s class, enters and starts it; their page."""
    teacher = new_context("desktop").new_page()
    sign_in(teacher, "teacher_wang", "demo-teacher")
    teacher.get_by_role("link", name=f"去教室：{course}").click()
    enter(teacher)
    teacher.get_by_role("button", name="开始上课").click()
    return teacher


def end_class(teacher):
    """下课, and yes in the dialog it opens (static/js/confirm.js)."""
    teacher.get_by_role("button", name="下课", exact=True).click()
    teacher.get_by_role("dialog").get_by_role("button", name="是的，现在下课").click()


def learner_enters(context, join_path, course):
    """A learner opens their join link in `context`, goes to `course`'s class and enters; their page."""
    page = context.new_page()
    page.goto(join_path)
    page.get_by_role("link", name=f"去教室：{course}").click()
    enter(page)
    return page


def chat(page, text):
    page.get_by_label("写消息").fill(text)
    page.get_by_role("button", name="发送", exact=True).click()


@pytest.fixture
def live_class(new_context, join_paths):
    """The teacher has started 国画兴趣班; 赵建国 and 孙秀英 have entered from their links."""
    teacher = teacher_starts(new_context, "国画兴趣班")
    expect(teacher.locator("#room-status")).to_have_text("正在上课。")

    learners = [learner_enters(new_context(), join_paths[name, "国画兴趣班"], "国画兴趣班") for name in ("赵建国", "孙秀英")]
    # No need to end the class afterwards: the next test starts from the demo centre (conftest.py).
    return teacher, learners


def test_each_learner_sees_the_teachers_video_playing(live_class):
    teacher, learners = live_class
    for page in learners:
        wait_for_teacher_video(page)


def test_a_raised_hand_shows_on_the_teachers_console(live_class):
    teacher, (zhao, _sun) = live_class
    zhao.get_by_role("button", name="举手").click()

    expect(teacher.locator("#people li", has_text="赵建国")).to_contain_text("举手")


def test_after_ask_to_speak_the_teacher_receives_the_learners_voice(live_class):
    teacher, (zhao, _sun) = live_class
    zhao.get_by_role("button", name="举手").click()
    teacher.get_by_role("button", name="请赵建国发言").click()

    expect(zhao.locator("#speak-banner")).to_have_text("老师请您说话了，请开始说。")
    teacher.wait_for_function(
        """() => [...window.classroom.speakerStreams.values()].some(
             s => s.getAudioTracks().some(t => t.readyState === "live"))""",
        timeout=MEDIA_TIMEOUT_MS,
    )


def test_mute_all_takes_every_voice_back_and_holds(live_class):
    teacher, (zhao, _sun) = live_class
    teacher.get_by_role("button", name="请赵建国发言").click()
    zhao.wait_for_function("window.classroom.mic !== null")
    teacher.get_by_role("button", name="全体静音").click()

    zhao.wait_for_function("window.classroom.mic === null")
    expect(zhao.locator("#speak-banner")).to_have_text("老师已关闭您的麦克风。")
    zhao.get_by_role("button", name="举手").click()  # asking again does not give the voice back
    expect(teacher.locator("#people li", has_text="赵建国")).to_contain_text("举手")
    expect(teacher.locator("#people li", has_text="赵建国")).not_to_contain_text("正在说话")
    assert zhao.evaluate("window.classroom.mic") is None


def test_chat_reaches_all_three(live_class):
    teacher, (zhao, sun) = live_class
    chat(zhao, "老师好，我听得见")

    for page in (teacher, zhao, sun):
        expect(page.locator("#chat-messages")).to_contain_text("老师好，我听得见")


def test_quick_reply_is_one_tap(live_class):
    teacher, (zhao, _sun) = live_class
    zhao.get_by_role("button", name="看不清", exact=True).click()

    expect(teacher.locator("#chat-messages")).to_contain_text("赵建国：看不清")


def test_a_learner_whose_socket_drops_reconnects_and_gets_the_missed_chat(live_class):
    teacher, (zhao, sun) = live_class
    expect(sun.locator("#room-status")).to_have_text("正在上课。")
    sun.evaluate("window.classroom.socket.close()")
    chat(zhao, "刚才断线的同学看得到吗")
    expect(teacher.locator("#chat-messages")).to_contain_text("刚才断线的同学看得到吗")

    expect(sun.locator("#chat-messages")).to_contain_text("刚才断线的同学看得到吗")
    expect(sun.locator("#room-status")).to_have_text("正在上课。")
    assert sun.locator("#chat-messages li", has_text="刚才断线的同学看得到吗").count() == 1


def test_the_room_passes_the_accessibility_gate(live_class):
    teacher, (zhao, _sun) = live_class
    zhao.wait_for_function(TEACHER_VIDEO_PLAYING, timeout=MEDIA_TIMEOUT_MS)
    assert_accessible(zhao)
    save_screenshot(zhao, "live-class", "phone")
    assert_accessible(teacher)
    save_screenshot(teacher, "teacher-console", "desktop")
