"""Learners' works: the photo is checked by its content and cleaned, a child's work is
public only with the guardian's standing consent, the course's teachers decide, and
nothing unapproved or unconsented reaches a public page, the search or an image address."""

import io
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image
from wagtail.images.models import Image as WagtailImage
from wagtail.images.models import Rendition

from classes.courses.join_links import token_hash
from classes.courses.people import course_person
from classes.courses.services import enrolment_create
from classes.models import CoursePage, Learner
from classes.notifications.sms import LogSMSBackend
from core import pagecache
from volunteers.models import Initiative, LearnerWork, WorkConsent, WorkStatus
from volunteers.selectors.works import works_public
from volunteers.services import works as services

THIS_MODULE = "tests.volunteers.test_works"
EXIF_ORIENTATION = 0x0112
ROTATE_CLOCKWISE = 6
GPS_IFD = 0x8825

pytestmark = pytest.mark.django_db


class RecordingSMSBackend:
    sent: list[tuple[str, str]] = []

    def send(self, *, phone: str, text: str) -> None:
        self.sent.append((phone, text))


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Files land in this test's own folders, so "nothing stored" can be checked."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def sms(settings):
    settings.SMS_BACKEND = f"{THIS_MODULE}.RecordingSMSBackend"
    RecordingSMSBackend.sent = []
    return RecordingSMSBackend.sent


@pytest.fixture
def en_client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def user(username: str):
    return get_user_model().objects.get(username=username)


@pytest.fixture
def painting(db):
    return CoursePage.objects.get(slug="children-painting")  # taught by teacher_li


@pytest.fixture
def child(painting):
    learner = Learner.objects.create(name="钱小花", phone="13600990001", birth_year=timezone.localdate().year - 9,
                                     guardian_name="钱妈妈", guardian_phone="13900990001")
    enrolment_create(learner=learner, course=painting)
    return learner


@pytest.fixture
def adult(calligraphy):
    learner = Learner.objects.create(name="孙大伟", phone="13600990002", birth_year=1950)
    enrolment_create(learner=learner, course=calligraphy)
    return learner


@pytest.fixture
def teacher_li(painting):
    return course_person(course=painting, learner=None, user=user("teacher_li"))


@pytest.fixture
def teacher_wang(calligraphy):
    return course_person(course=calligraphy, learner=None, user=user("teacher_wang"))


