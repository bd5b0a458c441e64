"""Learning groups (学习群) without sockets: who is a member, the upload of pictures and
voice messages, history paging and the unread counts on 我的课程.

The socket side (text, resume, moderation, limits) is in test_group_consumer.py.
"""

import importlib
import io
import re
import struct
import zlib
from datetime import datetime

import pytest
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageFile

from classes.groups import media as chat_media
from classes.groups.selectors import HISTORY_PAGE, unread_count
from classes.courses.people import course_person
from classes.groups.services import group_delete_message, group_for_course, group_mute, group_post, read_mark_set
from classes.live.chat import chat_message_payload
from classes.models import ChatMessage, CoursePage, Enrolment, EnrolmentStatus, Learner, RoomRole

pytestmark = pytest.mark.django_db

EXIF_ORIENTATION = 0x0112
EXIF_GPS_IFD = 0x8825
# Orientation 6: the camera was held turned; the picture must be turned 90° clockwise to stand up.
ROTATE_CLOCKWISE = 6
WEBM_MAGIC = b"\x1a\x45\xdf\xa3"


# ---------------------------------------------------------------- people


def user(username: str):
    return get_user_model().objects.get(username=username)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads land in directories of this test's own, so 'nothing stored' can be checked: the
    group's files in the private root (returned), anything public in MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


def stored_files(media_root) -> list[str]:
    return sorted(str(p.relative_to(media_root)) for p in media_root.rglob("*") if p.is_file())


@pytest.fixture
def liu():
    return Learner.objects.get(phone="13800138001")  # enrolled in calligraphy and learn-abc


@pytest.fixture
def zhou():
    return Learner.objects.get(phone="13800138004")  # learn-abc only


@pytest.fixture
def liu_client(client, zh_client, calligraphy, liu, open_link):
    open_link(calligraphy, learner=liu)
    return client


@pytest.fixture
def liu_member(calligraphy, liu):
    return course_person(course=calligraphy, learner=liu, user=None)


@pytest.fixture
def teacher_member(calligraphy):
    return course_person(course=calligraphy, learner=None, user=user("teacher_wang"))


# ---------------------------------------------------------------- files made in memory


