"""What cannot be taken back asks once first (static/js/confirm.js): a dialog that says what
will happen, with 取消 as the first choice; only its yes button acts."""

import re

from playwright.sync_api import expect

from tests.browser.accounts import sign_in
from tests.browser.gate import assert_accessible, save_screenshot
from tests.browser.test_timetable_planner import open_next_term_planner, sign_in_to_admin

COURSE = "国画兴趣班"
LEARNER = "赵建国"
LEARNER_PHONE = "13800138002"


def coordinator_page(new_context, viewport="desktop"):
    page = new_context(viewport).new_page()
    sign_in(page, "coordinator", "demo-coordinator")
    return page


def roster_path(manage, course: str = COURSE) -> str:
    pk = manage("shell", "-c", (
        f"from classes.models import CoursePage; print(CoursePage.objects.get(title={course!r}).pk)"
    )).strip().splitlines()[-1]
    return f"/roster/{pk}/"


def revoked_links(manage) -> int:
    """How many of 赵建国's links to the course have been revoked."""
    return int(manage("shell", "-c", (
        "from classes.models import JoinLink; "
        f"print(JoinLink.objects.filter(course__title={COURSE!r}, learner__phone={LEARNER_PHONE!r}, "
        "revoked_at__isnull=False).count())"
    )).strip().splitlines()[-1])


def test_new_link_asks_in_a_dialog_cancel_keeps_the_link_and_yes_revokes_it(new_context, manage):
    page = coordinator_page(new_context)
    page.goto(roster_path(manage))
    new_link = page.get_by_role("button", name=f"给{LEARNER}换新链接")

    new_link.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    # Named by its question, which says whose link stops working.
    expect(dialog).to_have_accessible_name(re.compile(LEARNER))
    expect(dialog.get_by_role("button", name="取消")).to_be_focused()
    assert_accessible(page)
    save_screenshot(page, "confirm-new-link", "desktop")
    dialog.get_by_role("button", name="取消").click()
    expect(dialog).to_be_hidden()
    assert revoked_links(manage) == 0

    new_link.click()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert revoked_links(manage) == 0

    new_link.click()
    dialog.get_by_role("button", name=f"给{LEARNER}换新链接").click()
    expect(page.locator(".message--success")).to_contain_text(LEARNER)
    assert revoked_links(manage) == 1


def test_publishing_the_timetable_asks_in_the_admin_first(new_context):
    page = new_context("desktop").new_page()
    sign_in_to_admin(page, "coordinator", "demo-coordinator")
    open_next_term_planner(page)
    page.get_by_role("button", name="自动排课").click()

    page.get_by_role("button", name="发布课表").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_have_accessible_name(re.compile("新学期"))
    expect(dialog.get_by_role("button", name="取消")).to_be_focused()
    dialog.get_by_role("button", name="发布课表").click()

    expect(page.get_by_text(re.compile("已发布：共生成 \\d+ 节课。"))).to_be_visible()
