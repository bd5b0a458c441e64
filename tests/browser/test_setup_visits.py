"""Setup visits at the centre in a browser: the volunteer books their learner, opens the
day's sheet, checks a learner in, and both pages pass the accessibility gate."""

import json

import pytest
from playwright.sync_api import expect

from tests.browser.accounts import sign_in
from tests.browser.gate import VIEWPORTS, assert_accessible, save_screenshot

# Run in the browser site's own database (the Daphne subprocess reads that, not the test's),
# which each test starts as seed_demo left it (tests/browser/conftest.py): 赵建国 becomes
# the demo volunteer's learner, and a time starting now, with the volunteer on duty, has
# 刘桂兰 booked by the coordinator, so today's sheet has someone to check in.
PREPARE = """
import json
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from classes.models import Learner
from volunteers.models import HelpRequest, SetupBooking, SetupSlot
users = get_user_model().objects
zhao = Learner.objects.get(phone="13800138002")
liu = Learner.objects.get(phone="13800138001")
HelpRequest.objects.filter(learner=zhao).exclude(status="closed").update(
    status="assigned", volunteer=users.get(username="volunteer"), assigned_at=timezone.now())
now = SetupSlot.objects.create(starts_at=timezone.now(), place="活动室", volunteer=users.get(username="volunteer"))
SetupBooking.objects.create(slot=now, learner=liu, booked_by=users.get(username="coordinator"))
print(json.dumps({"today": timezone.localtime(now.starts_at).date().isoformat(),
                  "tomorrow": (timezone.localdate() + timedelta(days=1)).isoformat()}))
"""


@pytest.fixture
def days(manage):
    """The dates of today's and tomorrow's sheets."""
    return json.loads(manage("shell", "-c", PREPARE).strip().splitlines()[-1])


def open_as_volunteer(new_context, viewport="phone"):
    """Sign in on /login/ straight to the visits page (where a volunteer lands otherwise is another page's business)."""
    page = new_context(viewport).new_page()
    sign_in(page, "volunteer", "demo-volunteer", next_path="/volunteer/visits/")
    expect(page.locator("#book-learner")).to_be_visible()
    return page


def test_the_volunteer_books_their_learner_and_finds_him_on_the_day_sheet(new_context, days):
    page = open_as_volunteer(new_context)
    page.locator("#book-learner").select_option(label="赵建国 (*******8002)")
    page.locator("#book-slot option").nth(1).wait_for(state="attached")
    page.locator("#book-slot").select_option(index=1)  # the first time; option 0 is "请选择"
    page.locator("form[action='/volunteer/visits/book/'] button[type=submit]").click()
    expect(page.locator(".message--success")).to_contain_text("赵建国")

    page.goto(f"/volunteer/visits/{days['tomorrow']}/sheet/")
    row = page.locator("tr").filter(has_text="赵建国")
    # His volunteer sees the whole number, as text to print.
    expect(row).to_contain_text("13800138002")
    expect(page.locator("[data-print]")).to_be_visible()


def test_the_volunteer_on_duty_checks_a_learner_in_with_one_tap(new_context, days):
    page = open_as_volunteer(new_context)
    page.goto(f"/volunteer/visits/{days['today']}/sheet/")
    row = page.locator("tr").filter(has_text="刘桂兰")
    row.get_by_role("button").click()
    expect(page.locator(".message--success")).to_contain_text("刘桂兰")
    expect(page.locator("tr").filter(has_text="刘桂兰").get_by_role("button")).to_have_count(0)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_visits_page_and_the_day_sheet_pass_the_accessibility_gate(new_context, days, viewport):
    page = open_as_volunteer(new_context, viewport)
    assert_accessible(page)
    save_screenshot(page, "setup-visits", viewport)

    page.goto(f"/volunteer/visits/{days['today']}/sheet/")
    expect(page.locator("tr").filter(has_text="刘桂兰").get_by_role("button")).to_be_visible()
    assert_accessible(page)
    save_screenshot(page, "day-sheet", viewport)
