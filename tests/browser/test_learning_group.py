"""The learning group in two browsers: text, a photo and a voice message, and a
member who was away finds them on return."""

import io

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


def open_group_as_liu(context, join_paths):
    page = context.new_page()
    page.goto(join_paths["刘桂兰", "爱尚书法"])
    page.get_by_role("link", name="爱尚书法学习群").click()
    expect(page.locator("#group-status")).to_have_text("已连接。")
    return page


def open_group_as_teacher(new_context):
    page = new_context("desktop").new_page()
    sign_in(page, "teacher_wang", "demo-teacher")
    page.get_by_role("link", name="爱尚书法学习群").click()
    expect(page.locator("#group-status")).to_have_text("已连接。")
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
