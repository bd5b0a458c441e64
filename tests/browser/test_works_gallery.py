"""Learners' works in a browser: the teacher sends a child's painting from a phone, the
guardian agrees from the link in the text message, the teacher approves, and the work is
in the course's gallery and on the initiative's page; the viewer answers taps, swipes,
arrow keys and Escape; the gallery pages pass the accessibility gate."""

import io
import json

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from tests.browser.accounts import sign_in
from tests.browser.gate import VIEWPORTS, assert_accessible, save_screenshot

TITLE = "护士阿姨辛苦了"
# The work's consent token, made the way the text message makes it (only its hash is stored).
CONSENT_TOKEN = """
import json
from volunteers.models import LearnerWork
from volunteers.services.works import work_consent_token
work = LearnerWork.objects.get(title="{title}")
print(json.dumps({{"token": work_consent_token(work=work), "id": work.pk}}))
"""
IDS = """
import json
from classes.models import CoursePage
from volunteers.models import Initiative
print(json.dumps({"course": CoursePage.objects.get(slug="children-painting").pk,
                  "calligraphy": CoursePage.objects.get(slug="calligraphy").pk,
                  "initiative": Initiative.objects.get(title="致敬白衣天使").pk}))
"""


def painting_png() -> bytes:
    """A child's painting: a red heart on white paper, as a phone would send it."""
    picture = Image.new("RGB", (1200, 900), (255, 255, 255))
    draw = ImageDraw.Draw(picture)
    draw.ellipse((300, 200, 620, 520), fill=(210, 30, 40))
    draw.ellipse((580, 200, 900, 520), fill=(210, 30, 40))
    draw.polygon([(315, 420), (885, 420), (600, 800)], fill=(210, 30, 40))
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def ids(manage):
    return json.loads(manage("shell", "-c", IDS).strip().splitlines()[-1])


def test_a_childs_work_goes_from_phone_to_gallery_with_consent_and_approval(new_context, manage, ids):
    teacher = new_context("phone", locale="en-GB").new_page()
    sign_in(teacher, "teacher_li", "demo-teacher")
    teacher.goto(f"/works/course/{ids['course']}/send/")
    # One big button opens the camera; the file input behind it takes the photo.
    assert_accessible(teacher)
    save_screenshot(teacher, "works-upload", "phone")
    upload_button = teacher.locator("label.upload-button")
    assert upload_button.bounding_box()["height"] >= 60
    teacher.locator("input[type=file]").set_input_files(
        {"name": "IMG_2041.PNG", "mimeType": "image/png", "buffer": painting_png()})
    expect(teacher.locator("[data-upload-chosen]")).to_contain_text("IMG_2041.PNG")
    teacher.get_by_label("Whose work is it?").select_option(label="吴小宝")
    teacher.get_by_label("Title of the work").fill(TITLE)
    teacher.get_by_label("Name shown with the work").fill("吴同学")
    teacher.get_by_label("For an initiative (optional)").select_option(label="致敬白衣天使")
    teacher.get_by_role("button", name="Send the work").click()
    expect(teacher.locator(".message--success")).to_contain_text("asked the guardian")

    work = json.loads(manage("shell", "-c", CONSENT_TOKEN.format(title=TITLE)).strip().splitlines()[-1])
    guardian = new_context("phone", locale="en-GB").new_page()
    guardian.goto(f"/works/consent/{work['token']}/")
    expect(guardian.locator(".consent-work img")).to_have_js_property("complete", True)
    assert guardian.locator(".consent-work img").evaluate("img => img.naturalWidth") > 0
    assert_accessible(guardian)
    # Both answers are on the first screen of a phone, under the picture they are about.
    for answer in ("Agree to show it", "Do not agree"):
        box = guardian.get_by_role("button", name=answer).bounding_box()
        assert box["y"] + box["height"] <= VIEWPORTS["phone"]["height"], answer
    save_screenshot(guardian, "works-consent", "phone")
    guardian.get_by_role("button", name="Agree to show it").click()
    expect(guardian.get_by_role("status")).to_contain_text("You agreed")

    teacher.goto("/works/check/")
    card = teacher.locator(f"#work-{work['id']}")
    expect(card).to_contain_text("The guardian agreed")
    assert_accessible(teacher)
    card.get_by_role("button", name="Approve", exact=True).click()
    expect(teacher.locator(".message--success")).to_contain_text("now shown in the gallery")

    visitor = new_context("phone").new_page()
    visitor.goto(f"/works/course/{ids['course']}/")
    expect(visitor.locator(".gallery")).to_contain_text(TITLE)
    expect(visitor.locator(".gallery")).to_contain_text("吴同学")
    expect(visitor.locator(".gallery")).not_to_contain_text("吴小宝")
    visitor.goto(f"/initiatives/{ids['initiative']}/")
    expect(visitor.locator(".gallery")).to_contain_text(TITLE)


