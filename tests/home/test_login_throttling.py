"""Sign-in throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords an account,
and the address they came from, are refused for a while with a page that says so, on
/login/ and on the admin's sign-in alike."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db

PASSWORD = "right-horse-battery"


@pytest.fixture
def en_client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def staff(username: str, **extra):
    return get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)


def sign_in(client, username: str, password: str, *, address: str, path: str = "/login/"):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=address)


def fail_until_locked(client, username: str, *, address: str, path: str = "/login/") -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, username, "wrong", address=address, path=path)


def test_after_too_many_wrong_passwords_the_right_one_is_refused_with_the_lockout_page(en_client):
    staff("throttle_teacher")
    fail_until_locked(en_client, "throttle_teacher", address="10.0.0.1")
    response = sign_in(en_client, "throttle_teacher", PASSWORD, address="10.0.0.1")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Signing in is paused" in page
    assert settings.CENTRE_HELP_PHONE in page
    assert "_auth_user_id" not in en_client.session


@pytest.mark.parametrize("guessed, then_from", [
    pytest.param("throttle_teacher", "10.0.0.2", id="the-locked-account-from-another-address"),
    pytest.param("someone_guessed", "10.0.0.1", id="another-account-from-the-locked-address"),
])
def test_a_lockout_holds_for_the_account_and_for_the_address_alike(en_client, guessed, then_from):
    staff("throttle_teacher")
    fail_until_locked(en_client, guessed, address="10.0.0.1")
    assert sign_in(en_client, "throttle_teacher", PASSWORD, address=then_from).status_code == 429


def test_another_account_from_another_address_still_signs_in(en_client):
    staff("throttle_teacher")
    staff("throttle_volunteer")
    fail_until_locked(en_client, "throttle_teacher", address="10.0.0.1")
    response = sign_in(en_client, "throttle_volunteer", PASSWORD, address="10.0.0.2")
    assert response.status_code == 302
    assert en_client.session["_auth_user_id"] == str(get_user_model().objects.get(username="throttle_volunteer").pk)


def test_a_few_mistakes_then_the_right_password_signs_in(en_client):
    staff("throttle_teacher")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(en_client, "throttle_teacher", "wrong", address="10.0.0.1")
    assert sign_in(en_client, "throttle_teacher", PASSWORD, address="10.0.0.1").status_code == 302


def test_the_admin_sign_in_is_throttled_with_the_same_page(en_client):
    staff("throttle_coordinator", is_superuser=True, is_staff=True)
    fail_until_locked(en_client, "throttle_coordinator", address="10.0.0.1", path="/admin/login/")
    response = sign_in(en_client, "throttle_coordinator", PASSWORD, address="10.0.0.1", path="/admin/login/")
    assert response.status_code == 429
    assert "Signing in is paused" in response.content.decode()
