"""The learning group in two browsers: text, a photo and a voice message, and a
member who was away finds them on return; and the group as a learner on a 375×667
phone meets it: opened at the newest message, each message's time in words, a hint
in an empty group, and the connection mentioned only when it is in trouble."""

import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.gate import assert_accessible, save_screenshot
from tests.browser.test_live_class import sign_in

MEDIA_TIMEOUT_MS = 20_000


def photo_png() -> bytes:
    picture = Image.new("RGB", (800, 600), (200, 40, 40))
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


def wait_until_connected(page):
    """Connected and caught up: the socket is open and the server has said the replay is complete."""
    page.wait_for_function("() => window.learningGroup && window.learningGroup.synced && window.learningGroup.connection.isOpen()")


def open_group_as_liu(context, join_paths):
    page = context.new_page()
    page.goto(join_paths["刘桂兰", "爱尚书法"])
    page.get_by_role("link", name="爱尚书法学习群").click()
    wait_until_connected(page)
    return page


def open_group_as_teacher(new_context):
    page = new_context("desktop").new_page()
    sign_in(page, "teacher_wang", "demo-teacher")
    page.get_by_role("link", name="爱尚书法学习群").click()
    wait_until_connected(page)
    return page


def send_text(page, text):
    page.get_by_label("写消息").fill(text)
    page.get_by_role("button", name="发送", exact=True).click()


def test_two_members_exchange_text_photo_and_voice(new_context, join_paths):
    liu = open_group_as_liu(new_context(), join_paths)
    teacher = open_group_as_teacher(new_context)

    send_text(liu, "王老师，这是我今天写的字")
    expect(teacher.locator("#group-messages")).to_contain_text("刘桂兰：王老师，这是我今天写的字")

    liu.locator("#group-photo").set_input_files({"name": "work.png", "mimeType": "image/png", "buffer": photo_png()})
    teacher_picture = teacher.get_by_role("img", name="刘桂兰发的图片")
    expect(teacher_picture).to_be_visible(timeout=MEDIA_TIMEOUT_MS)
    teacher.wait_for_function("() => [...document.querySelectorAll('.chat__picture img')].some(i => i.naturalWidth > 0)")

    teacher.get_by_role("button", name="录一段语音").click()
    teacher.wait_for_function("() => window.learningGroup.recorder && document.getElementById('record').textContent.includes('2')")
    teacher.locator("#record").click()
    voice = liu.get_by_role("button", name="播放语音")
    expect(voice).to_be_visible(timeout=MEDIA_TIMEOUT_MS)
    voice.click()  # plays from the site's own server

    assert_accessible(liu)
    save_screenshot(liu, "learning-group", "phone")


def test_a_member_who_was_away_sees_the_messages_on_return(new_context, join_paths):
    liu_context = new_context()
    liu = open_group_as_liu(liu_context, join_paths)
    liu.close()  # she puts the phone away
    teacher = open_group_as_teacher(new_context)
    send_text(teacher, "下周一的课提前到八点半")
    expect(teacher.locator("#group-messages")).to_contain_text("下周一的课提前到八点半")

    back = liu_context.new_page()
    back.goto("/my/")
    expect(back.get_by_role("link", name="爱尚书法学习群：1 条新消息")).to_be_visible()
    back.get_by_role("link", name="爱尚书法学习群：1 条新消息").click()
    expect(back.locator("#group-messages")).to_contain_text("王书华（老师）：下周一的课提前到八点半")


def _drop_first_live_message(context, text):
    """Between the server and Liu's page, lose the first live message carrying `text`, as a
    full channel-layer queue does (it drops without a word)."""
    dropped = []

    def route(ws):
        server = ws.connect_to_server()

        def to_page(message):
            if not dropped and '"chat.message"' in message and text in message:
                dropped.append(message)
                return
            ws.send(message)

        server.on_message(to_page)
        ws.on_message(lambda message: server.send(message))

    context.route_web_socket("**/ws/group/**", route)
    return dropped


def test_a_message_lost_on_the_way_is_fetched_when_the_next_one_shows_the_hole(new_context, join_paths):
    liu_context = new_context()
    dropped = _drop_first_live_message(liu_context, "先写横")
    liu = open_group_as_liu(liu_context, join_paths)
    teacher = open_group_as_teacher(new_context)

    send_text(teacher, "先写横")
    expect(teacher.locator("#group-messages")).to_contain_text("先写横")
    send_text(teacher, "再写竖")
    expect(liu.locator("#group-messages")).to_contain_text("再写竖")

    assert dropped, "the first message was not held back"
    expect(liu.locator("#group-messages")).to_contain_text("王书华（老师）：先写横")


# ---------------------------------------------------------------- the group as learners need it