def png_bytes(size=(120, 80), colour=(30, 120, 60), mode="RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def phone_photo_bytes() -> bytes:
    """Pixels stored sideways (left red, right blue), EXIF orientation 6, and a GPS position."""
    image = Image.new("RGB", (800, 400), (220, 20, 20))
    image.paste((20, 20, 220), (400, 0, 800, 400))
    exif = Image.Exif()
    exif[EXIF_ORIENTATION] = ROTATE_CLOCKWISE
    exif[GPS_IFD] = {1: "N", 2: (39.0, 54.0, 27.0)}
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def upload(data: bytes, name: str = "work.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def send(person, learner, *, data=None, name="work.png", title="小鸟", token="token-0000000000000001", **fields):
    fields.setdefault("adult_agreed", True)
    fields.setdefault("display_name", "")
    return services.work_upload(uploader=person, learner=learner, title=title, picture=upload(data or png_bytes(), name),
                                upload_token=token, **fields)


def stored(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# ---------------------------------------------------------------- the photo


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_stored(teacher_wang, adult, media_root):
    with pytest.raises(ValidationError) as refused:
        send(teacher_wang, adult, data=b"%PDF-1.4 not a picture at all", name="work.pdf")
    assert refused.value.code == "not_image"
    assert not LearnerWork.objects.filter(learner=adult).exists()
    assert stored(media_root) == []


def test_a_fake_image_with_an_image_extension_is_refused(teacher_wang, adult, media_root):
    with pytest.raises(ValidationError) as refused:
        send(teacher_wang, adult, data=b"\xff\xd8\xff\xe0 just some bytes pretending", name="photo.jpg")
    assert refused.value.code == "not_image"
    assert stored(media_root) == []


def test_an_image_with_a_wrong_extension_is_read_by_its_content(teacher_wang, adult):
    work, created = send(teacher_wang, adult, data=png_bytes(), name="scan.pdf")
    assert created
    with work.picture.open("rb") as kept:
        assert Image.open(kept).format == "JPEG"
    assert work.picture.name.endswith(".jpg")


def test_a_gif_is_refused_although_pillow_reads_it(teacher_wang, adult):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), (1, 2, 3)).save(buffer, format="GIF")
    with pytest.raises(ValidationError) as refused:
        send(teacher_wang, adult, data=buffer.getvalue(), name="work.gif")
    assert refused.value.code == "not_image"


def test_an_image_of_too_many_pixels_is_refused_before_it_is_decoded(teacher_wang, adult, media_root):
    # 1-bit and all white: a few kilobytes on the wire, 42 megapixels once decoded.
    huge = png_bytes(size=(7000, 6000), colour=1, mode="1")
    assert len(huge) < 200_000
    with pytest.raises(ValidationError) as refused:
        send(teacher_wang, adult, data=huge)
    assert refused.value.code == "image_too_large"
    assert stored(media_root) == []


def test_a_photo_over_the_byte_cap_is_refused(teacher_wang, adult, media_root):
    too_big = png_bytes() + b"\x00" * services.WORK_MAX_BYTES
    with pytest.raises(ValidationError) as refused:
        send(teacher_wang, adult, data=too_big)
    assert refused.value.code == "image_too_large"
    assert stored(media_root) == []


def test_exif_orientation_is_applied_and_no_exif_or_gps_is_kept(teacher_wang, adult):
    work, _created = send(teacher_wang, adult, data=phone_photo_bytes(), name="IMG_0001.JPG")
    with work.picture.open("rb") as kept:
        picture = Image.open(kept)
        picture.load()
    assert picture.size == (400, 800)  # upright: taller than wide
    top, bottom = picture.getpixel((200, 20)), picture.getpixel((200, 780))
    assert top[0] > 150 and top[2] < 100  # the red half is on top after a clockwise turn
    assert bottom[2] > 150 and bottom[0] < 100
    assert not picture.getexif()
    assert "exif" not in picture.info


def test_a_transparent_png_is_laid_on_white_not_black(teacher_wang, adult):
    clear = png_bytes(size=(60, 60), colour=(0, 0, 0, 0), mode="RGBA")
    work, _created = send(teacher_wang, adult, data=clear)
    with work.picture.open("rb") as kept:
        assert min(Image.open(kept).convert("RGB").getpixel((30, 30))) > 245


def test_a_large_photo_is_kept_at_most_2400_pixels_long(teacher_wang, adult):
    work, _created = send(teacher_wang, adult, data=png_bytes(size=(4000, 1000)))
    with work.picture.open("rb") as kept:
        assert Image.open(kept).size == (2400, 600)


def test_the_processed_picture_is_private_until_public(teacher_wang, adult, client):
    work, _created = send(teacher_wang, adult)
    assert work.picture.url.startswith("/works/picture/")
    assert client.get(work.picture.url).status_code == 404
    assert work.public_image is None


# ---------------------------------------------------------------- the form's words


def test_an_empty_title_is_refused(teacher_wang, adult):
    with pytest.raises(ValidationError) as refused:
        send(teacher_wang, adult, title="   ")
    assert "title" in refused.value.message_dict


def test_an_over_long_title_is_refused(teacher_wang, adult):
    with pytest.raises(ValidationError) as refused:
        send(teacher_wang, adult, title="长" * 41)
    assert refused.value.message_dict["title"] == ["The title can be at most 40 characters."]


def test_a_title_is_trimmed(teacher_wang, adult):
    work, _created = send(teacher_wang, adult, title="  春  风  ")
    assert work.title == "春 风"


def test_a_childs_full_name_is_never_the_public_name(teacher_li, child, sms):
    with pytest.raises(ValidationError) as refused:
        send(teacher_li, child, display_name="钱小花")
    assert "display_name" in refused.value.message_dict


def test_the_public_name_defaults_to_the_first_character_only(teacher_li, child, sms):
    work, _created = send(teacher_li, child)
    assert work.display_name == "Learner 钱"


def test_an_adults_work_needs_the_uploader_to_confirm_the_learner_agreed(teacher_wang, adult):
    with pytest.raises(ValidationError) as refused:
        send(teacher_wang, adult, adult_agreed=False)
    assert "adult_agreed" in refused.value.message_dict


def test_an_initiative_of_another_course_is_refused(teacher_wang, adult, painting):
    other = Initiative.objects.create(title="别班的倡议", summary="…", course=painting, published=True)
    with pytest.raises(ValidationError) as refused:
        send(teacher_wang, adult, initiative=other)
    assert "initiative" in refused.value.message_dict


# ---------------------------------------------------------------- who may send


def test_a_learner_cannot_send_a_work_as_another_learner(calligraphy, adult, make_learner):
    classmate = make_learner("同班同学")
    enrolment_create(learner=classmate, course=calligraphy)
    with pytest.raises(PermissionDenied):
        send(course_person(course=calligraphy, learner=adult, user=None), classmate)


def test_a_teacher_cannot_send_for_a_learner_of_another_course(teacher_wang, child):
    with pytest.raises(PermissionDenied):
        send(teacher_wang, child)


def test_a_learner_of_another_course_is_refused_by_the_upload_page(client, open_link, calligraphy, painting, adult):
    open_link(calligraphy, learner=adult)
    response = client.post(f"/works/course/{painting.pk}/send/", {
        "picture": upload(png_bytes()), "title": "偷偷上传", "upload_token": "token-0000000000000002"})
    assert response.status_code == 403
    assert not LearnerWork.objects.filter(course=painting, title="偷偷上传").exists()


def test_a_learner_sends_their_own_work_from_the_upload_page(client, open_link, calligraphy, adult):
    open_link(calligraphy, learner=adult)
    response = client.post(f"/works/course/{calligraphy.pk}/send/", {
        "picture": upload(png_bytes()), "title": "兰亭", "display_name": "孙老师", "adult_agreed": "on",
        "upload_token": "token-0000000000000003"})
    assert response.status_code == 302
    work = LearnerWork.objects.get(upload_token="token-0000000000000003")
    assert (work.learner, work.course, work.uploaded_by, work.status) == (adult, calligraphy, None, WorkStatus.PENDING)


def test_a_double_submit_makes_one_work(client, open_link, calligraphy, adult):
    open_link(calligraphy, learner=adult)
    for _tap in range(2):
        response = client.post(f"/works/course/{calligraphy.pk}/send/", {
            "picture": upload(png_bytes()), "title": "兰亭", "adult_agreed": "on",
            "upload_token": "token-0000000000000004"})
        assert response.status_code == 302
    assert LearnerWork.objects.filter(upload_token="token-0000000000000004").count() == 1


def test_the_upload_page_has_one_big_camera_button(client, open_link, calligraphy, adult):
    open_link(calligraphy, learner=adult)
    page = client.get(f"/works/course/{calligraphy.pk}/send/").content.decode()
    assert page.count('type="file"') == 1
    assert 'accept="image/*"' in page and 'capture="environment"' in page
    assert 'enctype="multipart/form-data"' in page


def test_a_bad_photo_on_the_upload_page_says_why_in_chinese(zh_client, open_link, calligraphy, adult):
    open_link(calligraphy, learner=adult)
    response = zh_client.post(f"/works/course/{calligraphy.pk}/send/", {
        "picture": upload(b"not an image", "a.jpg"), "title": "兰亭", "adult_agreed": "on",
        "upload_token": "token-0000000000000005"})
    assert response.status_code == 400
    assert "请发送照片" in response.content.decode()
    assert not LearnerWork.objects.filter(upload_token="token-0000000000000005").exists()


# ---------------------------------------------------------------- consent


@pytest.fixture
def child_work(teacher_li, child, sms, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        work, _created = send(teacher_li, child, display_name="钱同学", token="token-child-0000000001")
    return work


def consent_path(work) -> str:
    return f"/works/consent/{services.work_consent_token(work=work)}/"


def withdraw_path(work) -> str:
    return f"/works/withdraw/{services.work_withdraw_token(work=work)}/"


def test_a_childs_work_texts_the_guardian_a_consent_link(child_work, sms):
    assert len(sms) == 1
    phone, text = sms[0]
    assert phone == "13900990001"
    assert consent_path(child_work) in text and withdraw_path(child_work) in text


def test_only_the_hash_of_a_consent_token_is_stored(child_work):
    token = services.work_consent_token(work=child_work)
    assert child_work.consent_token_hash == token_hash(token)
    assert token not in child_work.consent_token_hash


def test_a_childs_approved_work_without_consent_is_not_public(child_work, teacher_li, client):
    services.work_approve(work=child_work, by=teacher_li)
    child_work.refresh_from_db()
    assert child_work.public_image is None
    assert child_work not in works_public()
    assert "钱同学" not in client.get(f"/works/course/{child_work.course_id}/").content.decode()


def test_consent_and_approval_make_the_work_public_in_the_works_collection(child_work, teacher_li, client):
    assert client.post(consent_path(child_work), {"answer": "yes"}).status_code == 200
    services.work_approve(work=child_work, by=teacher_li)
    child_work.refresh_from_db()
    assert child_work.consent == WorkConsent.GIVEN
    assert (child_work.consent_guardian_name, child_work.consent_guardian_phone) == ("钱妈妈", "13900990001")
    assert child_work.consent_at is not None and "link sent to their phone" in child_work.consent_how
    assert child_work.public_image.collection.name == services.PUBLIC_COLLECTION_NAME
    page = client.get(f"/works/course/{child_work.course_id}/").content.decode()
    assert "钱同学" in page and "钱小花" not in page


def test_the_consent_page_shows_the_work_and_two_answers(child_work, en_client):
    page = en_client.get(consent_path(child_work)).content.decode()
    assert "Agree to show it" in page and "Do not agree" in page and "钱同学" in page
    assert en_client.get(consent_path(child_work) + "picture/").status_code == 200


def test_a_consent_link_used_twice_says_already_answered(child_work, en_client):
    en_client.post(consent_path(child_work), {"answer": "yes"})
    again = en_client.post(consent_path(child_work), {"answer": "no"})
    assert "Already answered" in again.content.decode()
    child_work.refresh_from_db()
    assert child_work.consent == WorkConsent.GIVEN


def test_a_consent_link_answers_only_for_its_own_work(child_work, teacher_li, child, client):
    other, _created = send(teacher_li, child, title="另一幅", display_name="钱同学", token="token-child-0000000002")
    client.post(consent_path(child_work), {"answer": "yes"})
    other.refresh_from_db()
    assert other.consent == WorkConsent.ASKED


def test_a_made_up_consent_link_changes_nothing(child_work, client):
    response = client.post("/works/consent/abcdefghijklmnopqrstuvwxyz/", {"answer": "yes"})
    assert response.status_code == 404
    child_work.refresh_from_db()
    assert child_work.consent == WorkConsent.ASKED


def test_someone_else_opening_the_consent_picture_of_another_work_gets_nothing(child_work, teacher_wang, adult, client):
    adults_work, _created = send(teacher_wang, adult, token="token-adult-0000000001")
    assert client.get(adults_work.picture.url).status_code == 404
    assert client.get(consent_path(child_work) + "picture/").status_code == 200
    assert client.get("/works/consent/abcdefghijklmnopqrstuvwxyz/picture/").status_code == 404


def test_an_expired_consent_link_is_refused(child_work, en_client):
    LearnerWork.objects.filter(pk=child_work.pk).update(consent_expires_at=timezone.now() - timedelta(minutes=1))
    response = en_client.post(consent_path(child_work), {"answer": "yes"})
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()
    child_work.refresh_from_db()
    assert child_work.consent == WorkConsent.ASKED


def test_withdrawal_hides_the_work_at_once_and_deletes_its_image_and_renditions(
        child_work, teacher_li, client, django_capture_on_commit_callbacks, settings):
    client.post(consent_path(child_work), {"answer": "yes"})
    services.work_approve(work=child_work, by=teacher_li)
    child_work.refresh_from_db()
    image = child_work.public_image
    rendition = image.get_rendition("width-360")
    files = [settings.MEDIA_ROOT / image.file.name, settings.MEDIA_ROOT / rendition.file.name]
    assert all(path.exists() for path in files)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(withdraw_path(child_work))
    assert response.status_code == 200
    child_work.refresh_from_db()
    assert child_work.consent == WorkConsent.WITHDRAWN and child_work.public_image is None
    assert not WagtailImage.objects.filter(pk=image.pk).exists()
    assert not Rendition.objects.filter(image_id=image.pk).exists()
    assert not any(path.exists() for path in files)
    assert child_work not in works_public()


def test_the_withdraw_link_keeps_working_after_consent(child_work, client):
    client.post(consent_path(child_work), {"answer": "yes"})
    assert client.get(withdraw_path(child_work)).status_code == 200
    client.post(withdraw_path(child_work))
    assert client.get(withdraw_path(child_work)).status_code == 200


# ---------------------------------------------------------------- moderation


def test_only_the_courses_teachers_and_coordinators_can_moderate(child_work, calligraphy, teacher_wang):
    painting = child_work.course
    volunteer = course_person(course=painting, learner=None, user=user("volunteer"))
    for outsider in (teacher_wang, volunteer, course_person(course=painting, learner=child_work.learner, user=None)):
        with pytest.raises(PermissionDenied):
            services.work_approve(work=child_work, by=outsider)
    coordinator = course_person(course=painting, learner=None, user=user("coordinator"))
    assert services.work_approve(work=child_work, by=coordinator).status == WorkStatus.APPROVED


def test_another_courses_teacher_is_refused_on_the_approve_button(child_work, client):
    client.force_login(user("teacher_wang"))
    assert client.post(f"/works/{child_work.pk}/approve/").status_code == 403
    child_work.refresh_from_db()
    assert child_work.status == WorkStatus.PENDING


def test_the_moderation_page_lists_the_teachers_pending_works_only(child_work, teacher_wang, adult, client):
    adults_work, _created = send(teacher_wang, adult, title="别班的字", token="token-adult-0000000002")
    client.force_login(user("teacher_li"))
    page = client.get("/works/check/").content.decode()
    assert child_work.title in page and adults_work.title not in page
    assert client.get(child_work.picture.url).status_code == 200
    assert client.get(adults_work.picture.url).status_code == 404


def test_the_teachers_classes_page_links_to_the_moderation_page(client):
    client.force_login(user("teacher_li"))
    assert 'href="/works/check/"' in client.get("/my/").content.decode()


def test_rejecting_a_public_work_later_hides_it(teacher_wang, adult, client):
    work, _created = send(teacher_wang, adult, token="token-adult-0000000003")
    services.work_approve(work=work, by=teacher_wang)
    work.refresh_from_db()
    image_pk = work.public_image_id
    assert image_pk is not None
    client.force_login(user("teacher_wang"))
    client.post(f"/works/{work.pk}/reject/", {"reason": "照片太暗"})
    work.refresh_from_db()
    assert (work.status, work.reject_reason, work.public_image_id) == (WorkStatus.REJECTED, "照片太暗", None)
    assert not WagtailImage.objects.filter(pk=image_pk).exists()


def test_deleting_a_public_work_deletes_its_image(teacher_wang, adult):
    work, _created = send(teacher_wang, adult, token="token-adult-0000000004")
    services.work_approve(work=work, by=teacher_wang)
    work.refresh_from_db()
    image_pk = work.public_image_id
    work.delete()
    assert not WagtailImage.objects.filter(pk=image_pk).exists()


# ---------------------------------------------------------------- nothing leaks


@pytest.fixture
def unseen_works(teacher_li, teacher_wang, child, adult, sms):
    """A pending adult's work, a rejected one, and a child's approved work without consent,
    all sent for one initiative."""
    initiative = Initiative.objects.create(title="书画迎春", summary="迎春作品。", published=True)
    pending, _ = send(teacher_wang, adult, title="待审核作品", initiative=initiative, token="token-unseen-00000001")
    rejected, _ = send(teacher_wang, adult, title="未通过作品", initiative=initiative, token="token-unseen-00000002")
    services.work_reject(work=rejected, by=teacher_wang)
    unconsented, _ = send(teacher_li, child, title="未同意作品", display_name="钱同学", initiative=initiative,
                          token="token-unseen-00000003")
    services.work_approve(work=unconsented, by=teacher_li)
    return initiative, [pending, rejected, unconsented]


def test_unseen_works_are_absent_from_gallery_initiative_and_search(unseen_works, client):
    initiative, works = unseen_works
    pages = [client.get(f"/works/course/{work.course_id}/").content.decode() for work in works]
    pages.append(client.get(f"/initiatives/{initiative.pk}/").content.decode())
    pages.append(client.get("/search/", {"q": "作品"}).content.decode())
    for page in pages:
        for work in works:
            assert work.title not in page
            assert work.picture.name not in page
    assert all(work.public_image_id is None for work in works)
    assert not WagtailImage.objects.filter(title__in=[work.title for work in works]).exists()


def test_an_approved_adults_work_is_in_its_course_gallery_and_initiative_page(teacher_wang, adult, client):
    initiative = Initiative.objects.create(title="书画迎春", summary="迎春作品。", published=True)
    work, _created = send(teacher_wang, adult, title="迎春", display_name="孙老师", initiative=initiative,
                          token="token-shown-000000001")
    services.work_approve(work=work, by=teacher_wang)
    for path in (f"/works/course/{work.course_id}/", f"/initiatives/{initiative.pk}/"):
        page = client.get(path).content.decode()
        assert "迎春" in page and "孙老师" in page and "srcset=" in page


def test_an_unpublished_initiative_has_no_page(client):
    draft = Initiative.objects.create(title="草稿", summary="…", published=False)
    assert client.get(f"/initiatives/{draft.pk}/").status_code == 404


def test_the_home_page_links_each_initiative_to_its_page(client):
    initiative = Initiative.objects.get(title="致敬白衣天使")
    assert f'href="/initiatives/{initiative.pk}/"' in client.get("/").content.decode()


def test_the_course_page_links_to_its_gallery_once_it_has_public_works(client, calligraphy):
    assert f'href="/works/course/{calligraphy.pk}/"' in client.get(calligraphy.url).content.decode()


def test_consent_tokens_are_kept_out_of_the_sms_log(child_work, caplog):
    token = services.work_consent_token(work=child_work)
    with caplog.at_level("INFO"):
        LogSMSBackend().send(phone="13900990001", text=f"open http://x{consent_path(child_work)}")
    assert token not in caplog.text and "/works/consent/[token]" in caplog.text


def test_a_cached_gallery_page_is_never_served_after_a_withdrawal(
        child_work, teacher_li, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(pagecache, "_minute", lambda: 0)
    guardian, visitor = Client(), Client()
    guardian.post(consent_path(child_work), {"answer": "yes"})
    services.work_approve(work=child_work, by=teacher_li)
    gallery = f"/works/course/{child_work.course_id}/"
    visitor.get(gallery)
    cached = visitor.get(gallery)
    assert cached["X-Page-Cache"] == "hit" and child_work.title in cached.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        guardian.post(withdraw_path(child_work))
    after = visitor.get(gallery)

    assert after["X-Page-Cache"] == "miss"
    assert child_work.title not in after.content.decode()


def test_a_volunteer_finds_the_upload_page_of_the_course_they_help(client):
    helped = CoursePage.objects.get(slug="chinese-painting")  # the demo volunteer's course
    client.force_login(user("volunteer"))
    page = client.get("/volunteer/").content.decode()
    assert f'href="/works/course/{helped.pk}/send/"' in page
    assert client.get(f"/works/course/{helped.pk}/send/").status_code == 200


def test_a_learners_classes_page_links_to_sending_a_work(client, open_link, calligraphy, adult):
    open_link(calligraphy, learner=adult)
    assert f'href="/works/course/{calligraphy.pk}/send/"' in client.get("/my/").content.decode()


def test_a_picture_address_no_picture_could_have_is_not_found(client):
    assert client.get("/works/picture/works/a\x00b.jpg").status_code == 404
