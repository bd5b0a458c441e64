"""A signed-in learner taps 求助 and is told a volunteer will call; the volunteer's pages (home,
a request with its call log) pass the accessibility gate on a phone and on a laptop."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.accounts import sign_in
from tests.browser.gate import VIEWPORTS, assert_accessible, save_screenshot

CALL_ME_BUTTON = "header form[action='/help/call-me/'] button[type=submit]"
# Daphne remembers each learner's 求助 tap for 30 seconds (its double-tap guard) in its own
# memory, which the reset between tests does not clear: no two tests tap as the same learner.
ASKING = {"phone": ("刘桂兰", "爱尚书法"), "desktop": ("吴小宝", "少儿国画班")}
# (name, course, the number the volunteer calls)
CLAIMED = {"phone": ("周明", "学会ABC", "13800138004"), "desktop": ("孙秀英", "国画兴趣班", "13800138003")}


def sign_in_as_volunteer(page):
    """A volunteer signs in on /login/ and lands on their volunteer page."""
    sign_in(page, "volunteer", "demo-volunteer")
    expect(page).to_have_url(re.compile(r"/volunteer/$"))


def ask_for_a_call(page, join_path):
    page.goto(join_path)
    page.locator(CALL_ME_BUTTON).click()
    expect(page).to_have_url(re.compile(r"/help/call-me/"))
    expect(page.locator("main .help-box[role=status]")).to_be_visible()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_learner_taps_help_and_sees_a_volunteer_will_call(new_context, join_paths, viewport):
    page = new_context(viewport).new_page()
    page.goto(join_paths[ASKING[viewport]])
    button = page.locator(CALL_ME_BUTTON)
    expect(button).to_be_visible()

    button.click()

    expect(page).to_have_url(re.compile(r"/help/call-me/"))
    expect(page.locator("main .help-box[role=status]")).to_be_visible()
    expect(page.locator("main a[href^='tel:']").first).to_be_visible()
    assert_accessible(page)
    save_screenshot(page, "help-call-me", viewport)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_volunteer_home_page_passes_the_accessibility_gate(new_context, viewport):
    page = new_context(viewport).new_page()
    sign_in_as_volunteer(page)
    expect(page.locator("#open-heading")).to_be_visible()

    assert_accessible(page)
    save_screenshot(page, "volunteer-home", viewport)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_request_page_of_a_claimed_learner_passes_the_accessibility_gate(new_context, join_paths, viewport):
    name, course, phone = CLAIMED[viewport]
    ask_for_a_call(new_context(viewport).new_page(), join_paths[name, course])
    page = new_context(viewport).new_page()
    sign_in_as_volunteer(page)

    page.locator("main li.card").filter(has_text=name).first.locator("form button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/volunteer/request/\d+/$"))
    expect(page.locator(f"main a[href='tel:{phone}']")).to_be_visible()
    expect(page.locator("main form button[type=submit]").first).to_be_visible()
    assert_accessible(page)
    save_screenshot(page, "volunteer-request", viewport)
