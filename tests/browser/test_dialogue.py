"""The bilingual dialogue on 学会ABC's course page, as a learner's phone shows it: each line read
aloud in Chinese and then English, slow reading, read-aloud buttons only where the phone has
voices, a large-type printed handout, and the accessibility gate.

The browser's speech is replaced by a stand-in (an init script) that records what it was asked
to say; headless Chromium has no voices of its own, and a test must not depend on a sound card.
"""

import json

import pytest
from playwright.sync_api import expect

from home.management.commands.seed_demo import DEMO_DIALOGUE, DEMO_DIALOGUE_TITLE
from tests.browser.gate import VIEWPORTS, assert_accessible, save_screenshot

COURSE_PATH = "/courses/learn-abc/"
CHINESE_VOICE = {"name": "Test Mandarin", "lang": "zh-CN"}
ENGLISH_VOICE = {"name": "Test English", "lang": "en-US"}
# dialogue.js's rates: slow enough to repeat after, and the voice's own pace.
SLOW_RATE, NORMAL_RATE = 0.6, 1

# A speechSynthesis that, like a real phone's, has no voices at first and announces them with
# voiceschanged; it records each utterance in window.spoken and ends it at once.
SPEECH_STAND_IN = """
((voices) => {
  window.spoken = [];
  const listeners = [];
  let ready = [];
  class Utterance {
    constructor(text) { this.text = text; this.lang = ""; this.rate = 1; this.voice = null; }
  }
  const synth = {
    getVoices: () => ready,
    speak(u) {
      window.spoken.push({text: u.text, lang: u.lang, rate: u.rate, voice: u.voice && u.voice.name});
      setTimeout(() => u.onend && u.onend({}), 0);
    },
    cancel() {},
    addEventListener(type, listener) { if (type === "voiceschanged") listeners.push(listener); },
  };
  Object.defineProperty(window, "speechSynthesis", {value: synth, configurable: true});
  Object.defineProperty(window, "SpeechSynthesisUtterance", {value: Utterance, configurable: true, writable: true});
  window.addEventListener("DOMContentLoaded", () => setTimeout(() => {
    ready = voices;
    listeners.forEach((listener) => listener(new Event("voiceschanged")));
    window.voicesAnnounced = true;
  }, 50));
})(%s);
"""
NO_SPEECH = "Object.defineProperty(window, 'speechSynthesis', {value: undefined, configurable: true});"
# window.print() opens the system's print dialog; the stand-in notes what the page marked for printing.
PRINT_STAND_IN = """
window.print = () => {
  window.printed = Array.from(document.querySelectorAll('.dialogue--printing h3'), (h) => h.textContent);
};
"""


def open_course(new_context, init_script: str, viewport: str = "phone"):
    context = new_context(viewport)
    context.add_init_script(init_script)
    page = context.new_page()
    page.goto(COURSE_PATH)
    expect(page.locator(".dialogue h3")).to_have_text(DEMO_DIALOGUE_TITLE)
    return page


def with_voices(*voices) -> str:
    return SPEECH_STAND_IN % json.dumps(list(voices))


def spoken_after(page, count: int) -> list[dict]:
    page.wait_for_function("(n) => window.spoken.length >= n", arg=count)
    return page.evaluate("window.spoken")


def test_reading_a_line_speaks_its_chinese_then_its_english(new_context):
    page = open_course(new_context, with_voices(CHINESE_VOICE, ENGLISH_VOICE))
    _speaker, chinese, _pinyin, english = DEMO_DIALOGUE[0]

    page.locator(".dialogue [data-speak-line]").first.click()

    chinese_said, english_said = spoken_after(page, 2)
    assert (chinese_said["text"], chinese_said["lang"], chinese_said["voice"]) == (chinese, "zh-CN", "Test Mandarin")
    assert (english_said["text"], english_said["lang"], english_said["voice"]) == (english, "en-US", "Test English")


def test_reading_at_normal_speed_by_default(new_context):
    page = open_course(new_context, with_voices(CHINESE_VOICE, ENGLISH_VOICE))

    page.locator(".dialogue [data-speak-line]").first.click()

    assert [said["rate"] for said in spoken_after(page, 2)] == [NORMAL_RATE, NORMAL_RATE]


def test_slow_reading_lowers_the_rate(new_context):
    page = open_course(new_context, with_voices(CHINESE_VOICE, ENGLISH_VOICE))

    page.locator(".dialogue [data-slow]").click()
    page.locator(".dialogue [data-speak-line]").first.click()

    assert [said["rate"] for said in spoken_after(page, 2)] == [SLOW_RATE, SLOW_RATE]