SHANGHAI = ZoneInfo("Asia/Shanghai")
# More messages than a 375×667 screen holds.
MANY = 40
# What hello from 0 replays (classes/live/chat.py REPLAY_LIMIT) and one page of history (HISTORY_PAGE).
REPLAYED = 200
HISTORY_PAGE = 30
EMPTY_HINT = "这里还没有消息。写一句话，或者发一张作品的照片，和同学们打个招呼吧。"
RECONNECTING = "网络断了，正在重新连接……您写的消息会在网络恢复后发出。"
NEW_BELOW = "下面有新消息，点这里看"

# Every ancestor of the messages, up to <html>, whose own scrollbar would hold them.
SCROLL_BOXES_JS = """() => {
  const boxes = [];
  for (let el = document.getElementById("group-messages"); el; el = el.parentElement) {
    const overflow = getComputedStyle(el).overflowY;
    if (el !== document.documentElement && (overflow === "auto" || overflow === "scroll")) {
      boxes.push(`${el.tagName.toLowerCase()}#${el.id}.${el.className} (overflow-y: ${overflow})`);
    }
  }
  return boxes;
}"""
# Two drawn frames: whatever the page meant to do with the last message (it scrolls in the next frame) is done.
TWO_FRAMES_JS = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"


def store_messages(manage, messages: list[tuple[str, datetime | None]]) -> None:
    """Messages from 王书华 in 爱尚书法's group, oldest first, through the service the socket uses;
    each stored at its own time (None: now), as if written then."""
    rows = [(text, at.isoformat() if at else None) for text, at in messages]
    manage("shell", "-c", (
        "from datetime import datetime\n"
        "from django.contrib.auth import get_user_model\n"
        "from classes.courses.people import course_person\n"
        "from classes.groups.services import group_post\n"
        "from classes.models import ChatMessage, CoursePage\n"
        "course = CoursePage.objects.get(title='爱尚书法')\n"
        "teacher = course_person(course=course, learner=None, user=get_user_model().objects.get(username='teacher_wang'))\n"
        f"for n, (text, at) in enumerate({rows!r}):\n"
        "    message = group_post(member=teacher, client_id=f'stored-{n}', text=text)\n"
        "    if at:\n"
        "        ChatMessage.objects.filter(pk=message.pk).update(created_at=datetime.fromisoformat(at))\n"
    ))


def message(page, text):
    return page.locator("#group-messages li", has_text=text)


def test_the_group_opens_at_the_newest_message_and_the_page_itself_scrolls(new_context, join_paths, manage):
    store_messages(manage, [(f"第{n}条", None) for n in range(1, MANY + 1)])

    liu = open_group_as_liu(new_context(), join_paths)

    expect(message(liu, f"第{MANY}条")).to_be_in_viewport(ratio=1)
    expect(liu.get_by_label("写消息")).to_be_in_viewport(ratio=1)
    expect(liu.get_by_role("button", name="发照片")).to_be_in_viewport(ratio=1)
    expect(liu.get_by_role("button", name="录一段语音")).to_be_in_viewport(ratio=1)
    assert liu.evaluate("document.scrollingElement.scrollTop") > 0, "the page itself was not scrolled to the newest message"
    assert liu.evaluate(SCROLL_BOXES_JS) == [], "the messages sit in a scroll box of their own"


def test_a_learners_own_message_is_in_view_once_sent(new_context, join_paths, manage):
    store_messages(manage, [(f"第{n}条", None) for n in range(1, MANY + 1)])
    liu = open_group_as_liu(new_context(), join_paths)
    liu.evaluate("window.scrollTo(0, 0)")  # she had been reading from the top

    send_text(liu, "我写完了，请老师看看")

    expect(message(liu, "刘桂兰：我写完了，请老师看看")).to_be_in_viewport(ratio=1)


def test_a_new_message_comes_into_view_for_a_reader_at_the_newest(new_context, join_paths, manage):
    store_messages(manage, [(f"第{n}条", None) for n in range(1, MANY + 1)])
    liu = open_group_as_liu(new_context(), join_paths)
    teacher = open_group_as_teacher(new_context)
    expect(message(liu, f"第{MANY}条")).to_be_in_viewport(ratio=1)

    send_text(teacher, "明天记得带毛笔")

    expect(message(liu, "明天记得带毛笔")).to_be_in_viewport(ratio=1)


def test_a_new_message_leaves_a_reader_further_up_where_they_are_and_offers_to_go_down(
        new_context, join_paths, manage):
    store_messages(manage, [(f"第{n}条", None) for n in range(1, MANY + 1)])
    liu = open_group_as_liu(new_context(), join_paths)
    teacher = open_group_as_teacher(new_context)
    liu.evaluate("window.scrollTo(0, 0)")
    liu.wait_for_function("() => window.scrollY === 0")

    send_text(teacher, "明天记得带毛笔")
    expect(liu.locator("#group-messages")).to_contain_text("明天记得带毛笔")
    liu.evaluate(TWO_FRAMES_JS)

    assert liu.evaluate("window.scrollY") == 0, "the page moved under a learner reading older messages"
    liu.get_by_role("button", name=NEW_BELOW).click()
    expect(message(liu, "明天记得带毛笔")).to_be_in_viewport(ratio=1)
    expect(liu.get_by_role("button", name=NEW_BELOW)).to_be_hidden()


