"""The live-class socket, driven through the whole ASGI stack (origin check, sessions,
auth) with Channels' WebsocketCommunicator.

The consumer reaches the database through database_sync_to_async, so these tests
commit for real (transaction=True). Each async body runs under async_to_sync, which
sends the consumer's thread-sensitive database calls back to the test's own thread
and connection, so no pytest-asyncio is needed.
"""

import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.utils import timezone

from classes import events
from channels.layers import get_channel_layer

from classes.live import consumers
from classes.live import services as rooms
from classes.live.state_sender import STATE_INTERVAL_S
from core.sockets import group_relay
from classes.live.chat import CHAT_TEXT_MAX, REPLAY_LIMIT
from classes.models import ChatMessage, ChatRoom, ClassSession, Enrolment, JoinLink, Learner, Participant, Visit
from classes.courses.services import enrolment_withdraw
from classes.courses.join_links import join_link_issue
from tests.layers import (  # noqa: F401 (fresh_layer_and_cache is an autouse fixture)
    ORIGIN, QUIET, Member, class_join as join, class_socket as _socket, frame_of, frames_until_quiet, fresh_layer_and_cache,
    layer_group_keys, learner_cookie, leave, person, refusal_of, run_async, send, socket_to,
)

pytestmark = pytest.mark.django_db(transaction=True)

# ---------------------------------------------------------------- people and sessions


@pytest.fixture
def lesson(calligraphy):
    return ClassSession.objects.filter(course=calligraphy).order_by("starts_at").first()


@pytest.fixture
def zhou_cookie():
    from classes.models import CoursePage

    zhou = Learner.objects.get(phone="13800138004")  # learn-abc only
    return learner_cookie(zhou, CoursePage.objects.get(slug="learn-abc"))


# ---------------------------------------------------------------- socket helpers


async def refusal(session_id: int, cookie: str | None) -> tuple[dict, dict]:
    """The error frame and the close a refused socket gets."""
    return await refusal_of(_socket(session_id, cookie))






# ---------------------------------------------------------------- refusals


@run_async
async def test_a_socket_without_a_session_is_closed_with_4401(lesson):
    error, close = await refusal(lesson.pk, None)
    assert error["code"] == "not_signed_in"
    assert close == {"type": "websocket.close", "code": events.CLOSE_NOT_SIGNED_IN}
    assert layer_group_keys() == []


@run_async
async def test_a_learner_of_another_course_is_closed_with_4403(lesson, zhou_cookie):
    error, close = await refusal(lesson.pk, zhou_cookie)
    assert error["code"] == "not_allowed"
    assert close == {"type": "websocket.close", "code": events.CLOSE_NOT_ALLOWED}
    assert not await Participant.objects.filter(session_id=lesson.pk).aexists()
    assert layer_group_keys() == []


@pytest.fixture
def revoked_cookie(liu, calligraphy, liu_cookie):
    join_link_issue(course=calligraphy, learner=liu)  # a new card: the phone's old link stops working
    return liu_cookie


@run_async
async def test_a_learner_whose_link_was_replaced_is_asked_to_open_it_again_with_4401(lesson, revoked_cookie):
    error, close = await refusal(lesson.pk, revoked_cookie)
    assert error["code"] == "not_signed_in"
    assert close == {"type": "websocket.close", "code": events.CLOSE_NOT_SIGNED_IN}


@run_async
async def test_a_class_that_does_not_exist_is_closed_with_4404(liu_cookie):
    error, close = await refusal(999_999, liu_cookie)
    assert error["code"] == "no_such_class"
    assert close == {"type": "websocket.close", "code": events.CLOSE_NO_SUCH_CLASS}


@run_async
async def test_a_foreign_origin_is_refused_at_the_handshake(lesson, liu_cookie):
    socket = _socket(lesson.pk, liu_cookie, origin=b"http://evil.example")
    connected, _ = await socket.connect()
    await socket.disconnect()
    assert connected is False
    assert not await Participant.objects.filter(session_id=lesson.pk).aexists()
    assert layer_group_keys() == []


# ---------------------------------------------------------------- bad frames


@pytest.mark.parametrize(
    "text, code",
    [
        pytest.param("{not json", "bad_json", id="malformed-json"),
        pytest.param("[1, 2]", "bad_json", id="json-not-an-object"),
        pytest.param('{"text": "no type"}', "bad_json", id="object-without-type"),
        pytest.param('{"type": "dance"}', "unknown_type", id="unknown-type"),
        # ~30 000 characters but ~90 000 bytes: the bound is on bytes, not characters.
        pytest.param(
            json.dumps({"type": "chat.send", "client_id": "big", "text": "字" * 30_000}, ensure_ascii=False),
            "too_large", id="over-64-KiB",
        ),
    ],
)
@run_async
async def test_a_bad_frame_gets_an_error_and_the_socket_carries_on(lesson, liu_cookie, text, code):
    liu = await join(lesson.pk, liu_cookie)
    await liu.socket.send_to(text_data=text)
    error = await liu.socket.receive_json_from()
    await send(liu, type="ping")
    pong = await liu.socket.receive_json_from()
    stored = await ChatMessage.objects.acount()
    await leave(liu)
    assert (error["type"], error["code"]) == (events.ERROR, code)
    assert pong["type"] == events.PONG
    assert stored == 0


