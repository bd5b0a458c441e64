"""The socket client (static/js/realtime.js) on its own, in Chromium, against a fake
WebSocket that records what the client sends and lets each test open, close and speak
for the server. Time is Playwright's fake clock, so backoff and heartbeat are checked to
the millisecond without waiting. No Django server: the page is served by a route."""

from datetime import datetime
from pathlib import Path

import pytest

REALTIME_JS = Path(__file__).resolve().parents[2] / "static" / "js" / "realtime.js"
ORIGIN = "https://realtime.test"
SOCKET_PATH = "/ws/class/1/"
START = datetime(2025, 3, 3, 9, 0, 0)
HEARTBEAT_MS = 20_000
BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15_000, 15_000]  # docs/realtime.md: 0.5 s doubling to 15 s
LONGEST_WAIT_MS = 15_000

# A stand-in for the browser's WebSocket: every instance is kept in window.sockets; the
# test plays the server with serverOpen / serverSays / serverCloses.
FAKE_WEBSOCKET = """
class FakeWebSocket {
  constructor(url) {
    this.url = url;
    this.readyState = FakeWebSocket.CONNECTING;
    this.sent = [];
    this.openedAt = Date.now();
    this.closedAt = null;
    this.closedByClient = false;
    window.sockets.push(this);
  }
  send(text) {
    if (this.readyState !== FakeWebSocket.OPEN) { throw new Error("send on a socket that is not open"); }
    this.sent.push(JSON.parse(text));
  }
  close() {
    if (this.readyState === FakeWebSocket.CLOSED) { return; }
    this.readyState = FakeWebSocket.CLOSED;
    this.closedAt = Date.now();
    this.closedByClient = true;
    const socket = this;
    Promise.resolve().then(() => socket.onclose && socket.onclose({ code: 1000 }));
  }
  serverOpen() { this.readyState = FakeWebSocket.OPEN; this.onopen && this.onopen({}); }
  serverSays(frame) { this.onmessage && this.onmessage({ data: JSON.stringify(frame) }); }
  serverCloses(code) {
    this.readyState = FakeWebSocket.CLOSED;
    this.closedAt = Date.now();
    this.onclose && this.onclose({ code: code });
  }
}
Object.assign(FakeWebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
window.WebSocket = FakeWebSocket;
window.sockets = [];
window.seen = [];      // the frames the page was given
window.statuses = [];  // [status, code] as the page was told
window.startClient = (options) => {
  window.client = Realtime.open(Object.assign({
    path: "%s",
    chat: true,
    onFrame: (frame) => window.seen.push(frame),
    onStatus: (status, code) => window.statuses.push([status, code === undefined ? null : code]),
  }, options));
};
""" % SOCKET_PATH


class Client:
    """The page with realtime.js, seen from the server's side of the fake socket."""

    def __init__(self, page):
        self.page = page

    def start(self, **options):
        self.page.evaluate("options => window.startClient(options)", options)

    def js(self, expression, arg=None):
        return self.page.evaluate(expression, arg)

    # The server's side of the newest socket.
    def server_opens(self):
        self.js("window.sockets.at(-1).serverOpen()")

    def server_says(self, frame):
        self.js("frame => window.sockets.at(-1).serverSays(frame)", frame)

    def server_closes(self, code=1006):
        self.js("code => window.sockets.at(-1).serverCloses(code)", code)

    def connected(self):
        """Open the newest socket and answer as a server does (welcome)."""
        self.server_opens()
        self.server_says({"type": "welcome", "you": 1, "role": "learner", "last_seq": 0})

    def message(self, seq, **fields):
        self.server_says({"type": "chat.message", "seq": seq, "client_id": "", "author": "刘桂兰",
                          "role": "learner", "text": f"第{seq}条", "deleted": False, "at": "", **fields})

    def sent(self, kind=None, socket=-1):
        frames = self.js("i => window.sockets.at(i).sent", socket)
        return [f for f in frames if kind is None or f["type"] == kind]

    def hellos(self, socket=-1):
        return [f["last_seq"] for f in self.sent("hello", socket)]

    def seen(self, kind=None):
        return [f for f in self.js("window.seen") if kind is None or f["type"] == kind]

    def seen_seqs(self):
        return [f["seq"] for f in self.seen("chat.message")]

    def socket_count(self):
        return self.js("window.sockets.length")

    def statuses(self):
        return [tuple(s) for s in self.js("window.statuses")]

    def run_for(self, ms):
        self.page.clock.run_for(ms)

    def reconnect(self):
        """Drop the connection and let the backoff open the next socket (not yet open)."""
        count = self.socket_count()
        self.server_closes(1006)
        self.run_for(LONGEST_WAIT_MS)
        assert self.socket_count() == count + 1