def position(page):
    return page.locator("[data-viewer-position]")


def test_the_viewer_moves_by_keys_swipes_and_buttons_and_closes_with_escape(new_context, ids):
    page = new_context("phone", locale="en-GB", has_touch=True).new_page()
    # The demo's calligraphy course has two approved works.
    page.goto(f"/works/course/{ids['calligraphy']}/")
    links = page.locator("[data-gallery-open]")
    expect(links).to_have_count(2)
    links.first.click()
    dialog = page.locator("dialog#viewer")
    expect(dialog).to_be_visible()
    expect(position(page)).to_have_text("Picture 1 of 2")
    close = page.get_by_role("button", name="Close")
    expect(close).to_be_focused()
    box = close.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44

    page.keyboard.press("ArrowRight")
    expect(position(page)).to_have_text("Picture 2 of 2")
    page.keyboard.press("ArrowLeft")
    expect(position(page)).to_have_text("Picture 1 of 2")

    image = page.locator("[data-viewer-image]").bounding_box()
    y = image["y"] + image["height"] / 2
    # A swipe to the left, as a finger makes it: pointer events of a touch.
    page.locator("[data-viewer-image]").dispatch_event(
        "pointerdown", {"pointerId": 7, "pointerType": "touch", "clientX": image["x"] + image["width"] - 20, "clientY": y})
    page.locator("[data-viewer-image]").dispatch_event(
        "pointerup", {"pointerId": 7, "pointerType": "touch", "clientX": image["x"] + 20, "clientY": y})
    expect(position(page)).to_have_text("Picture 2 of 2")
    # And back with a mouse drag to the right.
    page.mouse.move(image["x"] + 20, y)
    page.mouse.down()
    page.mouse.move(image["x"] + image["width"] - 20, y, steps=5)
    page.mouse.up()
    expect(position(page)).to_have_text("Picture 1 of 2")

    page.get_by_role("button", name="Next picture").click()
    expect(position(page)).to_have_text("Picture 2 of 2")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(links.nth(1)).to_be_focused()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_the_gallery_and_initiative_pages_pass_the_gate(new_context, ids, viewport):
    page = new_context(viewport).new_page()
    page.goto(f"/works/course/{ids['calligraphy']}/")
    expect(page.locator(".gallery__image").first).to_have_js_property("complete", True)
    assert_accessible(page)
    save_screenshot(page, "works-gallery", viewport)

    page.locator("[data-gallery-open]").first.click()
    expect(page.locator("dialog#viewer")).to_be_visible()
    expect(page.locator("[data-viewer-image]")).to_have_js_property("complete", True)
    save_screenshot(page, "works-viewer", viewport)
    page.keyboard.press("Escape")

    page.goto(f"/initiatives/{ids['initiative']}/")
    expect(page.locator(".gallery")).to_contain_text("谢谢医生护士")
    assert_accessible(page)
    save_screenshot(page, "works-initiative", viewport)