def test_showing_earlier_messages_keeps_the_message_being_read_in_its_place(new_context, join_paths, manage):
    total = REPLAYED + HISTORY_PAGE
    store_messages(manage, [(f"第{n}条", None) for n in range(1, total + 1)])
    liu = open_group_as_liu(new_context(), join_paths)
    liu.evaluate("window.scrollTo(0, 0)")
    oldest_shown = liu.locator(f"#group-messages li[data-seq='{total - REPLAYED + 1}']")
    top_before = oldest_shown.bounding_box()["y"]

    liu.get_by_role("button", name="看更早的消息").click()
    expect(liu.locator("#group-messages li[data-seq='1']")).to_be_attached()

    assert abs(oldest_shown.bounding_box()["y"] - top_before) <= 1, "the message being read moved"


# "Now" for the time labels: a Thursday afternoon at the centre. The browser's clock is fixed
# there and its time zone is the centre's, so 今天 and 昨天 do not depend on when the test runs.
NOW = datetime(2025, 12, 4, 15, 30, tzinfo=SHANGHAI)
# text, written at (the centre's time), the words in Chinese, in English; oldest first.
DATED_MESSAGES = [
    ("去年写的字", datetime(2024, 12, 3, 14, 5, tzinfo=SHANGHAI), "2024年12月3日 14:05", "3 Dec 2024 14:05"),
    ("周一的作业", datetime(2025, 12, 1, 8, 0, tzinfo=SHANGHAI), "12月1日 08:00", "1 Dec 08:00"),
    ("快半夜了", datetime(2025, 12, 3, 23, 50, tzinfo=SHANGHAI), "昨天 23:50", "Yesterday 23:50"),
    # 16:10 the day before in UTC: the label is the learner's local day, not the server's.
    ("刚过零点", datetime(2025, 12, 4, 0, 10, tzinfo=SHANGHAI), "今天 00:10", "Today 00:10"),
    ("早上好", datetime(2025, 12, 4, 9, 5, tzinfo=SHANGHAI), "今天 09:05", "Today 09:05"),
]


@pytest.mark.parametrize("locale", ["zh-CN", "en-GB"])
def test_each_message_shows_when_it_was_written_in_the_pages_language(new_context, join_paths, manage, locale):
    store_messages(manage, [(text, at) for text, at, _zh, _en in DATED_MESSAGES])
    page = new_context(locale=locale, timezone_id="Asia/Shanghai").new_page()
    page.clock.set_fixed_time(NOW)
    page.goto(join_paths["刘桂兰", "爱尚书法"])
    page.locator("main a[href^='/group/']", has_text="爱尚书法").click()
    wait_until_connected(page)

    for text, at, zh, en in DATED_MESSAGES:
        time = message(page, text).locator("time")
        expect(time).to_have_text(zh if locale == "zh-CN" else en)
        expect(time).to_have_attribute("datetime", at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"))


def test_an_empty_group_says_what_to_do_until_the_first_message_arrives(new_context, join_paths):
    liu = open_group_as_liu(new_context(), join_paths)
    hint = liu.get_by_text(EMPTY_HINT)
    expect(hint).to_be_visible()
    teacher = open_group_as_teacher(new_context)

    send_text(teacher, "欢迎大家来到学习群")

    expect(liu.locator("#group-messages")).to_contain_text("欢迎大家来到学习群")
    expect(hint).to_be_hidden()


def lose_the_network(context, page):
    """The phone loses its network. Headless Chromium's offline mode leaves an open socket open,
    where a real phone's would end, so this ends it too."""
    context.set_offline(True)
    page.evaluate("window.learningGroup.connection.socket.close()")


def test_the_connection_is_mentioned_only_while_it_is_in_trouble(new_context, join_paths):
    context = new_context()
    liu = open_group_as_liu(context, join_paths)
    status = liu.locator("#group-status[role=status]")
    expect(status).to_be_empty()
    expect(liu.locator("main")).not_to_contain_text("已连接")

    lose_the_network(context, liu)
    expect(status).to_have_text(RECONNECTING)

    context.set_offline(False)
    expect(status).to_be_empty()


def test_the_group_with_messages_and_in_trouble_passes_the_accessibility_gate(new_context, join_paths, manage):
    store_messages(manage, [(text, at) for text, at, _zh, _en in DATED_MESSAGES])
    context = new_context()
    liu = open_group_as_liu(context, join_paths)
    lose_the_network(context, liu)
    expect(liu.locator("#group-status")).to_have_text(RECONNECTING)

    assert_accessible(liu)
