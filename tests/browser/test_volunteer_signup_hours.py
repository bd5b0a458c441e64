"""The volunteer sign-up page, a volunteer's hours and the centre's hours pass the
accessibility gate on a phone and on a laptop."""

import pytest
from playwright.sync_api import expect

from tests.browser.accounts import sign_in
from tests.browser.gate import VIEWPORTS, assert_accessible, save_screenshot


def sign_in_to(page, path, username, password):
    """Sign in on /login/ and land on `path`."""
    sign_in(page, username, password, next_path=path)
    page.wait_for_url(f"**{path}")


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_volunteer_signup_page_is_accessible(new_context, viewport):
    page = new_context(viewport).new_page()
    page.goto("/volunteer/signup/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)
    save_screenshot(page, "volunteer-signup", viewport)


def test_volunteer_signup_page_with_errors_is_accessible(new_context):
    page = new_context("phone").new_page()
    page.goto("/volunteer/signup/")
    page.locator("form.stack button[type=submit]").click()
    expect(page.locator(".field__error").first).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_volunteer_hours_page_is_accessible(new_context, viewport):
    page = new_context(viewport).new_page()
    sign_in_to(page, "/volunteer/hours/", "volunteer", "demo-volunteer")
    expect(page.locator(".hours-total")).to_be_visible()
    assert_accessible(page)
    save_screenshot(page, "volunteer-hours", viewport)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_centre_hours_page_with_its_chart_is_accessible(new_context, viewport):
    page = new_context(viewport).new_page()
    sign_in_to(page, "/volunteer/hours/centre/", "coordinator", "demo-coordinator")
    expect(page.locator("svg[role=img]")).to_be_visible()
    expect(page.locator("table")).to_contain_text("陈小雨")
    assert_accessible(page)
    save_screenshot(page, "centre-hours", viewport)