TEACHER_COMMANDS = ["class.start", "speak.allow", "mute.all", "participant.remove", "chat.lock", "chat.pin"]


@run_async
async def test_a_learner_sending_teacher_commands_is_refused_and_the_room_carries_on(
    lesson, teacher_cookie, liu_cookie
):
    teacher = await join(lesson.pk, teacher_cookie)
    liu = await join(lesson.pk, liu_cookie, teacher)
    await send(teacher, type="chat.send", client_id="t1", text="大家好")
    await frame_of(liu, events.CHAT_MESSAGE)
    await frame_of(teacher, events.CHAT_MESSAGE)
    assert set(TEACHER_COMMANDS) <= events.TEACHER_ONLY
    targets = {"participant": teacher.id, "seq": 1, "locked": True}
    errors = []
    for command in TEACHER_COMMANDS:
        await send(liu, type=command, **targets)
        errors.append(await liu.socket.receive_json_from())
    teacher_heard_nothing = await teacher.socket.receive_nothing(QUIET)
    session = await ClassSession.objects.select_related("chat").aget(pk=lesson.pk)
    people = [p async for p in Participant.objects.filter(session=session)]
    # The room still works for the learner: the real teacher starts the class.
    await send(teacher, type="class.start")
    state = await frame_of(liu, events.STATE)
    await leave(teacher, liu)
    assert [(e["code"], e["ref"]) for e in errors] == [("forbidden", c) for c in TEACHER_COMMANDS]
    assert teacher_heard_nothing
    assert session.live_started_at is None
    assert not session.chat.locked and session.chat.pinned_id is None
    assert all(p.removed_at is None and not p.may_speak for p in people)
    assert state["status"] == "live"


# ---------------------------------------------------------------- teacher controls


@run_async
async def test_class_start_makes_the_room_live_for_everyone(lesson, teacher_cookie, liu_cookie):
    teacher = await join(lesson.pk, teacher_cookie)
    liu = await join(lesson.pk, liu_cookie, teacher)
    assert liu.welcome["role"] == "learner" and teacher.welcome["role"] == "teacher"
    await send(teacher, type="class.start")
    seen = [await frame_of(member, events.STATE) for member in (teacher, liu)]
    await leave(teacher, liu)
    assert [state["status"] for state in seen] == ["live", "live"]


@run_async
async def test_class_start_with_record_tells_every_page_the_class_is_recorded(lesson, teacher_cookie, liu_cookie):
    teacher = await join(lesson.pk, teacher_cookie)
    liu = await join(lesson.pk, liu_cookie, teacher)
    await send(teacher, type="class.start", record=True)
    seen = await frame_of(liu, events.STATE)
    await leave(teacher, liu)
    assert (seen["recording"], seen["recording_by"]) == (True, "browser")


@run_async
async def test_class_end_ends_the_class_lowers_hands_and_takes_voices_back(
    lesson, teacher_cookie, liu_cookie, wu_cookie
):
    teacher = await join(lesson.pk, teacher_cookie)
    liu = await join(lesson.pk, liu_cookie, teacher)
    wu = await join(lesson.pk, wu_cookie, teacher, liu)
    await send(teacher, type="speak.allow", participant=liu.id)
    await frame_of(teacher, events.STATE)
    await send(wu, type="hand.raise")
    before = await frame_of(teacher, events.STATE)
    await send(teacher, type="class.end")
    after = await frame_of(teacher, events.STATE)
    await leave(teacher, liu, wu)
    assert person(before, liu)["may_speak"] and person(before, wu)["hand"]
    assert after["status"] == "ended"
    assert not any(p["hand"] or p["may_speak"] for p in after["participants"])


@run_async
async def test_class_end_tells_whoever_was_speaking_their_voice_is_taken_back(lesson, teacher_cookie, liu_cookie):
    teacher = await join(lesson.pk, teacher_cookie)
    liu = await join(lesson.pk, liu_cookie, teacher)
    await send(teacher, type="speak.allow", participant=liu.id)
    await frame_of(liu, events.SPEAK)
    await send(teacher, type="class.end")
    told = await frame_of(liu, events.SPEAK)  # otherwise the page keeps the microphone open
    await leave(teacher, liu)
    assert told == {"type": "speak", "allowed": False}


