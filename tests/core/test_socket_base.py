"""The frame base every socket stands on (core/sockets.py): the flood guard and the relay."""

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.db import OperationalError

from core import sockets
from core.sockets import (
    CLOSE_TRY_AGAIN_LATER, FRAME_BURST, FRAME_WINDOW_S, FrameSocket, UnavailableAtHandshake, relay_event,
)


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(sockets.time, "monotonic", clock)
    return clock


def test_a_steady_ten_frames_a_second_are_never_refused(clock):
    socket = FrameSocket()
    allowed = []
    for _ in range(10 * 120):  # two minutes of a fast typist
        allowed.append(socket._within_flood_guard())
        clock.now += 0.1
    assert all(allowed)


def test_a_burst_beyond_the_guard_is_refused(clock):
    socket = FrameSocket()
    allowed = [socket._within_flood_guard() for _ in range(FRAME_BURST + 1)]
    assert allowed == [True] * FRAME_BURST + [False]


def test_the_guard_lets_frames_through_again_as_time_passes(clock):
    socket = FrameSocket()
    for _ in range(FRAME_BURST):
        socket._within_flood_guard()
    clock.now += FRAME_WINDOW_S / FRAME_BURST  # the time one frame's token takes to come back
    assert socket._within_flood_guard()


class Recorder(FrameSocket):
    def __init__(self):
        super().__init__()
        self.sent = []

        async def base_send(message):
            self.sent.append(message["text"])

        self.base_send = base_send


def test_a_relayed_frame_is_passed_on_without_a_trip_to_the_database(monkeypatch):
    def no_database_here():
        raise AssertionError("the relay closed old database connections")

    monkeypatch.setattr("channels.consumer.aclose_old_connections", no_database_here)
    socket = Recorder()
    async_to_sync(socket.dispatch)(relay_event('{"type": "chat.message"}', group="chat.1", stream="chat", number=1))
    assert socket.sent == ['{"type": "chat.message"}']


def test_a_relayed_stream_in_order_passes_every_frame_and_nothing_else():
    socket = Recorder()
    for number in (4, 5, 6):
        async_to_sync(socket.dispatch)(relay_event(f"m{number}", group="chat.1", stream="chat", number=number, contiguous=True))
    assert socket.sent == ["m4", "m5", "m6"]


def test_a_hole_in_a_relayed_stream_tells_the_client_to_resync_before_the_next_frame():
    socket = Recorder()
    for number in (4, 6):
        async_to_sync(socket.dispatch)(relay_event(f"m{number}", group="chat.1", stream="chat", number=number, contiguous=True))
    assert socket.sent == ["m4", sockets.RESYNC_TEXT, "m6"]


def test_a_skip_in_numbers_that_are_not_contiguous_is_no_hole():
    socket = Recorder()
    for number in (1000, 1700):  # a room's state versions, which grow by more than one
        async_to_sync(socket.dispatch)(relay_event(f"s{number}", group="class.1", stream="state", number=number))
    assert socket.sent == ["s1000", "s1700"]


def test_a_late_frame_from_another_process_is_passed_on_without_a_second_resync():
    socket = Recorder()
    for number in (4, 6, 5):
        async_to_sync(socket.dispatch)(relay_event(f"m{number}", group="chat.1", stream="chat", number=number, contiguous=True))
    assert socket.sent == ["m4", sockets.RESYNC_TEXT, "m6", "m5"]


def test_a_database_out_of_reach_while_a_socket_is_let_in_closes_it_with_4503_and_says_why():
    async def reads_the_session(scope, receive, send):
        raise OperationalError("connection failed: server closed the connection unexpectedly")

    async def handshake():
        communicator = WebsocketCommunicator(UnavailableAtHandshake(reads_the_session), "/ws/class/1/")
        connected, _ = await communicator.connect()
        frame = await communicator.receive_json_from()
        closed = await communicator.receive_output()
        await communicator.wait()
        return connected, frame["code"], closed

    assert async_to_sync(handshake)() == (True, "unavailable", {"type": "websocket.close",
                                                                 "code": CLOSE_TRY_AGAIN_LATER})
