import io

import pytest
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every database test starts from the demo centre; each test's changes roll back."""
    with django_db_blocker.unblock():
        call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture
def calligraphy(db):
    from classes.models import CoursePage

    return CoursePage.objects.get(slug="calligraphy")


@pytest.fixture
def zh_client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-CN,zh;q=0.9"
    return client
