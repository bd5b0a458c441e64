"""Chinese first; English one tap away, and it stays chosen."""

from playwright.sync_api import expect

from tests.browser.header import open_menu, switch_to_english


def help_button(page):
    return page.locator("header a.button--help")


def test_chinese_browser_gets_chinese_page(page):
    page.goto("/")

    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")


def test_help_button_reads_qiuzhu_in_chinese(page):
    page.goto("/")

    expect(help_button(page)).to_have_text("求助")


def test_english_button_switches_page_to_english(page):
    page.goto("/")

    switch_to_english(page)

    expect(help_button(page)).to_have_text("Help")
    expect(page.locator("header form.language-switch button")).to_have_text("中文")


def test_english_stays_chosen_across_navigation(page):
    page.goto("/")
    switch_to_english(page)

    open_menu(page)
    page.locator("nav.site-nav").get_by_role("link", name="Find a course").click()
    page.wait_for_url("**/search/")

    expect(page.locator("html")).to_have_attribute("lang", "en")
