"""Sound starts from the 进入课堂 tap; when a browser still blocks it, one big button turns it on."""

from playwright.sync_api import expect

from tests.browser.test_live_class import enter, sign_in

# What a strict browser does: refuse to play sound that no tap started.
BLOCK_SOUND = """
HTMLMediaElement.prototype.play = function () {
  return Promise.reject(new DOMException("blocked", "NotAllowedError"));
};
"""


def start_class_as_teacher(new_context):
    teacher = new_context("desktop").new_page()
    sign_in(teacher, "teacher_wang", "demo-teacher")
    teacher.get_by_role("link", name="去上爱尚书法").click()
    enter(teacher)
    teacher.get_by_role("button", name="开始上课").click()
    return teacher


def open_class_as_liu(context, join_paths):
    page = context.new_page()
    page.goto(join_paths["刘桂兰", "爱尚书法"])
    page.get_by_role("link", name="去上爱尚书法").click()
    enter(page)
    return page


def test_blocked_sound_shows_a_full_width_turn_on_button(new_context, join_paths):
    teacher = start_class_as_teacher(new_context)
    learner_context = new_context()
    learner_context.add_init_script(BLOCK_SOUND)
    page = open_class_as_liu(learner_context, join_paths)

    button = page.get_by_role("button", name="点我打开声音")
    expect(button).to_be_visible(timeout=20_000)
    main_width = page.locator("main").bounding_box()["width"]
    assert button.bounding_box()["width"] >= 0.85 * main_width
    button.click()
    expect(button).to_be_hidden()
    teacher.get_by_role("button", name="下课").click()


def test_sound_plays_without_the_extra_button_after_the_enter_tap(new_context, join_paths):
    teacher = start_class_as_teacher(new_context)
    page = open_class_as_liu(new_context(), join_paths)

    page.wait_for_function("() => { const v = document.getElementById('teacher-video');"
                           " return v.videoWidth > 0 && !v.paused && !v.muted; }", timeout=20_000)
    expect(page.get_by_role("button", name="点我打开声音")).to_be_hidden()
    teacher.get_by_role("button", name="下课").click()
