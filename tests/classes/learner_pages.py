"""What the learners' page tests share: a course of the test's own, a learner in it signed in
by their link, the clock held at noon, and the links and buttons a page shows."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from classes.courses.services import enrolment_create
from classes.models import ClassSession, CourseIndexPage, CoursePage


@dataclass
class Control:
    tag: str  # "a" or "button"
    href: str
    label: str  # aria-label, or ""
    text: str

    @property
    def name(self) -> str:
        """The accessible name: the aria-label when there is one, else the words."""
        return self.label or self.text


class _Controls(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[Control] = []
        self._open: list[Control] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("a", "button"):
            attrs = dict(attrs)
            self._open.append(Control(tag, attrs.get("href") or "", attrs.get("aria-label") or "", ""))

    def handle_data(self, data):
        for control in self._open:
            control.text += data

    def handle_endtag(self, tag):
        if tag in ("a", "button") and self._open:
            control = self._open.pop()
            control.text = " ".join(control.text.split())
            self.found.append(control)


def controls(response) -> list[Control]:
    """Every link and button in the page's <main>, with its words."""
    html = response.content.decode()
    main = html[html.index("<main"):html.index("</main>")]
    parser = _Controls()
    parser.feed(main)
    return parser.found


def class_page_links(response) -> list[Control]:
    return [c for c in controls(response) if c.tag == "a" and c.href.startswith("/class/")]


def local(day_offset: int, hour: int, minute: int = 0) -> datetime:
    """A time in the centre's time zone, `day_offset` days from today."""
    return timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=day_offset), time(hour, minute)))


@pytest.fixture
def noon(monkeypatch) -> datetime:
    """Hold the clock at today's noon in the centre, so “today” and “tomorrow” never cross midnight mid-test."""
    now = local(0, 12)
    monkeypatch.setattr(timezone, "now", lambda: now)
    return now


@pytest.fixture
def taichi(calligraphy) -> CoursePage:
    """A course of the test's own, with no classes yet, two online seats and none at the centre."""
    today = timezone.localdate()
    return CourseIndexPage.objects.get().add_child(instance=CoursePage(
        title="太极入门", slug="taichi-learner-pages", category=calligraphy.category, summary="慢慢来。",
        term_start=today - timedelta(days=7), term_end=today + timedelta(days=60), online_seats=2, centre_seats=0,
    ))


@pytest.fixture
def taichi_learner(taichi, make_learner, open_link):
    """A learner with a seat in taichi, signed in on the test client by their link."""
    learner = make_learner("孙阿姨")
    enrolment_create(learner=learner, course=taichi)
    open_link(taichi, learner=learner)
    return learner


def session_at(course: CoursePage, starts_at: datetime, **fields) -> ClassSession:
    return ClassSession.objects.create(course=course, starts_at=starts_at, duration_minutes=60, **fields)