@run_async
async def test_speak_allow_tells_the_learner_and_lowers_their_hand(lesson, teacher_cookie, liu_cookie):
    teacher = await join(lesson.pk, teacher_cookie)
    liu = await join(lesson.pk, liu_cookie, teacher)
    await send(liu, type="hand.raise")
    await frame_of(teacher, events.STATE)
    await send(teacher, type="speak.allow", participant=liu.id)
    told = await frame_of(liu, events.SPEAK)
    state = await frame_of(teacher, events.STATE)
    await leave(teacher, liu)
    assert told == {"type": "speak", "allowed": True}
    assert person(state, liu)["may_speak"] is True
    assert person(state, liu)["hand"] is False


@run_async
async def test_speak_revoke_tells_the_learner_and_takes_their_voice_back(lesson, teacher_cookie, liu_cookie):
    teacher = await join(lesson.pk, teacher_cookie)
    liu = await join(lesson.pk, liu_cookie, teacher)
    await send(teacher, type="speak.allow", participant=liu.id)
    await frame_of(liu, events.SPEAK)
    await frame_of(teacher, events.STATE)
    await send(teacher, type="speak.revoke", participant=liu.id)
    told = await frame_of(liu, events.SPEAK)
    state = await frame_of(teacher, events.STATE)
    await leave(teacher, liu)
    assert told == {"type": "speak", "allowed": False}
    assert person(state, liu)["may_speak"] is False


@run_async
async def test_speak_allow_for_someone_not_in_the_class_is_an_error(lesson, teacher_cookie):
    teacher = await join(lesson.pk, teacher_cookie)
    await send(teacher, type="speak.allow", participant=999_999)
    error = await teacher.socket.receive_json_from()
    await leave(teacher)
    assert error["code"] == "no_participant"


@run_async
async def test_mute_all_takes_every_voice_back(lesson, teacher_cookie, liu_cookie, wu_cookie):
    teacher = await join(lesson.pk, teacher_cookie)
    liu = await join(lesson.pk, liu_cookie, teacher)
    wu = await join(lesson.pk, wu_cookie, teacher, liu)
    for learner in (liu, wu):
        await send(teacher, type="speak.allow", participant=learner.id)
        assert (await frame_of(learner, events.SPEAK))["allowed"] is True
        await frame_of(teacher, events.STATE)
    await send(teacher, type="mute.all")
    told = [await frame_of(learner, events.SPEAK) for learner in (liu, wu)]
    state = await frame_of(teacher, events.STATE)
    await leave(teacher, liu, wu)
    assert told == [{"type": "speak", "allowed": False}] * 2
    assert not any(p["may_speak"] for p in state["participants"])


@run_async
async def test_participant_remove_tells_the_learner_and_closes_with_4403(lesson, teacher_cookie, liu_cookie):
    teacher = await join(lesson.pk, teacher_cookie)
    liu = await join(lesson.pk, liu_cookie, teacher)
    await send(teacher, type="participant.remove", participant=liu.id)
    removed = await frame_of(liu, events.REMOVED)
    close = await liu.socket.receive_output()
    state = await frame_of(teacher, events.STATE)
    await leave(teacher, liu)
    assert removed["type"] == "removed"
    assert close == {"type": "websocket.close", "code": events.CLOSE_NOT_ALLOWED}
    assert liu.id not in [p["id"] for p in state["participants"]]


@run_async
async def test_a_removed_learner_who_reconnects_is_refused_with_4403(lesson, teacher_cookie, liu_cookie):
    teacher = await join(lesson.pk, teacher_cookie)
    liu = await join(lesson.pk, liu_cookie, teacher)
    await send(teacher, type="participant.remove", participant=liu.id)
    await frame_of(liu, events.REMOVED)
    await liu.socket.receive_output()  # the close
    await liu.socket.disconnect()
    error, close = await refusal(lesson.pk, liu_cookie)
    await leave(teacher)
    assert error["code"] == "removed"
    assert close == {"type": "websocket.close", "code": events.CLOSE_NOT_ALLOWED}


@run_async
async def test_a_removed_learner_whose_kick_was_lost_is_closed_at_their_next_frame(lesson, liu_cookie):
    liu = await join(lesson.pk, liu_cookie)
    # As if the teacher's remove went through but the layer dropped the kick.
    await database_sync_to_async(rooms.participant_remove)(session=lesson, participant_id=liu.id)
    await send(liu, type="chat.send", client_id="l1", text="我还在")
    removed = await liu.socket.receive_json_from()
    close = await liu.socket.receive_output()
    stored = await ChatMessage.objects.acount()
    await leave(liu)
    assert removed["type"] == "removed"
    assert close == {"type": "websocket.close", "code": events.CLOSE_NOT_ALLOWED}
    assert stored == 0


@run_async
async def test_the_teacher_cannot_be_removed(lesson, teacher_cookie):
    teacher = await join(lesson.pk, teacher_cookie)
    await send(teacher, type="participant.remove", participant=teacher.id)
    error = await teacher.socket.receive_json_from()
    await leave(teacher)
    assert error["code"] == "no_participant"


