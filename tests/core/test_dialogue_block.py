"""The bilingual dialogue block: what it renders, what it refuses, and the demo's dialogue."""

import io

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.utils import translation
from wagtail.blocks import StreamValue
from wagtail.blocks.struct_block import StructBlockValidationError

from classes.models import CoursePage
from core.blocks import BodyBlock, DialogueBlock

GREETING = {"speaker": "志愿者 Volunteer", "chinese": "您好！", "pinyin": "Nín hǎo!", "english": "Hello!"}
REPLY = {"speaker": "游客 Visitor", "chinese": "谢谢您！", "pinyin": "", "english": "Thank you!"}


def render(title="我是一位志愿者", lines=(GREETING, REPLY)) -> BeautifulSoup:
    block = DialogueBlock()
    with translation.override("en"):
        html = block.render(block.to_python({"title": title, "lines": list(lines)}))
    return BeautifulSoup(html, "html.parser")


def clean(lines, title="我是一位志愿者"):
    block = DialogueBlock()
    return block.clean(block.to_python({"title": title, "lines": list(lines)}))


def first_line_errors(line) -> set[str]:
    """The fields of the dialogue's one line that validation refuses."""
    with pytest.raises(StructBlockValidationError) as error:
        clean([line])
    return set(error.value.block_errors["lines"].block_errors[0].block_errors)


def test_dialogue_shows_its_title():
    assert render().find("h3").get_text(strip=True) == "我是一位志愿者"


def test_dialogue_shows_every_line_in_order():
    lines = render().select(".dialogue__line")
    assert [line.select_one(".dialogue__zh").get_text() for line in lines] == ["您好！", "谢谢您！"]


def test_each_line_shows_speaker_chinese_and_english():
    line = render().select_one(".dialogue__line")
    assert line.select_one(".dialogue__speaker").get_text() == "志愿者 Volunteer"
    assert line.select_one(".dialogue__zh").get_text() == "您好！"
    assert line.select_one(".dialogue__en").get_text() == "Hello!"


def test_chinese_is_marked_as_simplified_chinese():
    assert all(zh["lang"] == "zh-Hans" for zh in render().select(".dialogue__zh"))


def test_english_is_marked_as_english():
    assert all(en["lang"] == "en" for en in render().select(".dialogue__en"))


def test_pinyin_is_shown_when_given():
    pinyin = render().select(".dialogue__line")[0].select_one(".dialogue__pinyin")
    assert pinyin.get_text() == "Nín hǎo!"
    assert pinyin["lang"] == "zh-Latn-pinyin"


def test_a_line_without_pinyin_has_no_pinyin_element():
    assert render().select(".dialogue__line")[1].select_one(".dialogue__pinyin") is None


def test_every_line_has_a_read_aloud_button():
    lines = render().select(".dialogue__line")
    assert all(line.select_one("button[data-speak-line]") for line in lines)


def test_dialogue_has_read_all_slow_and_print_buttons():
    soup = render()
    assert soup.select_one("button[data-speak-all]").get_text() == "Read the whole dialogue aloud"
    assert soup.select_one("button[data-slow]").get_text() == "Slow reading"
    assert soup.select_one("button[data-print-handout]").get_text() == "Print handout"


def test_buttons_start_hidden_until_the_script_finds_a_voice():
    assert all(button.has_attr("hidden") for button in render().select("button"))


def test_toggle_buttons_start_not_pressed():
    soup = render()
    for selector in ("[data-speak-all]", "[data-slow]", "[data-speak-line]"):
        assert soup.select_one(selector)["aria-pressed"] == "false"


def test_dialogue_has_a_status_region_for_announcements():
    assert render().select_one(".dialogue [role=status]") is not None


def test_status_messages_are_rendered_in_the_page_language():
    assert render().select_one("[data-dialogue]")["data-status-slow-on"] == "Slow reading is on."