def test_slow_reading_says_it_is_on_in_words(new_context):
    page = open_course(new_context, with_voices(CHINESE_VOICE, ENGLISH_VOICE))
    dialogue = page.locator(".dialogue")

    dialogue.locator("[data-slow]").click()

    expect(dialogue.locator("[data-slow]")).to_have_attribute("aria-pressed", "true")
    expect(dialogue.get_by_role("status")).to_have_text(dialogue.get_attribute("data-status-slow-on"))


def test_the_whole_dialogue_is_read_line_by_line(new_context):
    page = open_course(new_context, with_voices(CHINESE_VOICE, ENGLISH_VOICE))

    page.locator(".dialogue [data-speak-all]").click()

    expected = [text for _speaker, chinese, _pinyin, english in DEMO_DIALOGUE for text in (chinese, english)]
    assert [said["text"] for said in spoken_after(page, len(expected))] == expected


def test_the_status_says_when_reading_has_finished(new_context):
    page = open_course(new_context, with_voices(CHINESE_VOICE, ENGLISH_VOICE))
    dialogue = page.locator(".dialogue")

    dialogue.locator("[data-speak-line]").first.click()

    expect(dialogue.get_by_role("status")).to_have_text(dialogue.get_attribute("data-status-done"))
    expect(dialogue.locator("[data-speak-line]").first).to_have_attribute("aria-pressed", "false")


def test_a_phone_with_only_a_chinese_voice_reads_only_the_chinese(new_context):
    page = open_course(new_context, with_voices(CHINESE_VOICE))

    page.locator(".dialogue [data-speak-line]").first.click()

    expect(page.get_by_role("status")).to_have_text(page.locator(".dialogue").get_attribute("data-status-done"))
    assert [said["lang"] for said in page.evaluate("window.spoken")] == ["zh-CN"]


def test_read_aloud_buttons_are_hidden_on_a_phone_without_voices(new_context):
    page = open_course(new_context, with_voices())
    expect(page.locator(".dialogue [data-print-handout]")).to_be_visible()
    page.wait_for_function("window.voicesAnnounced === true")

    for selector in ("[data-speak-all]", "[data-slow]", "[data-speak-line]"):
        expect(page.locator(f".dialogue {selector}").first).to_be_hidden()


def test_read_aloud_buttons_are_hidden_in_a_browser_without_speech(new_context):
    page = open_course(new_context, NO_SPEECH)
    expect(page.locator(".dialogue [data-print-handout]")).to_be_visible()

    for selector in ("[data-speak-all]", "[data-slow]", "[data-speak-line]"):
        expect(page.locator(f".dialogue {selector}").first).to_be_hidden()


def test_read_aloud_buttons_appear_once_the_voices_have_loaded(new_context):
    page = open_course(new_context, with_voices(CHINESE_VOICE, ENGLISH_VOICE))

    expect(page.locator(".dialogue [data-speak-all]")).to_be_visible()
    expect(page.locator(".dialogue [data-speak-line]")).to_have_count(len(DEMO_DIALOGUE))
    for button in page.locator(".dialogue [data-speak-line]").all():
        expect(button).to_be_visible()


def test_print_handout_prints_the_dialogue_alone_in_large_type(new_context):
    page = open_course(new_context, with_voices(CHINESE_VOICE, ENGLISH_VOICE) + PRINT_STAND_IN)

    page.locator(".dialogue [data-print-handout]").click()
    page.emulate_media(media="print")

    assert page.evaluate("window.printed") == [DEMO_DIALOGUE_TITLE]
    for chrome in ("header.site-header", "footer.site-footer", "main h1", ".dialogue__tools", "[data-speak-line]"):
        expect(page.locator(chrome).first).to_be_hidden()
    chinese = page.locator(".dialogue__zh").first
    expect(chinese).to_be_visible()
    # 26pt: large type for reading at arm's length.
    assert page.evaluate("(el) => parseFloat(getComputedStyle(el).fontSize)", chinese.element_handle()) >= 32


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_course_page_with_dialogue_passes_accessibility_gate(new_context, viewport):
    page = open_course(new_context, with_voices(CHINESE_VOICE, ENGLISH_VOICE), viewport)
    expect(page.locator(".dialogue [data-speak-all]")).to_be_visible()

    assert_accessible(page)

    page.locator(".dialogue").evaluate("(dialogue) => dialogue.scrollIntoView()")
    save_screenshot(page, "course-dialogue", viewport)