@run_async
async def test_a_locked_chat_refuses_learners_but_not_the_teacher(lesson, teacher_cookie, liu_cookie):
    teacher = await join(lesson.pk, teacher_cookie)
    liu = await join(lesson.pk, liu_cookie, teacher)
    await send(teacher, type="chat.lock", locked=True)
    state = await frame_of(liu, events.STATE)
    await send(liu, type="chat.send", client_id="l1", text="老师好")
    refused = await frame_of(liu, events.ERROR)
    await send(teacher, type="chat.send", client_id="t1", text="请安静听讲")
    message = await frame_of(liu, events.CHAT_MESSAGE)
    texts = [m async for m in ChatMessage.objects.values_list("text", flat=True)]
    await leave(teacher, liu)
    assert state["chat_locked"] is True
    assert (refused["code"], refused["client_id"]) == ("chat_locked", "l1")
    assert message["text"] == "请安静听讲"
    assert texts == ["请安静听讲"]


@run_async
async def test_chat_pin_puts_the_message_text_in_everyones_state(lesson, teacher_cookie, liu_cookie):
    teacher = await join(lesson.pk, teacher_cookie)
    liu = await join(lesson.pk, liu_cookie, teacher)
    await send(liu, type="chat.send", client_id="l1", text="今天写哪个字？")
    message = await frame_of(teacher, events.CHAT_MESSAGE)
    await send(teacher, type="chat.pin", seq=message["seq"])
    state = await frame_of(liu, events.STATE)
    await leave(teacher, liu)
    assert state["pinned"] == "今天写哪个字？"


@run_async
async def test_pinning_a_message_that_does_not_exist_is_an_error(lesson, teacher_cookie):
    teacher = await join(lesson.pk, teacher_cookie)
    await send(teacher, type="chat.pin", seq=42)
    error = await teacher.socket.receive_json_from()
    no_state = await teacher.socket.receive_nothing(QUIET)
    await leave(teacher)
    assert (error["type"], error["code"]) == (events.ERROR, "no_message")
    assert no_state


# ---------------------------------------------------------------- presence and hands


@run_async
async def test_teacher_and_learner_are_both_shown_online(lesson, teacher_cookie, liu_cookie):
    teacher = await join(lesson.pk, teacher_cookie)
    liu = await join(lesson.pk, liu_cookie)
    state = await frame_of(teacher, events.STATE)  # the one sent when 刘 came in
    await leave(teacher, liu)
    assert person(state, teacher)["online"] is True
    assert person(state, liu)["online"] is True
    assert {p["role"] for p in state["participants"]} == {"teacher", "learner"}


@run_async
async def test_a_raised_hand_shows_in_the_teachers_state(lesson, teacher_cookie, liu_cookie):
    teacher = await join(lesson.pk, teacher_cookie)
    liu = await join(lesson.pk, liu_cookie, teacher)
    await send(liu, type="hand.raise")
    state = await frame_of(teacher, events.STATE)
    await leave(teacher, liu)
    assert person(state, liu)["hand"] is True


@run_async
async def test_a_learner_who_disconnects_is_shown_offline(lesson, teacher_cookie, liu_cookie):
    teacher = await join(lesson.pk, teacher_cookie)
    liu = await join(lesson.pk, liu_cookie, teacher)
    await liu.socket.disconnect()
    state = await frame_of(teacher, events.STATE)
    await leave(teacher)
    assert person(state, liu)["online"] is False
    assert person(state, teacher)["online"] is True


@run_async
async def test_a_raised_hand_is_still_raised_after_reconnecting(lesson, teacher_cookie, liu_cookie):
    teacher = await join(lesson.pk, teacher_cookie)
    liu = await join(lesson.pk, liu_cookie, teacher)
    await send(liu, type="hand.raise")
    await frame_of(teacher, events.STATE)
    await liu.socket.disconnect()
    await frame_of(teacher, events.STATE)
    again = await join(lesson.pk, liu_cookie)
    state = await frame_of(teacher, events.STATE)
    await leave(teacher, again)
    assert again.id == liu.id
    assert person(state, again)["online"] is True
    assert person(state, again)["hand"] is True


# ---------------------------------------------------------------- chat


@run_async
async def test_chat_messages_reach_everyone_with_increasing_numbers(lesson, teacher_cookie, liu_cookie, wu_cookie):
    teacher = await join(lesson.pk, teacher_cookie)
    liu = await join(lesson.pk, liu_cookie, teacher)
    wu = await join(lesson.pk, wu_cookie, teacher, liu)
    await send(liu, type="chat.send", client_id="a", text="老师好")
    await send(wu, type="chat.send", client_id="b", text="我也来了")
    received = {
        name: [await frame_of(member, events.CHAT_MESSAGE) for _ in range(2)]
        for name, member in (("teacher", teacher), ("liu", liu), ("wu", wu))
    }
    stored = [m async for m in ChatMessage.objects.order_by("seq").values_list("seq", "text")]
    await leave(teacher, liu, wu)
    for frames in received.values():
        assert [(f["seq"], f["text"], f["author"]) for f in frames] == [(1, "老师好", "刘桂兰"), (2, "我也来了", "吴大妈")]
    assert stored == [(1, "老师好"), (2, "我也来了")]


