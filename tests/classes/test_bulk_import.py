import pytest
from django.core.exceptions import ValidationError

from classes.models import Enrolment, JoinLink, Learner
from classes.courses.services import learners_bulk_preview, learners_bulk_save

pytestmark = pytest.mark.django_db

GOOD = "钱大妈, 139 1234 5678\n孙大爷，13912345679\n"


def test_preview_reads_name_and_phone_separated_by_either_comma():
    rows = learners_bulk_preview(text=GOOD)
    assert [(r.name, r.phone, r.ok) for r in rows] == [("钱大妈", "13912345678", True), ("孙大爷", "13912345679", True)]


def test_preview_flags_a_bad_phone_and_a_line_without_a_number():
    rows = learners_bulk_preview(text="钱大妈, 12345\n孙大爷\n")
    assert [r.ok for r in rows] == [False, False]


def test_preview_flags_a_phone_repeated_in_the_list():
    rows = learners_bulk_preview(text="钱大妈, 13912345678\n钱大妈, 139-1234-5678\n")
    assert rows[1].errors and not rows[0].errors


def test_preview_recognises_a_known_learner():
    rows = learners_bulk_preview(text="刘桂兰, 13800138001")
    assert rows[0].existing == Learner.objects.get(phone="13800138001")


def test_a_list_with_one_broken_line_saves_nothing(calligraphy):
    before = (Learner.objects.count(), Enrolment.objects.count())
    with pytest.raises(ValidationError):
        learners_bulk_save(text=GOOD + "坏行\n", course=calligraphy)
    assert (Learner.objects.count(), Enrolment.objects.count()) == before


def test_saving_a_good_list_enrols_everyone_and_issues_links(calligraphy):
    learners_bulk_save(text=GOOD, course=calligraphy)
    for phone in ("13912345678", "13912345679"):
        assert Enrolment.objects.filter(learner__phone=phone, course=calligraphy).exists()
        assert JoinLink.objects.filter(learner__phone=phone, course=calligraphy, revoked_at__isnull=True).exists()


def test_a_learner_already_in_the_course_is_left_as_is(calligraphy):
    learners_bulk_save(text="刘桂兰, 13800138001", course=calligraphy)
    assert Enrolment.objects.filter(learner__phone="13800138001", course=calligraphy).count() == 1


def test_the_admin_page_is_for_coordinators_only(client):
    client.login(username="teacher_wang", password="demo-teacher")
    assert client.get("/admin/learners/import/").status_code in (302, 403)


def test_coordinator_previews_then_saves_from_the_admin(client, calligraphy):
    client.login(username="coordinator", password="demo-coordinator")
    data = {"lines": GOOD, "course": calligraphy.pk, "pool": "online"}
    preview = client.post("/admin/learners/import/", {**data, "preview": "1"})
    assert preview.context["can_save"] is True
    assert not Learner.objects.filter(phone="13912345678").exists()
    saved = client.post("/admin/learners/import/", {**data, "save": "1"})
    assert saved.status_code == 302
    assert Learner.objects.filter(phone__in=["13912345678", "13912345679"]).count() == 2


def test_admin_save_of_a_broken_list_shows_the_lines_to_fix(client, calligraphy):
    client.login(username="coordinator", password="demo-coordinator")
    response = client.post("/admin/learners/import/", {"lines": GOOD + "坏行", "course": calligraphy.pk,
                                                        "pool": "online", "save": "1"})
    assert response.status_code == 200
    assert response.context["can_save"] is False
    assert not Learner.objects.filter(phone="13912345678").exists()
