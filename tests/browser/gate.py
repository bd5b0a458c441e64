"""The accessibility gate for learner pages: axe-core plus the age-friendly numbers
axe does not check (docs: /work/shared/guides/age-friendly.md).

Each check returns what it found in words, so a failure says which element on
which page broke which rule, not just "False is not true".
"""

import os
import tempfile
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe

# The two screens the site is designed for: a small phone and a laptop.
VIEWPORTS = {
    "phone": {"width": 375, "height": 667},
    "desktop": {"width": 1280, "height": 800},
}
# WCAG 1.4.10: content reflows at 320 CSS px without horizontal scrolling.
REFLOW_WIDTH = 320

# The age-friendly rules: body text ≥ 18 px, and nothing a learner must read under 16 px.
BODY_TEXT_MIN_PX = 18
ANY_TEXT_MIN_PX = 16
# Every control ≥ 44×44; 进入课堂 and 求助 (primary and help buttons) ≥ 60×60.
TARGET_MIN_PX = 44
PRIMARY_TARGET_MIN_PX = 60
PRIMARY_TARGET_SELECTOR = ".button--primary, .button--help"
LINE_HEIGHT_MIN_RATIO = 1.5

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}

SCREENSHOT_DIR = Path(__file__).resolve().parent.parent.parent / "docs" / "screenshots"
SCRATCH_SCREENSHOT_DIR = Path(tempfile.gettempdir()) / "classes-screenshots"

_axe = Axe()

# Shared by the in-page checks: what a person can see, and how to name it in a message.
_JS_HELPERS = """
const isVisible = (el) => {
  if (!el.checkVisibility({visibilityProperty: true, opacityProperty: true})) return false;
  const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0;
};
const describe = (el) => {
  let name = el.tagName.toLowerCase();
  if (el.id) name += "#" + el.id;
  for (const c of el.classList) name += "." + c;
  const text = (el.innerText || el.value || "").trim().replace(/\\s+/g, " ").slice(0, 40);
  return text ? `${name} "${text}"` : name;
};
const ownText = (el) => Array.from(el.childNodes).some(
  (n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim() !== "");
"""

_FONT_SIZE_JS = _JS_HELPERS + """
([bodyMin, anyMin]) => {
  // Running text: what a learner reads as sentences.
  const RUNNING = new Set(["P", "LI", "DD", "DT", "TD", "TH", "LABEL", "BLOCKQUOTE"]);
  const problems = [];
  const bodySize = parseFloat(getComputedStyle(document.body).fontSize);
  if (bodySize < bodyMin) problems.push(`body text is ${bodySize}px`);
  for (const el of document.body.querySelectorAll("*")) {
    if (!ownText(el) || !isVisible(el)) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    const min = RUNNING.has(el.tagName) ? bodyMin : anyMin;
    if (size < min) problems.push(`${describe(el)} is ${size}px (needs ≥ ${min}px)`);
  }
  return problems;
}
"""

_TARGET_SIZE_JS = _JS_HELPERS + """
([min, primaryMin, primarySelector]) => {
  const INTERACTIVE = "a[href], button, input:not([type=hidden]), select, textarea, summary";
  // WCAG 2.5.8 exempts a link inside a sentence: its size is set by the line of text.
  const isInlineLink = (el) => {
    if (el.tagName !== "A" || el.classList.contains("button")) return false;
    const block = el.closest("p, li, dd, dt, td, figcaption, blockquote");
    if (!block) return false;
    return block.textContent.trim().length > el.textContent.trim().length;
  };
  // Tapping a radio button's or checkbox's label ticks it, so the label is part of the target.
  const targetRect = (el) => {
    const r = el.getBoundingClientRect();
    if (!el.matches("input[type=radio], input[type=checkbox]")) return r;
    let [left, top, right, bottom] = [r.left, r.top, r.right, r.bottom];
    for (const label of el.labels || []) {
      if (!isVisible(label)) continue;
      const l = label.getBoundingClientRect();
      [left, top, right, bottom] = [Math.min(left, l.left), Math.min(top, l.top), Math.max(right, l.right), Math.max(bottom, l.bottom)];
    }
    return {width: right - left, height: bottom - top};
  };
  const problems = [];
  for (const el of document.querySelectorAll(INTERACTIVE)) {
    if (!isVisible(el) || isInlineLink(el)) continue;
    const need = el.matches(primarySelector) ? primaryMin : min;
    const r = targetRect(el);
    // Sub-pixel layout: 43.99 px is the 44 px the stylesheet asked for.
    if (Math.round(r.width) < need || Math.round(r.height) < need) {
      problems.push(`${describe(el)} is ${r.width.toFixed(1)}×${r.height.toFixed(1)}px (needs ≥ ${need}×${need})`);
    }
  }
  return problems;
}
"""