@run_async
async def test_a_retried_chat_message_is_stored_once_and_not_broadcast_again(lesson, teacher_cookie, liu_cookie):
    teacher = await join(lesson.pk, teacher_cookie)
    liu = await join(lesson.pk, liu_cookie, teacher)
    await send(liu, type="chat.send", client_id="same", text="老师好")
    first = await frame_of(teacher, events.CHAT_MESSAGE)
    await frame_of(liu, events.CHAT_MESSAGE)
    await send(liu, type="chat.send", client_id="same", text="老师好")
    await send(liu, type="ping")
    await frame_of(liu, events.PONG)  # the retry has been handled
    teacher_quiet = await teacher.socket.receive_nothing(QUIET)
    liu_quiet = await liu.socket.receive_nothing(QUIET)
    stored = await ChatMessage.objects.acount()
    await leave(teacher, liu)
    assert first["client_id"] == "same"
    assert teacher_quiet and liu_quiet
    assert stored == 1


@pytest.fixture
def chat_of_five(lesson):
    """Five messages already in the class's chat, numbered 1 to 5."""
    room = ChatRoom.objects.create(last_seq=5)
    ClassSession.objects.filter(pk=lesson.pk).update(chat=room)
    ChatMessage.objects.bulk_create(
        ChatMessage(room=room, seq=n, client_id=f"c{n}", text=f"第{n}条", author_name="王书华", author_role="teacher")
        for n in range(1, 6)
    )
    return room


@run_async
async def test_hello_replays_exactly_the_messages_after_last_seq_then_synced(lesson, liu_cookie, chat_of_five):
    liu = await join(lesson.pk, liu_cookie)
    await send(liu, type="hello", last_seq=3)
    frames = [await liu.socket.receive_json_from() for _ in range(3)]
    await leave(liu)
    assert liu.welcome["last_seq"] == 5
    assert [(f["type"], f.get("seq")) for f in frames] == [
        ("chat.message", 4), ("chat.message", 5), ("chat.synced", None)]
    assert frames[-1]["last_seq"] == 5


@run_async
async def test_synced_counts_only_what_was_replayed_when_a_message_is_stored_meanwhile(
        lesson, liu_cookie, chat_of_five, monkeypatch):
    from classes.live import chat as chat_engine

    last_seq = chat_engine.chat_last_seq

    def a_message_lands_first(*, room_id):
        # Another member's message commits between the replay's read and this one.
        ChatMessage.objects.create(room_id=room_id, seq=6, client_id="c6", text="第6条",
                                   author_name="王书华", author_role="teacher")
        ChatRoom.objects.filter(pk=room_id).update(last_seq=6)
        return last_seq(room_id=room_id)

    liu = await join(lesson.pk, liu_cookie)
    monkeypatch.setattr(chat_engine, "chat_last_seq", a_message_lands_first)
    await send(liu, type="hello", last_seq=3)
    synced = await frame_of(liu, events.CHAT_SYNCED)
    await leave(liu)
    # Synced to 5, so a page whose copy of message 6 is lost still asks for it.
    assert synced["last_seq"] == 5


@run_async
async def test_hello_with_a_last_seq_from_the_future_asks_for_a_reload(lesson, liu_cookie, chat_of_five):
    liu = await join(lesson.pk, liu_cookie)
    await send(liu, type="hello", last_seq=99)
    reply = await liu.socket.receive_json_from()
    nothing_more = await liu.socket.receive_nothing(QUIET)
    await leave(liu)
    assert reply == {"type": "chat.reload", "last_seq": 5}
    assert nothing_more


@pytest.fixture
def long_chat(lesson):
    """More messages than one replay may carry."""
    total = REPLAY_LIMIT + 50
    room = ChatRoom.objects.create(last_seq=total)
    ClassSession.objects.filter(pk=lesson.pk).update(chat=room)
    ChatMessage.objects.bulk_create(
        ChatMessage(room=room, seq=n, client_id=f"c{n}", text=f"第{n}条", author_name="王书华", author_role="teacher")
        for n in range(1, total + 1)
    )
    return total


@run_async
async def test_hello_after_too_large_a_gap_asks_for_a_reload_and_nothing_else(lesson, liu_cookie, long_chat):
    liu = await join(lesson.pk, liu_cookie)
    await send(liu, type="hello", last_seq=10)
    reply = await liu.socket.receive_json_from()
    nothing_more = await liu.socket.receive_nothing(QUIET)
    await leave(liu)
    assert reply == {"type": "chat.reload", "last_seq": long_chat}
    assert nothing_more


