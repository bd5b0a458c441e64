"""The learning-group socket (ws/group/<course_id>/), driven through the whole ASGI stack
(origin check, sessions, auth) with Channels' WebsocketCommunicator.

As in test_room_consumer.py, the consumer reaches the database through
database_sync_to_async, so these tests commit for real (transaction=True) and each
async body runs under async_to_sync, which sends thread-sensitive database calls
(and the test client's requests) back to the test's own thread and connection.
"""

import io
from dataclasses import dataclass

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from classes import events
from classes.groups import media as chat_media
from classes.live.chat import CHAT_TEXT_MAX
from classes.courses.people import course_person
from classes.groups.services import group_for_course, group_post
from classes.models import ChatMessage, ChatRoom, CoursePage, Enrolment, EnrolmentStatus, GroupMute, Learner, ReadMark
from classes.courses.services import enrolment_withdraw
from classes.courses.join_links import join_link_ensure, join_link_issue, join_link_token
from tests.layers import (  # noqa: F401 (fresh_layer_and_cache is an autouse fixture)
    QUIET, frame_of, fresh_layer_and_cache, layer_group_keys, learner_cookie, leave, refusal_of, run_async, send,
    socket_to, user_cookie, user_named,
)

pytestmark = pytest.mark.django_db(transaction=True)