@pytest.fixture(autouse=True)
def _demo_centre():
    """These tests need no site: the conftest's reset of the demo centre (and the seeding
    behind it) is not wanted here."""


@pytest.fixture
def client(browser):
    context = browser.new_context()
    page = context.new_page()
    page.clock.install(time=START)
    page.route(f"{ORIGIN}/**", lambda route: route.fulfill(
        content_type="text/html", body="<!doctype html><html lang=zh-Hans><title>realtime</title></html>"))
    page.add_init_script(FAKE_WEBSOCKET)
    page.goto(f"{ORIGIN}/class/")
    page.add_script_tag(path=str(REALTIME_JS))
    page.clock.pause_at(START.replace(second=1))  # from here on, time moves only when a test says
    yield Client(page)
    context.close()


# ---------------------------------------------------------------------- connecting

def test_connects_to_the_pages_own_host_with_wss_on_an_https_page(client):
    client.start()

    assert client.js("window.sockets[0].url") == f"wss://realtime.test{SOCKET_PATH}"
    assert client.statuses() == [("connecting", None)]


def test_reconnects_after_growing_delays_with_random_jitter(client):
    randoms = [0, 0.999, 0.5, 0.25, 0.75, 0, 0.999]
    client.js("randoms => { Math.random = () => randoms.shift(); }", list(randoms))
    client.start()

    waits = []
    for _ in BACKOFF_MS:
        client.server_closes(1006)
        client.run_for(LONGEST_WAIT_MS)
        waits.append(client.js("window.sockets.at(-1).openedAt - window.sockets.at(-2).closedAt"))

    expected = [ceiling * (0.5 + r / 2) for ceiling, r in zip(BACKOFF_MS, randoms)]
    assert waits == pytest.approx(expected, abs=1)
    assert all(ceiling / 2 <= wait <= ceiling for wait, ceiling in zip(waits, BACKOFF_MS))
    assert ("reconnecting", None) in client.statuses()


def test_the_backoff_starts_again_once_the_server_has_answered(client):
    client.js("Math.random = () => 0.999")
    client.start()
    for _ in range(4):
        client.reconnect()  # the waits have grown to 8 s

    client.connected()
    client.server_closes(1006)
    client.run_for(BACKOFF_MS[0])  # the first wait again, not the sixth

    assert client.socket_count() == 6


def test_the_phone_going_offline_is_said_at_once(client):
    client.start()
    client.connected()

    client.js("window.dispatchEvent(new Event('offline'))")

    assert client.statuses()[-1] == ("reconnecting", None)
    assert client.socket_count() == 1


def test_the_network_coming_back_opens_a_fresh_connection_at_once(client):
    client.start()
    client.connected()

    client.js("window.dispatchEvent(new Event('online'))")
    client.run_for(BACKOFF_MS[0])

    assert client.socket_count() == 2
    assert client.js("window.sockets[0].readyState") == 3  # the old one is closed, not trusted


@pytest.mark.parametrize("code", [4400, 4401, 4403, 4404])
def test_a_final_close_code_stops_reconnecting_and_tells_the_page_which(client, code):
    client.start()
    client.connected()

    client.server_closes(code)
    client.run_for(10 * LONGEST_WAIT_MS)

    assert client.socket_count() == 1
    assert client.statuses()[-1] == ("final", code)


@pytest.mark.parametrize("code", [1000, 1006, 1011, 4000, 4429])
def test_any_other_close_code_reconnects(client, code):
    client.start()
    client.connected()

    client.server_closes(code)
    client.run_for(LONGEST_WAIT_MS)

    assert client.socket_count() == 2
    assert client.statuses()[-1] == ("reconnecting", None)


