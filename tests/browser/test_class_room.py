"""The class room as a learner on a 375×667 phone and a teacher on a 1280×800 laptop meet it:
what is on the first screen, the words that say what the class is doing, the questions
before leaving or ending, and coming back into class after leaving, reloading or losing
the network (docs: /work/shared/guides/age-friendly.md, "The first screen", "True words",
"Back in class")."""

import pytest
from playwright.sync_api import expect

from tests.browser.gate import VIEWPORTS
from tests.browser.test_live_class import MEDIA_TIMEOUT_MS, TEACHER_VIDEO_PLAYING, enter, sign_in

COURSE = "国画兴趣班"
LEARNER = "赵建国"
PHONE = VIEWPORTS["phone"]
PHONE_LANDSCAPE = {"width": PHONE["height"], "height": PHONE["width"]}
LAPTOP = VIEWPORTS["desktop"]
# Age-friendly rule: in class, the teacher's picture spans (nearly) the phone's width.
VIDEO_MIN_WIDTH_SHARE = 0.9
# A page that came back must not wait for the teacher's browser to call the old connection
# dead (Chrome: 30 s and more). The 3 s target is measured by `make bench BENCH=join_to_video`;
# this bound only separates "replaced" from "waited out" on a busy test machine.
BACK_IN_CLASS_BOUND_MS = 12_000
TEXT_SIZES = ["标准", "大", "特大"]
# Half a second of the fake camera's 20-odd frames a second: a picture that moves.
FRESH_FRAMES = 10
# A closed page shows as gone once its socket's end is stored and the room's next (coalesced)
# state goes out: over 5 s on a busy two-core machine running PostgreSQL, so longer than
# Playwright's default wait. A bound for "it happens", not a speed target.
GONE_TIMEOUT_MS = 20_000


def class_path(manage, course: str = COURSE) -> str:
    """The class page of the course's next class, the one 我的课程 leads to."""
    pk = manage("shell", "-c", (
        "from classes.models import CoursePage; from classes.courses.selectors import session_next_for_course; "
        f"print(session_next_for_course(course=CoursePage.objects.get(title={course!r})).pk)"
    )).strip().splitlines()[-1]
    return f"/class/{pk}/"


def move_next_class(manage, minutes: int, course: str = COURSE) -> None:
    """The course's next class starts `minutes` from now."""
    manage("shell", "-c", (
        "from datetime import timedelta; from django.utils import timezone; from classes.models import CoursePage; "
        "from classes.courses.selectors import session_next_for_course; "
        f"s = session_next_for_course(course=CoursePage.objects.get(title={course!r})); "
        f"s.starts_at = timezone.now() + timedelta(minutes={minutes}); s.save(update_fields=['starts_at'])"
    ))


def add_class_a_week_later(manage, course: str = COURSE) -> None:
    """The course has a class a week after its next one (the demo term has one unless the
    next class is the term's last, which depends on today's date)."""
    manage("shell", "-c", (
        "from datetime import timedelta; from classes.models import ClassSession, CoursePage; "
        "from classes.courses.selectors import session_next_for_course; "
        f"s = session_next_for_course(course=CoursePage.objects.get(title={course!r})); "
        "ClassSession.objects.get_or_create(course=s.course, starts_at=s.starts_at + timedelta(days=7), "
        "defaults={'duration_minutes': s.duration_minutes, 'mode': s.mode})"
    ))


def text_size(page, size: str) -> None:
    page.evaluate("size => { localStorage.setItem('textSize', size); document.documentElement.dataset.textSize = size; }",
                  {"标准": "standard", "大": "large", "特大": "extra"}[size])


def box_on_first_screen(page, selector: str) -> dict:
    """Where the element is, in CSS px from the top of the page (not of the scrolled view)."""
    return page.evaluate("""sel => { const r = document.querySelector(sel).getBoundingClientRect();
      return {top: r.top + window.scrollY, bottom: r.bottom + window.scrollY, left: r.left, right: r.right,
              width: r.width, height: r.height}; }""", selector)


def learner_page(new_context, join_paths, manage, viewport=None, name: str = LEARNER):
    page = new_context("phone").new_page()
    if viewport:
        page.set_viewport_size(viewport)
    page.goto(join_paths[name, COURSE])
    page.goto(class_path(manage))
    return page


def teacher_in_class(new_context, manage, viewport: str = "desktop"):
    page = new_context(viewport).new_page()
    sign_in(page, "teacher_wang", "demo-teacher")
    page.goto(class_path(manage))
    enter(page)
    page.get_by_role("button", name="开始上课").click()
    expect(page.locator("#room-status")).to_have_text("正在上课。")
    return page


def wait_for_video(page, timeout_ms: int = MEDIA_TIMEOUT_MS) -> None:
    page.wait_for_function(TEACHER_VIDEO_PLAYING, timeout=timeout_ms)


