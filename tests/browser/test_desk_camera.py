"""The teacher's phone as the class's desk camera, in browsers on loopback (embedded mode):
the console's QR code, the phone's page with a fake camera, and the learner's two videos."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.gate import assert_accessible, save_screenshot
from tests.browser.test_live_class import MEDIA_TIMEOUT_MS, learner_enters, teacher_starts, wait_for_teacher_video
from tests.server import manage_json

COURSE = "国画兴趣班"

DESK_VIDEO_PLAYING = """() => {
  const v = document.getElementById("desk-video");
  return v && v.srcObject !== null && v.videoWidth > 0 && v.currentTime > 0.5;
}"""


def desk_qr(teacher) -> str:
    """用手机拍桌面 on the teacher's console; the path its QR code (and the address under it) opens."""
    teacher.get_by_role("button", name="用手机拍桌面").click()
    expect(teacher.locator("#desk-qr-code svg")).to_be_visible()
    return urlsplit(teacher.locator("#desk-qr-url").inner_text()).path


def phone_films(new_context, path: str):
    """The teacher's phone opens the QR's address and taps 打开后置摄像头; its page."""
    phone = new_context().new_page()
    phone.goto(path)
    phone.get_by_role("button", name="打开后置摄像头").click()
    return phone


@pytest.fixture
def desk_class(new_context, join_paths):
    """国画兴趣班 has started; 赵建国 is in class; the teacher's phone films the desk."""
    teacher = teacher_starts(new_context, COURSE)
    learner = learner_enters(new_context(), join_paths["赵建国", COURSE], COURSE)
    path = desk_qr(teacher)
    phone = phone_films(new_context, path)
    return teacher, learner, phone, path


def test_the_learner_sees_the_desk_large_and_the_teacher_small_and_can_swap_them(desk_class):
    teacher, learner, _phone, _path = desk_class
    learner.wait_for_function(DESK_VIDEO_PLAYING, timeout=MEDIA_TIMEOUT_MS)
    wait_for_teacher_video(learner)
    stage = learner.locator(".stage")
    expect(stage).to_have_class("stage stage--desk")

    learner.get_by_role("button", name="放大老师").click()

    expect(stage).to_have_class("stage stage--desk stage--swapped")
    expect(learner.get_by_role("button", name="放大桌面")).to_be_visible()


def test_the_teacher_sees_the_desk_as_the_learners_do(desk_class):
    teacher, _learner, _phone, _path = desk_class
    teacher.wait_for_function(DESK_VIDEO_PLAYING, timeout=MEDIA_TIMEOUT_MS)
    expect(teacher.locator("#desk-qr-result")).to_have_text("手机已连上：学员看得到您的桌面。")


def test_a_qr_code_already_used_opens_nothing_on_another_phone(desk_class, new_context):
    _teacher, _learner, _phone, path = desk_class
    other = new_context().new_page()

    answer = other.goto(path)

    assert answer.status == 410
    expect(other.get_by_role("heading", level=1)).to_have_text("这个二维码用不了")
    expect(other.locator("main")).to_contain_text("这个二维码已经用过了。")
    expect(other.get_by_role("button", name="打开后置摄像头")).to_have_count(0)


def test_an_expired_qr_code_is_refused(new_context, _site):
    teacher = teacher_starts(new_context, COURSE)
    path = desk_qr(teacher)
    manage_json(_site.env, "from datetime import timedelta; from django.utils import timezone; "
                           "from classes.models import DeskCamera; "
                           "print(DeskCamera.objects.update(expires_at=timezone.now() - timedelta(seconds=1)))")
    phone = new_context().new_page()

    answer = phone.goto(path)

    assert answer.status == 410
    expect(phone.locator("main")).to_contain_text("这个二维码已经过期了")


def test_when_the_phone_stops_the_learner_sees_the_teacher_again(desk_class):
    _teacher, learner, phone, _path = desk_class
    learner.wait_for_function(DESK_VIDEO_PLAYING, timeout=MEDIA_TIMEOUT_MS)

    phone.get_by_role("button", name="停止").click()

    expect(learner.locator("#desk-note")).to_have_text("桌面摄像头已停止。您又看到老师了。")
    expect(learner.get_by_role("button", name="放大老师")).to_be_hidden()
    wait_for_teacher_video(learner)


def test_the_console_and_the_phone_page_pass_the_accessibility_gate(desk_class):
    teacher, learner, phone, _path = desk_class
    teacher.wait_for_function(DESK_VIDEO_PLAYING, timeout=MEDIA_TIMEOUT_MS)
    teacher.get_by_role("button", name="用手机拍桌面").click()  # the QR code again, to be checked too
    expect(teacher.locator("#desk-qr-code svg")).to_be_visible()
    learner.wait_for_function(DESK_VIDEO_PLAYING, timeout=MEDIA_TIMEOUT_MS)
    for page in (teacher, phone, learner):
        assert_accessible(page)
    save_screenshot(teacher, "desk-qr", "desktop")
    save_screenshot(phone, "desk-camera", "phone")
    save_screenshot(learner, "desk-view", "phone")


def test_with_the_video_server_the_learner_sees_the_desk_through_janus(new_sfu_context, join_paths):
    teacher = teacher_starts(new_sfu_context, COURSE)
    teacher.wait_for_function("window.classroom.mediaMode === 'sfu' && window.classroom.sfu.publishPc !== null",
                              timeout=MEDIA_TIMEOUT_MS)
    learner = learner_enters(new_sfu_context(), join_paths["赵建国", COURSE], COURSE)
    phone_films(new_sfu_context, desk_qr(teacher))

    learner.wait_for_function(DESK_VIDEO_PLAYING, timeout=MEDIA_TIMEOUT_MS)
    wait_for_teacher_video(learner)
    assert learner.evaluate("window.classroom.peers.size") == 0  # nothing came from the teacher's browser directly