def test_close_stops_for_good(client):
    client.start()
    client.connected()

    client.js("window.client.close()")
    client.run_for(10 * LONGEST_WAIT_MS)

    assert client.js("window.sockets[0].closedByClient")
    assert client.socket_count() == 1
    assert client.sent("ping") == []


def test_send_goes_out_only_while_open(client):
    client.start()
    before = client.js("window.client.send({type: 'hand.raise'})")
    client.connected()
    after = client.js("window.client.send({type: 'hand.raise'})")

    assert (before, after) == (False, True)
    assert len(client.sent("hand.raise")) == 1


# ---------------------------------------------------------------------- heartbeat

def test_pings_every_20_s_while_open(client):
    client.start()
    client.connected()

    client.run_for(HEARTBEAT_MS - 1)
    assert client.sent("ping") == []
    client.run_for(1)
    assert len(client.sent("ping")) == 1
    client.server_says({"type": "pong"})
    client.run_for(HEARTBEAT_MS)
    assert len(client.sent("ping")) == 2
    assert client.seen("pong") == []


def test_a_connection_that_answers_no_ping_is_given_up_and_opened_again(client):
    client.start()
    client.connected()

    client.run_for(3 * HEARTBEAT_MS)  # two pings unanswered, then given up at the third beat
    assert len(client.sent("ping", socket=0)) == 2
    assert client.js("window.sockets[0].closedByClient")
    client.run_for(LONGEST_WAIT_MS)

    assert client.socket_count() == 2


# ---------------------------------------------------------------------- chat resume

def test_says_hello_from_0_on_a_first_connect(client):
    client.start()
    client.server_opens()

    assert client.sent() == [{"type": "hello", "last_seq": 0}]


def test_says_hello_from_the_last_contiguous_seq_after_a_reconnect(client):
    client.start()
    client.connected()
    for seq in (1, 2, 3):
        client.message(seq)
    client.server_says({"type": "chat.synced", "last_seq": 3})

    client.reconnect()
    client.server_opens()

    assert client.hellos() == [3]


def test_a_message_past_a_hole_asks_hello_from_the_contiguous_seq_once(client):
    client.start()
    client.connected()
    client.server_says({"type": "chat.synced", "last_seq": 88})

    client.message(90)
    client.message(91)  # the hole is asked for once, until the server says it is synced

    assert client.hellos() == [0, 88]
    assert client.seen_seqs() == [90, 91]


def test_a_mended_hole_resumes_from_the_newest_seq(client):
    client.start()
    client.connected()
    client.server_says({"type": "chat.synced", "last_seq": 88})
    client.message(90)

    client.message(89)
    client.message(90)  # the replay
    client.server_says({"type": "chat.synced", "last_seq": 90})

    assert client.js("window.client.resumeFrom()") == 90
    assert client.hellos() == [0, 88]
    assert client.seen_seqs() == [90, 89]


def test_a_duplicate_seq_reaches_the_page_once(client):
    client.start()
    client.connected()

    client.message(1)
    client.message(1)

    assert client.seen_seqs() == [1]


def test_a_tombstone_of_a_message_the_page_has_reaches_it(client):
    client.start()
    client.connected()
    client.message(1)

    client.message(1, deleted=True, text="")
    client.message(1, deleted=True, text="")

    assert [f["deleted"] for f in client.seen("chat.message")] == [False, True]


def test_a_pong_with_a_newer_last_seq_asks_hello_from_the_contiguous_seq(client):
    client.start()
    client.connected()
    client.server_says({"type": "chat.synced", "last_seq": 5})

    client.server_says({"type": "pong", "last_seq": 5})
    assert client.hellos() == [0]
    client.server_says({"type": "pong", "last_seq": 7})

    assert client.hellos() == [0, 5]
    assert client.seen("pong") == []


def test_a_pong_during_a_sync_asks_nothing_more(client):
    client.start()
    client.connected()  # hello from 0: the sync is under way

    client.server_says({"type": "pong", "last_seq": 7})

    assert client.hellos() == [0]


