"""The remote-assist socket (ws/assist/<learner_id>/), driven through the whole ASGI stack
(origin check, sessions, auth) with Channels' WebsocketCommunicator.

As in tests/classes/test_group_consumer.py, the consumer reaches the database through
database_sync_to_async, so these tests commit for real (transaction=True) and each async
body runs under async_to_sync.
"""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from classes.models import CoursePage, Learner
from volunteers import events
from volunteers.models import AssistStep, HelpRequest, HelpStatus
from volunteers.services.assist import assist_step_record
from tests.layers import (  # noqa: F401 (fresh_layer_and_cache is an autouse fixture)
    QUIET, fresh_layer_and_cache, layer_group_keys, learner_cookie, refusal_of, run_async, socket_to, user_cookie,
    user_named,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def zhao():
    return Learner.objects.get(phone="13800138002")  # 学会ABC; an open help request


@pytest.fixture
def zhao_cookie(zhao):
    return learner_cookie(zhao, CoursePage.objects.get(slug="learn-abc"))


@pytest.fixture
def assigned(zhao):
    HelpRequest.objects.filter(learner=zhao).update(
        status=HelpStatus.ASSIGNED, volunteer=user_named("volunteer"), assigned_at=timezone.now())


def _socket(learner_id: int, cookie: str | None = None) -> WebsocketCommunicator:
    return socket_to(f"/ws/assist/{learner_id}/", cookie)


async def watch(learner_id: int, cookie: str) -> tuple[WebsocketCommunicator, dict]:
    """An accepted socket and the history it got first."""
    socket = _socket(learner_id, cookie)
    connected, _ = await socket.connect()
    assert connected
    history = await socket.receive_json_from()
    assert history["type"] == events.HISTORY, history
    return socket, history


record = database_sync_to_async(assist_step_record)


async def close_all(*sockets) -> None:
    """Disconnect, then check no socket is left in any group (house style)."""
    for socket in sockets:
        await socket.disconnect()
    assert layer_group_keys() == []


# ---------------------------------------------------------------- who may watch


@run_async
async def test_the_assigned_volunteer_gets_the_history_then_each_new_step(zhao, assigned):
    earlier = await record(learner=zhao, step=AssistStep.LINK_OPENED)
    socket, history = await watch(zhao.pk, await database_sync_to_async(user_cookie)("volunteer"))

    later = await record(learner=zhao, step=AssistStep.CAMERA_ALLOWED)
    live = await socket.receive_json_from()
    await close_all(socket)

    assert history["learner"] == zhao.pk
    assert [(e["id"], e["step"]) for e in history["events"]] == [(earlier.pk, "link_opened")]
    assert (live["type"], live["id"], live["step"]) == (events.STEP, later.pk, "camera_allowed")


@run_async
async def test_a_coordinator_may_watch_any_learner(zhao):
    socket, history = await watch(zhao.pk, await database_sync_to_async(user_cookie)("coordinator"))
    await close_all(socket)

    assert history["events"] == []


@pytest.mark.parametrize("who", ["anonymous", "learner-himself"])
@run_async
async def test_a_socket_without_a_signed_in_user_is_refused_with_4401_and_gets_no_steps(zhao, zhao_cookie, who):
    cookie = zhao_cookie if who == "learner-himself" else None
    socket = _socket(zhao.pk, cookie)
    error, close = await refusal_of(socket)

    await record(learner=zhao, step=AssistStep.PAGE_OPENED)

    assert error["code"] == "not_signed_in"
    assert close == {"type": "websocket.close", "code": events.CLOSE_NOT_SIGNED_IN}
    assert await socket.receive_nothing(timeout=QUIET)
    assert layer_group_keys() == []


@pytest.mark.parametrize("username", ["volunteer", "teacher_li"])  # not assigned; teaches him
@run_async
async def test_someone_not_assigned_is_refused_as_for_a_learner_who_is_not_there_and_gets_no_steps(zhao, username):
    cookie = await database_sync_to_async(user_cookie)(username)
    socket = _socket(zhao.pk, cookie)
    error, close = await refusal_of(socket)

    await record(learner=zhao, step=AssistStep.PAGE_OPENED)

    assert error["code"] == "no_such_learner"
    assert close == {"type": "websocket.close", "code": events.CLOSE_NO_SUCH_LEARNER}
    assert await socket.receive_nothing(timeout=QUIET)
    assert layer_group_keys() == []


@run_async
async def test_a_learner_not_yours_and_a_learner_id_that_does_not_exist_get_the_same_refusal(zhao):
    cookie = await database_sync_to_async(user_cookie)("volunteer")
    not_yours = await refusal_of(_socket(zhao.pk, cookie))
    missing = await refusal_of(_socket(999_999, cookie))

    assert not_yours == missing
    assert layer_group_keys() == []


@run_async
async def test_a_learner_id_that_does_not_exist_is_refused_with_4404():
    cookie = await database_sync_to_async(user_cookie)("coordinator")
    error, close = await refusal_of(_socket(999_999, cookie))

    assert error["code"] == "no_such_learner"
    assert close == {"type": "websocket.close", "code": events.CLOSE_NO_SUCH_LEARNER}
    assert layer_group_keys() == []


@run_async
async def test_a_volunteer_taken_off_the_request_gets_no_more_steps_and_is_closed(zhao, assigned):
    socket, _history = await watch(zhao.pk, await database_sync_to_async(user_cookie)("volunteer"))
    await database_sync_to_async(HelpRequest.objects.filter(learner=zhao).update)(
        status=HelpStatus.OPEN, volunteer=None)

    await record(learner=zhao, step=AssistStep.CAMERA_BLOCKED)
    error = await socket.receive_json_from()
    close = await socket.receive_output()
    await close_all(socket)

    assert error["code"] == "no_such_learner"
    assert close == {"type": "websocket.close", "code": events.CLOSE_NO_SUCH_LEARNER}


# ---------------------------------------------------------------- frames


@run_async
async def test_a_ping_is_answered_with_pong(zhao, assigned):
    socket, _history = await watch(zhao.pk, await database_sync_to_async(user_cookie)("volunteer"))
    await socket.send_json_to({"type": events.PING})
    pong = await socket.receive_json_from()
    await close_all(socket)

    assert pong == {"type": events.PONG}


@run_async
async def test_a_frame_the_watcher_may_not_send_gets_an_error_and_the_socket_carries_on(zhao, assigned):
    socket, _history = await watch(zhao.pk, await database_sync_to_async(user_cookie)("volunteer"))
    await socket.send_json_to({"type": "chat.send", "text": "hi"})
    error = await socket.receive_json_from()
    await record(learner=zhao, step=AssistStep.SOUND_HEARD)
    live = await socket.receive_json_from()
    await close_all(socket)

    assert (error["type"], error["code"]) == (events.ERROR, "unknown_type")
    assert live["step"] == "sound_heard"


@run_async
async def test_a_reconnecting_watcher_gets_the_steps_it_missed_in_the_history(zhao, assigned):
    cookie = await database_sync_to_async(user_cookie)("volunteer")
    first, _history = await watch(zhao.pk, cookie)
    await close_all(first)
    missed = await record(learner=zhao, step=AssistStep.MICROPHONE_ALLOWED)

    again, history = await watch(zhao.pk, cookie)
    await close_all(again)

    assert [e["id"] for e in history["events"]] == [missed.pk]


@run_async
async def test_a_learner_entering_and_leaving_the_class_room_shows_to_the_watcher(zhao, zhao_cookie, assigned):
    from classes.models import ClassSession

    session = await ClassSession.objects.filter(course__slug="learn-abc").afirst()
    volunteer, _history = await watch(zhao.pk, await database_sync_to_async(user_cookie)("volunteer"))
    room = socket_to(f"/ws/class/{session.pk}/", zhao_cookie)
    connected, _ = await room.connect()
    assert connected
    joined = await volunteer.receive_json_from()
    await room.disconnect()
    left = await volunteer.receive_json_from()
    await close_all(volunteer)

    assert (joined["step"], left["step"]) == ("room_joined", "room_left")
