"""The live class's video on loopback: what the teacher's browser uploads, and who gets frames.

Three measurements, each with what it is compared with taken in the same run:

1. teacher_upload: the teacher and four learners in headless Chromium, once in the embedded
   mode (the teacher's browser sends to each learner, static/js/classroom-media.js) and once
   through Janus (static/js/classroom-sfu.js), each class on a Daphne of its own. Once every
   learner plays the teacher's video, the teacher page's outbound-rtp bytesSent, summed over
   all its peer connections, over UPLOAD_WINDOW_S; the ratio embedded / SFU.
2. sfu_class_24: the teacher in Chromium publishing to Janus; receivers join in batches up to
   1, 8, 16 and 24. The teacher's upload at each size against its upload with no one watching
   (the SFU should keep it flat), how many receivers get frames, and the time from joining
   to the first frame (p50, p95).
3. embedded_capacity: the embedded mode with 2, 4, 6, 8 learners: each learner's decoded frame
   rate against the teacher's camera's, the teacher's upload and its page's renderer CPU
   (/proc); the largest class in which every learner decodes MIN_FPS, judged as a share of
   the frames the camera gave in the same window (15 of its 20 a second).

The pages' own connections are read where the class page keeps them for the support console
and the browser tests: window.classroom.peers (embedded), window.classroom.sfu.publishPc and
subscribePc (SFU).

Two cores: the teacher's browser has core 1 to itself (what it sends and what that costs is
what is measured), and everything else — Daphne, Janus, the learners — shares core 0.
Chromium is pinned by a small wrapper that execs it under taskset; Janus, the Playwright
driver and the aiortc receivers take this process's core.

The 24 are light receivers. Chromium pages would be learners as they are, but each decodes
the teacher's 1280-wide layer: on this machine 16 pages on one core decoded 8–15 frames a
second and joining more took minutes. So each receiver is an aiortc client in this process —
still a learner to the server: it opens its join link and the class socket, joins the Janus
room with the token and feed the socket's `welcome` gives it (so the server's token rule
applies), and subscribes to the teacher's video, lowest simulcast layer, counting decoded
frames.

Called from benchmarks/__main__.py after the demo centre is seeded, with Django set up on the
benchmark's own SQLite file; the servers share that file.
"""

import asyncio
import contextlib
import json
import logging
import os
import secrets
import shutil
import statistics
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from benchmarks.join_to_video import CHROMIUM, CHROMIUM_ARGS
from tests.server import (
    DaphneServer, JanusServer, frame_of_type, janus_installed, learners_enrolled, served, session_cookies,
    signed_in_cookie, socket_open,
)

COURSE_SLUG = "chinese-painting"
TEACHER = ("teacher_wang", "demo-teacher")
# The teacher alone on one core, everything else on the other (see the module's docstring).
TEACHER_CPUS = "1"
REST_CPUS = "0"

UPLOAD_LEARNERS = 4
# Ten seconds of sending: the SFU path sends a keyframe at least that often (Janus's fir_freq),
# so each window holds one.
UPLOAD_WINDOW_S = 10
# The machine is shared: others' work only ever takes frames away (a starved fake camera
# gives fewer, and fewer are sent), so each measurement is the best of a few windows, the
# one least disturbed.
UPLOAD_WINDOWS = 2
# WebRTC's congestion control starts low (300 kbit/s) and probes up within seconds; the
# window starts after this, once every learner plays.
SETTLE_S = 5
CLASS_SIZES = (1, 8, 16, 24)
CLASS_WINDOW_S = 6
# A receiver "gets frames" if it decoded ten a second in the last window: half of what the
# teacher's (fake) camera gives.
CLASS_MIN_FPS = 10
CAPACITY_SIZES = (2, 4, 6, 8)
CAPACITY_WINDOW_S = 4
CAPACITY_WINDOWS = 3
# Fifteen frames a second: below it, a teacher's brush strokes look jerky. The fake camera
# gives twenty, and when others' work starves it of CPU it gives fewer, which is no fault of
# the way video travels: so a learner "gets video" when they decode at least MIN_SHARE of
# the frames the camera gave in the same window (15 a second from the camera's 20).
MIN_FPS = 15
CAMERA_FPS = 20
MIN_SHARE = MIN_FPS / CAMERA_FPS