def wait_for_fresh_video(page, timeout_ms: int) -> None:
    """Until the teacher's picture has shown new frames since now. Frames are counted as the
    page presents them: the clock of the video element starts again at 0 whenever a new
    connection replaces the stream, so it cannot tell a frozen picture from a fresh one."""
    page.evaluate("""() => { const v = document.getElementById("teacher-video"); window.__freshFrames = 0;
      const tick = () => { window.__freshFrames++; v.requestVideoFrameCallback(tick); };
      v.requestVideoFrameCallback(tick); }""")
    page.wait_for_function(f"""() => {{ const v = document.getElementById("teacher-video");
      return window.__freshFrames >= {FRESH_FRAMES} && v.videoWidth > 0 && !v.paused; }}""", timeout=timeout_ms)


def leave(page) -> None:
    """离开, and yes to the question it asks."""
    page.get_by_role("button", name="离开", exact=True).click()
    page.get_by_role("link", name="是的，离开").click()


@pytest.fixture
def watching(new_context, join_paths, manage):
    """王老师 has started the class; 赵建国, on a phone, has entered and sees the teacher."""
    teacher_in_class(new_context, manage)
    page = learner_page(new_context, join_paths, manage)
    enter(page)
    wait_for_video(page)
    return page


# ---------------------------------------------------------------------------- the first screen

@pytest.mark.parametrize("size", TEXT_SIZES)
def test_enter_class_is_on_a_phones_first_screen(new_context, join_paths, manage, size):
    page = learner_page(new_context, join_paths, manage)
    text_size(page, size)

    button = box_on_first_screen(page, "#enter-room")
    assert button["bottom"] <= PHONE["height"], f"进入课堂 ends at {button['bottom']} px at {size}"


@pytest.mark.parametrize("size", TEXT_SIZES)
def test_in_class_the_teachers_video_tops_a_phones_first_screen_at_full_width(new_context, join_paths, manage, size):
    teacher_in_class(new_context, manage)
    page = learner_page(new_context, join_paths, manage)
    text_size(page, size)
    enter(page)
    wait_for_video(page)

    video = box_on_first_screen(page, "#teacher-video")
    assert video["top"] < PHONE["height"] / 3, f"the video starts at {video['top']} px at {size}"
    assert video["width"] >= VIDEO_MIN_WIDTH_SHARE * PHONE["width"]


def test_in_class_hand_sound_and_quick_answers_are_on_a_phones_first_screen(watching):
    page = watching
    for selector in ("#hand", "#sound-problem", "[data-reply]"):
        assert box_on_first_screen(page, selector)["bottom"] <= PHONE["height"], selector


def test_a_phone_on_its_side_shows_the_video_filling_the_height_with_controls_beside(new_context, join_paths, manage):
    teacher_in_class(new_context, manage)
    page = learner_page(new_context, join_paths, manage, viewport=PHONE_LANDSCAPE)
    enter(page)
    wait_for_video(page)

    video = box_on_first_screen(page, "#teacher-video")
    hand = box_on_first_screen(page, "#hand")
    assert video["bottom"] <= PHONE_LANDSCAPE["height"] and video["height"] >= 0.6 * PHONE_LANDSCAPE["height"]
    assert hand["left"] >= video["right"] and hand["bottom"] <= PHONE_LANDSCAPE["height"]


@pytest.mark.parametrize("size", ["标准", "特大"])
def test_the_teachers_console_shows_video_people_and_chat_on_one_laptop_screen(new_context, manage, size):
    teacher = teacher_in_class(new_context, manage)
    text_size(teacher, size)
    teacher.evaluate("window.scrollTo(0, 0)")

    for selector in ("#teacher-video", "#people-heading", "#chat-text"):
        box = box_on_first_screen(teacher, selector)
        assert box["top"] >= 0 and box["top"] < LAPTOP["height"] and box["height"] > 0, (selector, box)
    assert box_on_first_screen(teacher, "#chat-text")["bottom"] <= LAPTOP["height"]


def test_the_console_lists_raised_hands_first_and_people_who_left_apart(new_context, join_paths, manage):
    teacher = teacher_in_class(new_context, manage)
    zhao = learner_page(new_context, join_paths, manage)
    enter(zhao)
    sun = learner_page(new_context, join_paths, manage, name="孙秀英")
    enter(sun)
    expect(teacher.locator("#people li")).to_have_count(2)
    sun.get_by_role("button", name="举手").click()
    expect(teacher.locator("#people li").first).to_contain_text("孙秀英")

    zhao.close()
    expect(teacher.locator("#people li")).to_have_count(1, timeout=GONE_TIMEOUT_MS)
    expect(teacher.locator("#people-gone li", has_text=LEARNER)).to_have_count(1)
    expect(teacher.locator("#people-gone li").get_by_role("button")).to_have_count(0)


# ---------------------------------------------------------------------------- leaving and ending

def test_leave_asks_once_and_no_keeps_the_learner_in_class(new_context, join_paths, manage):
    teacher_in_class(new_context, manage)
    page = learner_page(new_context, join_paths, manage)
    enter(page)

    page.get_by_role("button", name="离开", exact=True).click()
    expect(page.get_by_text("现在离开课堂吗？")).to_be_visible()
    page.get_by_role("button", name="不，留在课堂").click()

    expect(page.get_by_text("现在离开课堂吗？")).to_be_hidden()
    expect(page.locator("#room")).to_be_visible()


