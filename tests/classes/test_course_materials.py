"""Course materials: listed on the course page with their kind and size in words, and a
material marked for the course's learners downloaded only by its learners with a seat,
its teachers and coordinators — through Wagtail's document view, never around it."""

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from wagtail.documents import get_document_model

from classes.courses.services import enrolment_create
from classes.models import CourseMaterial, CoursePage, EnrolmentStatus
from core import pagecache

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n% a handout for the tests\n%%EOF\n"


def _document(title: str, name: str, content: bytes = PDF_BYTES):
    return get_document_model().objects.create(title=title, file=ContentFile(content, name=name))


def _material(course, *, title: str, name: str = "handout.pdf", learners_only: bool = False) -> CourseMaterial:
    return CourseMaterial.objects.create(
        course=course, document=_document(title, name), title=title, learners_only=learners_only, sort_order=0
    )


def _download(client, material):
    return client.get(material.document.url)


def _page(client, course) -> str:
    # Sizes keep their number and unit together with a no-break space.
    return client.get(course.url).content.decode().replace("\xa0", " ")


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def public_material(calligraphy):
    return _material(calligraphy, title="第一周讲义")


@pytest.fixture
def learners_material(calligraphy):
    return _material(calligraphy, title="课堂练习纸", name="worksheet.pdf", learners_only=True)


@pytest.fixture
def english_client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def test_the_course_page_gives_a_materials_kind_and_size_in_chinese(zh_client, calligraphy, public_material):
    get_document_model().objects.filter(pk=public_material.document_id).update(file_size=1_258_291)

    page = _page(zh_client, calligraphy)

    assert "第一周讲义" in page
    assert "PDF，1.2 MB" in page


def test_the_course_page_gives_a_materials_kind_and_size_in_english(english_client, calligraphy, public_material):
    get_document_model().objects.filter(pk=public_material.document_id).update(file_size=1_258_291)

    page = _page(english_client, calligraphy)

    assert "PDF, 1.2 MB" in page


def test_a_word_file_is_called_a_word_document(english_client, zh_client, calligraphy):
    material = _material(calligraphy, title="Words to learn", name="words.docx")
    get_document_model().objects.filter(pk=material.document_id).update(file_size=30 * 1024)

    assert "Word document, 30.0 KB" in _page(english_client, calligraphy)
    assert "Word 文档，30.0 KB" in _page(zh_client, calligraphy)


def test_a_download_block_in_the_body_shows_kind_and_size_too(zh_client, calligraphy):
    document = _document("书写示范", "demo.pdf")
    get_document_model().objects.filter(pk=document.pk).update(file_size=2048)
    calligraphy.body.append(("material", {"document": document, "title": "下载书写示范", "description": ""}))
    calligraphy.save_revision().publish()

    page = _page(zh_client, calligraphy)

    assert "下载书写示范" in page
    assert "PDF，2.0 KB" in page


def test_a_learners_only_material_is_listed_to_a_visitor_with_how_to_get_in(zh_client, calligraphy,
                                                                             learners_material):
    page = _page(zh_client, calligraphy)

    assert "课堂练习纸" in page
    assert "只限本班学员" in page
    assert "请用您的专属链接打开这一页" in page


def test_an_enrolled_learner_is_not_told_how_to_get_in(zh_client, calligraphy, learners_material, learner,
                                                       open_link):
    enrolment_create(learner=learner, course=calligraphy)
    open_link(calligraphy, learner=learner)

    page = _page(zh_client, calligraphy)

    assert "课堂练习纸" in page
    assert "请用您的专属链接打开这一页" not in page


def test_a_public_material_downloads_for_a_visitor(client, public_material):
    response = _download(client, public_material)

    assert response.status_code == 200
    assert _body(response) == PDF_BYTES


def test_a_learners_only_material_downloads_for_an_enrolled_learner(client, calligraphy, learners_material,
                                                                    learner, open_link):
    enrolment_create(learner=learner, course=calligraphy)
    open_link(calligraphy, learner=learner)

    response = _download(client, learners_material)

    assert response.status_code == 200
    assert _body(response) == PDF_BYTES


def test_a_learners_only_material_downloads_for_a_teacher_of_the_course(client, learners_material):
    client.login(username="teacher_wang", password="demo-teacher")  # teaches calligraphy

    assert _download(client, learners_material).status_code == 200


def test_a_learners_only_material_downloads_for_a_coordinator(client, learners_material):
    client.login(username="coordinator", password="demo-coordinator")

    assert _download(client, learners_material).status_code == 200


def test_a_learners_only_material_is_refused_to_a_visitor_in_chinese(zh_client, calligraphy, learners_material):
    response = _download(zh_client, learners_material)

    assert response.status_code == 403
    page = response.content.decode()
    assert "只限本班学员" in page
    assert "爱尚书法" in page
    assert PDF_BYTES.decode() not in page


def test_a_learners_only_material_is_refused_to_a_learner_of_another_course(client, learners_material, learner,
                                                                            open_link):
    abc = CoursePage.objects.get(slug="learn-abc")
    enrolment_create(learner=learner, course=abc)
    open_link(abc, learner=learner)

    assert _download(client, learners_material).status_code == 403


def test_a_learners_only_material_is_refused_to_a_teacher_of_another_course(client, learners_material):
    client.login(username="teacher_li", password="demo-teacher")  # teaches 学会ABC, not calligraphy

    assert _download(client, learners_material).status_code == 403


def test_a_learners_only_material_is_refused_to_a_waitlisted_learner(client, calligraphy, learners_material,
                                                                     learner, open_link):
    CoursePage.objects.filter(pk=calligraphy.pk).update(online_seats=0)
    calligraphy.refresh_from_db()
    enrolment = enrolment_create(learner=learner, course=calligraphy)
    assert enrolment.status == EnrolmentStatus.WAITLISTED
    open_link(calligraphy, learner=learner)

    assert _download(client, learners_material).status_code == 403


def test_a_materials_file_is_refused_at_its_media_address(client, learners_material):
    name = learners_material.document.file.name
    assert name.startswith("documents/")

    assert client.get(f"/media/{name}").status_code == 404
    assert client.get(f"/media/images/../{name}").status_code == 404


def test_other_media_is_still_served_at_its_media_address(client, calligraphy):
    photo = calligraphy.teachers.first().photo

    assert client.get(f"/media/{photo.file.name}").status_code == 200


def test_a_material_saved_shows_on_the_cached_course_page_at_once(monkeypatch, calligraphy):
    monkeypatch.setattr(pagecache, "_minute", lambda: 0)
    visitor = Client(HTTP_ACCEPT_LANGUAGE="zh-CN")
    visitor.get(calligraphy.url)
    assert visitor.get(calligraphy.url)["X-Page-Cache"] == "hit"

    _material(calligraphy, title="新到的讲义")
    response = visitor.get(calligraphy.url)

    assert response["X-Page-Cache"] == "miss"
    assert "新到的讲义" in response.content.decode()


def test_the_course_editor_has_the_materials_panel(client, calligraphy, public_material):
    client.login(username="coordinator", password="demo-coordinator")

    response = client.get(f"/admin/pages/{calligraphy.pk}/edit/")

    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="id_materials-TOTAL_FORMS"' in page
    assert 'value="第一周讲义"' in page