# Five browsers and Janus on a busy machine: the first picture can take a while.
MEDIA_TIMEOUT_MS = 45_000
PLAYWRIGHT_TIMEOUT_MS = 30_000
# Janus and the class socket on loopback answer in milliseconds; this much means stuck.
REQUEST_TIMEOUT_S = 20
# Under Janus's session_timeout (60 s, deploy/janus/janus.jcfg), as janus-room.js keeps it.
JANUS_KEEPALIVE_S = 25
# As realtime.js: the server's 75 s "gone" rule sees a socket that pings as here.
CLASS_PING_S = 20
VIDEOROOM = "janus.plugin.videoroom"
LOWEST_LAYER = 0

# The page's live connections, whichever way its video travels.
PAGE_PCS = """(() => {
  const c = window.classroom;
  const pcs = [...c.peers.values()].map(p => p.pc);
  if (c.sfu) { pcs.push(c.sfu.publishPc, c.sfu.subscribePc); }
  return pcs.filter(pc => pc && pc.connectionState !== "closed");
})()"""

# What the page has sent so far: bytes of every outbound RTP stream, each video stream's
# frames, size and what limits its quality, and the frames its camera gave.
SENT = """async () => {
  const pcs = %s;
  const sent = { t: performance.now(), bytes: 0, connections: pcs.length, video: {}, camera: 0 };
  for (const [n, pc] of pcs.entries()) {
    (await pc.getStats()).forEach(r => {
      if (r.type === "media-source" && r.kind === "video") { sent.camera = Math.max(sent.camera, r.frames || 0); }
      if (r.type !== "outbound-rtp") { return; }
      sent.bytes += r.bytesSent;
      if (r.kind === "video") {
        sent.video[n + "/" + (r.rid || r.ssrc)] = { bytes: r.bytesSent, frames: r.framesEncoded || 0,
          width: r.frameWidth || 0, limit: r.qualityLimitationReason || "none" };
      }
    });
  }
  return sent;
}""" % PAGE_PCS

# What the page has decoded of video so far.
RECEIVED = """async () => {
  let frames = 0, width = 0;
  for (const pc of %s) {
    (await pc.getStats()).forEach(r => {
      if (r.type === "inbound-rtp" && r.kind === "video") {
        frames += r.framesDecoded || 0;
        width = Math.max(width, r.frameWidth || 0);
      }
    });
  }
  return { t: performance.now(), frames: frames, width: width };
}""" % PAGE_PCS

TEACHER_VIDEO_PLAYING = """() => {
  const v = document.getElementById("teacher-video");
  return v && v.videoWidth > 0 && v.currentTime > 0.5;
}"""

TEACHER_PUBLISHES = """() => window.classroom.state && window.classroom.state.status === "live"
  && window.classroom.mediaMode === "sfu" && window.classroom.sfu.publishPc !== null
  && window.classroom.sfu.publishPc.connectionState === "connected" """


def _load_average() -> float:
    """The machine's load over the last minute, in the lines: others' work shows in them."""
    return round(os.getloadavg()[0], 1)


def _line(out, record: dict) -> None:
    out.write(json.dumps(record, ensure_ascii=False) + "\n")
    out.flush()


def _kbps(before: dict, after: dict) -> float:
    return round((after["bytes"] - before["bytes"]) * 8 / (after["t"] - before["t"]), 1)  # bytes per ms -> kbit/s


# ---------------------------------------------------------------- processes


def _chromium_on(cpus: str, workdir: Path) -> str:
    """An executable that runs Chromium pinned to `cpus`: Playwright launches what it is given."""
    wrapper = workdir / f"chromium-cpus-{cpus.replace(',', '-')}"
    wrapper.write_text(f'#!/bin/sh\nexec taskset -c {cpus} {CHROMIUM} "$@"\n')
    wrapper.chmod(0o755)
    return str(wrapper)


