"""The demo people the class sockets' tests (test_room_consumer, test_group_consumer) sign in as."""

import pytest

from tests.classes.learner_pages import noon, taichi, taichi_learner  # noqa: F401 (fixtures for the learner pages' tests)
from tests.layers import learner_cookie, user_cookie


@pytest.fixture
def liu():
    from classes.models import Learner

    return Learner.objects.get(phone="13800138001")  # enrolled in calligraphy and learn-abc


@pytest.fixture
def liu_cookie(liu, calligraphy):
    return learner_cookie(liu, calligraphy)


@pytest.fixture
def wu_cookie(calligraphy):
    """A learner of the test's own, enrolled in calligraphy."""
    from classes.courses.services import enrolment_create
    from classes.models import Learner

    wu = Learner.objects.create(name="吴大妈", phone="13600136001")
    enrolment_create(learner=wu, course=calligraphy)
    return learner_cookie(wu, calligraphy)


@pytest.fixture
def teacher_cookie():
    return user_cookie("teacher_wang")  # teaches calligraphy