def jpeg_bytes(size=(80, 40), exif: Image.Exif | None = None) -> bytes:
    """A JPEG whose left half is red and right half blue, so a turn can be seen in the pixels."""
    image = Image.new("RGB", size, (220, 20, 20))
    image.paste((20, 20, 220), (size[0] // 2, 0, size[0], size[1]))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif if exif is not None else Image.Exif())
    return buffer.getvalue()


def phone_photo_bytes() -> bytes:
    """What a phone held upright sends: pixels stored sideways (800×400), EXIF orientation 6, and GPS."""
    exif = Image.Exif()
    exif[EXIF_ORIENTATION] = ROTATE_CLOCKWISE
    gps = exif.get_ifd(EXIF_GPS_IFD)
    gps.update({1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 44.0)})
    return jpeg_bytes(size=(800, 400), exif=exif)


def png_header(width: int, height: int, *, bit_depth: int = 8, colour_type: int = 2) -> bytes:
    """A PNG that claims its size in the header but carries almost no pixel data: cheap to send,
    and only a reader that decoded it would notice the pixels are missing. 8-bit RGB unless told."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 16))
            + chunk(b"IEND", b""))


def webm_bytes(size: int = 4096) -> bytes:
    return WEBM_MAGIC + b"\x00" * (size - len(WEBM_MAGIC))


def upload(client, course, *, kind, data, name, client_id="u1", **fields):
    return client.post(f"/group/{course.pk}/upload/", {
        "kind": kind, "client_id": client_id, "file": SimpleUploadedFile(name, data), **fields})


# ---------------------------------------------------------------- membership


def test_an_enrolled_learner_is_a_member_as_a_learner(calligraphy, liu):
    member = course_person(course=calligraphy, learner=liu, user=None)
    assert member is not None
    assert (member.role, member.learner) == (RoomRole.LEARNER, liu)


def test_a_waitlisted_learner_is_not_a_member(calligraphy, make_learner):
    waiting = make_learner("候补学员")
    Enrolment.objects.create(learner=waiting, course=calligraphy, status=EnrolmentStatus.WAITLISTED)
    assert course_person(course=calligraphy, learner=waiting, user=None) is None


def test_a_learner_of_another_course_is_not_a_member(calligraphy, zhou):
    assert course_person(course=calligraphy, learner=zhou, user=None) is None


def test_the_courses_teacher_is_a_member_as_the_teacher(calligraphy):
    member = course_person(course=calligraphy, learner=None, user=user("teacher_wang"))
    assert member is not None and member.role == RoomRole.TEACHER
    assert member.moderates


def test_a_teacher_of_another_course_is_not_a_member(calligraphy):
    assert course_person(course=calligraphy, learner=None, user=user("teacher_li")) is None


def test_a_coordinator_is_a_member_who_moderates(calligraphy):
    member = course_person(course=calligraphy, learner=None, user=user("coordinator"))
    assert member is not None and member.role == RoomRole.COORDINATOR
    assert member.moderates


def test_a_volunteer_is_a_member_only_once_assigned_to_the_group(calligraphy):
    volunteer = user("volunteer")
    before = course_person(course=calligraphy, learner=None, user=volunteer)
    group_for_course(course=calligraphy).volunteers.add(volunteer)
    after = course_person(course=calligraphy, learner=None, user=volunteer)
    assert before is None
    assert after is not None and after.role == RoomRole.VOLUNTEER
    assert not after.moderates


def test_a_volunteer_assigned_to_another_courses_group_is_not_a_member(calligraphy):
    volunteer = user("volunteer")
    group_for_course(course=CoursePage.objects.get(slug="learn-abc")).volunteers.add(volunteer)
    assert course_person(course=calligraphy, learner=None, user=volunteer) is None


def test_a_visitor_who_is_not_signed_in_is_not_a_member(calligraphy):
    assert course_person(course=calligraphy, learner=None, user=AnonymousUser()) is None


def test_a_course_has_one_group_however_often_it_is_opened(calligraphy):
    assert group_for_course(course=calligraphy).pk == group_for_course(course=calligraphy).pk


# ---------------------------------------------------------------- pages and refusals


def test_the_group_page_gives_a_member_the_socket_and_their_role(liu_client, calligraphy):
    response = liu_client.get(f"/group/{calligraphy.pk}/")
    config = response.context["group_config"]
    assert response.status_code == 200
    assert config["socket"] == f"/ws/group/{calligraphy.pk}/"
    assert (config["role"], config["moderates"]) == ("learner", False)


def test_the_group_page_tells_the_teacher_they_moderate(client, calligraphy):
    client.force_login(user("teacher_wang"))
    config = client.get(f"/group/{calligraphy.pk}/").context["group_config"]
    assert (config["role"], config["moderates"]) == ("teacher", True)


@pytest.mark.parametrize(("accept_language", "today", "older"), [
    ("zh-CN,zh;q=0.9", "今天 %(time)s", ("%(month)s%(day)s日 %(time)s", "12月")),
    ("en-GB,en;q=0.9", "Today %(time)s", ("%(day)s %(month)s %(time)s", "Dec")),
])
def test_the_group_page_gives_its_script_the_words_for_a_messages_time_in_the_pages_language(
        client, calligraphy, liu, open_link, accept_language, today, older):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = accept_language
    open_link(calligraphy, learner=liu)
    words = client.get(f"/group/{calligraphy.pk}/").context["group_config"]["strings"]["time"]
    assert words["today"] == today
    assert (words["date"], words["months"][11]) == older


@pytest.fixture(params=["learner-of-another-course", "teacher-of-another-course", "unassigned-volunteer", "nobody"])
def outsider_client(request, client, zhou, open_link):
    if request.param == "learner-of-another-course":
        open_link(CoursePage.objects.get(slug="learn-abc"), learner=zhou)
    elif request.param == "teacher-of-another-course":
        client.force_login(user("teacher_li"))
    elif request.param == "unassigned-volunteer":
        client.force_login(user("volunteer"))
    return client


def test_a_non_member_gets_403_from_the_group_page(outsider_client, calligraphy):
    assert outsider_client.get(f"/group/{calligraphy.pk}/").status_code == 403


def test_a_non_member_gets_403_from_the_history(outsider_client, calligraphy):
    assert outsider_client.get(f"/group/{calligraphy.pk}/history/?before=10").status_code == 403


def test_a_non_member_gets_403_from_the_upload_and_nothing_is_stored(outsider_client, calligraphy, media_root):
    response = upload(outsider_client, calligraphy, kind="image", data=jpeg_bytes(), name="photo.jpg")
    assert response.status_code == 403
    assert not ChatMessage.objects.exists()
    assert stored_files(media_root) == []


def test_the_upload_only_takes_post(liu_client, calligraphy):
    assert liu_client.get(f"/group/{calligraphy.pk}/upload/").status_code == 405


# ---------------------------------------------------------------- pictures


@pytest.fixture
def phone_photo(liu_client, calligraphy):
    """A phone photo uploaded by 刘桂兰; the stored message."""
    response = upload(liu_client, calligraphy, kind="image", data=phone_photo_bytes(), name="IMG_0001.jpg")
    assert response.status_code == 200, response.content
    return ChatMessage.objects.get(seq=response.json()["seq"])


def open_stored(field) -> Image.Image:
    with field.open("rb") as stored:
        image = Image.open(io.BytesIO(stored.read()))
        image.load()
    return image


def test_an_uploaded_picture_is_stored_as_a_picture_message(phone_photo, liu):
    assert phone_photo.kind == "image"
    assert phone_photo.author_learner == liu
    assert phone_photo.image.name and phone_photo.thumbnail.name


def test_a_picture_turned_by_its_exif_orientation_is_stored_upright(phone_photo):
    large = open_stored(phone_photo.image)
    assert large.size == (400, 800)  # the raw pixels were 800×400
    # Turned clockwise, the left (red) half of the raw pixels is now on top.
    red, _green, blue = large.getpixel((200, 100))
    assert red > 150 and blue < 100


def test_a_stored_picture_carries_no_exif_and_no_gps(phone_photo):
    large = open_stored(phone_photo.image)
    with phone_photo.image.open("rb") as stored:
        raw = stored.read()
    assert dict(large.getexif()) == {}
    assert large.getexif().get_ifd(EXIF_GPS_IFD) == {}
    assert "exif" not in large.info
    assert b"Exif" not in raw


def test_a_stored_thumbnail_is_at_most_360_pixels_on_its_long_side(phone_photo):
    thumbnail = open_stored(phone_photo.thumbnail)
    assert max(thumbnail.size) == chat_media.THUMB_SIDE == 360
    assert thumbnail.size == (180, 360)  # upright as well
    assert dict(thumbnail.getexif()) == {}


def test_the_same_picture_sent_twice_with_one_client_id_is_one_message_and_one_set_of_files(
    liu_client, calligraphy, media_root
):
    first = upload(liu_client, calligraphy, kind="image", data=jpeg_bytes(), name="a.jpg", client_id="same")
    again = upload(liu_client, calligraphy, kind="image", data=jpeg_bytes(), name="a.jpg", client_id="same")
    assert (first.status_code, again.status_code) == (200, 200)
    assert first.json()["seq"] == again.json()["seq"]
    assert ChatMessage.objects.count() == 1
    assert len(stored_files(media_root)) == 2  # one picture, one thumbnail


# A picture over the pixel cap, but under Pillow's own bomb warning (~89 MP): the app's cap is what refuses it.
TOO_MANY_PIXELS = (8000, 8000)


@pytest.mark.parametrize(
    "data, name, code, message",
    [
        pytest.param(b"Dear teacher, here is my homework.\n" * 20, "homework.jpg", "not_image",
                     "请发送照片（JPEG 或 PNG 格式）。", id="text-file-named-jpg"),
        pytest.param(png_header(*TOO_MANY_PIXELS), "huge.png", "image_too_large",
                     "图片像素太多了。请发送普通照片。", id="too-many-pixels"),
        pytest.param(jpeg_bytes() + b"\x00" * (chat_media.IMAGE_MAX_BYTES + 1), "big.jpg", "image_too_large",
                     "图片太大了。请发送 15 MB 以内的照片。", id="too-many-bytes"),
    ],
)
def test_a_refused_picture_is_400_with_a_chinese_message_and_nothing_stored(
    liu_client, calligraphy, media_root, data, name, code, message
):
    response = upload(liu_client, calligraphy, kind="image", data=data, name=name)
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["error"]) == (code, message)
    assert not ChatMessage.objects.exists()
    assert stored_files(media_root) == []


def test_a_picture_with_too_many_pixels_is_refused_from_its_header_without_decoding(
    liu_client, calligraphy, monkeypatch
):
    decoded = []
    original_load = ImageFile.ImageFile.load
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda image: decoded.append(image.size) or original_load(image))
    response = upload(liu_client, calligraphy, kind="image", data=png_header(*TOO_MANY_PIXELS), name="bomb.png")
    assert response.status_code == 400
    assert response.json()["code"] == "image_too_large"
    assert decoded == []


def test_an_ordinary_picture_is_decoded_when_checked(liu_client, calligraphy, monkeypatch):
    # The other side of the test above: the spy does see a decode when there is one.
    decoded = []
    original_load = ImageFile.ImageFile.load
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda image: decoded.append(image.size) or original_load(image))
    assert upload(liu_client, calligraphy, kind="image", data=jpeg_bytes(), name="a.jpg").status_code == 200
    assert (80, 40) in decoded


def test_an_upload_without_a_file_or_kind_is_400(liu_client, calligraphy):
    response = liu_client.post(f"/group/{calligraphy.pk}/upload/", {"kind": "video", "client_id": "x"})
    assert response.status_code == 400
    assert not ChatMessage.objects.exists()


# ---------------------------------------------------------------- voice


def test_a_short_voice_recording_is_stored_as_a_voice_message(liu_client, calligraphy):
    response = upload(liu_client, calligraphy, kind="voice", data=webm_bytes(), name="voice.webm", seconds="5")
    assert response.status_code == 200, response.content
    message = ChatMessage.objects.get(seq=response.json()["seq"])
    assert (message.kind, message.voice_seconds) == ("voice", 5)
    with message.voice.open("rb") as stored:
        assert stored.read() == webm_bytes()
    assert message.voice.name.endswith(".webm")


@pytest.mark.parametrize(
    "data, seconds, code, message",
    [
        pytest.param(webm_bytes(), "75", "voice_too_long", "一段语音最长 60 秒。", id="75-seconds"),
        pytest.param(webm_bytes(), None, "bad_voice", "语音没有时长。", id="no-seconds"),
        pytest.param(webm_bytes(), "abc", "bad_voice", "语音没有时长。", id="seconds-not-a-number"),
        pytest.param(b"GIF89a" + b"\x00" * 4096, "5", "not_audio", "这不是录音文件。", id="not-audio"),
        pytest.param(webm_bytes(chat_media.VOICE_MAX_BYTES + 1), "5", "voice_too_long", "一段语音最长 60 秒。",
                     id="over-1-MiB"),
    ],
)
def test_a_refused_voice_message_is_400_and_nothing_stored(
    liu_client, calligraphy, media_root, data, seconds, code, message
):
    fields = {"seconds": seconds} if seconds is not None else {}
    response = upload(liu_client, calligraphy, kind="voice", data=data, name="voice.webm", **fields)
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["error"]) == (code, message)
    assert not ChatMessage.objects.exists()
    assert stored_files(media_root) == []


def test_a_muted_learner_cannot_upload_either(liu_client, calligraphy, liu_member, teacher_member, media_root):
    said = group_post(member=liu_member, client_id="t1", text="大家好")
    group_mute(member=teacher_member, target=said, muted=True)
    response = upload(liu_client, calligraphy, kind="voice", data=webm_bytes(), name="voice.webm", seconds="5")
    assert response.status_code == 400
    assert response.json()["code"] == "muted"
    assert ChatMessage.objects.count() == 1
    assert stored_files(media_root) == []


# ---------------------------------------------------------------- the group's files are the members' only


@pytest.fixture
def group_photo(liu_member) -> ChatMessage:
    """A picture 刘桂兰 posted in the calligraphy group."""
    large, thumbnail = chat_media.picture_prepare(SimpleUploadedFile("IMG_0001.jpg", jpeg_bytes()))
    return group_post(member=liu_member, client_id="photo", attachments={"image": large, "thumbnail": thumbnail})


def file_url(field) -> str:
    return chat_message_payload(field.instance)[field.field.name]


def test_a_member_gets_the_bytes_of_a_group_photo(client, group_photo):
    client.force_login(user("teacher_wang"))
    response = client.get(file_url(group_photo.image))
    with group_photo.image.open("rb") as stored:
        assert (response.status_code, b"".join(response.streaming_content)) == (200, stored.read())
    assert response["Content-Type"] == "image/jpeg"


def test_a_visitor_who_is_not_signed_in_gets_404_for_a_group_photo(client, group_photo):
    assert client.get(file_url(group_photo.thumbnail)).status_code == 404


def test_a_learner_of_another_course_gets_the_same_answer_as_for_a_file_that_is_not_there(
    client, group_photo, zhou, open_link,
):
    open_link(CoursePage.objects.get(slug="learn-abc"), learner=zhou)
    refused = client.get(file_url(group_photo.image))
    missing = client.get(reverse("group_file", kwargs={"name": "chat/" + "x" * 43 + ".jpg"}))
    # The pages differ only in their CSRF token and the address the language switch returns to.
    names = [t.name for t in refused.templates]
    assert (refused.status_code, names[0]) == (404, "404.html")
    assert (missing.status_code, [t.name for t in missing.templates]) == (404, names)


def test_two_photos_in_the_same_month_are_stored_under_different_long_random_names(liu_member, group_photo):
    large, thumbnail = chat_media.picture_prepare(SimpleUploadedFile("IMG_0001.jpg", jpeg_bytes()))
    second = group_post(member=liu_member, client_id="photo-2", attachments={"image": large, "thumbnail": thumbnail})
    names = [group_photo.image.name, group_photo.thumbnail.name, second.image.name, second.thumbnail.name]
    assert len(set(names)) == 4
    # 32 random bytes are 43 URL-safe characters; nothing of the upload's name or date.
    assert all(re.fullmatch(r"chat/[A-Za-z0-9_-]{43}\.jpg", name) for name in names), names


def test_a_group_photo_is_not_under_the_public_media_root_nor_served_by_its_route(client, group_photo, settings):
    client.force_login(user("teacher_wang"))
    assert not (settings.MEDIA_ROOT / group_photo.image.name).exists()
    assert client.get(f"{settings.MEDIA_URL}{group_photo.image.name}").status_code == 404


def test_the_message_frame_points_at_the_members_only_view(group_photo):
    frame = chat_message_payload(group_photo)
    assert frame["image"] == reverse("group_file", kwargs={"name": group_photo.image.name})
    assert frame["thumbnail"] == reverse("group_file", kwargs={"name": group_photo.thumbnail.name})


def test_behind_nginx_the_view_hands_the_file_to_the_proxy_without_reading_it(client, group_photo, settings):
    settings.PRIVATE_MEDIA_ACCEL_REDIRECT = "/private-internal/"
    client.force_login(user("coordinator"))
    response = client.get(file_url(group_photo.image))
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/private-internal/{group_photo.image.name}"
    assert response.content == b""


def test_a_removed_messages_photo_is_no_longer_served(client, group_photo, teacher_member):
    url = file_url(group_photo.image)
    group_delete_message(member=teacher_member, seq=group_photo.seq)
    client.force_login(user("teacher_wang"))
    assert client.get(url).status_code == 404


# ---------------------------------------------------------------- files stored before they were private


@pytest.fixture
def move_to_private():
    migration = importlib.import_module("classes.migrations.0009_private_chat_files")
    return lambda: migration.move_chat_files_to_private_storage(django_apps, None)


def test_the_migration_moves_an_old_public_photo_to_a_random_private_name(
    calligraphy, settings, move_to_private, django_capture_on_commit_callbacks,
):
    old_name = "chat/images/2025/06/picture.jpg"
    (settings.MEDIA_ROOT / old_name).parent.mkdir(parents=True)
    (settings.MEDIA_ROOT / old_name).write_bytes(jpeg_bytes())
    message = ChatMessage.objects.create(room_id=group_for_course(course=calligraphy).chat_id, seq=1, client_id="old",
                                         author_name="刘桂兰", author_role="learner", kind="image", image=old_name)
    with django_capture_on_commit_callbacks(execute=True):
        move_to_private()
    message.refresh_from_db()
    assert re.fullmatch(r"chat/[A-Za-z0-9_-]{43}\.jpg", message.image.name)
    with message.image.open("rb") as moved:
        assert moved.read() == jpeg_bytes()
    assert not (settings.MEDIA_ROOT / old_name).exists()


def test_the_migration_keeps_the_name_of_a_file_that_is_missing(calligraphy, move_to_private):
    old_name = "chat/voice/2025/06/voice.ogg"
    message = ChatMessage.objects.create(room_id=group_for_course(course=calligraphy).chat_id, seq=1, client_id="lost",
                                         author_name="刘桂兰", author_role="learner", kind="voice", voice=old_name)
    move_to_private()
    message.refresh_from_db()
    assert message.voice.name == old_name


# ---------------------------------------------------------------- history


@pytest.fixture
def forty_five_messages(calligraphy):
    group = group_for_course(course=calligraphy)
    ChatMessage.objects.bulk_create(
        ChatMessage(room_id=group.chat_id, seq=n, client_id=f"c{n}", text=f"第{n}条", author_name="王书华",
                    author_role="teacher")
        for n in range(1, 46)
    )
    type(group.chat).objects.filter(pk=group.chat_id).update(last_seq=45)
    return group


def test_history_returns_the_page_before_the_given_number_oldest_first(liu_client, calligraphy, forty_five_messages):
    response = liu_client.get(f"/group/{calligraphy.pk}/history/?before=46")
    seqs = [m["seq"] for m in response.json()["messages"]]
    assert HISTORY_PAGE == 30
    assert seqs == list(range(16, 46))
    assert response.json()["messages"][0]["text"] == "第16条"


def test_history_of_the_first_page_stops_at_the_first_message(liu_client, calligraphy, forty_five_messages):
    response = liu_client.get(f"/group/{calligraphy.pk}/history/?before=16")
    assert [m["seq"] for m in response.json()["messages"]] == list(range(1, 16))


def test_history_gives_each_message_the_time_it_was_stored(liu_client, calligraphy, forty_five_messages):
    response = liu_client.get(f"/group/{calligraphy.pk}/history/?before=46")
    messages = response.json()["messages"]
    stored = dict(ChatMessage.objects.filter(room_id=forty_five_messages.chat_id).values_list("seq", "created_at"))
    assert len(messages) == HISTORY_PAGE
    assert [datetime.fromisoformat(m["at"]) for m in messages] == [stored[m["seq"]] for m in messages]


@pytest.mark.parametrize("before", ["abc", "", "-1", "1.5", "²"])
def test_history_with_a_before_that_is_not_a_number_is_400(liu_client, calligraphy, forty_five_messages, before):
    assert liu_client.get(f"/group/{calligraphy.pk}/history/", {"before": before}).status_code == 400


# ---------------------------------------------------------------- unread


@pytest.fixture
def conversation(liu_member, teacher_member):
    """teacher 1, 刘 2, teacher 3, teacher 4."""
    group_post(member=teacher_member, client_id="t1", text="今天练横画")
    group_post(member=liu_member, client_id="l1", text="好的老师")
    group_post(member=teacher_member, client_id="t2", text="注意起笔")
    group_post(member=teacher_member, client_id="t3", text="明天见")


def test_unread_counts_messages_from_others_after_the_read_mark(calligraphy, liu, liu_member, conversation):
    assert unread_count(course=calligraphy, learner=liu) == 3
    read_mark_set(member=liu_member, seq=3)
    assert unread_count(course=calligraphy, learner=liu) == 1


def test_unread_does_not_count_the_learners_own_messages(calligraphy, liu, liu_member, conversation):
    read_mark_set(member=liu_member, seq=1)
    assert unread_count(course=calligraphy, learner=liu) == 2  # 3 and 4; 2 is her own


def test_a_read_mark_never_moves_back(calligraphy, liu, liu_member, conversation):
    read_mark_set(member=liu_member, seq=4)
    read_mark_set(member=liu_member, seq=1)  # an old tab catching up
    assert unread_count(course=calligraphy, learner=liu) == 0


def test_unread_is_zero_for_a_course_whose_group_was_never_opened(liu):
    assert unread_count(course=CoursePage.objects.get(slug="learn-abc"), learner=liu) == 0


def test_my_classes_shows_the_group_link_with_the_unread_count(liu_client, calligraphy, liu_member, conversation):
    read_mark_set(member=liu_member, seq=1)
    response = liu_client.get("/my/")
    page = response.content.decode()
    assert f'href="/group/{calligraphy.pk}/"' in page
    assert "爱尚书法学习群：2 条新消息" in page


def test_my_classes_shows_the_group_link_without_a_count_when_all_is_read(liu_client, calligraphy, liu_member,
                                                                        conversation):
    read_mark_set(member=liu_member, seq=4)
    page = liu_client.get("/my/").content.decode()
    assert f'href="/group/{calligraphy.pk}/"' in page
    assert "条新消息" not in page


def test_photo_uploads_share_the_members_message_budget(client, settings, tmp_path, calligraphy, open_link):
    from classes.models import Learner

    settings.MEDIA_ROOT = tmp_path
    settings.CHAT_MESSAGES_PER_MINUTE = 2
    open_link(calligraphy, learner=Learner.objects.get(phone="13800138001"))
    statuses = []
    for n in range(3):
        picture = io.BytesIO()
        Image.new("RGB", (40, 30), (9, 9, 9)).save(picture, format="PNG")
        picture.name = "p.png"
        picture.seek(0)
        statuses.append(client.post(f"/group/{calligraphy.pk}/upload/",
                                    {"kind": "image", "client_id": f"flood-{n}", "file": picture}).status_code)
    assert statuses == [200, 200, 429]
