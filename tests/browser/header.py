"""What tests share to use the page header as a person does: on a phone the menu and the page
tools (字号, 语言) are folded behind one button, 菜单和字号; on a laptop they show already."""

from playwright.sync_api import expect

MENU = "header details.site-menu"
MENU_BUTTON = "header summary.site-menu__toggle"
TEXT_SIZE_WORDS = {"standard": "标准", "large": "大", "extra": "特大"}


def open_menu(page) -> None:
    """Tap 菜单和字号 unless the menu is open already (a laptop, or tapped before)."""
    menu = page.locator(MENU)
    if menu.get_attribute("open") is None:
        page.locator(MENU_BUTTON).click()
    expect(menu).to_have_attribute("open", "")


def choose_text_size(page, size: str) -> None:
    """Choose 标准 / 大 / 特大 (size: standard, large or extra) with the header's own buttons."""
    open_menu(page)
    page.locator(f"header .text-size button[data-text-size='{size}']").click()
    expect(page.locator("html")).to_have_attribute("data-text-size", size)


def switch_to_english(page) -> None:
    open_menu(page)
    page.locator("header form.language-switch").get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
