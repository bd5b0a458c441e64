import base64
from datetime import timedelta

import pytest
from django.utils import timezone

from classes.models import ClassSession, CoursePage, JoinLink, Learner, Teacher
from classes.courses.join_links import LINK_GRACE, join_link_ensure, join_link_issue, join_link_token, token_hash
from core.logs import redact_tokens

pytestmark = pytest.mark.django_db


@pytest.fixture
def liu():
    return Learner.objects.get(phone="13800138001")  # enrolled in 爱尚书法 and 学会ABC


def test_token_carries_at_least_128_bits(calligraphy, liu):
    token = join_link_token(link=join_link_ensure(course=calligraphy, learner=liu))
    raw = base64.b32decode(token.upper() + "=" * (-len(token) % 8))
    assert len(raw) * 8 >= 128


def test_token_is_stored_only_as_a_hash(calligraphy, liu):
    link = join_link_ensure(course=calligraphy, learner=liu)
    token = join_link_token(link=link)
    stored = JoinLink.objects.filter(pk=link.pk).values().get()
    assert token not in " ".join(str(value) for value in stored.values())
    assert stored["token_hash"] == token_hash(token)


def test_opening_a_link_lands_on_my_classes_without_the_token(client, calligraphy, liu, open_link):
    response = open_link(calligraphy, learner=liu)
    assert response.status_code == 302
    assert response["Location"] == "/my/"
    assert response["Referrer-Policy"] == "no-referrer"


def test_my_classes_shows_the_learners_courses_with_the_next_class(client, calligraphy, liu, open_link):
    open_link(calligraphy, learner=liu)
    response = client.get("/my/")
    titles = [row.enrolment.course.title for row in response.context["rows"]]
    assert sorted(titles) == ["学会ABC", "爱尚书法"]
    assert all(row.next_session for row in response.context["rows"])


def test_a_typed_link_with_dashes_and_capitals_works(client, calligraphy, liu):
    token = join_link_token(link=join_link_ensure(course=calligraphy, learner=liu))
    typed = "-".join(token[i:i + 4] for i in range(0, len(token), 4)).upper()
    assert client.get(f"/j/{typed}/")["Location"] == "/my/"


def test_a_wrong_link_gets_a_friendly_page_with_the_help_number(client, settings):
    response = client.get("/j/abcdefghijklmnopqrstuvwxyz/")
    assert response.status_code == 404
    assert settings.CENTRE_HELP_PHONE in response.content.decode()
    assert "_auth_user_id" not in client.session and "learner_join_link" not in client.session


def test_a_revoked_link_no_longer_opens(client, calligraphy, liu):
    old = join_link_ensure(course=calligraphy, learner=liu)
    old_token = join_link_token(link=old)
    join_link_issue(course=calligraphy, learner=liu)
    response = client.get(f"/j/{old_token}/")
    assert response.status_code == 404
    assert response.context["problem"] == "revoked"


def test_revoking_a_link_ends_the_session_it_opened(client, calligraphy, liu, open_link):
    open_link(calligraphy, learner=liu)
    join_link_issue(course=calligraphy, learner=liu)
    response = client.get("/my/")
    assert "learner" not in response.context or response.context.get("rows") is None


def test_a_link_of_a_finished_term_has_expired(client, calligraphy, liu):
    token = join_link_token(link=join_link_ensure(course=calligraphy, learner=liu))
    CoursePage.objects.filter(pk=calligraphy.pk).update(term_end=timezone.localdate() - timedelta(days=30))
    response = client.get(f"/j/{token}/")
    assert response.context["problem"] == "expired"


def test_the_same_link_works_again_next_week(client, calligraphy, liu):
    token = join_link_token(link=join_link_ensure(course=calligraphy, learner=liu))
    client.get(f"/j/{token}/")
    client.logout()
    assert client.get(f"/j/{token}/")["Location"] == "/my/"


def test_an_open_session_still_signs_in_on_the_last_day_after_the_term(client, calligraphy, liu, open_link):
    open_link(calligraphy, learner=liu)
    CoursePage.objects.filter(pk=calligraphy.pk).update(term_end=timezone.localdate() - LINK_GRACE)

    assert client.get("/my/").context["learner"] == liu


def test_an_open_session_no_longer_signs_in_once_the_week_after_the_term_is_over(client, calligraphy, liu, open_link):
    open_link(calligraphy, learner=liu)
    CoursePage.objects.filter(pk=calligraphy.pk).update(term_end=timezone.localdate() - LINK_GRACE - timedelta(days=1))

    assert "classes/not_signed_in.html" in [template.name for template in client.get("/my/").templates]


def test_learner_session_outlasts_the_term(client, calligraphy, liu, open_link):
    open_link(calligraphy, learner=liu)
    assert client.session.get_expiry_date().date() > calligraphy.term_end


def test_learner_reaches_the_page_of_their_own_class(client, calligraphy, liu, open_link):
    open_link(calligraphy, learner=liu)
    session = ClassSession.objects.filter(course=calligraphy).first()
    assert client.get(f"/class/{session.pk}/").status_code == 200


def test_learner_cannot_open_a_class_of_another_course(client, calligraphy, liu, open_link):
    open_link(calligraphy, learner=liu)
    painting = ClassSession.objects.filter(course__slug="chinese-painting").first()
    response = client.get(f"/class/{painting.pk}/")
    assert response.status_code == 403
    assert "这节课不在您的课程里" in response.content.decode()


def test_a_learner_on_the_waiting_list_cannot_open_the_class_yet(client, make_learner, open_link):
    from classes.courses.services import enrolment_create

    course = CoursePage.objects.get(slug="children-painting")
    course.online_seats = 1
    course.save()
    waiting = make_learner()
    assert enrolment_create(learner=waiting, course=course).status == "waitlisted"
    open_link(course, learner=waiting)
    session = ClassSession.objects.filter(course=course).first()
    assert client.get(f"/class/{session.pk}/").status_code == 403


def test_teacher_link_signs_the_teacher_in_to_their_classes(client, calligraphy, open_link):
    teacher = Teacher.objects.get(user__username="teacher_wang")
    open_link(calligraphy, teacher=teacher)
    response = client.get("/my/")
    assert response.wsgi_request.user.username == "teacher_wang"
    assert {course.slug for course, _next in response.context["rows"]} == {"calligraphy", "chinese-painting"}


def test_a_new_link_on_the_same_phone_replaces_the_previous_person(client, calligraphy, liu, open_link):
    teacher = Teacher.objects.get(user__username="teacher_wang")
    open_link(calligraphy, teacher=teacher)
    open_link(calligraphy, learner=liu)
    response = client.get("/my/")
    assert not response.wsgi_request.user.is_authenticated
    assert response.context["learner"] == liu


def test_many_wrong_links_from_one_address_are_slowed_down(client):
    statuses = [client.get(f"/j/guess{n:04d}aaaaaaaaaaaaaaaaaaaaa/").status_code for n in range(25)]
    assert statuses[0] == 404 and statuses[-1] == 429


def test_tokens_never_reach_the_logs():
    line = '127.0.0.1 - - "GET /j/gp4ip3nwq64rishecfcsj5rb34/ HTTP/1.1" 302'
    assert "gp4ip3" not in redact_tokens(line)


def test_not_signed_in_my_classes_explains_how_to_get_in(client):
    response = client.get("/my/")
    assert response.status_code == 200
    assert "二维码" in response.content.decode()


def test_calendar_feed_tokens_are_removed_from_log_lines():
    line = 'GET /calendar/abcd1234efgh5678.ics HTTP/1.1" 200'
    assert "abcd1234efgh5678" not in redact_tokens(line)
