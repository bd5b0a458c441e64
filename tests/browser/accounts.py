"""Signing in on the site's own /login/ page, as teachers, volunteers and coordinators do:
one way for every browser test. Where the site then lands the person is each test's business."""

import re

from playwright.sync_api import expect


def sign_in(page, username: str, password: str, *, next_path: str = "") -> None:
    """Fill in /login/ (by field ids, so a page in any language will do) and wait to leave it."""
    page.goto(f"/login/?next={next_path}" if next_path else "/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("form button.button--primary[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/login/"))