@run_async
async def test_hello_from_nothing_in_a_long_chat_gets_the_latest_messages_without_a_reload(
    lesson, liu_cookie, long_chat
):
    # The page answers chat.reload with hello last_seq 0, so that must not be answered with a reload again.
    liu = await join(lesson.pk, liu_cookie)
    await send(liu, type="hello", last_seq=0)
    frames = [await liu.socket.receive_json_from() for _ in range(REPLAY_LIMIT + 1)]
    await leave(liu)
    seqs = [f["seq"] for f in frames[:-1]]
    assert {f["type"] for f in frames[:-1]} == {"chat.message"}
    assert seqs == list(range(long_chat - REPLAY_LIMIT + 1, long_chat + 1))
    assert frames[-1] == {"type": "chat.synced", "last_seq": long_chat}


@pytest.mark.parametrize(
    "text, code",
    [pytest.param("   ", "empty", id="empty"), pytest.param("字" * (CHAT_TEXT_MAX + 1), "too_long", id="too-long")],
)
@run_async
async def test_a_chat_message_without_text_or_over_the_limit_is_refused(lesson, liu_cookie, text, code):
    liu = await join(lesson.pk, liu_cookie)
    await send(liu, type="chat.send", client_id="x", text=text)
    error = await liu.socket.receive_json_from()
    stored = await ChatMessage.objects.acount()
    await leave(liu)
    assert (error["type"], error["code"], error["client_id"]) == (events.ERROR, code, "x")
    assert stored == 0


@run_async
async def test_a_chat_flood_is_rate_limited_and_the_others_carry_on(lesson, teacher_cookie, liu_cookie, wu_cookie):
    teacher = await join(lesson.pk, teacher_cookie)
    liu = await join(lesson.pk, liu_cookie, teacher)
    wu = await join(lesson.pk, wu_cookie, teacher, liu)
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
    stored = await ChatMessage.objects.acount()
    await leave(teacher, liu, wu)
    assert (refused["code"], refused["client_id"]) == ("rate_limited", "one-too-many")
    assert heard == ["我说一句"] * 3
    assert stored == settings.CHAT_MESSAGES_PER_MINUTE + 1


# ---------------------------------------------------------------- signalling

CANDIDATE = {"pc": "p1", "candidate": {"candidate": "candidate:1 1 udp 1 127.0.0.1 5000 typ host",
                                       "sdpMid": "0", "sdpMLineIndex": 0, "usernameFragment": "ab"}}


@run_async
async def test_a_learners_signal_reaches_the_teacher_from_their_participant_id(lesson, teacher_cookie, liu_cookie):
    teacher = await join(lesson.pk, teacher_cookie)
    liu = await join(lesson.pk, liu_cookie, teacher)
    offer = {"pc": "p1", "description": {"type": "offer", "sdp": "v=0"}}
    await send(liu, type="signal", to=teacher.id, data=offer)
    relayed = await frame_of(teacher, events.SIGNAL)
    await leave(teacher, liu)
    assert relayed == {"type": "signal", "from": liu.id, "data": offer}


@run_async
async def test_a_learner_cannot_signal_another_learner(lesson, teacher_cookie, liu_cookie, wu_cookie):
    teacher = await join(lesson.pk, teacher_cookie)
    liu = await join(lesson.pk, liu_cookie, teacher)
    wu = await join(lesson.pk, wu_cookie, teacher, liu)
    await send(liu, type="signal", to=wu.id, data=CANDIDATE)
    error = await liu.socket.receive_json_from()
    # Only that no signal comes matters: on a busy machine a late state of the room may.
    wu_heard = [frame for frame in await frames_until_quiet(wu) if frame["type"] == events.SIGNAL]
    await leave(teacher, liu, wu)
    assert (error["code"], error["ref"]) == ("forbidden", "signal")
    assert wu_heard == []


@run_async
async def test_a_signal_to_someone_not_in_the_class_is_an_error(lesson, liu_cookie):
    liu = await join(lesson.pk, liu_cookie)
    await send(liu, type="signal", to=999_999, data=CANDIDATE)
    error = await liu.socket.receive_json_from()
    await leave(liu)
    assert error["code"] == "no_participant"


# ---------------------------------------------------------------- attendance


@run_async
async def test_a_visit_records_when_the_learner_joined_and_left(lesson, liu_cookie):
    liu = await join(lesson.pk, liu_cookie)
    during = await Visit.objects.aget(participant_id=liu.id)
    await leave(liu)
    after = await Visit.objects.aget(participant_id=liu.id)
    assert during.joined_at is not None and during.left_at is None
    assert after.left_at is not None and after.left_at >= after.joined_at


