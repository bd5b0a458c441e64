"""The learner pages outside the class room as a phone shows them: 我的课程 with a class on now,
a class page or learning group opened on a phone that is not signed in, the sign-up done
page, and the course and sign-up pages of a learner already in the course. Each passes the
accessibility gate, and its main action is on the first screen."""

import pytest
from playwright.sync_api import expect

from tests.browser.gate import VIEWPORTS, assert_accessible
from tests.browser.test_join_flow import sign_up_from_the_course_page

LEARNER, COURSE = "刘桂兰", "爱尚书法"
COURSE_PATH = "/courses/calligraphy/"


def shell(manage, code: str) -> str:
    return manage("shell", "-c", code).strip().splitlines()[-1]


def calligraphy_pk(manage) -> str:
    return shell(manage, "from classes.models import CoursePage; print(CoursePage.objects.get(slug='calligraphy').pk)")


def next_class_pk(manage) -> str:
    return shell(manage, (
        "from classes.models import CoursePage; from classes.courses.selectors import session_next_for_course; "
        "print(session_next_for_course(course=CoursePage.objects.get(slug='calligraphy')).pk)"
    ))


def start_next_class(manage) -> None:
    """The teacher has started calligraphy's next class a minute ago."""
    manage("shell", "-c", (
        "from datetime import timedelta; from django.utils import timezone; from classes.models import CoursePage; "
        "from classes.courses.selectors import session_next_for_course; "
        "s = session_next_for_course(course=CoursePage.objects.get(slug='calligraphy')); "
        "s.starts_at = timezone.now() - timedelta(minutes=1); s.live_started_at = timezone.now(); "
        "s.save(update_fields=['starts_at', 'live_started_at'])"
    ))


def on_first_screen(page, locator) -> None:
    box = locator.bounding_box()
    assert box and box["y"] + box["height"] <= page.viewport_size["height"], f"ends at {box} px, below the first screen"


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_my_classes_with_a_class_on_now_passes_the_gate(new_context, join_paths, manage, viewport):
    start_next_class(manage)
    page = new_context(viewport).new_page()
    page.goto(join_paths[LEARNER, COURSE])

    expect(page.locator(".badge--live")).to_have_text("正在上课")
    link = page.get_by_role("link", name=f"去教室：{COURSE}")
    expect(link).to_have_text("去教室")
    on_first_screen(page, link)
    assert_accessible(page)


@pytest.mark.parametrize("which", ["class", "group"])
def test_a_signed_out_phone_is_asked_to_open_its_link_again_and_the_page_passes_the_gate(page, manage, which):
    path = f"/class/{next_class_pk(manage)}/" if which == "class" else f"/group/{calligraphy_pk(manage)}/"

    response = page.goto(path)

    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("请重新打开您的专属链接")
    call = page.locator("main a[href^='tel:']")
    expect(call).to_contain_text("打电话给中心")
    on_first_screen(page, call)
    assert_accessible(page)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_sign_up_done_page_passes_the_gate(new_context, viewport):
    page = new_context(viewport).new_page()
    sign_up_from_the_course_page(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("报名成功")
    expect(page.locator("main")).to_contain_text("13711112222")
    on_first_screen(page, page.get_by_role("link", name="去我的课程"))
    assert_accessible(page)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_course_page_of_a_learner_in_it_says_signed_up_and_passes_the_gate(new_context, join_paths, viewport):
    page = new_context(viewport).new_page()
    page.goto(join_paths[LEARNER, COURSE])
    page.goto(COURSE_PATH)

    expect(page.get_by_role("heading", name="已报名")).to_be_visible()
    expect(page.locator("main a[href^='/signup/']")).to_have_count(0)
    on_first_screen(page, page.get_by_role("link", name=f"去教室：{COURSE}"))
    assert_accessible(page)


def test_the_sign_up_page_of_a_learner_in_the_course_passes_the_gate(page, join_paths, manage):
    page.goto(join_paths[LEARNER, COURSE])
    page.goto(f"/signup/{calligraphy_pk(manage)}/")

    expect(page.get_by_role("heading", name="已报名")).to_be_visible()
    expect(page.locator("main form")).to_have_count(0)
    assert_accessible(page)


def test_go_to_the_classroom_on_the_course_page_opens_the_class_page(page, join_paths):
    page.goto(join_paths[LEARNER, COURSE])
    page.goto(COURSE_PATH)

    page.get_by_role("link", name=f"去教室：{COURSE}").click()

    expect(page.get_by_role("button", name="进入课堂")).to_be_visible()