def _proc_cpu_s(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _renderers_of(marker: str) -> list[int]:
    """The renderer processes of the browser launched with `marker` among its arguments."""
    parents, cmdlines = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                parents[int(entry)] = int(stat.read().rsplit(")", 1)[1].split()[1])
            # Chromium rewrites its command line as one string (its process title): searched as bytes.
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                cmdlines[int(entry)] = cmdline.read()
        except OSError:
            continue  # gone meanwhile
    roots = {pid for pid, args in cmdlines.items() if marker.encode() in args}
    family, grew = set(roots), True
    while grew:
        children = {pid for pid, parent in parents.items() if parent in family} - family
        family |= children
        grew = bool(children)
    return [pid for pid in family if b"--type=renderer" in cmdlines.get(pid, b"")]


class RendererCpu:
    """CPU seconds of a browser's renderer processes between two readings, as % of one core."""

    def __init__(self, marker: str):
        self.marker = marker

    def read(self) -> tuple[float, float]:
        total = 0.0
        for pid in _renderers_of(self.marker):
            with contextlib.suppress(OSError):
                total += _proc_cpu_s(pid)
        return time.monotonic(), total

    @staticmethod
    def percent(before: tuple[float, float], after: tuple[float, float]) -> float:
        return round(100 * (after[1] - before[1]) / (after[0] - before[0]), 1)


@contextlib.contextmanager
def _janus(workdir: Path):
    """Janus on REST_CPUS (it inherits this process's core), stopped on leaving."""
    (workdir / "janus").mkdir()
    with served(JanusServer(workdir / "janus"), "Janus") as janus:
        yield janus


@contextlib.contextmanager
def _daphne(workdir: Path, name: str, janus: JanusServer | None = None):
    """The site on a Daphne of its own on REST_CPUS; its classes go through `janus` if given."""
    # This process's environment is the benchmark's site (benchmarks/__main__.py).
    env = dict(os.environ)
    for variable in ("JANUS_URL", "JANUS_PUBLIC_URL", "JANUS_ADMIN_KEY"):
        env.pop(variable, None)
    if janus is not None:
        env.update(JANUS_URL=janus.http_url, JANUS_PUBLIC_URL=janus.ws_url, JANUS_ADMIN_KEY=janus.admin_key)
    server = DaphneServer(env, log=workdir / f"{name}.log", cpus=REST_CPUS)
    with served(server, f"{name} (Daphne)"):
        yield server


def _new_class() -> int:
    """A class of its own for one measurement, happening now: no one from another is in its room."""
    from django.utils import timezone

    from classes.models import ClassSession, CoursePage

    return ClassSession.objects.create(course=CoursePage.objects.get(slug=COURSE_SLUG),
                                       starts_at=timezone.now() - timedelta(minutes=5), duration_minutes=120).pk


# ---------------------------------------------------------------- people in Chromium


class Browsers:
    """The teacher's Chromium (TEACHER_CPUS) and the learners' (REST_CPUS), for one measurement."""

    def __init__(self, playwright, workdir: Path):
        self.teacher_marker = f"--classes-bench-teacher={uuid.uuid4().hex}"
        self.teacher = playwright.chromium.launch(executable_path=_chromium_on(TEACHER_CPUS, workdir),
                                                  args=[*CHROMIUM_ARGS, self.teacher_marker])
        self.learners = playwright.chromium.launch(executable_path=_chromium_on(REST_CPUS, workdir),
                                                   args=CHROMIUM_ARGS)
        self.teacher_cpu = RendererCpu(self.teacher_marker)

    def close(self) -> None:
        for browser in (self.learners, self.teacher):
            with contextlib.suppress(Exception):
                browser.close()


def _page(browser, server: DaphneServer, cookie: str, viewport: dict):
    context = browser.new_context(base_url=server.url, locale="zh-CN", viewport=viewport)
    context.set_default_timeout(PLAYWRIGHT_TIMEOUT_MS)
    context.add_cookies([{"name": "sessionid", "value": cookie, "url": server.url}])
    return context.new_page()


def _teacher_enters(browsers: Browsers, server: DaphneServer, session_id: int):
    page = _page(browsers.teacher, server, signed_in_cookie(server, *TEACHER), {"width": 1280, "height": 800})
    page.goto(f"/class/{session_id}/")
    page.click("#enter-room")
    page.wait_for_function("window.classroom.state !== null")
    return page


def _teacher_starts(page) -> None:
    page.click("#start-class")
    page.wait_for_function("window.classroom.state.status === 'live'")


def _learners_enter(browsers: Browsers, server: DaphneServer, cookies: list[str], session_id: int) -> list:
    """Each learner (signed in by their join link's cookie) opens the class and taps 进入课堂."""
    pages = []
    for cookie in cookies:
        page = _page(browsers.learners, server, cookie, {"width": 375, "height": 667})
        page.goto(f"/class/{session_id}/")
        page.click("#enter-room")
        pages.append(page)
    return pages


def _all_play(pages: list, timeout_ms: int = MEDIA_TIMEOUT_MS) -> list[bool]:
    """Whether each page plays the teacher's video, waiting up to `timeout_ms` in all."""
    deadline = time.monotonic() + timeout_ms / 1000
    playing = []
    for page in pages:
        left_ms = max(1, int((deadline - time.monotonic()) * 1000))
        try:
            page.wait_for_function(TEACHER_VIDEO_PLAYING, timeout=left_ms)
            playing.append(True)
        except Exception:  # Playwright's TimeoutError: this one never showed the teacher
            playing.append(False)
    return playing


def _sent_over(teacher, seconds: float, cpu: RendererCpu | None = None) -> dict:
    """The teacher page's sending over `seconds`: kbit/s, video layers that sent, their
    widths and what limited them, and its renderer's CPU."""
    cpu_before = cpu.read() if cpu else None
    before = teacher.evaluate(SENT)
    teacher.wait_for_timeout(seconds * 1000)
    after = teacher.evaluate(SENT)
    cpu_after = cpu.read() if cpu else None
    streams = {key: value for key, value in after["video"].items()
               if value["bytes"] > before["video"].get(key, {}).get("bytes", 0)}
    dt_s = (after["t"] - before["t"]) / 1000
    result = {
        "kbps": _kbps(before, after),
        "camera_fps": round((after["camera"] - before["camera"]) / dt_s, 1),
        "connections": after["connections"],
        "video_streams": len(streams),
        "widths": sorted((s["width"] for s in streams.values()), reverse=True),
        "encoded_fps": sorted(round((s["frames"] - before["video"][k]["frames"]) / dt_s, 1) for k, s in streams.items()
                              if k in before["video"]),
        "limits": sorted({s["limit"] for s in streams.values()}),
    }
    if cpu:
        result["renderer_cpu_pct"] = RendererCpu.percent(cpu_before, cpu_after)
    return result


def _received_rates(pages: list, before: list[dict]) -> list[dict]:
    rates = []
    for page, start in zip(pages, before):
        end = page.evaluate(RECEIVED)
        rates.append({"fps": round((end["frames"] - start["frames"]) * 1000 / (end["t"] - start["t"]), 1),
                      "width": end["width"]})
    return rates


# ---------------------------------------------------------------- 1. the teacher's upload


def _upload_with(playwright, workdir: Path, *, janus: JanusServer | None, paths: list[str], session_id: int) -> dict:
    name = "sfu" if janus else "embedded"
    with _daphne(workdir, f"daphne-upload-{name}", janus) as server:
        cookies = session_cookies(server, paths)
        browsers = Browsers(playwright, workdir)
        try:
            teacher = _teacher_enters(browsers, server, session_id)
            learners = _learners_enter(browsers, server, cookies, session_id)
            _teacher_starts(teacher)
            if janus:
                teacher.wait_for_function(TEACHER_PUBLISHES, timeout=MEDIA_TIMEOUT_MS)
            mode = teacher.evaluate("window.classroom.mediaMode")
            if mode != name:
                raise RuntimeError(f"the class ran {mode!r}, not {name!r}; Daphne's log:\n{server.log_tail()}")
            playing = _all_play(learners)
            if not all(playing):
                raise RuntimeError(f"{playing.count(False)} of {len(learners)} learners never played the teacher's "
                                   f"video ({name})")
            teacher.wait_for_timeout(SETTLE_S * 1000)
            windows = [_sent_over(teacher, UPLOAD_WINDOW_S) for _ in range(UPLOAD_WINDOWS)]
            return max(windows, key=lambda window: window["camera_fps"])
        finally:
            browsers.close()


def teacher_upload(playwright, workdir: Path, janus: JanusServer, plan: "Plan", *, out) -> None:
    embedded = _upload_with(playwright, workdir, janus=None, paths=plan.upload_paths,
                            session_id=plan.upload_embedded_class)
    sfu = _upload_with(playwright, workdir, janus=janus, paths=plan.upload_paths, session_id=plan.upload_sfu_class)
    _line(out, {
        "bench": "teacher_upload", "learners": UPLOAD_LEARNERS,
        "windows": f"best of {UPLOAD_WINDOWS} × {UPLOAD_WINDOW_S} s",
        "embedded_kbps": embedded["kbps"], "sfu_kbps": sfu["kbps"],
        "ratio_embedded_to_sfu": round(embedded["kbps"] / sfu["kbps"], 2),
        "sfu_layers": sfu["video_streams"], "sfu_layer_widths": sfu["widths"],
        "embedded_streams": embedded["video_streams"], "embedded_widths": embedded["widths"],
        "camera_fps": {"embedded": embedded["camera_fps"], "sfu": sfu["camera_fps"]},
        "limited_by": {"embedded": embedded["limits"], "sfu": sfu["limits"]}, "load_avg_1m": _load_average(),
    })


# ---------------------------------------------------------------- 2. a class of 24 through Janus


class JanusClient:
    """Just enough of Janus's WebSocket API for one subscriber, as static/js/janus-room.js speaks it:
    one session per socket, requests matched by transaction, the token on every request."""

    def __init__(self, url: str, token: str):
        self.url, self.token = url, token
        self.session: int | None = None
        self.pending: dict[str, tuple[asyncio.Future, bool]] = {}
        self.tasks: list[asyncio.Task] = []

    async def open(self) -> None:
        from websockets.asyncio.client import connect

        self.ws = await connect(self.url, subprotocols=["janus-protocol"], proxy=None, compression=None,
                                open_timeout=REQUEST_TIMEOUT_S)
        self.tasks.append(asyncio.create_task(self._read()))
        self.session = (await self.call({"janus": "create"}))["data"]["id"]
        self.tasks.append(asyncio.create_task(self._keepalive()))

    async def call(self, request: dict, *, want_event: bool = False) -> dict:
        transaction = secrets.token_hex(8)
        request = {**request, "transaction": transaction, "token": self.token}
        if self.session is not None:
            request["session_id"] = self.session
        answer = asyncio.get_running_loop().create_future()
        self.pending[transaction] = (answer, want_event)
        await self.ws.send(json.dumps(request))
        try:
            return await asyncio.wait_for(answer, REQUEST_TIMEOUT_S)
        finally:
            self.pending.pop(transaction, None)

    async def attach(self) -> int:
        return (await self.call({"janus": "attach", "plugin": VIDEOROOM}))["data"]["id"]

    async def message(self, handle: int, body: dict, jsep: dict | None = None) -> tuple[dict, dict | None]:
        """A VideoRoom request on `handle`: the plugin's answer (its event after Janus's ack) and its SDP."""
        request = {"janus": "message", "handle_id": handle, "body": body}
        if jsep:
            request["jsep"] = jsep
        answer = await self.call(request, want_event=True)
        data = answer.get("plugindata", {}).get("data", {})
        if "error_code" in data:
            raise RuntimeError(f"Janus's VideoRoom refused {body.get('request')}: {data}")
        return data, answer.get("jsep")

    async def _read(self) -> None:
        async for raw in self.ws:
            message = json.loads(raw)
            waiting = self.pending.get(message.get("transaction"))
            if waiting is None or waiting[0].done():
                continue  # events of no request of ours (webrtcup, media, keepalive acks)
            answer, want_event = waiting
            if message.get("janus") == "ack" and want_event:
                continue  # the event follows
            if message.get("janus") == "error":
                answer.set_exception(RuntimeError(f"Janus refused: {message.get('error')}"))
            else:
                answer.set_result(message)

    async def _keepalive(self) -> None:
        while True:
            await asyncio.sleep(JANUS_KEEPALIVE_S)
            await self.call({"janus": "keepalive"})

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        with contextlib.suppress(Exception):
            await self.ws.send(json.dumps({"janus": "destroy", "session_id": self.session,
                                           "transaction": secrets.token_hex(8), "token": self.token}))
        with contextlib.suppress(Exception):
            await self.ws.close()


@dataclass
class Receiver:
    """One learner receiving the teacher's video through Janus with aiortc."""

    cookie: str
    joined_at: float = 0.0
    first_frame_at: float | None = None
    frames: int = 0
    width: int = 0
    error: str = ""
    tasks: list = field(default_factory=list)

    @property
    def first_frame_ms(self) -> float | None:
        return None if self.first_frame_at is None else (self.first_frame_at - self.joined_at) * 1000

    async def run(self, server: DaphneServer, session_id: int, stop: asyncio.Event) -> None:
        from aiortc import RTCPeerConnection, RTCSessionDescription

        janus = pc = socket = None
        try:
            self.joined_at = time.perf_counter()
            socket = await socket_open(server, f"/ws/class/{session_id}/", self.cookie, timeout_s=REQUEST_TIMEOUT_S)
            media = (await asyncio.wait_for(frame_of_type(socket, "welcome"), REQUEST_TIMEOUT_S))["media"]
            self.tasks.append(asyncio.create_task(self._keep_class_socket(socket)))
            if media["mode"] != "sfu":
                raise RuntimeError(f"the class socket said {media}")
            janus = JanusClient(media["server"], media["token"])
            await janus.open()
            # As the page: a participant with the server's feed id and token, then a subscriber tied to it.
            participant = await janus.attach()
            joined, _ = await janus.message(participant, {
                "request": "join", "ptype": "publisher", "room": media["room"], "id": media["feed"],
                "token": media["token"],
            })
            teacher = next(p for p in joined.get("publishers", []) if p["id"] == media["teacher_feed"])
            video_mid = next(s["mid"] for s in teacher["streams"] if s["type"] == "video")
            subscriber = await janus.attach()
            _, offer = await janus.message(subscriber, {
                "request": "join", "ptype": "subscriber", "room": media["room"], "private_id": joined["private_id"],
                "token": media["token"],
                "streams": [{"feed": media["teacher_feed"], "mid": video_mid, "substream": LOWEST_LAYER}],
            })
            pc = RTCPeerConnection()
            pc.on("track", lambda track: self.tasks.append(asyncio.create_task(self._count(track)))
                  if track.kind == "video" else None)
            await pc.setRemoteDescription(RTCSessionDescription(sdp=offer["sdp"], type=offer["type"]))
            await pc.setLocalDescription(await pc.createAnswer())
            await janus.message(subscriber, {"request": "start"},
                                {"type": pc.localDescription.type, "sdp": pc.localDescription.sdp})
            await stop.wait()
        except Exception as error:  # reported in the line as a receiver without frames
            self.error = f"{type(error).__name__}: {error}"
        finally:
            for task in self.tasks:
                task.cancel()
            with contextlib.suppress(Exception):
                if pc is not None:
                    await pc.close()
                if janus is not None:
                    await janus.close()
                if socket is not None:
                    await socket.close()

    async def _count(self, track) -> None:
        from aiortc.mediastreams import MediaStreamError

        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return  # the subscription ended
            if self.first_frame_at is None:
                self.first_frame_at = time.perf_counter()
            self.frames += 1
            self.width = frame.width

    @staticmethod
    async def _keep_class_socket(socket) -> None:
        """Read what the room sends (states as people come), and ping as the page does."""

        async def drain():
            async for _frame in socket:
                pass

        reader = asyncio.create_task(drain())
        try:
            while True:
                await asyncio.sleep(CLASS_PING_S)
                await socket.send(json.dumps({"type": "ping"}))
        finally:
            reader.cancel()


class LoopThread:
    """An asyncio loop in a thread of its own, beside Playwright's sync API in this one."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="aiortc-receivers", daemon=True)
        self.thread.start()

    def run(self, coroutine, timeout_s: float | None = None):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout_s)

    def start(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


class DecodeErrors(logging.Filter):
    """Counts aiortc's "failed to decode" warnings rather than printing each: a receiver that
    joins between two keyframes is handed frames it cannot decode until the next one."""

    def __init__(self):
        super().__init__()
        self.count = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if "failed to decode" in record.getMessage():
            self.count += 1
            return False
        return True


@contextlib.contextmanager
def _aiortc_quiet():
    """aiortc's ICE logs every candidate check at INFO, which the site's logging would print."""
    loggers = [logging.getLogger(name) for name in ("aioice", "aiortc")]
    levels = [logger.level for logger in loggers]
    decode_errors = DecodeErrors()
    receiver_log = logging.getLogger("aiortc.rtcrtpreceiver")
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    receiver_log.addFilter(decode_errors)
    try:
        yield decode_errors
    finally:
        receiver_log.removeFilter(decode_errors)
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)


def sfu_class(playwright, workdir: Path, janus: JanusServer, plan: "Plan", *, out) -> None:
    session_id = plan.class_class
    loop = LoopThread()
    with _aiortc_quiet() as decode_errors, _daphne(workdir, "daphne-class", janus) as server:
        receivers = [Receiver(cookie) for cookie in session_cookies(server, plan.class_paths)]
        browsers = Browsers(playwright, workdir)
        stop = loop.run(_event())
        running = []
        try:
            teacher = _teacher_enters(browsers, server, session_id)
            _teacher_starts(teacher)
            teacher.wait_for_function(TEACHER_PUBLISHES, timeout=MEDIA_TIMEOUT_MS)
            teacher.wait_for_timeout(SETTLE_S * 1000)
            # The baseline: what the teacher sends Janus with no one watching.
            upload, window_fps = {"0": _sent_over(teacher, CLASS_WINDOW_S)["kbps"]}, []
            for size in CLASS_SIZES:
                batch = receivers[len(running):size]
                running += [loop.start(receiver.run(server, session_id, stop)) for receiver in batch]
                _wait_until(lambda: all(r.first_frame_at is not None or r.error for r in batch), MEDIA_TIMEOUT_MS)
                teacher.wait_for_timeout(1000)  # the joins' own renegotiations and keyframes over
                before = [r.frames for r in receivers[:size]]
                upload[str(size)] = _sent_over(teacher, CLASS_WINDOW_S)["kbps"]
                window_fps = [(r.frames - b) / CLASS_WINDOW_S for r, b in zip(receivers[:size], before)]
            loop.loop.call_soon_threadsafe(stop.set)
            for future in running:
                future.result(timeout=REQUEST_TIMEOUT_S)
        finally:
            loop.loop.call_soon_threadsafe(stop.set)
            browsers.close()
            loop.close()
    first = [r.first_frame_ms for r in receivers if r.first_frame_ms is not None]
    errors = sorted({r.error for r in receivers if r.error})
    _line(out, {
        "bench": "sfu_class_24", "receivers": len(receivers),
        "receivers_with_frames": sum(fps >= CLASS_MIN_FPS for fps in window_fps),
        "min_receiver_fps": round(min(window_fps), 1), "receiver_layer_width": min(r.width for r in receivers),
        "teacher_upload_kbps_by_receivers": upload,
        "upload_spread": round(max(upload.values()) / min(upload.values()), 2),
        "first_frame_ms_p50": round(statistics.median(first), 1) if first else None,
        "first_frame_ms_p95": round(_percentile(first, 0.95), 1) if first else None,
        "receiver_kind": "aiortc", "decode_errors": decode_errors.count, "load_avg_1m": _load_average(),
        **({"errors": errors} if errors else {}),
    })


async def _event() -> asyncio.Event:
    return asyncio.Event()


def _wait_until(condition, timeout_ms: int) -> bool:
    deadline = time.monotonic() + timeout_ms / 1000
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


# ---------------------------------------------------------------- 3. how many the embedded mode carries


def _capacity_window(teacher, learners: list, cpu: RendererCpu) -> dict:
    before = [page.evaluate(RECEIVED) for page in learners]
    sent = _sent_over(teacher, CAPACITY_WINDOW_S, cpu)
    received = _received_rates(learners, before)
    lowest = min(r["fps"] for r in received)
    return {
        "min_learner_share": round(lowest / sent["camera_fps"], 2) if sent["camera_fps"] else 0.0,
        "min_learner_fps": lowest, "min_learner_width": min(r["width"] for r in received),
        "teacher_camera_fps": sent["camera_fps"], "teacher_min_encoded_fps": min(sent["encoded_fps"], default=0),
        "teacher_upload_kbps": sent["kbps"], "teacher_renderer_cpu_pct": sent["renderer_cpu_pct"],
        "teacher_limited_by": sent["limits"],
    }


def embedded_capacity(playwright, workdir: Path, plan: "Plan", *, out) -> None:
    session_id = plan.capacity_class
    results, carried, failed = {}, 0, False
    with _daphne(workdir, "daphne-capacity") as server:
        cookies = session_cookies(server, plan.capacity_paths)
        browsers = Browsers(playwright, workdir)
        try:
            teacher = _teacher_enters(browsers, server, session_id)
            _teacher_starts(teacher)
            learners = []
            for size in CAPACITY_SIZES:
                learners += _learners_enter(browsers, server, cookies[len(learners):size], session_id)
                playing = _all_play(learners)
                teacher.wait_for_timeout(SETTLE_S * 1000)
                windows = [_capacity_window(teacher, learners, browsers.teacher_cpu) for _ in range(CAPACITY_WINDOWS)]
                best = max(windows, key=lambda window: window["min_learner_share"])
                results[str(size)] = {"playing": sum(playing), **best}
                failed = failed or not (all(playing) and best["min_learner_share"] >= MIN_SHARE)
                if not failed:
                    carried = size
        finally:
            browsers.close()
    _line(out, {
        "bench": "embedded_capacity", "learners_tried": list(CAPACITY_SIZES), "all_get_video_up_to": carried,
        "min_fps": MIN_FPS, "min_share_of_camera": MIN_SHARE,
        "windows": f"best of {CAPACITY_WINDOWS} × {CAPACITY_WINDOW_S} s", "by_learners": results,
        "setting_embedded_max_learners": plan.embedded_max_learners, "load_avg_1m": _load_average(),
    })


# ---------------------------------------------------------------- all three


@dataclass
class Plan:
    """Each measurement's own class and learners, made before Playwright starts (its event loop
    in this thread makes Django's signal handlers refuse to run)."""

    upload_paths: list[str]
    upload_embedded_class: int
    upload_sfu_class: int
    class_paths: list[str]
    class_class: int
    capacity_paths: list[str]
    capacity_class: int
    embedded_max_learners: int


def plan_made() -> Plan:
    from django.conf import settings

    return Plan(
        upload_paths=learners_enrolled(course_slug=COURSE_SLUG, count=UPLOAD_LEARNERS, name="上行"),
        upload_embedded_class=_new_class(), upload_sfu_class=_new_class(),
        class_paths=learners_enrolled(course_slug=COURSE_SLUG, count=max(CLASS_SIZES), name="大班"),
        class_class=_new_class(),
        capacity_paths=learners_enrolled(course_slug=COURSE_SLUG, count=max(CAPACITY_SIZES), name="小班"),
        capacity_class=_new_class(),
        embedded_max_learners=settings.EMBEDDED_MAX_LEARNERS,
    )


def run(*, out) -> None:
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        _line(out, {"bench": "media", "skipped": f"no {CHROMIUM}"})
        return
    plan = plan_made()
    workdir = Path(tempfile.mkdtemp(prefix="media-bench-"))
    affinity = os.sched_getaffinity(0)
    # Janus and Playwright's driver start from here, and take this core with them.
    os.sched_setaffinity(0, {int(REST_CPUS)})
    try:
        with sync_playwright() as playwright, contextlib.ExitStack() as stack:
            janus = stack.enter_context(_janus(workdir)) if janus_installed() else None
            if janus is None:
                _line(out, {"bench": "teacher_upload", "skipped": "janus is not installed (apt-get install janus)"})
                _line(out, {"bench": "sfu_class_24", "skipped": "janus is not installed (apt-get install janus)"})
            else:
                teacher_upload(playwright, workdir, janus, plan, out=out)
                sfu_class(playwright, workdir, janus, plan, out=out)
            embedded_capacity(playwright, workdir, plan, out=out)
    finally:
        os.sched_setaffinity(0, affinity)
        shutil.rmtree(workdir, ignore_errors=True)
