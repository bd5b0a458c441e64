"""Janus (the SFU) as the project configures it (deploy/janus/) and starts it for tests and
`make run` (tests/server.py's JanusServer): the VideoRoom plugin alone behind its two transports,
both on loopback, and rooms made only by whoever holds the admin key, which is our server.

Needs `janus` (apt-get install janus): without it these tests fail, naming the command.
"""

import re
import secrets
import stat

import httpx
import pytest
from websockets.sync.client import connect

from tests.server import janus_render

# Loopback answers in milliseconds; this much means Janus is stuck.
HTTP_TIMEOUT_S = 5
VIDEOROOM = "janus.plugin.videoroom"
# The VideoRoom's error codes (janus_videoroom.c).
MISSING_ELEMENT = 429
UNAUTHORIZED = 433
# 127.0.0.1 as /proc/net/tcp writes it (little-endian hex), and a listening socket's state.
LOOPBACK_HEX = "0100007F"
TCP_LISTEN = "0A"


def janus_call(client: httpx.Client, url: str, body: dict) -> dict:
    response = client.post(url, json={"transaction": secrets.token_hex(6), **body})
    response.raise_for_status()
    return response.json()


@pytest.fixture
def videoroom(janus_server):
    """Send one request to the VideoRoom over the HTTP API, as our server does; its answer's data.
    A Janus session and handle of the test's own, destroyed afterwards."""
    with httpx.Client(timeout=HTTP_TIMEOUT_S, trust_env=False) as client:
        session = janus_call(client, janus_server.http_url, {"janus": "create"})["data"]["id"]
        session_url = f"{janus_server.http_url}/{session}"
        handle = janus_call(client, session_url, {"janus": "attach", "plugin": VIDEOROOM})["data"]["id"]

        def request(body: dict) -> dict:
            answer = janus_call(client, f"{session_url}/{handle}", {"janus": "message", "body": body})
            assert answer["janus"] == "success", answer
            return answer["plugindata"]["data"]

        yield request
        janus_call(client, session_url, {"janus": "destroy"})


def new_room_id() -> int:
    """A room number no other test (or run on the same Janus) uses."""
    return secrets.randbelow(2**52) + 1


def room_exists(videoroom, room: int) -> bool:
    return videoroom({"request": "exists", "room": room})["exists"]


def listening_addresses(port: int) -> set[str]:
    """The local addresses of the TCP sockets listening on `port`, in /proc/net's hex."""
    addresses = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as lines:
            next(lines)
            for line in lines:
                local, state = line.split()[1], line.split()[3]
                address, hex_port = local.split(":")
                if int(hex_port, 16) == port and state == TCP_LISTEN:
                    addresses.add(address)
    return addresses


def test_janus_loads_only_the_videoroom_plugin_and_the_two_transports(janus_server):
    info = janus_server.info()

    assert set(info["plugins"]) == {VIDEOROOM}
    assert set(info["transports"]) == {"janus.transport.http", "janus.transport.websockets"}
    assert info["events"] == {} and info["loggers"] == {}
    assert info["session-timeout"] == 60


def test_both_apis_listen_on_loopback_only(janus_server):
    for port in (janus_server.http_port, janus_server.ws_port):
        assert listening_addresses(port) == {LOOPBACK_HEX}, port


def test_browsers_websocket_api_answers_info(janus_server):
    with connect(janus_server.ws_url, subprotocols=["janus-protocol"], proxy=None,
                 open_timeout=HTTP_TIMEOUT_S) as ws:
        ws.send('{"janus": "info", "transaction": "t1"}')
        assert '"server_info"' in ws.recv(timeout=HTTP_TIMEOUT_S)


def test_creating_a_room_without_the_admin_key_is_refused(videoroom):
    room = new_room_id()

    answer = videoroom({"request": "create", "room": room})

    assert answer["error_code"] == MISSING_ELEMENT, answer
    assert not room_exists(videoroom, room)


def test_creating_a_room_with_a_wrong_admin_key_is_refused(videoroom):
    room = new_room_id()

    answer = videoroom({"request": "create", "room": room, "admin_key": "not-the-key-of-our-server"})

    assert answer["error_code"] == UNAUTHORIZED, answer
    assert not room_exists(videoroom, room)


def test_creating_a_room_with_the_admin_key_succeeds(janus_server, videoroom):
    room, secret = new_room_id(), secrets.token_urlsafe(16)

    answer = videoroom({"request": "create", "room": room, "admin_key": janus_server.admin_key, "secret": secret})

    assert answer["videoroom"] == "created" and answer["permanent"] is False, answer
    assert room_exists(videoroom, room)
    assert videoroom({"request": "destroy", "room": room, "secret": secret})["videoroom"] == "destroyed"


def test_forwarding_a_rooms_media_needs_the_admin_key_as_well_as_the_rooms_secret(janus_server, videoroom):
    room, secret = new_room_id(), secrets.token_urlsafe(16)
    videoroom({"request": "create", "room": room, "admin_key": janus_server.admin_key, "secret": secret})

    answer = videoroom({"request": "rtp_forward", "room": room, "secret": secret, "publisher_id": 1,
                        "host": "127.0.0.1", "admin_key": "not-the-key-of-our-server"})

    assert answer["error_code"] == UNAUTHORIZED, answer
    videoroom({"request": "destroy", "room": room, "secret": secret})


def test_every_plugin_and_transport_but_ours_is_disabled_even_one_janus_adds_later(tmp_path):
    lib = tmp_path / "lib"
    for folder, names in {"plugins": ["libjanus_videoroom.so", "libjanus_streaming.so", "libjanus_new.so"],
                          "transports": ["libjanus_http.so", "libjanus_websockets.so", "libjanus_mqtt.so"]}.items():
        (lib / folder).mkdir(parents=True)
        for name in names:
            (lib / folder / name).touch()

    janus_render().janus_configs_render(tmp_path / "out", admin_key="k" * 32, lib_dir=lib)

    core = (tmp_path / "out" / "janus.jcfg").read_text()
    assert 'disable = "libjanus_new.so,libjanus_streaming.so"' in core
    assert 'disable = "libjanus_mqtt.so"' in core
    assert not re.search(r"@[A-Z_]+@", "".join(f.read_text() for f in (tmp_path / "out").iterdir()))


def test_the_admin_key_is_made_once_and_readable_by_its_owner_only(tmp_path):
    render = janus_render()
    key_file = tmp_path / "janus" / "admin_key"

    first = render.admin_key_read_or_create(key_file)

    assert render.admin_key_read_or_create(key_file) == first
    assert len(first) >= 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600

