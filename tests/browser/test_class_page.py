"""The class page before the room: waiting room, device check, and the guide for
browsers that cannot take part."""

from playwright.sync_api import expect

from tests.browser.gate import assert_accessible, save_screenshot

NO_WEBRTC = "delete window.RTCPeerConnection;"


def open_class(page, join_paths):
    page.goto(join_paths["周明", "学会ABC"])
    page.get_by_role("link", name="去教室：学会ABC").click()


def test_waiting_room_and_device_check_pass_the_gate(page, join_paths):
    open_class(page, join_paths)

    expect(page.get_by_role("button", name="进入课堂")).to_be_visible()
    expect(page.get_by_role("heading", name="检查声音和画面")).to_be_visible()
    assert_accessible(page)
    save_screenshot(page, "class-waiting-room", "phone")


def test_the_room_asks_for_no_microphone_before_the_teacher_does(new_context, join_paths):
    context = new_context()
    context.add_init_script("""
      window.__mediaAsks = 0;
      const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      navigator.mediaDevices.getUserMedia = (c) => { window.__mediaAsks += 1; return original(c); };
    """)
    page = context.new_page()
    open_class(page, join_paths)
    page.get_by_role("button", name="进入课堂").click()
    expect(page.locator("#room-status")).not_to_have_text("正在连接……")

    assert page.evaluate("window.__mediaAsks") == 0


def test_test_sound_answer_is_recorded(page, join_paths):
    open_class(page, join_paths)
    page.get_by_role("button", name="播放测试声音").click()
    page.get_by_role("button", name="能听到", exact=True).click()

    expect(page.locator("#check-result")).to_have_text("谢谢，已记下您的回答。")


def test_camera_check_shows_a_preview_and_a_microphone_meter(page, join_paths):
    open_class(page, join_paths)
    page.get_by_role("button", name="检查摄像头和麦克风").click()

    expect(page.locator("#check-preview")).to_be_visible()
    expect(page.locator("#mic-meter")).to_be_visible()
    expect(page.locator("#check-result")).to_contain_text("摄像头可以用")


def test_a_browser_without_webrtc_gets_the_open_in_browser_guide(new_context, join_paths):
    context = new_context()
    context.add_init_script(NO_WEBRTC)
    page = context.new_page()
    open_class(page, join_paths)

    expect(page.get_by_role("heading", name="请在浏览器中打开")).to_be_visible()
    expect(page.get_by_role("button", name="进入课堂")).to_be_hidden()
    assert_accessible(page)
