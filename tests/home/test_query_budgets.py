"""The pages learners land on cost a bounded number of queries, however big the centre.

Each page is counted, then counted again after ten more courses — each with a teacher,
classes this week and learners, the signed-in learner in every one — are added: the count
must not grow, and must stay within the page's budget. Pages are counted as rendered, not
as served from the page cache (tests/home/test_page_cache.py).
"""

import io

from datetime import timedelta

import pytest
from django.core.files.images import ImageFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from classes.courses.services import enrolment_create
from classes.models import ClassSession, CourseIndexPage, CoursePage, Teacher
from PIL import Image as PILImage
from wagtail.images import get_image_model

pytestmark = pytest.mark.django_db

# What each page may cost in queries at most: its own handful plus Wagtail's site and page
# lookups and the session; they hold for any number of courses, classes and enrolments.
# A course page counts its learners' public works, for the link to its gallery.
BUDGETS = {"/": 14, "/courses/": 11, "/courses/calligraphy/": 15, "/timetable/": 6, "/my/": 12, "/class/": 8}
MORE_COURSES = 10
LEARNERS_PER_COURSE = 5


@pytest.fixture(autouse=True)
def _rendered_not_cached(settings):
    settings.PUBLIC_PAGE_CACHE_PATHS = []


def _portrait(n: int):
    buffer = io.BytesIO()
    PILImage.new("RGB", (320, 320), (20 * n, 90, 120)).save(buffer, format="PNG")
    return get_image_model().objects.create(title=f"老师{n}", file=ImageFile(buffer, name=f"budget-teacher-{n}.png"))


def _queries(client, url: str) -> int:
    client.get(url)  # the first request warms what is cached for every request after it
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


def _centre_grown(calligraphy: CoursePage, learner, make_learner, *, first: int = 0, portraits: bool = False) -> None:
    index = CourseIndexPage.objects.get()
    today = timezone.localdate()
    for n in range(first, first + MORE_COURSES):
        course = index.add_child(instance=CoursePage(
            title=f"兴趣班{n}", slug=f"budget-course-{n}", category=calligraphy.category, summary="每周一次。",
            term_start=today - timedelta(days=7), term_end=today + timedelta(days=60), online_seats=30, centre_seats=12,
        ))
        course.teachers.add(Teacher.objects.create(name=f"老师{n}", photo=_portrait(n) if portraits else None))
        course.save_revision().publish()
        for day in range(3):
            ClassSession.objects.create(course=course, starts_at=timezone.now() + timedelta(days=day, hours=n % 5 + 1),
                                        duration_minutes=60)
        enrolment_create(learner=learner, course=course)
        for _ in range(LEARNERS_PER_COURSE):
            enrolment_create(learner=make_learner(), course=course)


@pytest.fixture
def signed_in_learner(calligraphy, learner, open_link):
    enrolment_create(learner=learner, course=calligraphy)
    open_link(calligraphy, learner=learner)
    return learner


@pytest.mark.parametrize("url", ["/", "/courses/", "/courses/calligraphy/", "/timetable/"])
def test_an_anonymous_page_costs_the_same_few_queries_however_many_courses(client, calligraphy, learner,
                                                                         make_learner, url):
    # Grown once before counting too: whatever a page fetches once for all courses (their
    # teachers' portraits, say) is then in both counts, and only growth per course shows.
    _centre_grown(calligraphy, learner, make_learner)
    before = _queries(client, url)
    _centre_grown(calligraphy, learner, make_learner, first=MORE_COURSES)
    after = _queries(client, url)

    assert after == before
    assert after <= BUDGETS[url]


def test_my_classes_cost_the_same_few_queries_however_many_courses_the_learner_is_in(
        client, calligraphy, signed_in_learner, make_learner):
    before = _queries(client, "/my/")
    _centre_grown(calligraphy, signed_in_learner, make_learner)
    after = _queries(client, "/my/")

    assert after == before
    assert after <= BUDGETS["/my/"]


def test_the_class_page_costs_the_same_few_queries_however_big_the_centre(
        client, calligraphy, signed_in_learner, make_learner):
    url = f"/class/{ClassSession.objects.filter(course=calligraphy).earliest('starts_at').pk}/"
    before = _queries(client, url)
    _centre_grown(calligraphy, signed_in_learner, make_learner)
    after = _queries(client, url)

    assert after == before
    assert after <= BUDGETS["/class/"]


def test_a_teachers_portrait_is_resized_once_not_at_every_visit(client, calligraphy, learner, make_learner):
    _centre_grown(calligraphy, learner, make_learner, portraits=True)
    client.get("/courses/")
    made = get_image_model().get_rendition_model().objects.count()

    client.get("/courses/")

    assert made >= MORE_COURSES
    assert get_image_model().get_rendition_model().objects.count() == made
