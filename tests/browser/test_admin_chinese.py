"""The parts of the Wagtail admin that its scripts draw read in Chinese for a coordinator:
the sidebar (its search, its menu, the help menu without Wagtail's counter) and, on a
course's edit view, the header, the side panels, the minimap and the autosave indicator,
whose words come from Wagtail's JavaScript catalogue (/admin/jsi18n/) and ours
(locale/zh_Hans/LC_MESSAGES/djangojs.po). The server-rendered pages are checked word by
word in tests/home/test_admin_chinese.py; this test reads what only a browser shows."""

import re

from playwright.sync_api import expect

from tests.browser.test_timetable_planner import sign_in_to_admin

ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")
# The admin's own name and the demo course 学会ABC (see tests/home/test_admin_chinese.py).
ALLOWED = {"Wagtail", "ABC"}

# Words that Wagtail's scripts show on these pages, from its djangojs catalogue.
JAVASCRIPT_MSGIDS = [
    "Autosave in progress…", "Changes have been autosaved.", "A network error occurred.", "A server error occurred.",
    "(1 new item in this menu)", "(New)", "Write something or type ‘/’ to insert a block", "Insert a block",
]

# Every word a person reads inside the elements that `selector` matches: visible text and
# the read attributes, leaving out what the coordinator typed (fields, the rich text
# editor), key caps, and the summaries of the course's own content (in the minimap, and the
# title a StreamField block takes from what it holds, such as a dialogue line's speaker).
READ_TEXTS = """
(selector) => {
  const left_out = 'script, style, noscript, code, kbd, textarea, [contenteditable="true"], .w-minimap-item, .c-sf-block__title';
  const shown = (element) => !!(element.offsetWidth || element.offsetHeight || element.getClientRects().length);
  const texts = [];
  for (const region of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(region, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const element = node.parentElement;
      if (node.textContent.trim() && shown(element) && !element.closest(left_out)) texts.push(node.textContent);
    }
    for (const element of [region, ...region.querySelectorAll('*')]) {
      if (element.closest(left_out)) continue;
      for (const name of ['aria-label', 'title', 'placeholder', 'alt']) {
        if (element.getAttribute(name)) texts.push(element.getAttribute(name));
      }
    }
  }
  return texts;
}
"""


def english_in(page, selector: str) -> dict[str, str]:
    found = {}
    for text in page.evaluate(READ_TEXTS, selector):
        for word in ENGLISH_WORD.findall(text):
            if word not in ALLOWED:
                found.setdefault(word, " ".join(text.split())[:80])
    return found


def test_admin_parts_drawn_by_scripts_read_in_chinese(new_context, manage):
    course_id = manage("shell", "-c", "from classes.models import CoursePage; "
                       "print(CoursePage.objects.get(slug='learn-abc').pk)").strip().splitlines()[-1]
    page = new_context("desktop").new_page()
    sign_in_to_admin(page, "coordinator", "demo-coordinator")

    sidebar = page.locator("#wagtail-sidebar")
    expect(sidebar.get_by_placeholder("搜索")).to_be_visible()
    expect(sidebar.get_by_text("Wagtail 使用说明").first).to_be_visible()
    expect(page.locator(".w-dismissible-badge")).to_have_count(0)
    assert english_in(page, "#wagtail-sidebar") == {}

    page.goto(f"/admin/pages/{course_id}/edit/")
    expect(page.locator("#id_title")).to_be_visible()
    assert english_in(page, "#wagtail-sidebar, header, footer, .w-minimap, [data-side-panel], "
                            ".w-side-panel-toggle, #w-autosave-indicator") == {}
    # The autosave indicator's and the sidebar's words come from the catalogue the page loaded
    # from /admin/jsi18n/ (waiting for an autosave to show them would wait on a timer).
    words = page.evaluate("(ids) => ids.map((id) => window.django.gettext(id))", JAVASCRIPT_MSGIDS)
    assert [word for word in words if ENGLISH_WORD.search(word)] == []
