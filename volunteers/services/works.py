"""Learners' works: the upload on a learner's behalf, the guardian's consent for a child's
work, the teacher's decision, and the copy in the image library that exists exactly while
the work is public.

A work is public only when a teacher of its course approved it and, for a child, the
guardian agreed and has not withdrawn. Every change that can alter that ends with
`_work_save`, in the same transaction, so the public copy (and every size of it
Wagtail made) goes at once when the work stops being public.
"""

import io
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from wagtail.images.models import Image
from wagtail.models import Collection

from classes.courses.join_cards import site_url
from classes.courses.join_links import token_for, token_hash
from classes.courses.people import CoursePerson
from classes.groups.media import picture_jpeg, picture_upright
from classes.models import CoursePage, EnrolmentStatus, Learner, RoomRole
from classes.notifications.sms import get_sms_backend
from volunteers.models import (
    WORK_DISPLAY_NAME_MAX,
    WORK_TITLE_MAX,
    Initiative,
    LearnerWork,
    WorkConsent,
    WorkStatus,
)

logger = logging.getLogger(__name__)

# A phone photo is 3–8 MB; a scan of a large scroll may be more. Above this it is not a photo.
WORK_MAX_BYTES = 20 * 1024 * 1024
# Every phone camera is under this; a larger picture is a decompression bomb, not a painting.
WORK_MAX_PIXELS = 40_000_000
WORK_FORMATS = {"JPEG", "PNG", "WEBP"}
# Sharp on a large desktop screen and in print on A4, yet a few hundred kilobytes.
WORK_LONG_SIDE = 2400
WORK_JPEG_QUALITY = 88
# Under 18 by the birth year: a child's work needs the guardian's consent.
ADULT_AGE = 18
# Long enough for a family to talk it over on the weekend; a late answer asks for a new link.
CONSENT_LINK_DAYS = 14
CONSENT_SALT = "volunteers.work_consent"
WITHDRAW_SALT = "volunteers.work_withdraw"
PUBLIC_COLLECTION_NAME = "学员作品"


def learner_is_child(*, learner: Learner, today=None) -> bool:
    """Under 18 this year by the birth year; with no birth year on record, an adult (the
    centre records a birth year for every child it signs up, with the guardian)."""
    if learner.birth_year is None:
        return False
    today = today or timezone.localdate()
    return today.year - learner.birth_year < ADULT_AGE


def display_name_default(*, learner: Learner) -> str:
    """The first character of the name and 同学: never the whole name."""
    return _("Learner %(initial)s") % {"initial": (learner.name or "?").strip()[:1]}


def work_consent_token(*, work: LearnerWork) -> str:
    return token_for(work, CONSENT_SALT)


def work_withdraw_token(*, work: LearnerWork) -> str:
    return token_for(work, WITHDRAW_SALT)