# ---------------------------------------------------------------- people and sessions


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """The test's own folders: public media, and the private root the groups' files live in."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


@pytest.fixture
def group(calligraphy):
    return group_for_course(course=calligraphy)


@pytest.fixture
def coordinator_cookie():
    return user_cookie("coordinator")


# ---------------------------------------------------------------- socket helpers


@dataclass
class Member:
    socket: WebsocketCommunicator
    welcome: dict


def _socket(course_id: int, cookie: str | None = None) -> WebsocketCommunicator:
    return socket_to(f"/ws/group/{course_id}/", cookie)


async def join(course_id: int, cookie: str) -> Member:
    socket = _socket(course_id, cookie)
    connected, _ = await socket.connect()
    assert connected
    welcome = await socket.receive_json_from()
    assert welcome["type"] == events.WELCOME, welcome
    return Member(socket, welcome)




async def refusal(course_id: int, cookie: str | None) -> tuple[dict, dict]:
    """The error frame and the close a refused socket gets."""
    return await refusal_of(_socket(course_id, cookie))






async def messages_stored(group) -> list[tuple[int, str, str]]:
    return [m async for m in ChatMessage.objects.filter(room_id=group.chat_id).order_by("seq")
            .values_list("seq", "author_name", "text")]


def jpeg_bytes(size=(120, 60)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 120, 30)).save(buffer, format="JPEG")
    return buffer.getvalue()


# ---------------------------------------------------------------- who may connect


@run_async
async def test_a_socket_without_a_session_is_closed_with_4401(calligraphy):
    error, close = await refusal(calligraphy.pk, None)
    assert error["code"] == "not_signed_in"
    assert close == {"type": "websocket.close", "code": events.CLOSE_NOT_SIGNED_IN}
    assert layer_group_keys() == []


@pytest.fixture(params=["learner-of-another-course", "waitlisted-learner", "teacher-of-another-course",
                        "unassigned-volunteer"])
def outsider_cookie(request, calligraphy, make_learner):
    if request.param == "learner-of-another-course":
        zhou = Learner.objects.get(phone="13800138004")  # learn-abc only
        return learner_cookie(zhou, CoursePage.objects.get(slug="learn-abc"))
    if request.param == "waitlisted-learner":
        waiting = make_learner("候补学员")
        Enrolment.objects.create(learner=waiting, course=calligraphy, status=EnrolmentStatus.WAITLISTED)
        return learner_cookie(waiting, calligraphy)
    if request.param == "teacher-of-another-course":
        return user_cookie("teacher_li")
    return user_cookie("volunteer")


@run_async
async def test_a_signed_in_non_member_is_closed_with_4403(calligraphy, outsider_cookie):
    error, close = await refusal(calligraphy.pk, outsider_cookie)
    assert error["code"] == "not_allowed"
    assert close == {"type": "websocket.close", "code": events.CLOSE_NOT_ALLOWED}
    assert layer_group_keys() == []


@pytest.fixture(params=["learner", "teacher", "coordinator", "volunteer"])
def member_cookie(request, calligraphy, liu_cookie, teacher_cookie, coordinator_cookie):
    if request.param == "volunteer":
        group_for_course(course=calligraphy).volunteers.add(user_named("volunteer"))
        return request.param, user_cookie("volunteer")
    return request.param, {"learner": liu_cookie, "teacher": teacher_cookie, "coordinator": coordinator_cookie}[
        request.param]


@run_async
async def test_a_member_is_welcomed_with_their_role(calligraphy, member_cookie):
    role, cookie = member_cookie
    member = await join(calligraphy.pk, cookie)
    await leave(member)
    assert (member.welcome["role"], member.welcome["last_seq"]) == (role, 0)


@run_async
async def test_a_learner_who_withdraws_while_connected_can_no_longer_post(calligraphy, liu, group):
    # Signed in with her other course's card, which stays valid: she is still signed in, just not a member.
    learn_abc = await CoursePage.objects.aget(slug="learn-abc")
    learn_abc_cookie = await database_sync_to_async(learner_cookie)(liu, learn_abc)
    liu_socket = await join(calligraphy.pk, learn_abc_cookie)
    enrolment = await Enrolment.objects.aget(learner=liu, course=calligraphy)
    await database_sync_to_async(enrolment_withdraw)(enrolment=enrolment)
    await send(liu_socket, type="chat.send", client_id="l1", text="我还在吗")
    error = await liu_socket.socket.receive_json_from()
    close = await liu_socket.socket.receive_output()
    stored = await messages_stored(group)
    await leave(liu_socket)
    assert error["code"] == "not_allowed"
    assert close == {"type": "websocket.close", "code": events.CLOSE_NOT_ALLOWED}
    assert stored == []


@run_async
async def test_a_learner_whose_card_was_replaced_is_asked_to_open_it_again_at_their_next_frame(
    calligraphy, liu, liu_cookie, teacher_cookie
):
    teacher = await join(calligraphy.pk, teacher_cookie)
    liu_socket = await join(calligraphy.pk, liu_cookie)
    await database_sync_to_async(join_link_issue)(course=calligraphy, learner=liu)  # lost card: old link stops
    await send(liu_socket, type="ping")  # the heartbeat is enough to notice
    error = await liu_socket.socket.receive_json_from()
    close = await liu_socket.socket.receive_output()
    await send(teacher, type="chat.send", client_id="t1", text="下周见")
    await frame_of(teacher, events.CHAT_MESSAGE)
    heard_nothing = await liu_socket.socket.receive_nothing(QUIET)  # out of the group at once
    await leave(teacher, liu_socket)
    assert error["code"] == "not_signed_in"
    assert close == {"type": "websocket.close", "code": events.CLOSE_NOT_SIGNED_IN}
    assert heard_nothing


@run_async
async def test_a_volunteer_taken_off_the_group_is_closed_at_their_next_frame(calligraphy, group):
    volunteer = await get_user_model().objects.aget(username="volunteer")
    await database_sync_to_async(group.volunteers.add)(volunteer)
    member = await join(calligraphy.pk, await database_sync_to_async(user_cookie)("volunteer"))
    await database_sync_to_async(group.volunteers.remove)(volunteer)
    await send(member, type="ping")
    error = await member.socket.receive_json_from()
    close = await member.socket.receive_output()
    await leave(member)
    assert member.welcome["role"] == "volunteer"
    assert error["code"] == "not_allowed"
    assert close == {"type": "websocket.close", "code": events.CLOSE_NOT_ALLOWED}


# ---------------------------------------------------------------- text


@run_async
async def test_a_members_message_reaches_another_member_as_a_text_message(calligraphy, liu_cookie, teacher_cookie):
    teacher = await join(calligraphy.pk, teacher_cookie)
    liu = await join(calligraphy.pk, liu_cookie)
    await send(liu, type="chat.send", client_id="l1", text="老师，今天的作业交到哪里？")
    heard = await frame_of(teacher, events.CHAT_MESSAGE)
    await leave(teacher, liu)
    assert (heard["kind"], heard["text"], heard["author"], heard["role"]) == (
        "text", "老师，今天的作业交到哪里？", "刘桂兰", "learner")
    assert (heard["seq"], heard["client_id"], heard["deleted"]) == (1, "l1", False)
    assert (heard["image"], heard["voice"]) == ("", "")


@run_async
async def test_a_retried_message_with_the_same_client_id_stores_nothing_new(
    calligraphy, liu_cookie, teacher_cookie, group
):
    teacher = await join(calligraphy.pk, teacher_cookie)
    liu = await join(calligraphy.pk, liu_cookie)
    await send(liu, type="chat.send", client_id="same", text="老师好")
    await frame_of(teacher, events.CHAT_MESSAGE)
    await frame_of(liu, events.CHAT_MESSAGE)
    await send(liu, type="chat.send", client_id="same", text="老师好")
    await send(liu, type="ping")
    await frame_of(liu, events.PONG)  # the retry has been handled
    teacher_quiet = await teacher.socket.receive_nothing(QUIET)
    stored = await messages_stored(group)
    last_seq = await ChatRoom.objects.values_list("last_seq", flat=True).aget(pk=group.chat_id)
    await leave(teacher, liu)
    assert stored == [(1, "刘桂兰", "老师好")]
    assert last_seq == 1
    assert teacher_quiet


@pytest.fixture
def five_messages(group):
    """Five messages already in the group, numbered 1 to 5."""
    ChatMessage.objects.bulk_create(
        ChatMessage(room_id=group.chat_id, seq=n, client_id=f"c{n}", text=f"第{n}条", author_name="王书华",
                    author_role="teacher")
        for n in range(1, 6)
    )
    ChatRoom.objects.filter(pk=group.chat_id).update(last_seq=5)
    return group


@run_async
async def test_hello_replays_exactly_the_missed_messages_then_synced(calligraphy, liu_cookie, five_messages):
    liu = await join(calligraphy.pk, liu_cookie)
    await send(liu, type="hello", last_seq=3)
    frames = [await liu.socket.receive_json_from() for _ in range(3)]
    await leave(liu)
    assert liu.welcome["last_seq"] == 5
    assert [(f["type"], f.get("seq"), f.get("text")) for f in frames] == [
        ("chat.message", 4, "第4条"), ("chat.message", 5, "第5条"), ("chat.synced", None, None)]
    assert frames[-1]["last_seq"] == 5


@run_async
async def test_hello_with_a_last_seq_from_the_future_asks_for_a_reload(calligraphy, liu_cookie, five_messages):
    liu = await join(calligraphy.pk, liu_cookie)
    await send(liu, type="hello", last_seq=99)
    reply = await liu.socket.receive_json_from()
    nothing_more = await liu.socket.receive_nothing(QUIET)
    await leave(liu)
    assert reply == {"type": "chat.reload", "last_seq": 5}
    assert nothing_more


@run_async
async def test_malformed_json_gets_bad_json_and_the_socket_carries_on(calligraphy, liu_cookie, group):
    liu = await join(calligraphy.pk, liu_cookie)
    await liu.socket.send_to(text_data="{not json")
    error = await liu.socket.receive_json_from()
    await send(liu, type="ping")
    pong = await liu.socket.receive_json_from()
    await leave(liu)
    assert (error["type"], error["code"]) == (events.ERROR, "bad_json")
    assert pong["type"] == events.PONG


@run_async
async def test_a_message_over_500_characters_is_refused_as_too_long(calligraphy, liu_cookie, group):
    liu = await join(calligraphy.pk, liu_cookie)
    await send(liu, type="chat.send", client_id="long", text="字" * (CHAT_TEXT_MAX + 1))
    error = await liu.socket.receive_json_from()
    stored = await messages_stored(group)
    await leave(liu)
    assert CHAT_TEXT_MAX == 500
    assert (error["type"], error["code"], error["client_id"]) == (events.ERROR, "too_long", "long")
    assert stored == []


@run_async
async def test_a_flood_is_rate_limited_and_the_other_members_carry_on(
    calligraphy, liu_cookie, wu_cookie, teacher_cookie, group
):
    teacher = await join(calligraphy.pk, teacher_cookie)
    liu = await join(calligraphy.pk, liu_cookie)
    wu = await join(calligraphy.pk, wu_cookie)
    for n in range(settings.CHAT_MESSAGES_PER_MINUTE):
        await send(liu, type="chat.send", client_id=f"m{n}", text=f"第{n}条")
        await frame_of(liu, events.CHAT_MESSAGE)
    for member in (teacher, wu):
        for _ in range(settings.CHAT_MESSAGES_PER_MINUTE):
            await frame_of(member, events.CHAT_MESSAGE)
    await send(liu, type="chat.send", client_id="one-too-many", text="还有")
    refused = await liu.socket.receive_json_from()
    await send(wu, type="chat.send", client_id="w1", text="我说一句")
    heard = [(await frame_of(member, events.CHAT_MESSAGE))["text"] for member in (teacher, liu, wu)]
    stored = len(await messages_stored(group))
    await leave(teacher, liu, wu)
    assert (refused["code"], refused["client_id"]) == ("rate_limited", "one-too-many")
    assert heard == ["我说一句"] * 3
    assert stored == settings.CHAT_MESSAGES_PER_MINUTE + 1


# ---------------------------------------------------------------- uploads reach the sockets


@pytest.fixture
def liu_client(calligraphy, liu):
    client = Client()
    client.get(f"/j/{join_link_token(link=join_link_ensure(course=calligraphy, learner=liu))}/")
    return client


@run_async
async def test_an_uploaded_picture_is_broadcast_to_the_members_sockets(
    calligraphy, liu_cookie, teacher_cookie, liu_client
):
    teacher = await join(calligraphy.pk, teacher_cookie)
    liu = await join(calligraphy.pk, liu_cookie)
    response = await sync_to_async(liu_client.post)(f"/group/{calligraphy.pk}/upload/", {
        "kind": "image", "client_id": "p1", "file": SimpleUploadedFile("photo.jpg", jpeg_bytes())})
    heard = [await frame_of(member, events.CHAT_MESSAGE) for member in (teacher, liu)]
    stored = await ChatMessage.objects.aget(room__learning_group__course=calligraphy, seq=1)
    await leave(teacher, liu)
    assert response.status_code == 200
    for frame in heard:
        assert (frame["kind"], frame["seq"], frame["client_id"], frame["author"]) == ("image", 1, "p1", "刘桂兰")
        assert frame["image"] == stored.image.url and frame["thumbnail"] == stored.thumbnail.url
        # Served by the group's own file view, never from the public media folder.
        assert not frame["image"].startswith(settings.MEDIA_URL) and frame["thumbnail"] != frame["image"]


# ---------------------------------------------------------------- moderation


@pytest.fixture
def liu_picture(calligraphy, liu):
    """A picture 刘桂兰 posted, stored with its files: seq 1."""
    large, thumbnail = chat_media.picture_prepare(SimpleUploadedFile("photo.jpg", jpeg_bytes()))
    member = course_person(course=calligraphy, learner=liu, user=None)
    return group_post(member=member, client_id="p1", attachments={"image": large, "thumbnail": thumbnail})


@pytest.fixture
def liu_said(calligraphy, liu):
    """A text message from 刘桂兰: seq 1."""
    return group_post(member=course_person(course=calligraphy, learner=liu, user=None), client_id="l1", text="老师好")


@pytest.fixture
def teacher_said(calligraphy):
    """A text message from the teacher: seq 1."""
    member = course_person(course=calligraphy, learner=None, user=user_named("teacher_wang"))
    return group_post(member=member, client_id="t1", text="请大家交作业")


@run_async
async def test_a_teachers_delete_broadcasts_a_tombstone_and_removes_the_files(
    calligraphy, liu_cookie, teacher_cookie, liu_picture
):
    files = [liu_picture.image.name, liu_picture.thumbnail.name]
    storage = liu_picture.image.storage
    existed = [storage.exists(name) for name in files]
    teacher = await join(calligraphy.pk, teacher_cookie)
    liu = await join(calligraphy.pk, liu_cookie)
    await send(teacher, type="chat.delete", seq=liu_picture.seq)
    tombstones = [await frame_of(member, events.CHAT_MESSAGE) for member in (teacher, liu)]
    stored = await ChatMessage.objects.aget(pk=liu_picture.pk)
    await leave(teacher, liu)
    assert existed == [True, True]
    for tombstone in tombstones:
        assert (tombstone["seq"], tombstone["deleted"], tombstone["text"]) == (liu_picture.seq, True, "")
        assert (tombstone["image"], tombstone["thumbnail"]) == ("", "")
    assert stored.deleted_at is not None and not stored.image and not stored.thumbnail
    assert [storage.exists(name) for name in files] == [False, False]


@run_async
async def test_a_learners_delete_is_forbidden_and_the_message_stays(calligraphy, liu_cookie, teacher_cookie, liu_said):
    teacher = await join(calligraphy.pk, teacher_cookie)
    liu = await join(calligraphy.pk, liu_cookie)
    await send(liu, type="chat.delete", seq=liu_said.seq)
    error = await liu.socket.receive_json_from()
    teacher_quiet = await teacher.socket.receive_nothing(QUIET)
    stored = await ChatMessage.objects.aget(pk=liu_said.pk)
    await leave(teacher, liu)
    assert (error["code"], error["ref"]) == ("forbidden", "chat.delete")
    assert teacher_quiet
    assert (stored.deleted_at, stored.text) == (None, "老师好")


@run_async
async def test_a_learner_muted_by_the_teacher_cannot_send(calligraphy, liu_cookie, teacher_cookie, liu_said, group):
    teacher = await join(calligraphy.pk, teacher_cookie)
    liu = await join(calligraphy.pk, liu_cookie)
    await send(teacher, type="member.mute", seq=liu_said.seq, muted=True)
    await send(teacher, type="ping")
    await frame_of(teacher, events.PONG)  # the mute has been handled
    await send(liu, type="chat.send", client_id="l2", text="为什么不让我说话")
    refused = await liu.socket.receive_json_from()
    teacher_quiet = await teacher.socket.receive_nothing(QUIET)
    stored = await messages_stored(group)
    await leave(teacher, liu)
    assert (refused["type"], refused["code"], refused["client_id"]) == (events.ERROR, "muted", "l2")
    assert refused["message"] == "老师暂停了您在这个学习群的发言。"
    assert teacher_quiet
    assert stored == [(1, "刘桂兰", "老师好")]


@run_async
async def test_an_unmuted_learner_can_send_again(calligraphy, liu_cookie, teacher_cookie, liu_said):
    teacher = await join(calligraphy.pk, teacher_cookie)
    liu = await join(calligraphy.pk, liu_cookie)
    await send(teacher, type="member.mute", seq=liu_said.seq, muted=True)
    await send(teacher, type="member.mute", seq=liu_said.seq, muted=False)
    await send(teacher, type="ping")
    await frame_of(teacher, events.PONG)
    await send(liu, type="chat.send", client_id="l2", text="谢谢老师")
    heard = await frame_of(teacher, events.CHAT_MESSAGE)
    await leave(teacher, liu)
    assert heard["text"] == "谢谢老师"


@run_async
async def test_muting_the_author_of_a_teachers_message_is_an_error(calligraphy, coordinator_cookie, teacher_said):
    coordinator = await join(calligraphy.pk, coordinator_cookie)
    await send(coordinator, type="member.mute", seq=teacher_said.seq, muted=True)
    error = await coordinator.socket.receive_json_from()
    await leave(coordinator)
    assert (error["type"], error["code"]) == (events.ERROR, "cannot_mute")
    assert not await GroupMute.objects.aexists()


@run_async
async def test_a_learners_mute_is_forbidden(calligraphy, liu_cookie, teacher_said):
    liu = await join(calligraphy.pk, liu_cookie)
    await send(liu, type="member.mute", seq=teacher_said.seq, muted=True)
    error = await liu.socket.receive_json_from()
    await leave(liu)
    assert (error["code"], error["ref"]) == ("forbidden", "member.mute")
    assert not await GroupMute.objects.aexists()


@run_async
async def test_a_teachers_pin_reaches_everyone(calligraphy, liu_cookie, teacher_cookie, liu_said, group):
    teacher = await join(calligraphy.pk, teacher_cookie)
    liu = await join(calligraphy.pk, liu_cookie)
    await send(teacher, type="chat.pin", seq=liu_said.seq)
    heard = [await frame_of(member, events.PINNED) for member in (teacher, liu)]
    room = await ChatRoom.objects.aget(pk=group.chat_id)
    await leave(teacher, liu)
    assert heard == [{"type": "pinned", "text": "老师好"}] * 2
    assert room.pinned_id == liu_said.pk


@run_async
async def test_a_member_who_says_hello_is_told_what_is_pinned(calligraphy, liu_cookie, teacher_cookie, liu_said):
    teacher = await join(calligraphy.pk, teacher_cookie)
    await send(teacher, type="chat.pin", seq=liu_said.seq)
    await frame_of(teacher, events.PINNED)
    liu = await join(calligraphy.pk, liu_cookie)
    await send(liu, type="hello", last_seq=liu_said.seq)
    synced = await liu.socket.receive_json_from()
    pinned = await liu.socket.receive_json_from()
    await leave(teacher, liu)
    assert synced["type"] == events.CHAT_SYNCED
    assert pinned == {"type": "pinned", "text": "老师好"}


@run_async
async def test_deleting_the_pinned_message_takes_it_off_everyones_pin(
    calligraphy, liu_cookie, teacher_cookie, liu_said
):
    teacher = await join(calligraphy.pk, teacher_cookie)
    liu = await join(calligraphy.pk, liu_cookie)
    await send(teacher, type="chat.pin", seq=liu_said.seq)
    await frame_of(liu, events.PINNED)
    await send(teacher, type="chat.delete", seq=liu_said.seq)
    unpinned = await frame_of(liu, events.PINNED)
    await leave(teacher, liu)
    assert unpinned == {"type": "pinned", "text": ""}


@run_async
async def test_a_learners_pin_is_forbidden(calligraphy, liu_cookie, teacher_cookie, liu_said, group):
    teacher = await join(calligraphy.pk, teacher_cookie)
    liu = await join(calligraphy.pk, liu_cookie)
    await send(liu, type="chat.pin", seq=liu_said.seq)
    error = await liu.socket.receive_json_from()
    teacher_quiet = await teacher.socket.receive_nothing(QUIET)
    room = await ChatRoom.objects.aget(pk=group.chat_id)
    await leave(teacher, liu)
    assert (error["code"], error["ref"]) == ("forbidden", "chat.pin")
    assert teacher_quiet
    assert room.pinned_id is None


# ---------------------------------------------------------------- read marks


@run_async
async def test_a_read_frame_moves_the_members_read_mark(calligraphy, liu, liu_cookie, teacher_said, group):
    liu_socket = await join(calligraphy.pk, liu_cookie)
    await send(liu_socket, type="read", seq=teacher_said.seq)
    await send(liu_socket, type="ping")
    await frame_of(liu_socket, events.PONG)  # the read has been handled
    mark = await ReadMark.objects.aget(chat_id=group.chat_id, learner=liu)
    await leave(liu_socket)
    assert mark.last_read_seq == teacher_said.seq == 1


@run_async
async def test_a_read_frame_without_a_number_is_an_error(calligraphy, liu, liu_cookie, group):
    liu_socket = await join(calligraphy.pk, liu_cookie)
    await send(liu_socket, type="read", seq="all")
    error = await liu_socket.socket.receive_json_from()
    await leave(liu_socket)
    assert (error["code"], error["ref"]) == ("bad_field", "seq")
    assert not await ReadMark.objects.filter(learner=liu).aexists()


@pytest.mark.parametrize("seq", [pytest.param(99, id="from-the-future"),
                                 pytest.param(2**53 - 1, id="the-largest-a-browser-sends")])
@run_async
async def test_a_read_frame_past_the_last_message_marks_only_up_to_the_last_message(
    calligraphy, liu, liu_cookie, teacher_said, group, seq
):
    liu_socket = await join(calligraphy.pk, liu_cookie)
    await send(liu_socket, type="read", seq=seq)
    await send(liu_socket, type="ping")
    pong = await liu_socket.socket.receive_json_from()  # the socket lives on
    mark = await ReadMark.objects.aget(chat_id=group.chat_id, learner=liu)
    await leave(liu_socket)
    assert pong["type"] == events.PONG
    assert mark.last_read_seq == 1  # a later message from the teacher will count as unread