def test_resync_asks_hello_from_the_contiguous_seq(client):
    client.start()
    client.connected()
    client.message(1)
    client.message(2)

    client.server_says({"type": "resync"})  # even during a sync: the server may have lost its end

    assert client.hellos() == [0, 2]
    assert client.seen("resync") == []


def test_chat_reload_reaches_the_page_then_asks_for_the_latest_from_0(client):
    client.start()
    client.connected()
    client.message(1)
    client.server_says({"type": "chat.synced", "last_seq": 1})

    client.server_says({"type": "chat.reload", "last_seq": 500})
    client.message(1)  # the page cleared its list: the same seq again is news to it

    assert client.hellos() == [0, 0]
    assert [f["type"] for f in client.seen()][-2:] == ["chat.reload", "chat.message"]
    assert client.seen_seqs() == [1, 1]


def test_resync_on_a_socket_without_chat_opens_it_again_for_the_history(client):
    client.start(chat=False)
    client.server_opens()
    client.server_says({"type": "assist.history", "learner": 1, "events": []})

    client.server_says({"type": "resync"})
    client.run_for(LONGEST_WAIT_MS)

    assert client.js("window.sockets[0].closedByClient")
    assert client.socket_count() == 2
    assert client.sent("hello", socket=0) == []


# ---------------------------------------------------------------------- state

def test_a_state_older_than_the_last_one_passed_on_is_dropped(client):
    client.start()
    client.connected()

    for version in (3, 2, 4, None, 3):
        frame = {"type": "state", "status": "live", "participants": []}
        if version is not None:
            frame["version"] = version
        client.server_says(frame)

    assert [f.get("version") for f in client.seen("state")] == [3, 4, None]


def test_state_versions_start_afresh_on_a_new_connection(client):
    client.start()
    client.connected()
    client.server_says({"type": "state", "version": 9, "participants": []})

    client.reconnect()
    client.connected()
    client.server_says({"type": "state", "version": 1, "participants": []})

    assert [f["version"] for f in client.seen("state")] == [9, 1]


# ---------------------------------------------------------------------- outbox

def test_outbox_resends_an_unconfirmed_message_after_reconnect_with_the_same_client_id(client):
    client.start()
    client.connected()
    client_id = client.js("window.client.sendChat('老师好')")

    client.reconnect()
    client.server_opens()

    assert client.sent(socket=0)[-1] == {"type": "chat.send", "client_id": client_id, "text": "老师好"}
    assert client.sent() == [{"type": "hello", "last_seq": 0},
                             {"type": "chat.send", "client_id": client_id, "text": "老师好"}]


def test_the_page_sees_the_echo_of_a_resent_message_once(client):
    client.start()
    client.connected()
    client_id = client.js("window.client.sendChat('老师好')")
    client.reconnect()
    client.connected()

    client.message(1, client_id=client_id, text="老师好")  # the replay after hello
    client.message(1, client_id=client_id, text="老师好")  # the answer to the resend

    assert [f["client_id"] for f in client.seen("chat.message")] == [client_id]


def test_a_delivered_message_is_not_sent_again(client):
    client.start()
    client.connected()
    client_id = client.js("window.client.sendChat('老师好')")
    client.message(1, client_id=client_id, text="老师好")

    client.reconnect()
    client.server_opens()

    assert client.sent("chat.send") == []


def test_a_message_written_while_disconnected_goes_out_after_hello(client):
    client.start()
    client_id = client.js("window.client.sendChat('听得见')")

    client.server_opens()

    assert client.sent() == [{"type": "hello", "last_seq": 0},
                             {"type": "chat.send", "client_id": client_id, "text": "听得见"}]


def test_an_error_with_the_client_id_gives_the_message_up_and_tells_the_page(client):
    client.start()
    client.connected()
    client_id = client.js("window.client.sendChat('老师好')")

    error = {"type": "error", "code": "chat_locked", "message": "…", "client_id": client_id}
    client.server_says(error)
    client.reconnect()
    client.server_opens()

    assert client.seen("error") == [error]
    assert client.sent("chat.send") == []


def test_each_message_gets_its_own_client_id(client):
    client.start()

    ids = client.js("[window.client.sendChat('一'), window.client.sendChat('二')]")

    assert len(set(ids)) == 2 and all(len(i) >= 16 for i in ids)
