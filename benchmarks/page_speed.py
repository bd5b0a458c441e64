"""`make bench BENCH=page_speed`: the pages learners land on, served as in production, beside
the page that `wagtail start` makes, served the same way in the same run.

Both sites run on one Daphne process each with production settings (DEBUG off, SQLite,
whitenoise), pinned to core 0; the load comes from this process on core 1: keep-alive
HTTP/1.1 connections, each sending its next GET as soon as the last answer is read, for
`RUN_S` seconds, with 1 and with 10 connections; 我的课程 and the class page with the
cookies a learner's phone holds (session and CSRF). Runs alternate (the bare page, then ours,
then the bare page again) and each page's ratio is to the mean of the bare runs around it,
so a machine that slows down meanwhile slows both. One JSON line per page and connection
count: req/s, p50, p99, the bare page's req/s and the ratio.

The bare site is made fresh with `wagtail start` (Wagtail's own project template, its welcome
page at /), in a temporary folder; ours is the benchmark's seeded demo centre.
"""

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

from tests.server import PROJECT_DIR, DaphneServer

SERVER_CPUS = "0"
LOAD_CPUS = {1}
RUN_S = 5.0
WARM_S = 1.0
CONNECTIONS = (1, 10)
BARE_SECRET = "bench-only-not-secret"  # a throwaway site on loopback, gone after the run

# Its production settings (DEBUG off, Manifest static files) with what they leave to local.py.
BARE_LOCAL_SETTINGS = """
SECRET_KEY = {secret!r}
ALLOWED_HOSTS = ["127.0.0.1"]
STATIC_ROOT = {static_root!r}
"""
BARE_ASGI = """import os
from django.core.asgi import get_asgi_application
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bare.settings.production")
application = get_asgi_application()
"""


def bare_wagtail_site(root: Path) -> dict[str, str]:
    """`wagtail start bare`, migrated, its static files collected; the environment to serve it."""
    root.mkdir(parents=True, exist_ok=True)
    wagtail = Path(sys.executable).with_name("wagtail")
    subprocess.run([str(wagtail), "start", "bare", str(root)], check=True, capture_output=True)
    (root / "bare" / "settings" / "local.py").write_text(
        BARE_LOCAL_SETTINGS.format(secret=BARE_SECRET, static_root=str(root / "static_collected")))
    (root / "bare" / "asgi.py").write_text(BARE_ASGI)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bare.settings.production", "PYTHONPATH": str(root)}
    env.pop("DATABASE_URL", None)
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=root, env=env, check=True, capture_output=True)
    return env


class BareDaphne(DaphneServer):
    """Plain Daphne in the bare site's folder (learning.serve belongs to our site)."""

    def __init__(self, env: dict[str, str], *, root: Path, log: Path):
        super().__init__(env, log=log, app="bare.asgi:application", cpus=SERVER_CPUS)
        self.root = root

    def launch(self) -> None:
        with open(self.log, "w") as handle:
            self.process = subprocess.Popen(
                ["taskset", "-c", self.cpus, sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port),
                 self.app], cwd=self.root, env=self.env, stdout=handle, stderr=subprocess.STDOUT)


def our_site_env(env: dict[str, str]) -> dict[str, str]:
    """The benchmark's seeded site under production settings, over plain HTTP on loopback."""
    production = {
        **env, "DJANGO_SETTINGS_MODULE": "learning.settings.production", "SECRET_KEY": BARE_SECRET,
        "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "0", "SECURE_HSTS_SECONDS": "0", "SECURE_COOKIES": "0",
    }
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=PROJECT_DIR,
                   env=production, check=True)
    return production


def phone_cookies(server: DaphneServer, join_path: str) -> str:
    """The Cookie header of a learner's phone after opening their join link and 我的课程:
    the session, and the CSRF cookie a browser keeps and sends back."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(jar))
    for path in (join_path, "/my/"):
        with opener.open(server.url + path) as response:
            response.read()
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


# ---------------------------------------------------------------- the load


async def _connection(port: int, request: bytes, until: float, latencies: list[float], statuses: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < until:
            started = time.perf_counter()
            writer.write(request)
            status_line = await reader.readline()
            length, close = 0, False
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
                elif name.lower() == "connection" and value.strip().lower() == "close":
                    close = True
            await reader.readexactly(length)
            latencies.append((time.perf_counter() - started) * 1000)
            statuses.append(int(status_line.split()[1]))
            if close:
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
    finally:
        writer.close()


async def _load(port: int, path: str, connections: int, seconds: float, cookie: str | None) -> dict:
    headers = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Language: zh-CN\r\nConnection: keep-alive\r\n"
    if cookie:
        headers += f"Cookie: {cookie}\r\n"
    request = (headers + "\r\n").encode()
    # Warm up (first renders, connections), then measure.
    await asyncio.gather(*(_connection(port, request, time.perf_counter() + WARM_S, [], []) for _ in range(connections)))
    latencies, statuses = [], []
    started = time.perf_counter()
    await asyncio.gather(*(_connection(port, request, started + seconds, latencies, statuses)
                           for _ in range(connections)))
    elapsed = time.perf_counter() - started
    bad = sorted({status for status in statuses if status != 200})
    if bad:
        raise RuntimeError(f"{path} answered {bad}")
    quantiles = statistics.quantiles(latencies, n=100, method="inclusive")
    return {"req_s": len(latencies) / elapsed, "p50_ms": quantiles[49], "p99_ms": quantiles[98]}


def measure(server: DaphneServer, path: str, connections: int, cookie: str | None = None) -> dict:
    return asyncio.run(_load(server.port, path, connections, RUN_S, cookie))


# ---------------------------------------------------------------- the run


def run(*, out, env: dict[str, str] | None = None) -> None:
    from classes.models import ClassSession, CoursePage, JoinLink

    os.sched_setaffinity(0, LOAD_CPUS)
    workdir = Path(tempfile.mkdtemp(prefix="classes-page-speed-"))
    bare_env = bare_wagtail_site(workdir / "bare")
    ours_env = our_site_env(env or dict(os.environ))
    course = CoursePage.objects.live().get(slug="calligraphy")
    link = JoinLink.objects.filter(course=course, learner__isnull=False, revoked_at__isnull=True).first()
    session = ClassSession.objects.filter(course=course).order_by("starts_at").first()
    with BareDaphne(bare_env, root=workdir / "bare", log=workdir / "bare.log") as bare, \
            DaphneServer(ours_env, log=workdir / "ours.log", cpus=SERVER_CPUS) as ours:
        from classes.courses.join_links import join_link_token

        cookie = phone_cookies(ours, f"/j/{join_link_token(link=link)}/")
        pages = [("/", None), ("/courses/", None), (course.url, None), ("/timetable/", None),
                 ("/my/", cookie), (f"/class/{session.pk}/", cookie)]
        for connections in CONNECTIONS:
            before = measure(bare, "/", connections)
            for path, page_cookie in pages:
                ours_result = measure(ours, path, connections, page_cookie)
                after = measure(bare, "/", connections)
                bare_req_s = (before["req_s"] + after["req_s"]) / 2
                out.write(json.dumps({
                    "bench": "page_speed", "page": path, "signed_in": page_cookie is not None,
                    "connections": connections, "req_s": round(ours_result["req_s"], 1),
                    "p50_ms": round(ours_result["p50_ms"], 2), "p99_ms": round(ours_result["p99_ms"], 2),
                    "bare_wagtail_req_s": round(bare_req_s, 1), "ratio": round(ours_result["req_s"] / bare_req_s, 2),
                }, ensure_ascii=False) + "\n")
                out.flush()
                before = after
