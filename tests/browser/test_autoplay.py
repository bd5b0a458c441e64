"""Sound starts from the 进入课堂 tap; when a browser still blocks it, one big button turns it on."""

from playwright.sync_api import expect

from tests.browser.test_live_class import end_class, learner_enters, teacher_starts

# What a strict browser does: refuse to play sound that no tap started.
BLOCK_SOUND = """
HTMLMediaElement.prototype.play = function () {
  return Promise.reject(new DOMException("blocked", "NotAllowedError"));
};
"""


def open_class_as_liu(context, join_paths):
    return learner_enters(context, join_paths["刘桂兰", "爱尚书法"], "爱尚书法")


def test_blocked_sound_shows_a_full_width_turn_on_button(new_context, join_paths):
    teacher = teacher_starts(new_context, "爱尚书法")
    learner_context = new_context()
    learner_context.add_init_script(BLOCK_SOUND)
    page = open_class_as_liu(learner_context, join_paths)

    button = page.get_by_role("button", name="点我打开声音")
    expect(button).to_be_visible(timeout=20_000)
    main_width = page.locator("main").bounding_box()["width"]
    assert button.bounding_box()["width"] >= 0.85 * main_width
    button.click()
    expect(button).to_be_hidden()
    end_class(teacher)


def test_sound_plays_without_the_extra_button_after_the_enter_tap(new_context, join_paths):
    teacher = teacher_starts(new_context, "爱尚书法")
    page = open_class_as_liu(new_context(), join_paths)

    page.wait_for_function("() => { const v = document.getElementById('teacher-video');"
                           " return v.videoWidth > 0 && !v.paused && !v.muted; }", timeout=20_000)
    expect(page.get_by_role("button", name="点我打开声音")).to_be_hidden()
    end_class(teacher)
