"""A live class through the SFU (docs/realtime.md, "SFU mode"): a teacher and four learners
in five browsers, their video through a real Janus, started by the site's own server (which
makes the room and hands each page its token and feed). The page speaks Janus's WebSocket
API itself (static/js/janus-room.js, classroom-sfu.js)."""

import functools
import json
import time

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.test_live_class import (
    TEACHER_VIDEO_PLAYING, end_class, enter, learner_enters, teacher_starts, wait_for_teacher_video,
)
from tests.browser.test_class_room import BACK_IN_CLASS_BOUND_MS, leave
from tests.server import DaphneServer, JanusServer, ServerError, manage_json

# Five browsers and Janus on a busy machine: the first picture can take a while.
MEDIA_TIMEOUT_MS = 30_000
# The page measures its connection every 5 s (classroom-media-mode.js), then Janus switches
# layers at the next keyframe (the room asks the teacher for one every 10 s at most).
LAYER_TIMEOUT_MS = 30_000
# Long enough that an audio stream still flowing would have sent packets (Opus sends one
# every 20 ms), so bytes that stay put over it mean nobody is sending.
QUIET_MS = 2_000
LEARNERS = 4
COURSE = "国画兴趣班"
# Janus on loopback answers in milliseconds; this much means it is stuck.
JANUS_HTTP_TIMEOUT_S = 5
# How often wait_until asks getStats again: cheap, and often enough for a one-second change.
POLL_MS = 250

# The bytes this page has received of a feed's voice, or -1 while it receives none.
INBOUND_AUDIO_BYTES = """async (mid) => {
  const pc = window.classroom.sfu.subscribePc;
  if (!pc || mid === null) { return -1; }
  let bytes = -1;
  (await pc.getStats()).forEach(r => { if (r.type === "inbound-rtp" && r.kind === "audio" && r.mid === mid) { bytes = r.bytesReceived; } });
  return bytes;
}"""

# The subscription's mid of a feed's voice on this page, or null.
AUDIO_MID_OF_FEED = """(feed) => {
  const s = window.classroom.sfu.streams.find(s => s.feed_id === feed && s.type === "audio" && s.active !== false);
  return s ? s.mid : null;
}"""

# True once the feed's voice has grown between two polls, and plays in an audio element.
HEARS_FEED = """async ([feed, key]) => {
  const s = window.classroom.sfu.streams.find(s => s.feed_id === feed && s.type === "audio" && s.active !== false);
  const audio = document.querySelector(`#speaker-audio audio[data-key="feed-${feed}"]`);
  if (!s || !audio || !audio.srcObject || audio.srcObject.getAudioTracks()[0].readyState !== "live") { return false; }
  const bytes = await (%s)(s.mid);
  const before = window[key];
  window[key] = bytes;
  return before !== undefined && before >= 0 && bytes > before;
}""" % INBOUND_AUDIO_BYTES

# True once the voice on `mid` has not grown for QUIET_MS.
QUIET_ON_MID = """async ([mid, key, quietMs]) => {
  const bytes = await (%s)(mid);
  const now = performance.now();
  const seen = window[key];
  if (!seen || seen.bytes !== bytes) { window[key] = { bytes: bytes, since: now }; return false; }
  return now - seen.since >= quietMs;
}""" % INBOUND_AUDIO_BYTES

# The width of the teacher's picture as this learner receives it.
RECEIVED_VIDEO_WIDTH = """async () => {
  const sfu = window.classroom.sfu;
  if (!sfu.subscribePc || sfu.teacherVideoMid === null) { return 0; }
  let width = 0;
  (await sfu.subscribePc.getStats()).forEach(r => {
    if (r.type === "inbound-rtp" && r.kind === "video" && r.mid === sfu.teacherVideoMid) { width = r.frameWidth || 0; }
  });
  return width;
}"""

# The widest layer the teacher sends Janus (simulcast rid "h").
SENT_FULL_WIDTH = """async () => {
  let width = 0;
  (await window.classroom.sfu.publishPc.getStats()).forEach(r => {
    if (r.type === "outbound-rtp" && r.kind === "video" && r.rid === "h") { width = r.frameWidth || 0; }
  });
  return width;
}"""

# A connection that measures as slow when the test says so: the round trip the page reads
# from getStats (classroom-av.js) is window.fakeRoundTrip while that is set.
SLOW_CONNECTION = """
(() => {
  const real = RTCPeerConnection.prototype.getStats;
  RTCPeerConnection.prototype.getStats = async function (...args) {
    const report = await real.apply(this, args);
    if (typeof window.fakeRoundTrip !== "number") { return report; }
    const changed = new Map();
    report.forEach((value, key) => changed.set(key, value.type === "candidate-pair"
      ? Object.assign({}, value, { currentRoundTripTime: window.fakeRoundTrip }) : value));
    return changed;
  };
})();
"""
# A round trip the page calls bad (over a second, classroom-av.js).
BAD_ROUND_TRIP_S = 1.5


