"""A number typed with another script's digits is the same number: stored in ASCII, the
same learner, the same per-phone sign-up limit (core/phones.py)."""

import pytest

from classes.courses.views import SIGNUP_LIMIT_PER_PHONE
from classes.models import CoursePage, Enrolment, Learner

pytestmark = pytest.mark.django_db

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def signup(client, course, phone):
    return client.post(f"/signup/{course.pk}/", {"name": "钱大妈", "phone": phone, "pool": "online"})


@pytest.mark.parametrize("script", [FULL_WIDTH, ARABIC_INDIC], ids=["full-width", "arabic-indic"])
def test_a_number_in_another_scripts_digits_is_stored_in_ascii(zh_client, calligraphy, script):
    signup(zh_client, calligraphy, "13912345678".translate(script))
    assert Learner.objects.get(name="钱大妈").phone == "13912345678"


def test_signing_up_with_the_full_width_form_of_a_known_number_finds_the_same_learner(zh_client):
    known = Learner.objects.create(name="钱大妈", phone="13912345678")
    course = CoursePage.objects.get(slug="children-painting")
    signup(zh_client, course, "13912345678".translate(FULL_WIDTH))
    assert Learner.objects.filter(name="钱大妈").count() == 1
    assert Enrolment.objects.filter(course=course, learner=known).exists()


def test_the_full_width_form_of_a_number_counts_against_the_same_sign_up_limit(zh_client, calligraphy):
    for _ in range(SIGNUP_LIMIT_PER_PHONE):
        signup(zh_client, calligraphy, "13912345678")
    response = signup(zh_client, calligraphy, "13912345678".translate(FULL_WIDTH))
    assert "太多" in response.content.decode()