_LINE_HEIGHT_JS = _JS_HELPERS + """
(minRatio) => {
  const problems = [];
  const check = (el) => {
    const style = getComputedStyle(el);
    const size = parseFloat(style.fontSize);
    // "normal" is about 1.2 in most fonts: too tight.
    const height = style.lineHeight === "normal" ? NaN : parseFloat(style.lineHeight);
    if (!(height >= size * minRatio - 0.01)) {
      problems.push(`${el === document.body ? "body" : describe(el)} line height is ${style.lineHeight} at ${size}px`);
    }
  };
  check(document.body);
  for (const el of document.body.querySelectorAll("p, li, dd, dt, td, blockquote")) {
    if (ownText(el) && isVisible(el)) check(el);
  }
  return problems;
}
"""


def axe_violations(page) -> list[str]:
    """axe-core's WCAG 2.2 AA violations, one readable line per rule and element."""
    results = _axe.run(page, options=AXE_OPTIONS)
    lines = []
    for violation in results.response["violations"]:
        targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"])
        lines.append(f"axe {violation['id']} ({violation['impact']}): {violation['help']} — at {targets}")
    return lines


def font_size_problems(page) -> list[str]:
    return page.evaluate(_FONT_SIZE_JS, [BODY_TEXT_MIN_PX, ANY_TEXT_MIN_PX])


def target_size_problems(page) -> list[str]:
    return page.evaluate(_TARGET_SIZE_JS, [TARGET_MIN_PX, PRIMARY_TARGET_MIN_PX, PRIMARY_TARGET_SELECTOR])


def line_height_problems(page) -> list[str]:
    return page.evaluate(_LINE_HEIGHT_JS, LINE_HEIGHT_MIN_RATIO)


def horizontal_overflow(page) -> str | None:
    """How far the page is wider than the window, in words, or None when it fits."""
    scroll_width, inner_width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if scroll_width > inner_width:
        return f"page is {scroll_width}px wide in a {inner_width}px window"
    return None


def reflow_problems(page) -> list[str]:
    """Narrow the window to 320 px, measure, and put the window back as it was."""
    original = page.viewport_size
    page.set_viewport_size({"width": REFLOW_WIDTH, "height": original["height"]})
    try:
        page.wait_for_function("(w) => window.innerWidth === w", arg=REFLOW_WIDTH)
        overflow = horizontal_overflow(page)
    finally:
        page.set_viewport_size(original)
    return [f"at {REFLOW_WIDTH}px: {overflow}"] if overflow else []


def lang_problems(page) -> list[str]:
    lang = page.evaluate("document.documentElement.getAttribute('lang')")
    return [] if lang and lang.strip() else ["<html> has no lang"]


# 求助 is a link to the help page, or for a signed-in learner a button that asks for a call.
HELP_BUTTON_SELECTOR = "header a.button--help[href], header form[method=post] button.button--help[type=submit]"


def help_link_problems(page) -> list[str]:
    """求助 sits in the header on every page, once, so a learner always finds it in the same place
    and never has to choose between two buttons that mean nearly the same."""
    help_buttons = page.locator(HELP_BUTTON_SELECTOR)
    if help_buttons.count() == 0 or not help_buttons.first.is_visible():
        return ["no visible help button (.button--help) in the header"]
    if help_buttons.count() > 1:
        return [f"{help_buttons.count()} help buttons in the header; a learner needs one"]
    return []


def assert_accessible(page) -> None:
    """Zero axe WCAG 2.2 AA violations, and the age-friendly numbers, on the page as it is now."""
    problems = (
        axe_violations(page)
        + font_size_problems(page)
        + target_size_problems(page)
        + line_height_problems(page)
        + reflow_problems(page)
        + lang_problems(page)
        + help_link_problems(page)
    )
    assert not problems, f"{page.url} fails the accessibility gate:\n  " + "\n  ".join(problems)


def assert_no_password_field(page) -> None:
    """Learners join by link or QR code; they never have a password to remember."""
    count = page.locator("input[type=password]").count()
    assert count == 0, f"{page.url} asks a learner for a password ({count} password field(s))"


def save_screenshot(page, name: str, viewport: str) -> Path:
    """<name>-<viewport>.png, the size of the screen it was taken on: into docs/screenshots when
    the run was asked for them (`make screenshots`, SCREENSHOTS=1), else into a scratch folder,
    so an ordinary test run leaves the README's pictures as they are."""
    if page.viewport_size != VIEWPORTS[viewport]:
        raise ValueError(f"a {viewport} screenshot needs a {VIEWPORTS[viewport]} window, not {page.viewport_size}")
    folder = SCREENSHOT_DIR if os.environ.get("SCREENSHOTS") == "1" else SCRATCH_SCREENSHOT_DIR
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}-{viewport}.png"
    page.screenshot(path=str(path), animations="disabled", caret="hide")
    return path
