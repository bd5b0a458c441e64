import io

import pytest
from django.core.management import call_command
from pytest_django.plugin import blocking_manager_key


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every database test starts from the demo centre; each test's changes roll back."""
    with django_db_blocker.unblock():
        call_command("seed_demo", stdout=io.StringIO())


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test (threads, races) ends by emptying every table; put the
    demo centre back for the tests that follow."""
    yield
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        with item.config.stash[blocking_manager_key].unblock():
            call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture
def calligraphy(db):
    from classes.models import CoursePage

    return CoursePage.objects.get(slug="calligraphy")


@pytest.fixture
def zh_client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-CN,zh;q=0.9"
    return client


@pytest.fixture
def learner(db):
    from classes.models import Learner

    return Learner.objects.create(name="测试学员", phone="13700137000")


@pytest.fixture
def make_learner(db):
    from classes.models import Learner

    counter = iter(range(10_000))

    def make(name="学员"):
        return Learner.objects.create(name=name, phone=f"136{next(counter):08d}")

    return make


@pytest.fixture
def open_link(client):
    """Open a learner's or teacher's join link in the test client, as a phone would."""
    from classes.services import join_link_ensure, join_link_token

    def open_(course, learner=None, teacher=None):
        link = join_link_ensure(course=course, learner=learner, teacher=teacher)
        return client.get(f"/j/{join_link_token(link=link)}/")

    return open_