def wait_until(page, predicate: str, arg=None, *, timeout_ms: int = MEDIA_TIMEOUT_MS) -> None:
    """Wait until the async JavaScript `predicate(arg)` holds in `page`, asking every POLL_MS.
    Playwright's wait_for_function takes a returned Promise for a true value, so it cannot
    wait on getStats; this waits in the page, and fails with the predicate's source."""
    page.evaluate(f"""async (arg) => {{
      const predicate = {predicate};
      const deadline = performance.now() + {timeout_ms};
      while (!(await predicate(arg))) {{
        if (performance.now() > deadline) {{ throw new Error("not within {timeout_ms} ms: " + {json.dumps(predicate)}); }}
        await new Promise(resolve => setTimeout(resolve, {POLL_MS}));
      }}
    }}""", arg)


def janus_videoroom(janus_server, body: dict) -> dict:
    """Ask the VideoRoom something, over Janus's HTTP API as our server does; its answer's data."""

    def call(client, url, request):
        answer = client.post(url, json={"transaction": "test", **request}).json()
        assert answer.get("janus") == "success", answer
        return answer

    with httpx.Client(timeout=JANUS_HTTP_TIMEOUT_S, trust_env=False) as client:
        session = call(client, janus_server.http_url, {"janus": "create"})["data"]["id"]
        url = f"{janus_server.http_url}/{session}"
        try:
            handle = call(client, url, {"janus": "attach", "plugin": "janus.plugin.videoroom"})["data"]["id"]
            return call(client, f"{url}/{handle}", {"janus": "message", "body": body})["plugindata"]["data"]
        finally:
            call(client, url, {"janus": "destroy"})


def janus_participants(janus_server, room: int) -> set[int]:
    """Who is in the Janus room now, as Janus itself says."""
    data = janus_videoroom(janus_server, {"request": "listparticipants", "room": room})
    return {person["id"] for person in data["participants"]}


def learners_of_our_own(site, count: int) -> list[str]:
    """`count` new learners of 国画兴趣班 (画友0, 画友1, …); their join paths."""
    return manage_json(site.env, "from tests.server import learners_enrolled; import json; print(json.dumps("
                                 f"learners_enrolled(course_slug='chinese-painting', count={count}, name='画友')))")


@pytest.fixture
def sfu_class(new_sfu_context, _site):
    """The teacher has started 国画兴趣班 with its video through Janus; four learners of the
    test's own (画友0 to 画友3) have entered from their links; 画友3's connection measures as
    slow whenever the test sets window.fakeRoundTrip."""
    paths = learners_of_our_own(_site, LEARNERS)
    teacher = teacher_starts(new_sfu_context, COURSE)
    expect(teacher.locator("#room-status")).to_have_text("正在上课。")
    teacher.wait_for_function("window.classroom.mediaMode === 'sfu' && window.classroom.sfu.publishPc !== null",
                              timeout=MEDIA_TIMEOUT_MS)

    learners = []
    for n, path in enumerate(paths):
        context = new_sfu_context()
        if n == LEARNERS - 1:
            context.add_init_script(SLOW_CONNECTION)
        learners.append(learner_enters(context, path, COURSE))
    for page in learners:
        page.wait_for_function("window.classroom.mediaMode === 'sfu'")
    # No need to end the class afterwards: the next test starts from the demo centre (conftest.py).
    return teacher, learners


def test_every_learner_plays_the_teachers_video_through_janus(sfu_class):
    teacher, learners = sfu_class
    for page in learners:
        wait_for_teacher_video(page, MEDIA_TIMEOUT_MS)
        # The teacher's voice comes with the picture, and nothing from the teacher's browser directly.
        assert page.evaluate("""[document.getElementById('teacher-video').srcObject.getAudioTracks()
                                   .filter(t => t.readyState === 'live').length, window.classroom.peers.size]""") == [1, 0]
    expect(learners[0].locator("#room-status")).to_have_text("正在上课。")


def test_the_teacher_sends_three_simulcast_layers(sfu_class):
    teacher, _learners = sfu_class
    wait_until(teacher, """async () => {
      const sent = new Map();
      (await window.classroom.sfu.publishPc.getStats()).forEach(r => {
        if (r.type === "outbound-rtp" && r.kind === "video") { sent.set(r.rid, r.bytesSent); }
      });
      return ["h", "m", "l"].every(rid => sent.get(rid) > 0);
    }""")


