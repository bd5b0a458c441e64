import pytest

from classes.models import Enrolment, EnrolmentStatus, JoinLink, Learner
from classes.courses.join_links import join_link_check

pytestmark = pytest.mark.django_db


def test_teacher_sees_the_roster_of_their_own_course_with_masked_phones(client, calligraphy):
    client.login(username="teacher_wang", password="demo-teacher")
    response = client.get(f"/roster/{calligraphy.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "刘桂兰" in body
    assert "13800138001" not in body and "8001" in body


def test_teacher_cannot_see_another_teachers_roster(client):
    from classes.models import CoursePage

    client.login(username="teacher_wang", password="demo-teacher")
    assert client.get(f"/roster/{CoursePage.objects.get(slug='learn-abc').pk}/").status_code == 403


def test_a_learner_cannot_see_a_roster(client, calligraphy, open_link):
    open_link(calligraphy, learner=Learner.objects.get(phone="13800138001"))
    assert client.get(f"/roster/{calligraphy.pk}/").status_code == 403


def test_coordinator_sees_full_phone_numbers(client, calligraphy):
    client.login(username="coordinator", password="demo-coordinator")
    assert "13800138001" in client.get(f"/roster/{calligraphy.pk}/").content.decode()


def test_join_cards_carry_a_qr_code_and_a_link_that_opens(client, calligraphy):
    client.login(username="coordinator", password="demo-coordinator")
    response = client.get(f"/roster/{calligraphy.pk}/cards/")
    card = response.context["cards"][0]
    assert "<svg" in card.qr_svg
    assert join_link_check(token=card.url.rstrip("/").rsplit("/", 1)[-1]).problem == ""
    assert card.url in card.message


def test_printing_cards_twice_gives_the_same_link(client, calligraphy):
    client.login(username="coordinator", password="demo-coordinator")
    first = [c.url for c in client.get(f"/roster/{calligraphy.pk}/cards/").context["cards"]]
    second = [c.url for c in client.get(f"/roster/{calligraphy.pk}/cards/").context["cards"]]
    assert first == second


def test_teachers_cannot_print_cards(client, calligraphy):
    client.login(username="teacher_wang", password="demo-teacher")
    assert client.get(f"/roster/{calligraphy.pk}/cards/").status_code == 403


def test_reissuing_a_link_revokes_the_old_one(client, calligraphy):
    client.login(username="coordinator", password="demo-coordinator")
    enrolment = Enrolment.objects.get(course=calligraphy, learner__phone="13800138001")
    old = JoinLink.objects.get(course=calligraphy, learner=enrolment.learner, revoked_at__isnull=True)
    client.post(f"/enrolment/{enrolment.pk}/new-link/", {"confirmed": "yes"})
    old.refresh_from_db()
    assert old.revoked_at is not None
    assert JoinLink.objects.filter(course=calligraphy, learner=enrolment.learner, revoked_at__isnull=True).count() == 1


def test_reissue_without_confirmation_asks_by_name_and_keeps_the_old_link(client, calligraphy):
    client.login(username="coordinator", password="demo-coordinator")
    enrolment = Enrolment.objects.get(course=calligraphy, learner__phone="13800138001")
    old = JoinLink.objects.get(course=calligraphy, learner=enrolment.learner, revoked_at__isnull=True)
    response = client.post(f"/enrolment/{enrolment.pk}/new-link/")
    body = response.content.decode()
    assert response.status_code == 200
    assert f"{enrolment.learner.name}" in body and 'name="confirmed" value="yes"' in body
    old.refresh_from_db()
    assert old.revoked_at is None


def test_reissue_needs_a_post(client, calligraphy):
    client.login(username="coordinator", password="demo-coordinator")
    enrolment = Enrolment.objects.filter(course=calligraphy).first()
    assert client.get(f"/enrolment/{enrolment.pk}/new-link/").status_code == 405


def test_removing_a_learner_from_the_roster_promotes_the_waiting(client, calligraphy, make_learner):
    from classes.courses.services import enrolment_create

    calligraphy.online_seats = Enrolment.objects.filter(course=calligraphy, pool="online").count()
    calligraphy.save()
    waiting = enrolment_create(learner=make_learner(), course=calligraphy)
    leaving = Enrolment.objects.filter(course=calligraphy, status=EnrolmentStatus.ENROLLED).first()
    client.login(username="coordinator", password="demo-coordinator")
    client.post(f"/enrolment/{leaving.pk}/withdraw/", {"confirmed": "yes"})
    waiting.refresh_from_db()
    assert waiting.status == EnrolmentStatus.ENROLLED


def test_removing_without_confirmation_asks_by_name_and_keeps_the_seat(client, calligraphy):
    client.login(username="coordinator", password="demo-coordinator")
    enrolment = Enrolment.objects.filter(course=calligraphy, status=EnrolmentStatus.ENROLLED).first()
    response = client.post(f"/enrolment/{enrolment.pk}/withdraw/")
    body = response.content.decode()
    assert enrolment.learner.name in body and calligraphy.title in body
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ENROLLED


def test_removing_twice_is_harmless(client, calligraphy):
    client.login(username="coordinator", password="demo-coordinator")
    enrolment = Enrolment.objects.filter(course=calligraphy).first()
    client.post(f"/enrolment/{enrolment.pk}/withdraw/", {"confirmed": "yes"})
    response = client.post(f"/enrolment/{enrolment.pk}/withdraw/", {"confirmed": "yes"})
    assert response.status_code == 302


def teacher_link_token(course) -> str:
    from classes.courses.join_links import join_link_token

    link = JoinLink.objects.get(course=course, teacher__user__username="teacher_wang", revoked_at__isnull=True)
    return join_link_token(link=link)


@pytest.fixture
def ask_for_teacher_link(client, calligraphy):
    """A coordinator taps "Show the link" for 王书华; the POST's response."""
    from classes.models import Teacher

    client.login(username="coordinator", password="demo-coordinator")
    teacher = Teacher.objects.get(user__username="teacher_wang")
    return client.post(f"/roster/{calligraphy.pk}/teacher/{teacher.pk}/link/")


def test_teacher_link_is_shown_to_the_coordinator(client, calligraphy, ask_for_teacher_link):
    response = client.get(ask_for_teacher_link["Location"])
    assert f"/j/{teacher_link_token(calligraphy)}/" in response.content.decode()


def test_teacher_link_is_shown_only_once(client, calligraphy, ask_for_teacher_link):
    client.get(ask_for_teacher_link["Location"])
    again = client.get(ask_for_teacher_link["Location"])
    assert teacher_link_token(calligraphy) not in again.content.decode()


def readable(morsel) -> str:
    """A cookie as whoever holds the browser reads it: the messages cookie is signed (and may be
    compressed), not encrypted, so its messages are read out too."""
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpRequest

    storage = CookieStorage(HttpRequest())
    if morsel.key != storage.cookie_name:
        return morsel.value
    return morsel.value + "".join(str(message) for message in storage._decode(morsel.value) or [])


def test_teacher_links_token_is_in_no_cookie(client, calligraphy, ask_for_teacher_link):
    shown = client.get(ask_for_teacher_link["Location"])
    token = teacher_link_token(calligraphy)
    cookies = [readable(morsel) for response in (ask_for_teacher_link, shown) for morsel in response.cookies.values()]
    assert not any(token in value for value in cookies)
