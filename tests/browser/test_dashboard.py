"""The demo coordinator opens the term overview (学期概览) in the admin: charts and tables of the
term, the learner who missed two classes put on the call list with one tap, and the page passes
the accessibility gate's WCAG checks (axe, language, reflow at 320 px; the learner-page numbers
such as 18 px text and the 求助 button are for learners' pages, not the admin)."""

import pytest
from playwright.sync_api import expect

from tests.browser.gate import VIEWPORTS, axe_violations, lang_problems, reflow_problems, save_screenshot
from tests.browser.test_timetable_planner import sign_in_to_admin

# In the browser site's own database (tests/browser/conftest.py puts it back before each test):
# a term around today, and three classes of 爱尚书法 its teacher held in the past three weeks;
# 刘桂兰, signed up two months ago, came to the first only, so she missed the last two.
PREPARE = """
from datetime import timedelta
from django.utils import timezone
from classes.models import ClassSession, CoursePage, Enrolment, Learner, Participant, RoomRole, Term, Visit
today = timezone.localdate()
Term.objects.create(name="本学期", starts_on=today - timedelta(days=30), ends_on=today + timedelta(days=30))
course = CoursePage.objects.get(slug="calligraphy")
liu = Learner.objects.get(phone="13800138001")
Enrolment.objects.filter(course=course).update(created_at=timezone.now() - timedelta(days=60))
for weeks in (3, 2, 1):
    starts = timezone.now() - timedelta(weeks=weeks)
    session = ClassSession.objects.create(course=course, starts_at=starts, duration_minutes=60,
                                          live_started_at=starts, live_ended_at=starts + timedelta(hours=1))
    if weeks == 3:
        Visit.objects.create(participant=Participant.objects.create(
            session=session, learner=liu, name=liu.name, role=RoomRole.LEARNER))
"""


@pytest.fixture
def term_with_a_missed_learner(manage):
    manage("shell", "-c", PREPARE)


def open_overview(new_context, viewport):
    page = new_context(viewport).new_page()
    sign_in_to_admin(page, "coordinator", "demo-coordinator")
    page.goto("/admin/term-overview/")
    expect(page.locator("#seats-chart-title")).to_be_attached()
    return page


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_coordinator_puts_a_learner_who_missed_two_classes_on_the_call_list(
    new_context, term_with_a_missed_learner, viewport
):
    page = open_overview(new_context, viewport)
    expect(page.locator("svg[role=img]")).to_have_count(2)
    expect(page.locator("#enrolment-caption")).to_be_visible()
    missed = page.locator(".dashboard-missed li").filter(has_text="刘桂兰")
    expect(missed).to_contain_text("爱尚书法")
    problems = axe_violations(page) + lang_problems(page) + reflow_problems(page)
    assert not problems, "the term overview fails the accessibility gate:\n  " + "\n  ".join(problems)
    save_screenshot(page, "term-overview", viewport)

    missed.get_by_role("button").click()
    expect(page.locator(".messages")).to_contain_text("刘桂兰")
    # Now she waits for a volunteer's call, said in words, and there is no button to tap twice.
    expect(page.locator(".dashboard-missed li").filter(has_text="刘桂兰").get_by_role("button")).to_have_count(0)


# A class of 国画兴趣班 its teacher has just started (now, so that it is today's at any hour), with 赵建国 in it.
LIVE_NOW = """
from django.utils import timezone
from classes.models import ClassSession, CoursePage, Learner, Participant, RoomRole, Visit
started = timezone.now()
session = ClassSession.objects.create(course=CoursePage.objects.get(slug="chinese-painting"), starts_at=started,
                                      duration_minutes=90, live_started_at=started)
zhao = Learner.objects.get(phone="13800138002")
Visit.objects.create(participant=Participant.objects.create(
    session=session, learner=zhao, name=zhao.name, role=RoomRole.LEARNER, connections=1, last_seen_at=timezone.now()))
print(session.pk)
"""


def test_the_admin_home_shows_a_class_going_on_now_and_who_has_joined(new_context, manage):
    session_id = manage("shell", "-c", LIVE_NOW).strip().splitlines()[-1]
    page = new_context("desktop").new_page()
    sign_in_to_admin(page, "coordinator", "demo-coordinator")

    row = page.locator(f".dashboard-today tr[data-session='{session_id}']")
    expect(row).to_contain_text("国画兴趣班")
    expect(row).to_contain_text("正在上课")
    expect(row.locator("[data-joined]")).to_have_attribute("data-joined", "1")
    save_screenshot(page, "admin-today", "desktop")