@run_async
async def test_a_signal_with_a_lone_surrogate_is_refused_and_the_teachers_socket_lives_on(
    lesson, teacher_cookie, liu_cookie
):
    teacher = await join(lesson.pk, teacher_cookie)
    liu = await join(lesson.pk, liu_cookie, teacher)
    await liu.socket.send_to(text_data='{"type": "signal", "to": %d, "data": {"pc": "\\ud800"}}' % teacher.id)
    error = await liu.socket.receive_json_from()
    await send(teacher, type="ping")
    teacher_pong = await frame_of(teacher, events.PONG)
    await leave(teacher, liu)
    assert error["code"] == "bad_text"
    assert teacher_pong["type"] == events.PONG


@run_async
async def test_signal_data_with_fields_a_browser_does_not_send_is_not_relayed(lesson, teacher_cookie, liu_cookie):
    teacher = await join(lesson.pk, teacher_cookie)
    liu = await join(lesson.pk, liu_cookie, teacher)
    await send(liu, type="signal", to=teacher.id, data={"pc": "p1", "description": {"type": "offer", "sdp": "",
                                                                                     "html": "<img>"}})
    error = await liu.socket.receive_json_from()
    teacher_heard = [frame for frame in await frames_until_quiet(teacher) if frame["type"] == events.SIGNAL]
    await leave(teacher, liu)
    assert (error["code"], error["ref"]) == ("bad_field", "signal")
    assert teacher_heard == []


# ---------------------------------------------------------------- access ends while the socket is open


async def _closed_for_access(member: Member) -> tuple[dict, dict]:
    error = await frame_of(member, events.ERROR)
    close = await member.socket.receive_output()
    return error, close


@run_async
async def test_a_revoked_link_closes_the_learners_open_class_socket_at_once(lesson, calligraphy, liu, liu_cookie):
    liu_socket = await join(lesson.pk, liu_cookie)
    await database_sync_to_async(join_link_issue)(course=calligraphy, learner=liu)  # a new card was printed
    error, close = await _closed_for_access(liu_socket)
    await leave(liu_socket)
    assert error["code"] == "not_allowed"
    assert close == {"type": "websocket.close", "code": events.CLOSE_NOT_ALLOWED}


@run_async
async def test_a_withdrawal_closes_the_learners_open_class_socket_at_once(lesson, calligraphy, liu, liu_cookie):
    liu_socket = await join(lesson.pk, liu_cookie)
    enrolment = await Enrolment.objects.aget(learner=liu, course=calligraphy)
    await database_sync_to_async(enrolment_withdraw)(enrolment=enrolment)
    error, close = await _closed_for_access(liu_socket)
    await leave(liu_socket)
    assert close == {"type": "websocket.close", "code": events.CLOSE_NOT_ALLOWED}


async def _in_class_with_a_link_revoked_unannounced(lesson, learner, cookie) -> Member:
    socket = await join(lesson.pk, cookie)
    await JoinLink.objects.filter(learner=learner).aupdate(revoked_at=timezone.now())  # the push went missing
    return socket


@run_async
async def test_a_link_revoked_without_a_push_closes_the_socket_at_its_next_frame(lesson, liu, liu_cookie):
    liu_socket = await _in_class_with_a_link_revoked_unannounced(lesson, liu, liu_cookie)
    await send(liu_socket, type="hand.raise")
    error, close = await _closed_for_access(liu_socket)
    raised = await Participant.objects.filter(pk=liu_socket.id, hand_raised_at__isnull=False).aexists()
    await leave(liu_socket)
    assert close == {"type": "websocket.close", "code": events.CLOSE_NOT_ALLOWED}
    assert not raised


@run_async
async def test_a_heartbeat_rechecks_access_once_a_minute_has_passed(lesson, liu, liu_cookie, monkeypatch):
    liu_socket = await _in_class_with_a_link_revoked_unannounced(lesson, liu, liu_cookie)
    monkeypatch.setattr(consumers, "ACCESS_RECHECK_ON_PING_S", 0)  # a minute has passed since the last check
    await send(liu_socket, type="ping")
    error, close = await _closed_for_access(liu_socket)
    await leave(liu_socket)
    assert close == {"type": "websocket.close", "code": events.CLOSE_NOT_ALLOWED}


@run_async
async def test_a_heartbeat_within_a_minute_of_the_last_check_only_notes_presence(lesson, liu, liu_cookie):
    liu_socket = await _in_class_with_a_link_revoked_unannounced(lesson, liu, liu_cookie)
    await send(liu_socket, type="ping")
    pong = await frame_of(liu_socket, events.PONG)
    await leave(liu_socket)
    assert pong["type"] == events.PONG


# ---------------------------------------------------------------- state only when it changed


@run_async
async def test_a_quality_report_that_changes_the_quality_is_broadcast(lesson, teacher_cookie, liu_cookie):
    teacher = await join(lesson.pk, teacher_cookie)
    liu = await join(lesson.pk, liu_cookie, teacher)
    await send(liu, type="quality", level="poor")
    state = await frame_of(teacher, events.STATE)
    await leave(teacher, liu)
    assert person(state, liu)["quality"] == "poor"