def test_a_learner_asked_to_speak_is_heard_by_another_until_mute_all(sfu_class):
    teacher, (speaker, listener, *_others) = sfu_class
    speaker_feed = speaker.evaluate("window.classroom.sfu.feed")
    teacher.get_by_role("button", name="请画友0发言").click()
    expect(speaker.locator("#speak-banner")).to_have_text("老师请您说话了，请开始说。")

    wait_until(listener, HEARS_FEED, [speaker_feed, "heardBytes"])
    mid = listener.evaluate(AUDIO_MID_OF_FEED, speaker_feed)
    assert mid is not None

    teacher.get_by_role("button", name="全体静音").click()
    speaker.wait_for_function("window.classroom.mic === null && !window.classroom.sfu.publishing")
    listener.wait_for_function(f"!document.querySelector('#speaker-audio audio[data-key=\"feed-{speaker_feed}\"]')",
                               timeout=MEDIA_TIMEOUT_MS)
    wait_until(listener, QUIET_ON_MID, [mid, "quietBytes", QUIET_MS])
    expect(teacher.locator("#people li", has_text="画友0")).not_to_contain_text("正在说话")


def test_a_learner_removed_by_the_teacher_leaves_the_janus_room(sfu_class, janus_server):
    teacher, (_a, _b, removed, _d) = sfu_class
    removed.wait_for_function(TEACHER_VIDEO_PLAYING, timeout=MEDIA_TIMEOUT_MS)
    room, feed = removed.evaluate("[window.classroom.sfu.room, window.classroom.sfu.feed]")
    assert feed in janus_participants(janus_server, room)

    teacher.get_by_role("button", name="请画友2离开").click()

    expect(removed.locator("#room-status")).to_have_text("老师请您离开了这节课。")
    removed.wait_for_function("document.getElementById('teacher-video').srcObject === null")
    assert removed.evaluate("window.classroom.sfu.session") is None
    expect(teacher.locator("#people li", has_text="画友2")).to_have_count(0)
    assert feed not in janus_participants(janus_server, room)


def test_a_learner_on_a_bad_connection_gets_the_teachers_lowest_layer(sfu_class):
    teacher, learners = sfu_class
    slow = learners[-1]
    slow.wait_for_function(TEACHER_VIDEO_PLAYING, timeout=MEDIA_TIMEOUT_MS)
    full = teacher.evaluate(SENT_FULL_WIDTH)
    wait_until(slow, f"async () => (await ({RECEIVED_VIDEO_WIDTH})()) >= {full}", timeout_ms=LAYER_TIMEOUT_MS)

    slow.evaluate(f"window.fakeRoundTrip = {BAD_ROUND_TRIP_S}")

    expect(teacher.locator("#people li", has_text="画友3")).to_contain_text("网络差", timeout=LAYER_TIMEOUT_MS)
    wait_until(slow, f"async () => {{ const w = await ({RECEIVED_VIDEO_WIDTH})(); return w > 0 && w * 3 <= {full}; }}",
               timeout_ms=LAYER_TIMEOUT_MS)
    slow.evaluate("delete window.fakeRoundTrip")
    wait_until(slow, f"async () => (await ({RECEIVED_VIDEO_WIDTH})()) >= {full}", timeout_ms=LAYER_TIMEOUT_MS)


def test_after_janus_drops_the_learner_says_so_and_comes_back(sfu_class):
    teacher, (learner, *_others) = sfu_class
    learner.wait_for_function(TEACHER_VIDEO_PLAYING, timeout=MEDIA_TIMEOUT_MS)

    learner.evaluate("window.classroom.sfu.session.socket.close()")

    expect(learner.locator("#room-status")).to_contain_text("视频连接断了，正在重新连接")
    learner.wait_for_function("window.classroom.sfu.status === 'joined'", timeout=MEDIA_TIMEOUT_MS)
    learner.wait_for_function(TEACHER_VIDEO_PLAYING, timeout=MEDIA_TIMEOUT_MS)
    expect(learner.locator("#room-status")).to_have_text("正在上课。")


# Every text the status line shows from now on, in window.statusSeen.
RECORD_STATUS = """() => {
  const status = document.getElementById("room-status");
  window.statusSeen = [status.textContent];
  new MutationObserver(() => window.statusSeen.push(status.textContent))
    .observe(status, { childList: true, characterData: true, subtree: true });
}"""


