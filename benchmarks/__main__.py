import os
import sys
import tempfile
from pathlib import Path

from tests.server import site_env


BENCHMARKS = ("pages", "page_speed", "timetable", "join_to_video", "group_chat", "media")


def main(names: list[str]) -> None:
    """Run the named benchmarks (all of them without names), in this order."""
    unknown = set(names) - set(BENCHMARKS)
    if unknown:
        sys.exit(f"unknown benchmark(s): {', '.join(sorted(unknown))}; choose from {', '.join(BENCHMARKS)}")
    chosen = [name for name in BENCHMARKS if not names or name in names]
    # The benchmark's own site (its SQLite file and media folder), set up in this process's
    # environment: Django here and the Daphne servers the benchmarks start share it.
    os.environ.pop("REDIS_URL", None)
    os.environ.update(site_env(Path(tempfile.mkdtemp(prefix="classes-bench-"))))

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed_demo", stdout=open(os.devnull, "w"))

    from benchmarks import group_chat, join_to_video, media, page_speed, pages, timetable

    if "pages" in chosen:
        pages.run(out=sys.stdout)
    if "page_speed" in chosen:
        page_speed.run(out=sys.stdout)
    if "timetable" in chosen:
        timetable.run(out=sys.stdout)
    # Playwright's event loop makes Django refuse ORM calls in this thread; the
    # benchmark only reads and writes through the served site after setting up.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    if "join_to_video" in chosen:
        join_to_video.run(out=sys.stdout)
    # After join_to_video, which sets the course's seats for its own learners.
    if "group_chat" in chosen:
        group_chat.run(out=sys.stdout)
    # Its own classes and learners of 国画兴趣班; Chromium, Janus and aiortc receivers.
    if "media" in chosen:
        media.run(out=sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1:])