@run_async
async def test_a_quality_report_that_changes_nothing_sends_no_state(lesson, teacher_cookie, liu_cookie):
    teacher = await join(lesson.pk, teacher_cookie)
    liu = await join(lesson.pk, liu_cookie, teacher)
    await send(liu, type="quality", level="poor")
    await frame_of(teacher, events.STATE)
    for _ in range(5):  # a page reports every few seconds
        await send(liu, type="quality", level="poor")
    teacher_heard_nothing = await teacher.socket.receive_nothing(QUIET)
    await leave(teacher, liu)
    assert teacher_heard_nothing


@run_async
async def test_raising_a_raised_hand_again_sends_no_state(lesson, teacher_cookie, liu_cookie):
    teacher = await join(lesson.pk, teacher_cookie)
    liu = await join(lesson.pk, liu_cookie, teacher)
    await send(liu, type="hand.raise")
    await frame_of(teacher, events.STATE)
    await send(liu, type="hand.raise")  # a double tap
    teacher_heard_nothing = await teacher.socket.receive_nothing(QUIET)
    await leave(teacher, liu)
    assert teacher_heard_nothing


@run_async
async def test_a_burst_of_changes_reaches_the_room_as_a_few_states_ending_with_the_last(
        lesson, teacher_cookie, liu_cookie):
    teacher = await join(lesson.pk, teacher_cookie)
    liu = await join(lesson.pk, liu_cookie, teacher)
    for n in range(20):  # a hand raised and lowered as fast as a finger taps
        await send(liu, type="hand.lower" if n % 2 else "hand.raise")
    heard = await frames_until_quiet(teacher, STATE_INTERVAL_S * 2)
    states = [frame for frame in heard if frame["type"] == events.STATE]
    await leave(teacher, liu)
    # 20 changes arrive within well under a second: a state at once, then one per interval at most.
    assert 1 <= len(states) <= 6
    assert person(states[-1], liu)["hand"] is False  # the last tap lowered it


@run_async
async def test_each_broadcast_state_has_a_higher_version_than_the_one_before(lesson, teacher_cookie, liu_cookie):
    teacher = await join(lesson.pk, teacher_cookie)
    liu = await join(lesson.pk, liu_cookie, teacher)
    versions = []
    for kind in ("hand.raise", "hand.lower", "hand.raise"):
        await send(liu, type=kind)
        versions.append((await frame_of(teacher, events.STATE))["version"])
    await leave(teacher, liu)
    assert versions == sorted(set(versions))


@run_async
async def test_a_pong_carries_the_chats_last_number(lesson, liu_cookie):
    liu = await join(lesson.pk, liu_cookie)
    for n in range(3):
        await send(liu, type="chat.send", client_id=f"pong-{n}", text="你好")
    await send(liu, type="ping")
    pong = await frame_of(liu, events.PONG)
    last_seq = await ChatRoom.objects.values_list("last_seq", flat=True).aget(class_session__pk=lesson.pk)
    await leave(liu)
    assert pong["last_seq"] == last_seq == 3


@run_async
async def test_a_state_lost_on_its_way_is_sent_again_at_the_next_ping(lesson, teacher_cookie, liu_cookie):
    teacher = await join(lesson.pk, teacher_cookie)
    liu = await join(lesson.pk, liu_cookie, teacher)
    # A hand raised whose state never reached the teacher (a full queue drops it silently).
    await Participant.objects.filter(pk=liu.id).aupdate(hand_raised_at=timezone.now())
    session = await ClassSession.objects.aget(pk=lesson.pk)
    lost = await database_sync_to_async(rooms.room_state_publish)(session=session)
    await send(teacher, type="ping")
    state = await frame_of(teacher, events.STATE)
    await leave(teacher, liu)
    assert state["version"] == lost["version"]
    assert person(state, liu)["hand"] is True


@run_async
async def test_a_socket_that_missed_a_chat_message_is_told_to_resync_before_the_next(lesson, liu_cookie):
    liu = await join(lesson.pk, liu_cookie)
    await send(liu, type="hello", last_seq=0)
    await frame_of(liu, events.STATE)  # the hello's answer ends with the room's state
    chat_id = await ClassSession.objects.values_list("chat_id", flat=True).aget(pk=lesson.pk)
    # Message 1 reaches the socket; message 2 is dropped on the way (a full queue); then 3.
    for seq in (1, 3):
        await group_relay(get_channel_layer(), events.chat_group(chat_id),
                          json.dumps({"type": events.CHAT_MESSAGE, "seq": seq}),
                          stream=events.STREAM_CHAT, number=seq, contiguous=True)
    frames = [await liu.socket.receive_json_from() for _ in range(3)]
    await leave(liu)
    assert [(frame["type"], frame.get("seq")) for frame in frames] == [
        (events.CHAT_MESSAGE, 1), (events.RESYNC, None), (events.CHAT_MESSAGE, 3)]
