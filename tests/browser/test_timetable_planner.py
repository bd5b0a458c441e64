"""A coordinator plans next term in the admin: the planner proposes a week from the
teachers' free time, proven the best, lists the week a class moves because its teacher is
away, and a clashing hand edit is refused with the reason beside its row, which keeps what
was typed and has the cursor."""

from playwright.sync_api import expect

from tests.browser.gate import save_screenshot


def sign_in_to_admin(page, username, password):
    page.goto("/admin/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("form button[type=submit]").click()
    expect(page.locator("#wagtail")).to_be_visible()


def open_next_term_planner(page):
    page.goto("/admin/timetable/")
    page.get_by_role("link", name="新学期").click()
    expect(page.get_by_role("heading", name="自动排课", exact=False).or_(
        page.get_by_role("button", name="自动排课"))).to_be_visible()


def test_the_planner_proposes_a_week_and_refuses_a_clashing_edit(new_context):
    page = new_context("desktop").new_page()
    sign_in_to_admin(page, "coordinator", "demo-coordinator")
    open_next_term_planner(page)

    page.get_by_role("button", name="自动排课").click()
    expect(page.get_by_text("已生成 6 个每周上课时间。")).to_be_visible()
    week = page.locator("table.listing").first
    expect(week).to_contain_text("爱尚书法")
    expect(week).to_contain_text("学会ABC")
    expect(page.get_by_text("这是按老师们的空闲时间能排出的最好的课表", exact=False)).to_be_visible()
    # 王书华 is away on the third Thursday and free that Friday morning (the demo's dates).
    moved = page.locator("#week-changes tr").filter(has_text="爱尚书法")
    expect(moved).to_contain_text("星期四 09:00")
    expect(moved).to_contain_text("星期五 09:00")
    save_screenshot(page, "timetable-planner", "desktop")

    # Move one of 学会ABC's evenings (李安妮) to a Monday morning, when 李安妮 is not free.
    row = page.locator("tr").filter(has_text="学会ABC").filter(has=page.get_by_role("button", name="保存")).first
    row.get_by_label("星期").select_option(label="星期一")
    row.get_by_label("开始时间").fill("09:00")
    row_id = row.get_attribute("id")
    row.get_by_role("button", name="保存").click()
    # The page comes back at that row: the reason beside it, what was typed kept, the cursor in it.
    refused = page.locator(f"#{row_id}")
    expect(refused.get_by_text("李安妮 在 星期一 09:00–10:00 没有空。", exact=False)).to_be_visible()
    expect(refused.get_by_label("星期")).to_be_focused()
    expect(refused.get_by_label("开始时间")).to_have_value("09:00")
    expect(refused.get_by_label("星期")).to_have_attribute("aria-invalid", "true")
