"""A learner on a phone: from the link on their card to the class, no password, no app."""

from playwright.sync_api import expect

from tests.browser.accounts import sign_in
from tests.browser.gate import assert_accessible, assert_no_password_field, save_screenshot


def test_join_link_lands_on_my_classes_with_no_tap(page, join_paths):
    page.goto(join_paths["刘桂兰", "爱尚书法"])

    expect(page.get_by_role("heading", level=1)).to_have_text("我的课程")
    assert "/j/" not in page.url
    assert_no_password_field(page)


def test_my_classes_reaches_the_class_page_with_one_tap(page, join_paths):
    page.goto(join_paths["刘桂兰", "爱尚书法"])

    page.get_by_role("link", name="去教室：爱尚书法").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("爱尚书法")
    assert "/class/" in page.url
    assert_no_password_field(page)


def test_the_link_works_again_on_a_later_visit(new_context, join_paths):
    path = join_paths["周明", "学会ABC"]
    for _ in range(2):
        page = new_context().new_page()
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_have_text("我的课程")


def test_a_wrong_link_shows_the_help_number_not_an_error(page, live_server_url):
    page.goto("/j/thisisnotarealtokenatall22/")

    expect(page.get_by_role("heading", level=1)).to_have_text("这个链接打不开")
    expect(page.locator("main a[href^='tel:']")).to_be_visible()


def sign_up_from_the_course_page(page):
    """郑小花 signs up for 少儿国画班 from its course page, as a new learner would."""
    page.goto("/courses/children-painting/")
    page.get_by_role("link", name="报名少儿国画班").click()
    page.get_by_label("您的姓名").fill("郑小花")
    page.get_by_label("您的手机号").fill("137 1111 2222")
    page.get_by_role("button", name="我要报名").click()


def test_a_learner_signs_up_on_a_course_page_and_lands_in_my_classes(page):
    sign_up_from_the_course_page(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("报名成功")
    page.get_by_role("link", name="去我的课程").click()
    expect(page.get_by_role("heading", name="少儿国画班")).to_be_visible()


def test_a_bad_phone_number_is_explained_in_chinese(page):
    page.goto("/courses/learn-abc/")
    page.get_by_role("link", name="报名学会ABC").click()
    page.get_by_label("您的姓名").fill("郑小花")
    page.get_by_label("您的手机号").fill("12345")
    page.get_by_role("button", name="我要报名").click()

    expect(page.locator(".field__error")).to_contain_text("11 位手机号码")
    assert_accessible(page)


def test_coordinator_prints_join_cards_with_qr_codes(new_context):
    page = new_context("desktop").new_page()
    sign_in(page, "coordinator", "demo-coordinator")
    page.goto("/courses/calligraphy/")
    course_id = page.get_by_role("link", name="报名爱尚书法").get_attribute("href").strip("/").split("/")[-1]
    page.goto(f"/roster/{course_id}/cards/")

    expect(page.locator(".join-card svg").first).to_be_visible()
    assert_accessible(page)
    save_screenshot(page, "join-cards", "desktop")


def test_my_classes_on_a_phone_passes_the_gate(page, join_paths):
    page.goto(join_paths["赵建国", "学会ABC"])
    expect(page.get_by_role("heading", level=1)).to_have_text("我的课程")

    assert_accessible(page)
    save_screenshot(page, "my-classes", "phone")
