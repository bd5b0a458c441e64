"""Every learner-facing page passes the accessibility gate on a phone and on a laptop."""

import pytest
from playwright.sync_api import expect

from core.bodies import FORM_BODY_MAX_BYTES
from tests.browser.gate import VIEWPORTS, assert_accessible, assert_no_password_field, save_screenshot
from tests.browser.header import switch_to_english
from tests.browser.test_live_class import sign_in

# name: (path, expected HTTP status, an element that shows it is the page we mean)
LEARNER_PAGES = {
    "home": ("/", 200, "#today-heading"),
    "course-list": ("/courses/", 200, ".filters"),
    "course-list-filtered": ("/courses/?category=calligraphy", 200, ".filters a[aria-current='true']"),
    "course": ("/courses/calligraphy/", 200, "#sessions-heading"),
    "course-materials": ("/courses/learn-abc/", 200, "#materials-heading"),
    "material-refused": ("{learners_only_material}", 403, "main a[href^='tel:']"),
    "search-results": ("/search/?q=书法", 200, "main .card"),
    "search-no-results": ("/search/?q=没有这门课程", 200, "main:not(:has(.card)) [role='status']"),
    "help": ("/help/", 200, ".help-box"),
    "not-found": ("/no-such-page/", 404, "main .button--primary"),
    "my-classes-signed-out": ("/my/", 200, "main .button--primary"),
    "sign-up": ("/signup/{calligraphy}/", 200, "main form button[type=submit]"),
    "bad-join-link": ("/j/thisisnotarealtokenatall22/", 404, "main a[href^='tel:']"),
    "timetable": ("/timetable/", 200, ".week .timetable-card"),
    "timetable-teacher": ("/timetable/teacher/{teacher}/", 200, "main .timetable-card"),
    "my-timetable-signed-out": ("/my/timetable/", 200, "main .button--primary"),
}
# Pages for teachers, volunteers and coordinators: the same gate, but they may ask for a password.
STAFF_PAGES = {
    "login": ("/login/", 200, "main form button[type=submit]"),
}
ALL_PAGES = LEARNER_PAGES | STAFF_PAGES
# LOGIN_FAILURE_LIMIT's default: the page that says signing in is paused comes after these.
FAILED_SIGN_INS_BEFORE_PAUSE = 5
# The pages the README shows.
SCREENSHOT_PAGES = {"home", "course-list", "course", "help", "timetable", "my-timetable", "free-time"}


def open_page(page, name):
    path, status, marker = ALL_PAGES[name]
    if "{calligraphy}" in path:
        page.goto("/courses/calligraphy/")
        signup = page.locator("main a[href^='/signup/']").first.get_attribute("href")
        path = signup
    if "{learners_only_material}" in path:
        page.goto("/courses/learn-abc/")
        path = page.locator("main .material:has(strong) a").first.get_attribute("href")
    if "{teacher}" in path:
        page.goto("/timetable/")
        path = page.locator("main a[href^='/timetable/teacher/']").first.get_attribute("href")
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
    switch_to_english(page)

    assert_accessible(page)


@pytest.mark.parametrize("name", LEARNER_PAGES)
def test_learner_page_asks_for_no_password(page, name):
    open_page(page, name)

    assert_no_password_field(page)


# Pages seen signed in: (path, expected status, marker, who). A learner opens their join
# link, as on their phone; a teacher signs in with their password.
SIGNED_IN_PAGES = {
    "my-timetable": ("/my/timetable/", 200, ".feed-box", ("刘桂兰", "爱尚书法")),
    # /my/timetable/ takes a teacher to their own timetable, with their calendar address.
    "timetable-teacher-own": ("/my/timetable/", 200, ".feed-box", "teacher_wang"),
    "free-time": ("/teach/free-time/", 200, "button[value=add_slot]", "teacher_wang"),
    # {group}: the learning group 我的课程 links to (its address carries the course's id).
    "learning-group": ("{group}", 200, "#group-empty", ("刘桂兰", "爱尚书法")),
}


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("name", SIGNED_IN_PAGES)
def test_signed_in_page_passes_accessibility_gate(new_context, join_paths, name, viewport):
    path, status, marker, who = SIGNED_IN_PAGES[name]
    page = new_context(viewport).new_page()
    if isinstance(who, tuple):
        page.goto(join_paths[who])
    else:
        sign_in(page, who, "demo-teacher")
    if path == "{group}":
        page.goto("/my/")
        path = page.locator("main a[href^='/group/']").first.get_attribute("href")
    response = page.goto(path)
    assert response.status == status, f"{path} answered {response.status}, expected {status}"
    expect(page.locator(marker).first).to_be_visible()

    assert_accessible(page)

    if name in SCREENSHOT_PAGES:
        save_screenshot(page, name, viewport)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_paused_sign_in_page_passes_accessibility_gate(new_context, viewport):
    page = new_context(viewport).new_page()
    page.goto("/login/")
    paused = page.locator("main a[href^='tel:']")
    for _ in range(FAILED_SIGN_INS_BEFORE_PAUSE):
        page.get_by_label("用户名").fill("teacher_wang")
        page.get_by_label("密码").fill("not-the-password")
        page.get_by_role("button", name="登录").click()
    expect(paused).to_be_visible()

    assert_accessible(page)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_too_large_to_send_page_passes_accessibility_gate(new_context, viewport):
    page = new_context(viewport).new_page()
    open_page(page, "sign-up")
    # A form bigger than any the site has (core/bodies.py), as a pasted novel would make it.
    page.evaluate("""(size) => {
        const extra = document.createElement("input");
        extra.type = "hidden"; extra.name = "note"; extra.value = "字".repeat(size);
        const form = document.querySelector("main form");
        form.noValidate = true;  // the body is refused before anything in it is read
        form.append(extra);
    }""", FORM_BODY_MAX_BYTES)
    with page.expect_response(lambda response: response.request.method == "POST") as answered:
        page.locator("main form button[type=submit]").click()
    assert answered.value.status == 413
    expect(page.locator("main a[href^='tel:']")).to_be_visible()

    assert_accessible(page)