def test_dialogue_loads_its_own_script_and_stylesheet_from_the_site():
    soup = render()
    assert soup.select_one("script[src$='js/dialogue.js'][defer]")["src"].startswith("/static/")
    assert soup.select_one("link[rel=stylesheet][href$='css/dialogue.css']")["href"].startswith("/static/")


def test_dialogue_has_no_inline_script_or_style():
    soup = render()
    assert all(script.has_attr("src") and not script.string for script in soup.find_all("script"))
    assert not soup.find("style")
    assert not soup.select("[style]")


def test_user_text_is_escaped():
    evil = '<img src=x onerror="alert(1)">'
    soup = render(title=evil, lines=[{**GREETING, "speaker": evil, "chinese": evil, "english": evil, "pinyin": evil}])
    assert not soup.find("img")
    assert soup.select_one(".dialogue__en").get_text() == evil


def test_a_line_needs_chinese():
    assert first_line_errors({**GREETING, "chinese": ""}) == {"chinese"}


def test_a_line_needs_english():
    assert first_line_errors({**GREETING, "english": ""}) == {"english"}


def test_a_line_needs_a_speaker():
    assert first_line_errors({**GREETING, "speaker": ""}) == {"speaker"}


def test_pinyin_is_optional():
    assert clean([{**GREETING, "pinyin": ""}])["lines"][0]["pinyin"] == ""


def test_a_dialogue_needs_a_title():
    with pytest.raises(StructBlockValidationError) as error:
        clean([GREETING], title="")
    assert "title" in error.value.block_errors


def test_a_dialogue_needs_at_least_one_line():
    with pytest.raises(StructBlockValidationError) as error:
        clean([])
    assert "lines" in error.value.block_errors


def test_a_dialogue_has_at_most_thirty_lines():
    with pytest.raises(StructBlockValidationError) as error:
        clean([GREETING] * 31)
    assert "lines" in error.value.block_errors


def test_thirty_lines_are_accepted():
    assert len(clean([GREETING] * 30)["lines"]) == 30


def test_a_speaker_name_is_short():
    assert first_line_errors({**GREETING, "speaker": "长" * 31}) == {"speaker"}


def test_a_chinese_line_is_at_most_two_hundred_characters():
    assert first_line_errors({**GREETING, "chinese": "长" * 201}) == {"chinese"}


def test_course_and_information_pages_may_hold_a_dialogue():
    assert isinstance(BodyBlock().child_blocks["dialogue"], DialogueBlock)


# The demo's dialogue, on the 学会ABC course page.

def dialogues_in(course):
    return [block for block in course.body if block.block_type == "dialogue"]


@pytest.mark.django_db
def test_demo_course_learn_abc_has_the_volunteer_dialogue():
    (dialogue,) = dialogues_in(CoursePage.objects.get(slug="learn-abc"))
    assert dialogue.value["title"] == "我是一位志愿者"
    assert all(line["chinese"] and line["english"] and line["pinyin"] for line in dialogue.value["lines"])


@pytest.mark.django_db
def test_seeding_again_keeps_one_dialogue():
    call_command("seed_demo", stdout=io.StringIO())
    assert len(dialogues_in(CoursePage.objects.get(slug="learn-abc"))) == 1


@pytest.mark.django_db
def test_seeding_adds_the_dialogue_to_a_demo_course_made_before_it_existed():
    course = CoursePage.objects.get(slug="learn-abc")
    course.body = StreamValue(course.body.stream_block, [
        (block.block_type, block.value) for block in course.body if block.block_type != "dialogue"
    ])
    course.save_revision().publish()

    call_command("seed_demo", stdout=io.StringIO())

    assert len(dialogues_in(CoursePage.objects.get(slug="learn-abc"))) == 1


@pytest.mark.django_db
def test_course_page_shows_the_dialogue_to_learners(zh_client):
    page = BeautifulSoup(zh_client.get("/courses/learn-abc/").content.decode(), "html.parser")
    assert page.select_one(".dialogue h3").get_text() == "我是一位志愿者"
    assert page.select_one(".dialogue__en[lang=en]") is not None