def test_leave_then_yes_goes_to_my_classes(new_context, join_paths, manage):
    page = learner_page(new_context, join_paths, manage)
    enter(page)

    leave(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("我的课程")


def test_leave_looks_unlike_raise_hand(new_context, join_paths, manage):
    page = learner_page(new_context, join_paths, manage)
    enter(page)

    look = "sel => { const s = getComputedStyle(document.querySelector(sel)); return [s.backgroundColor, s.color]; }"
    assert page.evaluate(look, "#leave") != page.evaluate(look, "#hand")


def test_end_class_asks_once_before_ending_for_everyone(new_context, join_paths, manage):
    teacher = teacher_in_class(new_context, manage)

    end = teacher.get_by_role("button", name="下课", exact=True)
    dialog = teacher.get_by_role("dialog", name="给所有人下课吗？", exact=False)
    end.click()
    expect(dialog.get_by_role("button", name="取消")).to_be_focused()
    dialog.get_by_role("button", name="取消").click()
    expect(dialog).to_be_hidden()
    expect(teacher.locator("#room-status")).to_have_text("正在上课。")
    end.click()
    dialog.get_by_role("button", name="是的，现在下课").click()

    expect(teacher.locator("#room-status")).to_contain_text("已经下课了。")


# ---------------------------------------------------------------------------- true words

def test_a_class_days_ahead_gives_its_date_and_time(page, join_paths, manage):
    move_next_class(manage, minutes=3 * 24 * 60)
    page.goto(join_paths[LEARNER, COURSE])
    page.goto(class_path(manage))

    expect(page.locator("#room-status")).to_contain_text("这节课的上课时间是")
    expect(page.locator("#room-status")).not_to_contain_text("老师马上就来")


def test_a_class_close_at_hand_counts_the_minutes(page, join_paths, manage):
    move_next_class(manage, minutes=20)
    page.goto(join_paths[LEARNER, COURSE])
    page.goto(class_path(manage))

    expect(page.locator("#room-status")).to_have_text("还有 20 分钟上课。")


def test_when_the_teachers_page_drops_learners_are_told_and_the_class_comes_back(new_context, join_paths, manage):
    teacher = teacher_in_class(new_context, manage)
    page = learner_page(new_context, join_paths, manage)
    enter(page)
    wait_for_video(page)

    teacher.close()
    expect(page.locator("#room-status")).to_have_text("老师的网络断了，请稍等。", timeout=GONE_TIMEOUT_MS)

    teacher = new_context("desktop").new_page()
    sign_in(teacher, "teacher_wang", "demo-teacher")
    teacher.goto(class_path(manage))
    enter(teacher)
    expect(page.locator("#room-status")).to_have_text("正在上课。")
    wait_for_fresh_video(page, timeout_ms=BACK_IN_CLASS_BOUND_MS)


def test_at_the_end_of_class_the_teachers_camera_stops_for_everyone(new_context, join_paths, manage):
    add_class_a_week_later(manage)
    teacher = teacher_in_class(new_context, manage)
    page = learner_page(new_context, join_paths, manage)
    enter(page)
    wait_for_video(page)

    teacher.get_by_role("button", name="下课", exact=True).click()
    teacher.get_by_role("button", name="是的，现在下课").click()

    expect(page.locator("#room-status")).to_contain_text("已经下课了。")
    expect(page.locator("#room-status")).to_contain_text("下次上课：")
    page.wait_for_function("() => document.getElementById('teacher-video').srcObject === null")
    teacher.wait_for_function("() => window.classroom.localStream === null")
    expect(page.locator("#stage-placeholder")).to_have_text("已经下课了。")


# ---------------------------------------------------------------------------- back in class

def test_a_learner_who_leaves_and_comes_straight_back_sees_the_teacher_again(watching, manage):
    page = watching

    leave(page)
    page.goto(class_path(manage))
    enter(page)

    wait_for_video(page, timeout_ms=BACK_IN_CLASS_BOUND_MS)


def test_a_learner_who_reloads_sees_the_teacher_again(watching):
    page = watching

    page.reload()
    enter(page)

    wait_for_video(page, timeout_ms=BACK_IN_CLASS_BOUND_MS)


def test_a_learner_whose_network_drops_for_twenty_seconds_sees_the_teacher_again(watching):
    page = watching

    page.context.set_offline(True)
    # Chrome's offline switch cuts the page's socket but not its media connections; a real
    # outage kills both, so the teacher's picture is cut here as the outage would cut it.
    page.evaluate("() => window.classroom.peers.forEach(peer => peer.pc.close())")
    expect(page.locator("#room-status")).to_contain_text("网络不好", timeout=20_000)
    page.wait_for_timeout(20_000)  # the outage itself: the test is about what happens after it
    page.context.set_offline(False)

    expect(page.locator("#room-status")).to_have_text("正在上课。", timeout=BACK_IN_CLASS_BOUND_MS)
    wait_for_fresh_video(page, timeout_ms=BACK_IN_CLASS_BOUND_MS)