def test_at_the_end_of_class_the_video_stops_and_the_page_says_only_that_class_is_over(sfu_class, janus_server):
    teacher, (learner, *_others) = sfu_class
    learner.wait_for_function(TEACHER_VIDEO_PLAYING, timeout=MEDIA_TIMEOUT_MS)
    room = learner.evaluate("window.classroom.sfu.room")
    learner.evaluate(RECORD_STATUS)

    end_class(teacher)

    expect(learner.locator("#room-status")).to_contain_text("已经下课了。")
    learner.wait_for_function("""window.classroom.sfu.session === null && window.classroom.sfu.rejoinAt === null
                                 && document.getElementById('teacher-video').srcObject === null""")
    assert [text for text in learner.evaluate("window.statusSeen") if "重新连接" in text] == []
    # The server destroys the room just after telling the pages (consumers.on_class_end), so a
    # page can have hung up before Janus has heard: the room must be gone within moments.
    assert room_gone_within(janus_server, room, timeout_s=JANUS_HTTP_TIMEOUT_S)


def room_gone_within(janus_server, room: int, *, timeout_s: float) -> bool:
    """Whether Janus stops knowing `room` within `timeout_s`, asking every POLL_MS."""
    deadline = time.monotonic() + timeout_s
    while janus_videoroom(janus_server, {"request": "exists", "room": room})["exists"]:
        if time.monotonic() > deadline:
            return False
        time.sleep(POLL_MS / 1000)
    return True


def test_a_learner_who_leaves_and_comes_straight_back_plays_the_teacher_through_janus_again(sfu_class):
    _teacher, (learner, *_others) = sfu_class
    wait_for_teacher_video(learner, MEDIA_TIMEOUT_MS)
    class_page = learner.url

    leave(learner)
    learner.goto(class_page)
    enter(learner)

    wait_for_teacher_video(learner, BACK_IN_CLASS_BOUND_MS)
    assert learner.evaluate("window.classroom.mediaMode") == "sfu"


def test_a_learner_who_reloads_plays_the_teacher_through_janus_again(sfu_class):
    _teacher, (learner, *_others) = sfu_class
    wait_for_teacher_video(learner, MEDIA_TIMEOUT_MS)

    learner.reload()
    enter(learner)

    wait_for_teacher_video(learner, BACK_IN_CLASS_BOUND_MS)
    assert learner.evaluate("window.classroom.mediaMode") == "sfu"


@pytest.fixture
def site_with_janus_away(_site, tmp_path_factory):
    """A Daphne of the test's own, configured for a Janus that is not running yet: its
    classes start in the embedded mode, with the server's notice. Yields the site's URL and
    the JanusServer, for the test to start (it is stopped afterwards)."""
    janus = JanusServer(tmp_path_factory.mktemp("janus-later"))
    env = {**_site.env, "JANUS_URL": janus.http_url, "JANUS_PUBLIC_URL": janus.ws_url,
           "JANUS_ADMIN_KEY": janus.admin_key}
    try:
        with DaphneServer(env, log=tmp_path_factory.mktemp("daphne-janus-later") / "daphne.log") as server:
            yield server.url, janus
    except ServerError as error:
        pytest.fail(str(error), pytrace=False)
    finally:
        janus.stop()


def test_when_the_video_server_comes_back_the_class_moves_to_it(site_with_janus_away, new_context_at, _site):
    url, janus = site_with_janus_away
    (path,) = learners_of_our_own(_site, 1)
    teacher = teacher_starts(functools.partial(new_context_at, url), COURSE)
    learner = learner_enters(new_context_at(url), path, COURSE)
    learner.wait_for_function(TEACHER_VIDEO_PLAYING, timeout=MEDIA_TIMEOUT_MS)
    assert learner.evaluate("[window.classroom.mediaMode, window.classroom.peers.size]") == ["embedded", 1]
    notice = learner.evaluate("window.classroom.state.media_notice")
    words = learner.evaluate("code => JSON.parse(document.getElementById('room-config').textContent).strings[code]", notice)
    assert words
    expect(learner.locator("#room-status")).to_have_text(f"正在上课。 {words}")

    janus.launch()
    janus.wait_until_ready()
    teacher.reload()  # the teacher's entry decides again how the class's video travels
    enter(teacher)

    learner.wait_for_function("window.classroom.mediaMode === 'sfu' && window.classroom.sfu.subscribePc !== null",
                              timeout=MEDIA_TIMEOUT_MS)
    wait_for_teacher_video(learner, MEDIA_TIMEOUT_MS)
    assert learner.evaluate("window.classroom.peers.size") == 0  # the teacher's browser no longer sends directly
    expect(learner.locator("#room-status")).to_have_text("正在上课。")