def _title_clean(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": _("Please give the work a title.")}, code="title_empty")
    if len(title) > WORK_TITLE_MAX:
        raise ValidationError({"title": _("The title can be at most %(count)s characters.") % {"count": WORK_TITLE_MAX}},
                              code="title_long")
    return title


def _display_name_clean(display_name: str, *, learner: Learner, is_child: bool) -> str:
    name = " ".join((display_name or "").split()) or display_name_default(learner=learner)
    if len(name) > WORK_DISPLAY_NAME_MAX:
        raise ValidationError({"display_name": _("The name can be at most %(count)s characters.")
                               % {"count": WORK_DISPLAY_NAME_MAX}}, code="name_long")
    full = "".join(learner.name.split())
    if is_child and len(full) > 1 and full in "".join(name.split()):
        raise ValidationError({"display_name": _("A child's full name is never shown. Please use, for example, "
                                                 "%(example)s.") % {"example": display_name_default(learner=learner)}},
                              code="child_full_name")
    return name


def _initiative_check(initiative: Initiative | None, *, course: CoursePage) -> None:
    if initiative is None:
        return
    if not initiative.published or initiative.course_id not in (None, course.pk):
        raise ValidationError({"initiative": _("That initiative is not open to this course.")}, code="initiative")


def _collect(errors: dict, clean):
    """Run one check, gathering its field errors so the form shows them all at once."""
    try:
        return clean()
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
        return None


def picture_process(upload) -> ContentFile:
    """The uploaded photo as the JPEG we keep: checked by its content (JPEG, PNG or WebP,
    whatever its name says), turned upright, laid on white, at most 2400 pixels long,
    with no EXIF or GPS left; or ValidationError in the reader's language."""
    if upload.size > WORK_MAX_BYTES:
        raise ValidationError(_("The photo is too large. Please send a photo under %(size)s MB.")
                              % {"size": WORK_MAX_BYTES // (1024 * 1024)}, code="image_too_large")
    upright = picture_upright(upload, formats=WORK_FORMATS, max_pixels=WORK_MAX_PIXELS, side=WORK_LONG_SIDE)
    return ContentFile(picture_jpeg(upright, side=WORK_LONG_SIDE, quality=WORK_JPEG_QUALITY), name="work.jpg")


def work_upload(*, uploader: CoursePerson, learner: Learner, title: str, display_name: str, picture,
                initiative: Initiative | None = None, adult_agreed: bool = False,
                upload_token: str) -> tuple[LearnerWork, bool]:
    """Keep a learner's work for the teacher to look at; (work, created). The same
    `upload_token` again (a second tap) gives back the work the first one made."""
    existing = LearnerWork.objects.filter(upload_token=upload_token).first()
    if existing is not None:
        return existing, False
    course = uploader.course
    if uploader.role == RoomRole.LEARNER and uploader.learner.pk != learner.pk:
        raise PermissionDenied(_("You can only send your own works."))
    if not learner.enrolments.filter(course=course, status=EnrolmentStatus.ENROLLED).exists():
        raise PermissionDenied(_("%(name)s is not a learner of %(course)s.") % {"name": learner.name,
                                                                                "course": course.title})
    is_child = learner_is_child(learner=learner)
    errors: dict[str, list[str]] = {}
    title = _collect(errors, lambda: _title_clean(title))
    display_name = _collect(errors, lambda: _display_name_clean(display_name, learner=learner, is_child=is_child))
    _collect(errors, lambda: _initiative_check(initiative, course=course))
    if not is_child and not adult_agreed:
        errors["adult_agreed"] = [_("Please confirm that the learner agrees to show the work.")]
    guardian_phone = learner.guardian_phone or learner.phone
    if is_child and not guardian_phone:
        errors["__all__"] = [_("We have no phone number of the child's guardian. Please call the centre.")]
    if errors:
        raise ValidationError(errors)
    content = picture_process(picture)
    work = LearnerWork(
        learner=learner, course=course, initiative=initiative, title=title, display_name=display_name,
        uploaded_by=uploader.user, upload_token=upload_token, is_child=is_child,
        consent=WorkConsent.ASKED if is_child else WorkConsent.NOT_NEEDED, nonce=secrets.token_hex(16),
    )
    work.picture.save(content.name, content, save=False)
    try:
        with transaction.atomic():
            # The upload token's uniqueness is left to the database: a twin tap racing this
            # one then ends in the IntegrityError below, which finds the twin's work.
            work.full_clean(exclude=["picture"], validate_unique=False)
            work.save()
            if is_child:
                work.consent_token_hash = token_hash(work_consent_token(work=work))
                work.withdraw_token_hash = token_hash(work_withdraw_token(work=work))
                work.consent_expires_at = work.created_at + timedelta(days=CONSENT_LINK_DAYS)
                work.consent_guardian_phone = guardian_phone
                work.save(update_fields=["consent_token_hash", "withdraw_token_hash", "consent_expires_at",
                                         "consent_guardian_phone"])
    except IntegrityError:
        work.picture.delete(save=False)
        # The other tap won the race for this token: its work is the one.
        existing = LearnerWork.objects.filter(upload_token=upload_token).first()
        if existing is None:
            raise
        return existing, False
    except BaseException:
        work.picture.delete(save=False)
        raise
    if is_child:
        transaction.on_commit(lambda: _consent_ask(work=work, phone=guardian_phone))
    return work, True


def _consent_ask(*, work: LearnerWork, phone: str) -> None:
    base = site_url()
    consent = base + reverse("work_consent", args=[work_consent_token(work=work)])
    withdraw = base + reverse("work_withdraw", args=[work_withdraw_token(work=work)])
    # The guardian's own language is not known; the centre writes to families in Chinese.
    with override("zh-hans"):
        text = _("%(centre)s: a photo of %(learner)s's work \"%(title)s\" may be shown on our website as "
                 "\"%(shown_as)s\". Agree or not here: %(consent)s (open within %(days)s days). "
                 "To withdraw later: %(withdraw)s") % {
            "centre": settings.CENTRE_NAME, "learner": work.learner.name, "title": work.title,
            "shown_as": work.display_name, "consent": consent, "days": CONSENT_LINK_DAYS, "withdraw": withdraw}
    try:
        get_sms_backend().send(phone=phone, text=text)
    except Exception:
        # The work waits, unseen; the teacher's page shows it is still waiting for the guardian.
        logger.exception("consent SMS for work %s failed", work.pk)


class ConsentProblem(Exception):
    """Why a consent link does nothing: "unknown", "expired" or "answered"."""

    def __init__(self, code: str, work: LearnerWork | None = None):
        super().__init__(code)
        self.code = code
        self.work = work


def work_for_consent(*, token: str, now=None) -> LearnerWork:
    """The work a consent link belongs to, while it may still be answered; or ConsentProblem."""
    work = LearnerWork.objects.select_related("learner", "course").filter(
        consent_token_hash=token_hash(token)).first()
    if work is None:
        raise ConsentProblem("unknown")
    if work.consent != WorkConsent.ASKED:
        raise ConsentProblem("answered", work)
    if (now or timezone.now()) > work.consent_expires_at:
        raise ConsentProblem("expired", work)
    return work


def work_for_withdraw(*, token: str) -> LearnerWork | None:
    return LearnerWork.objects.select_related("learner", "course").filter(
        withdraw_token_hash=token_hash(token)).first()


def work_consent_answer(*, token: str, agree: bool) -> LearnerWork:
    """The guardian's answer from the link sent to their phone; each link answers once."""
    with transaction.atomic():
        work = work_for_consent(token=token)
        # Locked, so two taps (同意 then 不同意 on a slow phone) cannot both be the answer.
        work = _locked(work)
        if work.consent != WorkConsent.ASKED:
            raise ConsentProblem("answered", work)
        work.consent = WorkConsent.GIVEN if agree else WorkConsent.REFUSED
        work.consent_guardian_name = work.learner.guardian_name
        work.consent_at = timezone.now()
        work.consent_how = "confirmed from a link sent to their phone"
        _work_save(work, fields=["consent", "consent_guardian_name", "consent_at", "consent_how"])
    return work


def work_consent_withdraw(*, token: str) -> LearnerWork | None:
    """Withdraw the guardian's agreement: the work is hidden everywhere at once. None for an unknown link."""
    with transaction.atomic():
        work = work_for_withdraw(token=token)
        if work is None:
            return None
        work = _locked(work)
        if work.consent in (WorkConsent.ASKED, WorkConsent.GIVEN):
            work.consent = WorkConsent.WITHDRAWN
            work.consent_guardian_name = work.learner.guardian_name
            work.consent_at = timezone.now()
            work.consent_how = "withdrawn from a link sent to their phone"
            _work_save(work, fields=["consent", "consent_guardian_name", "consent_at", "consent_how"])
    return work


def _locked(work: LearnerWork) -> LearnerWork:
    """The work as it is now, held until the transaction ends: a guardian's answer and a
    teacher's decision arriving together both count, and neither decides on an old copy."""
    return LearnerWork.objects.select_for_update().select_related("course", "learner").get(pk=work.pk)


def _moderator_check(*, work: LearnerWork, by: CoursePerson | None) -> None:
    if by is None or by.course.pk != work.course_id or not by.moderates:
        raise PermissionDenied(_("Only the teachers of %(course)s decide about its works.")
                               % {"course": work.course.title})


def work_approve(*, work: LearnerWork, by: CoursePerson | None) -> LearnerWork:
    _moderator_check(work=work, by=by)
    with transaction.atomic():
        work = _locked(work)
        work.status, work.reject_reason = WorkStatus.APPROVED, ""
        work.moderated_by, work.moderated_at = by.user, timezone.now()
        _work_save(work, fields=["status", "reject_reason", "moderated_by", "moderated_at"])
    return work


def work_reject(*, work: LearnerWork, by: CoursePerson | None, reason: str = "") -> LearnerWork:
    """Not approved, now or after all: a work already public is hidden at once."""
    _moderator_check(work=work, by=by)
    with transaction.atomic():
        work = _locked(work)
        work.status, work.reject_reason = WorkStatus.REJECTED, " ".join((reason or "").split())[:200]
        work.moderated_by, work.moderated_at = by.user, timezone.now()
        _work_save(work, fields=["status", "reject_reason", "moderated_by", "moderated_at"])
    return work


def public_collection() -> Collection:
    collection = Collection.objects.filter(name=PUBLIC_COLLECTION_NAME).first()
    if collection is None:
        collection = Collection.get_first_root_node().add_child(name=PUBLIC_COLLECTION_NAME)
    return collection


def _work_save(work: LearnerWork, *, fields: list[str]) -> None:
    """Save a change, with the public copy made or removed in the same transaction: it
    exists exactly while the work may be public (a database constraint holds us to it).
    Deleting the Wagtail image deletes its file and every rendition, so no size of it
    stays reachable."""
    if work.should_be_public and work.public_image_id is None:
        with work.picture.open("rb") as source:
            work.public_image = Image.objects.create(
                title=work.title, collection=public_collection(),
                file=ImageFile(io.BytesIO(source.read()), name=f"work-{work.pk}.jpg"),
            )
        work.save(update_fields=[*fields, "public_image"])
    elif not work.should_be_public and work.public_image_id is not None:
        image = work.public_image
        work.public_image = None
        work.save(update_fields=[*fields, "public_image"])
        image.delete()
    else:
        work.save(update_fields=fields)


def work_files_remove(*, work: LearnerWork) -> None:
    """After a work is deleted (by a coordinator, or with its learner): its public copy and private file go too."""
    if work.public_image_id is not None:
        Image.objects.filter(pk=work.public_image_id).delete()
    if work.picture:
        name = work.picture.name
        storage = work.picture.storage
        transaction.on_commit(lambda: storage.delete(name))
