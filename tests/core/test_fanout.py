"""The process's hub (core/fanout.py): one channel-layer member per group, however many sockets."""

import asyncio

import pytest
from channels.consumer import AsyncConsumer
from channels.layers import InMemoryChannelLayer
from redis.exceptions import ConnectionError as RedisConnectionError

from core import fanout
from core.sockets import FrameSocket, group_relay
from tests.layers import run_async

GROUP = "chat.1"


class Page(FrameSocket):
    """A socket that records what it is sent."""

    def __init__(self, layer):
        super().__init__()
        self.channel_layer, self.channel_layer_alias = layer, "default"
        self.sent = []

        async def base_send(message):
            self.sent.append(message["text"])

        self.base_send = base_send


class BrokenPage(Page):
    async def relay(self, event):
        raise ConnectionError("the phone went away mid-write")


@pytest.fixture
def layer():
    return InMemoryChannelLayer()


async def until(condition, timeout: float = 1) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


@run_async
async def test_many_sockets_of_a_process_are_one_member_of_the_group(layer):
    pages = [Page(layer) for _ in range(5)]
    for page in pages:
        await page.groups_join(shared=[GROUP], own=[])
    members = len(layer.groups[GROUP])
    for page in pages:
        await page.groups_leave()
    assert members == 1


@run_async
async def test_a_broadcast_reaches_every_socket_of_the_process_once(layer):
    pages = [Page(layer) for _ in range(3)]
    for page in pages:
        await page.groups_join(shared=[GROUP], own=[])
    await group_relay(layer, GROUP, "hello")
    await until(lambda: all(page.sent for page in pages))
    await asyncio.sleep(0.05)  # nothing more comes
    for page in pages:
        await page.groups_leave()
    assert [page.sent for page in pages] == [["hello"]] * 3


@run_async
async def test_the_last_socket_to_leave_takes_the_process_out_of_the_group(layer):
    pages = [Page(layer) for _ in range(2)]
    for page in pages:
        await page.groups_join(shared=[GROUP], own=[])
    await pages[0].groups_leave()
    still_member = bool(layer.groups.get(GROUP))
    await pages[1].groups_leave()
    assert still_member
    assert not layer.groups.get(GROUP)


@run_async
async def test_a_socket_that_fails_does_not_stop_delivery_to_the_others(layer):
    broken, page = BrokenPage(layer), Page(layer)
    for socket in (broken, page):
        await socket.groups_join(shared=[GROUP], own=[])
    await group_relay(layer, GROUP, "first")
    await group_relay(layer, GROUP, "second")
    await until(lambda: len(page.sent) == 2)
    for socket in (broken, page):
        await socket.groups_leave()
    assert page.sent == ["first", "second"]


@run_async
async def test_a_frame_for_another_group_reaches_only_that_groups_sockets(layer):
    ours, theirs = Page(layer), Page(layer)
    await ours.groups_join(shared=[GROUP], own=[])
    await theirs.groups_join(shared=["chat.2"], own=[])
    await group_relay(layer, "chat.2", "theirs")
    await until(lambda: theirs.sent)
    await asyncio.sleep(0.05)
    for socket in (ours, theirs):
        await socket.groups_leave()
    assert (ours.sent, theirs.sent) == ([], ["theirs"])


@run_async
async def test_an_old_membership_is_renewed_at_a_heartbeat(layer):
    page = Page(layer)
    await page.groups_join(shared=[GROUP], own=[])
    hub = fanout.hub_for(layer=layer, alias="default")
    layer.groups[GROUP][hub.channel] -= fanout.REJOIN_EVERY_S * 2  # joined long ago, as the layer sees it
    hub.joined_at[GROUP] -= fanout.REJOIN_EVERY_S * 2
    before = layer.groups[GROUP][hub.channel]
    await page.hub_rejoin()
    after = layer.groups[GROUP][hub.channel]
    await page.groups_leave()
    assert after > before


@run_async
async def test_when_a_sockets_own_layer_read_fails_the_hub_joins_its_groups_again(layer, monkeypatch):
    # On Redis one loop reads all of a process's channels, so a restart may surface in a
    # socket's read and never in the hub's: the socket must tell the hub.
    monkeypatch.setattr(fanout, "LAYER_RETRY_FIRST_S", 0.01)
    listener = Page(layer)
    await listener.groups_join(shared=[GROUP], own=[])
    hub = fanout.hub_for(layer=layer, alias="default")
    layer.groups.clear()  # the restarted Redis has forgotten every group

    async def read_fails(self, scope, receive, send):
        self.channel_layer = layer
        raise RedisConnectionError("Connection closed by server.")

    monkeypatch.setattr(AsyncConsumer, "__call__", read_fails)
    failing = Page(layer)
    await failing({"type": "websocket"}, None, None)
    await until(lambda: hub.channel in layer.groups.get(GROUP, {}))
    await group_relay(layer, GROUP, "after the restart")
    await until(lambda: listener.sent)
    await listener.groups_leave()
    assert listener.sent == ["after the restart"]
