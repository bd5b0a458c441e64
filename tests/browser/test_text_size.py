"""The 标准 / 大 / 特大 text-size control: big enough, remembered, and nothing spills sideways."""

import pytest
from playwright.sync_api import expect

from tests.browser.gate import horizontal_overflow
from tests.browser.header import choose_text_size as choose

# The age-friendly rules: the largest step makes body text at least 30 px.
EXTRA_LARGE_MIN_PX = 30
TEXT_SIZES = ["standard", "large", "extra"]
# Pages with the most going on side by side: header tools, filters, cards, forms.
PAGES = ["/", "/courses/", "/courses/calligraphy/", "/search/?q=书法", "/help/"]


def body_font_px(page) -> float:
    return page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")


def test_extra_large_makes_body_text_at_least_30px(page):
    page.goto("/")

    choose(page, "extra")

    assert body_font_px(page) >= EXTRA_LARGE_MIN_PX


def test_text_size_choice_survives_reload(page):
    page.goto("/")
    choose(page, "extra")

    page.reload()

    expect(page.locator("html")).to_have_attribute("data-text-size", "extra")
    assert body_font_px(page) >= EXTRA_LARGE_MIN_PX


def test_text_size_choice_follows_to_other_pages(page):
    page.goto("/")
    choose(page, "large")

    page.goto("/help/")

    expect(page.locator("html")).to_have_attribute("data-text-size", "large")


@pytest.mark.parametrize("size", TEXT_SIZES)
def test_pressed_state_follows_choice(page, size):
    page.goto("/")
    # Start from a different size, so the pressed state has to move.
    choose(page, "extra" if size != "extra" else "standard")

    choose(page, size)

    for other in TEXT_SIZES:
        expect(page.locator(f".text-size button[data-text-size='{other}']")).to_have_attribute(
            "aria-pressed", "true" if other == size else "false"
        )


@pytest.mark.parametrize("path", PAGES)
def test_nothing_overflows_sideways_at_any_text_size_on_a_phone(page, path):
    page.goto(path)
    assert page.viewport_size["width"] == 375

    overflows = {}
    for size in TEXT_SIZES:
        choose(page, size)
        if overflow := horizontal_overflow(page):
            overflows[size] = overflow

    assert not overflows, f"{path} scrolls sideways: {overflows}"


def test_help_button_word_stays_on_one_line_at_extra_large_on_a_small_phone(page):
    page.set_viewport_size({"width": 320, "height": 667})
    page.goto("/")
    choose(page, "extra")

    lines = page.locator("header a.button--help").evaluate(
        "(el) => { const r = document.createRange(); r.selectNodeContents(el); return r.getClientRects().length; }"
    )

    assert lines == 1, f"求助 is broken over {lines} lines"
