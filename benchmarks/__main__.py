import os
import sys
import tempfile
from pathlib import Path

from tests.server import site_env


def main() -> None:
    # The benchmark's own site (its SQLite file and media folder), set up in this process's
    # environment: Django here and the Daphne servers the benchmarks start share it.
    os.environ.pop("REDIS_URL", None)
    os.environ.update(site_env(Path(tempfile.mkdtemp(prefix="classes-bench-"))))

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed_demo", stdout=open(os.devnull, "w"))

    from benchmarks import group_chat, join_to_video, pages, timetable

    pages.run(out=sys.stdout)
    timetable.run(out=sys.stdout)
    # Playwright's event loop makes Django refuse ORM calls in this thread; the
    # benchmark only reads and writes through the served site after setting up.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    join_to_video.run(out=sys.stdout)
    # After join_to_video, which sets the course's seats for its own learners.
    group_chat.run(out=sys.stdout)


if __name__ == "__main__":
    main()
