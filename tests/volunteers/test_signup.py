"""Signing up to volunteer, and a coordinator's approval or refusal in the admin."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from core.roles import VOLUNTEERS
from volunteers.models import Volunteer, VolunteerStatus
from volunteers.selectors.access import user_is_volunteer
from volunteers.services.signup import volunteer_signup
from volunteers.views.signup import SIGNUP_LIMIT_PER_ADDRESS

pytestmark = pytest.mark.django_db

User = get_user_model()
STRONG_PASSWORD = "long walk by the river 7"


def signup_data(**changes):
    data = {
        "name": "林晓", "phone": "+86 139-0013-9000", "username": "linxiao", "password": STRONG_PASSWORD,
        "phone_guidance": "on", "english": "on", "availability": "周六上午",
    }
    data.update(changes)
    return data


def post_signup(client, **changes):
    return client.post(reverse("volunteer_signup"), signup_data(**changes), HTTP_ACCEPT_LANGUAGE="en")


def counts():
    return User.objects.count(), Volunteer.objects.count()


@pytest.fixture
def pending():
    return volunteer_signup(name="林晓", phone="13900139000", username="linxiao", password=STRONG_PASSWORD,
                            phone_guidance=True)


@pytest.fixture
def coordinator_client(client):
    client.force_login(User.objects.get(username="coordinator"))
    return client


# ---------------------------------------------------------------- signing up


def test_signup_page_asks_for_name_phone_skills_time_username_and_password(client):
    fields = client.get(reverse("volunteer_signup")).context["form"].fields
    assert set(fields) == {"name", "phone", "username", "password", "phone_guidance", "in_person_setup", "english",
                           "availability"}


def test_valid_signup_makes_an_inactive_account_and_a_pending_volunteer(client):
    response = post_signup(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("volunteer_signup_done")
    volunteer = Volunteer.objects.select_related("user").get(user__username="linxiao")
    assert volunteer.status == VolunteerStatus.PENDING
    assert not volunteer.user.is_active
    assert (volunteer.phone_guidance, volunteer.in_person_setup, volunteer.english) == (True, False, True)


def test_signup_stores_the_mobile_number_in_its_11_digit_form(client):
    post_signup(client)
    assert Volunteer.objects.get(user__username="linxiao").phone == "13900139000"


def test_thank_you_page_says_a_coordinator_will_be_in_touch(client):
    response = client.get(reverse("volunteer_signup_done"), HTTP_ACCEPT_LANGUAGE="en")
    assert "A coordinator will check your sign-up and let you know." in response.content.decode()


def test_taken_username_is_refused_and_nothing_is_saved(client):
    before = counts()
    response = post_signup(client, username="Volunteer", phone="13900139001")
    assert response.status_code == 400
    assert "This username is taken" in response.content.decode()
    assert counts() == before


def test_mobile_number_of_an_existing_volunteer_is_refused_and_nothing_is_saved(client):
    before = counts()
    response = post_signup(client, phone="137 0013 7001")  # 陈小雨's number
    assert response.status_code == 400
    assert "already signed up as a volunteer with this mobile number" in response.content.decode()
    assert counts() == before


@pytest.mark.parametrize("phone", ["12345", "", "2390013900", "abcdefghijk"])
def test_bad_mobile_number_is_refused_and_nothing_is_saved(client, phone):
    before = counts()
    response = post_signup(client, phone=phone)
    assert response.status_code == 400
    assert "phone" in response.context["form"].errors
    assert counts() == before


@pytest.mark.parametrize("password", ["12345678", "password", "short7", "linxiao1"])
def test_weak_password_is_refused_and_nothing_is_saved(client, password):
    before = counts()
    response = post_signup(client, password=password)
    assert response.status_code == 400
    assert "password" in response.context["form"].errors
    assert counts() == before


def test_a_double_tap_sends_the_same_signup_twice_and_makes_one_account(client):
    first, second = post_signup(client), post_signup(client)
    assert (first.status_code, second.status_code) == (302, 302)
    assert Volunteer.objects.filter(user__username="linxiao").count() == 1


def test_same_username_with_another_password_is_not_taken_for_a_double_tap(client):
    post_signup(client)
    response = post_signup(client, password="another long sentence 9")
    assert response.status_code == 400
    assert "username" in response.context["form"].errors


def test_too_many_signups_from_one_network_are_refused(client):
    for number in range(SIGNUP_LIMIT_PER_ADDRESS):
        post_signup(client, username=f"helper{number}", phone=f"1390013{number:04d}")
    before = counts()
    response = post_signup(client, username="onemore", phone="13900138888")
    assert response.status_code == 400
    assert "Too many sign-ups" in response.content.decode()
    assert counts() == before


def test_pending_volunteer_cannot_sign_in(client, pending):
    response = client.post(reverse("login"), {"username": "linxiao", "password": STRONG_PASSWORD})
    assert response.status_code == 200  # the form again, not a redirect
    assert not response.wsgi_request.user.is_authenticated


def test_login_page_links_to_the_volunteer_signup(client):
    assert reverse("volunteer_signup") in client.get(reverse("login")).content.decode()


# ---------------------------------------------------------------- approval in the admin


def approve_url(volunteer):
    return reverse("wagtailadmin_volunteer_approve", args=[volunteer.pk])


def decline_url(volunteer):
    return reverse("wagtailadmin_volunteer_decline", args=[volunteer.pk])


def test_coordinator_approval_opens_the_account_and_makes_a_volunteer(coordinator_client, pending):
    response = coordinator_client.post(approve_url(pending))
    assert response.status_code == 302
    pending.refresh_from_db()
    pending.user.refresh_from_db()
    assert pending.status == VolunteerStatus.APPROVED
    assert pending.decided_at is not None
    assert pending.user.is_active
    assert pending.user.groups.filter(name=VOLUNTEERS).exists()
    assert user_is_volunteer(pending.user)


def test_approved_volunteer_can_sign_in(coordinator_client, client, pending):
    coordinator_client.post(approve_url(pending))
    coordinator_client.logout()
    response = client.post(reverse("login"), {"username": "linxiao", "password": STRONG_PASSWORD})
    assert response.status_code == 302
    assert response.wsgi_request.user.username == "linxiao"


def test_declined_volunteer_stays_closed_and_is_not_a_volunteer(coordinator_client, pending):
    coordinator_client.post(decline_url(pending))
    pending.refresh_from_db()
    pending.user.refresh_from_db()
    assert pending.status == VolunteerStatus.DECLINED
    assert not pending.user.is_active
    assert not user_is_volunteer(pending.user)


def test_approving_twice_is_the_same_as_once(coordinator_client, pending):
    coordinator_client.post(approve_url(pending))
    first_decision = Volunteer.objects.get(pk=pending.pk).decided_at
    coordinator_client.post(approve_url(pending))
    assert Volunteer.objects.get(pk=pending.pk).decided_at == first_decision


def test_stopping_an_approved_volunteer_closes_the_account_and_leaves_the_group(coordinator_client, pending):
    coordinator_client.post(approve_url(pending))
    coordinator_client.post(decline_url(pending))
    user = User.objects.get(pk=pending.user_id)
    assert not user.is_active
    assert not user.groups.filter(name=VOLUNTEERS).exists()


@pytest.mark.parametrize("username", ["volunteer", "teacher_wang"])
def test_only_coordinators_may_approve(client, pending, username):
    client.force_login(User.objects.get(username=username))
    client.post(approve_url(pending))
    pending.refresh_from_db()
    assert pending.status == VolunteerStatus.PENDING


def test_approval_needs_a_post(coordinator_client, pending):
    assert coordinator_client.get(approve_url(pending)).status_code == 405
    pending.refresh_from_db()
    assert pending.status == VolunteerStatus.PENDING


def test_approval_goes_back_to_the_list_it_came_from_but_never_off_site(coordinator_client, pending):
    back = "/admin/snippets/volunteers/volunteer/?status=pending"
    assert coordinator_client.post(approve_url(pending), {"next": back})["Location"] == back
    other = volunteer_signup(name="王芳", phone="13900139002", username="wangfang", password=STRONG_PASSWORD)
    response = coordinator_client.post(approve_url(other), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("wagtailsnippets_volunteers_volunteer:list")


def test_pending_volunteers_are_listed_with_approve_and_decline_buttons(coordinator_client, pending):
    url = reverse("wagtailsnippets_volunteers_volunteer:list") + "?status=pending"
    html = coordinator_client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "林晓" in html
    assert approve_url(pending) in html and decline_url(pending) in html
    assert "陈小雨" not in html  # approved, filtered out


def test_coordinator_dashboard_shows_how_many_signups_wait(coordinator_client, pending):
    html = coordinator_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1 volunteer is waiting for your decision." in html


def test_volunteers_cannot_be_added_in_the_admin_only_by_signing_up(coordinator_client):
    response = coordinator_client.get(reverse("wagtailsnippets_volunteers_volunteer:add"))
    assert (response.status_code, response["Location"]) == (302, "/admin/")  # Wagtail's "no permission"


def test_admin_edit_form_has_no_status_field(coordinator_client, pending):
    response = coordinator_client.get(reverse("wagtailsnippets_volunteers_volunteer:edit", args=[pending.pk]))
    assert response.status_code == 200
    assert 'name="status"' not in response.content.decode()


def test_help_requests_are_listed_but_not_edited_in_the_admin(coordinator_client):
    assert coordinator_client.get(reverse("wagtailsnippets_volunteers_helprequest:list")).status_code == 200
    response = coordinator_client.get(reverse("wagtailsnippets_volunteers_helprequest:add"))
    assert (response.status_code, response["Location"]) == (302, "/admin/")

