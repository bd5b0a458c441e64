"""The gate itself can fail: each check spots the problem it is there for.

The help page passes the gate; each test breaks it in one way and expects the
matching check to say so. Without these, a check with a typo in its selector
would pass every page forever.
"""

import pytest

from tests.browser import gate


@pytest.fixture
def page(new_context):
    """A phone page whose Content-Security-Policy is off: these tests break the page on
    purpose with a <style> and style attributes of their own, which the policy would refuse."""
    return new_context(bypass_csp=True).new_page()


def break_page(page, *, css: str = "", html: str = "", script: str = ""):
    page.goto("/help/")
    if css:
        page.add_style_tag(content=css)
    if html:
        page.locator("main").evaluate("(main, html) => main.insertAdjacentHTML('beforeend', html)", html)
    if script:
        page.evaluate(script)


@pytest.mark.parametrize(
    "check, breakage",
    [
        pytest.param(gate.axe_violations, {"css": ".help-box p { color: #aaa; }"}, id="axe-low-contrast"),
        pytest.param(gate.font_size_problems, {"css": ".help-box p { font-size: 17px; }"}, id="body-text-under-18px"),
        pytest.param(gate.font_size_problems, {"css": ".button--help { font-size: 15px; }"}, id="any-text-under-16px"),
        pytest.param(
            gate.target_size_problems,
            # The header's menu button: on a phone the menu's own links are folded away behind it.
            {"css": ".site-menu__toggle { min-height: 0; min-width: 0; padding: 0; line-height: 1; }"},
            id="target-under-44px",
        ),
        pytest.param(
            gate.target_size_problems,
            {"css": ".button--help { min-height: 50px; padding: 0 1rem; }"},
            id="help-button-under-60px",
        ),
        pytest.param(gate.line_height_problems, {"css": "body { line-height: 1.2; }"}, id="tight-lines"),
        pytest.param(gate.reflow_problems, {"html": "<div style='width: 400px'>宽</div>"}, id="no-reflow-at-320px"),
        pytest.param(
            gate.lang_problems, {"script": "document.documentElement.removeAttribute('lang')"}, id="no-lang"
        ),
        pytest.param(
            gate.help_link_problems, {"script": "document.querySelector('.button--help').remove()"}, id="no-help"
        ),
        pytest.param(
            gate.help_link_problems,
            {"script": "const help = document.querySelector('header .button--help'); help.after(help.cloneNode(true))"},
            id="two-help-buttons",
        ),
    ],
)
def test_gate_check_reports_broken_page(page, check, breakage):
    break_page(page, **breakage)

    assert check(page), f"{check.__name__} found nothing wrong with a page broken by {breakage}"


def test_gate_exempts_link_inside_a_sentence(page):
    break_page(page, html="<p>请先读<a href='/help/'>这里</a>再上课。</p>")

    assert gate.target_size_problems(page) == []


def test_gate_counts_a_checkbox_label_as_its_target(page):
    break_page(
        page,
        html="<label style='display: flex; min-height: 44px'><input type='checkbox' style='width: 20px'>"
        "我会带毛笔来</label>",
    )

    assert gate.target_size_problems(page) == []


def test_gate_reports_checkbox_without_a_big_label(page):
    break_page(page, html="<p><input type='checkbox' style='width: 20px' aria-label='我会带毛笔来'></p>")

    assert gate.target_size_problems(page)


def test_gate_reports_password_field(page):
    break_page(page, html="<input type='password' aria-label='密码'>")

    with pytest.raises(AssertionError, match="password"):
        gate.assert_no_password_field(page)
