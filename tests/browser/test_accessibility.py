"""Every learner-facing page passes the accessibility gate on a phone and on a laptop."""

import pytest
from playwright.sync_api import expect

from tests.browser.gate import VIEWPORTS, assert_accessible, assert_no_password_field, save_screenshot

# name: (path, expected HTTP status, an element that shows it is the page we mean)
LEARNER_PAGES = {
    "home": ("/", 200, "#today-heading"),
    "course-list": ("/courses/", 200, ".filters"),
    "course-list-filtered": ("/courses/?category=calligraphy", 200, ".filters a[aria-current='true']"),
    "course": ("/courses/calligraphy/", 200, "#sessions-heading"),
    "search-results": ("/search/?q=书法", 200, "main .card"),
    "search-no-results": ("/search/?q=没有这门课程", 200, "main:not(:has(.card)) [role='status']"),
    "help": ("/help/", 200, ".help-box"),
    "not-found": ("/no-such-page/", 404, "main .button--primary"),
    "my-classes-signed-out": ("/my/", 200, "main .button--primary"),
    "sign-up": ("/signup/{calligraphy}/", 200, "form button[type=submit]"),
    "bad-join-link": ("/j/thisisnotarealtokenatall22/", 404, "main a[href^='tel:']"),
}
# Pages for teachers, volunteers and coordinators: the same gate, but they may ask for a password.
STAFF_PAGES = {
    "login": ("/login/", 200, "form button[type=submit]"),
}
ALL_PAGES = LEARNER_PAGES | STAFF_PAGES
# The pages the README shows.
SCREENSHOT_PAGES = {"home", "course-list", "course", "help"}


def open_page(page, name):
    path, status, marker = ALL_PAGES[name]
    if "{calligraphy}" in path:
        page.goto("/courses/calligraphy/")
        signup = page.locator("main a[href^='/signup/']").first.get_attribute("href")
        path = signup
    response = page.goto(path)
    assert response.status == status, f"{path} answered {response.status}, expected {status}"
    expect(page.locator(marker).first).to_be_visible()


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("name", ALL_PAGES)
def test_page_passes_accessibility_gate(new_context, name, viewport):
    page = new_context(viewport).new_page()
    open_page(page, name)

    assert_accessible(page)

    if name in SCREENSHOT_PAGES:
        save_screenshot(page, name, viewport)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_english_home_page_passes_accessibility_gate(new_context, viewport):
    page = new_context(viewport).new_page()
    page.goto("/")
    page.locator("header form.language-switch").get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    assert_accessible(page)


@pytest.mark.parametrize("name", LEARNER_PAGES)
def test_learner_page_asks_for_no_password(page, name):
    open_page(page, name)

    assert_no_password_field(page)
