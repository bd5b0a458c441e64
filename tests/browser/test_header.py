"""The page header on a 375×667 phone and a 1280×800 laptop: short enough that each page starts
on the first screen at every text size; one 求助, in the same place on every page, that does what
helps whoever is looking; the menu and the page tools (字号, 语言) behind one button with words on
it (docs: /work/shared/guides/age-friendly.md, "Help", "The first screen", "Text-size control")."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.browser.gate import VIEWPORTS, assert_accessible
from tests.browser.header import MENU, MENU_BUTTON, TEXT_SIZE_WORDS, choose_text_size, open_menu

PHONE = VIEWPORTS["phone"]
# The header's height on a 375×667 phone at each text size. It has two rows at every size: the
# centre's name with 求助 (≥ 60 px), then 菜单和字号 (≥ 44 px), with 4 px spacing; measured,
# 118 px at 标准, 121 at 大 and 134 at 特大. Each bound leaves room for fonts and rounding but
# not for a third row (≥ 44 px more), nor for a menu that shows unasked. The first screen is only
# 667 px: at 特大 what the header leaves (over 500 px) is for the page's title and main action.
HEADER_MAX_PX = {"standard": 120, "large": 140, "extra": 160}
# Pages a learner meets, each with its own content under the same header.
PAGES = ["/", "/courses/", "/courses/calligraphy/", "/help/", "/my/", "/timetable/"]
NAV_LINKS = ["首页", "我的课程", "找课程", "课表"]
# Seen signed in as a learner: their personal link, opened on their phone.
LEARNER = ("刘桂兰", "爱尚书法")
# A learner of this test's own, so that no other test's 求助 tap (which Daphne remembers for
# 30 seconds, beyond the database reset) turns this one's into "you already asked".
NEW_LEARNER_PHONE = "13700137014"
NEW_LEARNER = (
    "from classes.models import CoursePage, Learner, SeatPool; "
    "from classes.courses.services import enrolment_create; "
    "from classes.courses.join_links import join_link_ensure, join_link_token; "
    f"learner = Learner.objects.create(name='钱淑芬', phone='{NEW_LEARNER_PHONE}'); "
    "course = CoursePage.objects.get(slug='calligraphy'); "
    "enrolment_create(learner=learner, course=course, pool=SeatPool.ONLINE); "
    "print('/j/%s/' % join_link_token(link=join_link_ensure(course=course, learner=learner)))"
)


def header_height(page) -> float:
    return page.locator("header.site-header").bounding_box()["height"]


def help_button(page):
    return page.locator("header .button--help")


def sign_in_as(page, join_paths, who) -> None:
    """A learner opens their personal link; a visitor (who=None) opens nothing."""
    if who:
        page.goto(join_paths[who])


# ---------------------------------------------------------------------------- height


@pytest.mark.parametrize("size", HEADER_MAX_PX)
@pytest.mark.parametrize("who", [None, LEARNER], ids=["visitor", "learner"])
def test_the_header_on_a_phone_stays_short_at_each_text_size(page, join_paths, who, size):
    sign_in_as(page, join_paths, who)
    page.goto("/")
    choose_text_size(page, size)

    # The next page is drawn at the chosen size, its menu folded: the header as a learner meets it.
    page.goto("/courses/")
    height = header_height(page)

    assert height <= HEADER_MAX_PX[size], f"the header is {height} px tall at {TEXT_SIZE_WORDS[size]}"


@pytest.mark.parametrize("size", HEADER_MAX_PX)
def test_the_help_pages_call_button_is_on_a_phones_first_screen(page, size):
    page.goto("/")
    choose_text_size(page, size)

    page.locator("header").get_by_role("link", name="求助", exact=True).click()
    page.wait_for_url("**/help/")
    call = page.locator("main a[href^='tel:']").first.bounding_box()

    assert call["y"] + call["height"] <= PHONE["height"], f"打电话给中心 ends at {call['y'] + call['height']} px"


# ---------------------------------------------------------------------------- 求助


@pytest.mark.parametrize("who", [None, LEARNER], ids=["visitor", "learner"])
def test_one_help_button_in_the_same_place_on_every_page(page, join_paths, who):
    sign_in_as(page, join_paths, who)
    places = {}
    for path in PAGES:
        page.goto(path)
        expect(help_button(page)).to_have_count(1)
        expect(help_button(page)).to_have_text("求助")
        box = help_button(page).bounding_box()
        places[path] = (round(box["x"]), round(box["y"]), round(box["width"]), round(box["height"]))

    assert len(set(places.values())) == 1, f"求助 moves from page to page: {places}"


def test_a_signed_in_learners_help_button_asks_for_a_call_with_one_tap(page, manage):
    join_path = manage("shell", "-c", NEW_LEARNER).strip().splitlines()[-1]
    page.goto(join_path)
    page.goto("/courses/calligraphy/")

    page.locator("header").get_by_role("button", name="求助", exact=True).click()

    expect(page).to_have_url(re.compile(r"/help/call-me/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("志愿者会给您打电话")
    asked = manage("shell", "-c", (
        "from volunteers.models import HelpRequest; "
        f"print([(r.source, r.course.slug) for r in HelpRequest.objects.filter(learner__phone='{NEW_LEARNER_PHONE}')])"
    )).strip().splitlines()[-1]
    assert asked == "[('learner', 'calligraphy')]", f"the volunteers were asked {asked}"


def test_a_visitors_help_button_leads_to_the_help_page_and_its_phone_number(page):
    page.goto("/courses/")

    page.locator("header").get_by_role("link", name="求助", exact=True).click()

    expect(page).to_have_url(re.compile(r"/help/$"))
    call = page.locator(f"main a[href='tel:{settings.CENTRE_HELP_PHONE}']")
    expect(call).to_be_visible()
    expect(call).to_contain_text(settings.CENTRE_HELP_PHONE)


# ---------------------------------------------------------------------------- the menu


def test_on_a_phone_the_menu_and_page_tools_wait_behind_one_button(page):
    page.goto("/")
    nav = page.locator("header nav.site-nav")
    expect(nav).to_be_hidden()

    # A <summary>: screen readers call it a button, with its open or closed state.
    page.locator(MENU_BUTTON, has_text="菜单和字号").click()

    for name in NAV_LINKS:
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    for words in TEXT_SIZE_WORDS.values():
        expect(page.locator("header .text-size").get_by_role("button", name=words, exact=True)).to_be_visible()
    expect(page.locator("header form.language-switch").get_by_role("button", name="English")).to_be_visible()


def test_the_menu_opens_from_the_keyboard(page):
    page.goto("/")
    page.locator(MENU_BUTTON).focus()

    page.keyboard.press("Enter")

    expect(page.locator(MENU)).to_have_attribute("open", "")
    expect(page.locator("header nav.site-nav")).to_be_visible()


def test_the_menu_and_language_switch_work_without_javascript(new_context):
    page = new_context(java_script_enabled=False).new_page()
    page.goto("/courses/")

    page.locator(MENU_BUTTON).click()
    page.locator("header form.language-switch").get_by_role("button", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/courses/$"))


def test_switching_language_from_the_menu_keeps_the_page(page):
    page.goto("/courses/calligraphy/")
    open_menu(page)

    page.locator("header form.language-switch").get_by_role("button", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/courses/calligraphy/$"))
    expect(page.locator(MENU_BUTTON)).to_have_text("Menu and text size")
    expect(help_button(page)).to_have_text("Help")


def test_a_chosen_text_size_is_set_before_the_next_page_is_drawn(page):
    page.goto("/")
    choose_text_size(page, "extra")
    # Note the size the moment <body> exists, before anything in it can be drawn.
    page.add_init_script("""new MutationObserver((_, observer) => {
        if (!document.body) return;
        window.sizeWhenBodyBegan = document.documentElement.dataset.textSize;
        observer.disconnect();
      }).observe(document, {childList: true, subtree: true});""")

    page.goto("/help/")

    assert page.evaluate("window.sizeWhenBodyBegan") == "extra"


@pytest.mark.parametrize("size", ["standard", "extra"])
def test_the_open_menu_passes_the_accessibility_gate_on_a_phone(page, size):
    page.goto("/")
    choose_text_size(page, size)

    assert_accessible(page)


# ---------------------------------------------------------------------------- a laptop


def test_on_a_laptop_the_menu_and_page_tools_show_in_one_row_without_the_button(new_context):
    page = new_context("desktop").new_page()
    page.goto("/")

    expect(page.locator(MENU_BUTTON)).to_be_hidden()
    row = [
        page.locator("header nav.site-nav").get_by_role("link", name="首页", exact=True),
        page.locator("header .text-size").get_by_role("button", name="特大", exact=True),
        page.locator("header form.language-switch").get_by_role("button", name="English"),
    ]
    for control in row:
        expect(control).to_be_visible()
    middles = [round(box["y"] + box["height"] / 2) for box in (control.bounding_box() for control in row)]
    assert max(middles) - min(middles) <= 1, f"the menu and the tools are not in one row: {middles}"
