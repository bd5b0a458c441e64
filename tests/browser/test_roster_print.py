"""The roster on a phone and a laptop, and join cards on paper: A4 takes four cards a sheet,
A6 one (static/css/join-card.css)."""

import math
import re

from playwright.sync_api import expect

from tests.browser.gate import assert_accessible, horizontal_overflow, save_screenshot
from tests.browser.test_confirmations import coordinator_page, roster_path

# A page object in a PDF: "/Type /Page", not the "/Type /Pages" tree above the pages.
PDF_PAGE = re.compile(rb"/Type\s*/Page(?!s)")
# Sub-pixel layout: a full-width button may be a fraction of a pixel narrower than its cell.
FULL_WIDTH_SLACK_PX = 1

# Two more learners with a seat in 学会ABC, so it has five cards: a second A4 sheet is needed.
TWO_MORE_LEARNERS = """
from classes.courses.services import enrolment_create
from classes.models import CoursePage, Learner
course = CoursePage.objects.get(title="学会ABC")
course.online_seats = 50
course.save(update_fields=["online_seats"])
for name, phone in (("钱卡片", "13700137001"), ("冯卡片", "13700137002")):
    enrolment_create(learner=Learner.objects.create(name=name, phone=phone), course=course)
"""


def pdf_pages(pdf: bytes) -> int:
    return len(PDF_PAGE.findall(pdf))


def test_the_roster_on_a_phone_is_one_card_per_learner_with_full_width_actions(new_context, manage):
    page = coordinator_page(new_context, "phone")
    page.goto(roster_path(manage))
    expect(page.locator(".roster-table td[data-label]").first).to_be_visible()

    assert horizontal_overflow(page) is None
    narrow = page.evaluate(f"""() => Array.from(document.querySelectorAll(".roster-table .actions .button"))
      .filter((b) => b.getBoundingClientRect().width < b.closest("td").clientWidth - {FULL_WIDTH_SLACK_PX})
      .map((b) => b.textContent.trim())""")
    assert narrow == [], f"action buttons narrower than their card: {narrow}"
    assert_accessible(page)
    save_screenshot(page, "roster", "phone")


def test_phone_numbers_on_the_roster_stay_on_one_line_on_a_laptop(new_context, manage):
    page = coordinator_page(new_context, "desktop")
    page.goto(roster_path(manage))

    # A range over the number's text has one box per line it takes.
    lines = page.evaluate("""() => Array.from(document.querySelectorAll(".roster-table .phone-number")).map((el) => {
      const range = document.createRange();
      range.selectNodeContents(el);
      return [el.textContent.trim(), range.getClientRects().length];
    })""")
    assert lines, "the roster shows no phone numbers"
    assert all(count == 1 for _number, count in lines), f"numbers over more than one line: {lines}"


def test_join_cards_print_four_to_an_a4_sheet_and_one_to_an_a6_sheet(new_context, manage):
    manage("shell", "-c", TWO_MORE_LEARNERS)
    page = coordinator_page(new_context, "desktop")
    page.goto(roster_path(manage, "学会ABC") + "cards/")
    cards = page.locator(".join-card").count()
    assert cards == 5

    assert pdf_pages(page.pdf(format="A4")) == math.ceil(cards / 4)
    assert pdf_pages(page.pdf(width="105mm", height="148mm")) == cards
