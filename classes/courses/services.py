"""Learners, enrolment with seats and waiting lists, sign-up and the coordinators' bulk import."""

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from classes.courses.join_links import join_link_ensure
from classes.courses.sockets import learner_sockets_recheck
from classes.models import CoursePage, Enrolment, EnrolmentStatus, JoinLink, Learner, SeatPool
from core.pagecache import public_pages_changed
from core.phones import phone_normalise

# ---------------------------------------------------------------- learners


def learner_get_or_create(*, name: str, phone: str, **details) -> tuple[Learner, bool]:
    """The learner with this phone number, or a new one. The phone number is who a learner is."""
    learner = Learner(name=(name or "").strip(), phone=phone, **details)
    learner.clean()  # normalises the phone number, checks the name
    existing = Learner.objects.filter(phone=learner.phone).first()
    if existing is not None:
        return existing, False
    learner.full_clean()
    learner.save()
    return learner, True


# ---------------------------------------------------------------- enrolment


def _lock_course(course: CoursePage) -> CoursePage:
    """Lock the course's row for the rest of the transaction, so seat counts read
    next cannot change under us (PostgreSQL; SQLite already holds its write lock)."""
    return CoursePage.objects.select_for_update(of=("self",)).get(pk=course.pk)


def _seats_taken(course: CoursePage, pool: str) -> int:
    return Enrolment.objects.filter(course=course, pool=pool, status=EnrolmentStatus.ENROLLED).count()


def enrolment_create(*, learner: Learner, course: CoursePage, pool: str = SeatPool.ONLINE) -> Enrolment:
    """Give the learner a seat in the pool, or a place on its waiting list."""
    if pool not in SeatPool.values:
        raise ValidationError(_("Please choose online or at the centre."), code="bad_pool")
    if course.term_end < timezone.localdate():
        raise ValidationError(_("This course's term is over. Please choose another course."), code="term_over")
    if pool == SeatPool.CENTRE and course.seats_in(pool) == 0:
        raise ValidationError(_("This course has no seats at the centre. Please join online."), code="no_centre_seats")
    try:
        with transaction.atomic():
            locked = _lock_course(course)
            if Enrolment.objects.filter(learner=learner, course=locked).exclude(status=EnrolmentStatus.WITHDRAWN).exists():
                raise ValidationError(_("You are already signed up for this course."), code="duplicate")
            has_seat = _seats_taken(locked, pool) < locked.seats_in(pool)
            return Enrolment.objects.create(
                learner=learner,
                course=locked,
                pool=pool,
                status=EnrolmentStatus.ENROLLED if has_seat else EnrolmentStatus.WAITLISTED,
            )
    except IntegrityError:
        # The unique constraint caught a double tap that slipped past the check above.
        raise ValidationError(_("You are already signed up for this course."), code="duplicate") from None


def seats_fill(*, course: CoursePage) -> list[Enrolment]:
    """Promote the first in line on each waiting list while seats are free.
    Called when someone withdraws and when a coordinator adds seats."""
    promoted = []
    with transaction.atomic():
        locked = _lock_course(course)
        for pool in SeatPool.values:
            free = locked.seats_in(pool) - _seats_taken(locked, pool)
            if free <= 0:
                continue
            waiting = Enrolment.objects.filter(course=locked, pool=pool, status=EnrolmentStatus.WAITLISTED).order_by("pk")
            for enrolment in waiting[:free]:
                enrolment.status = EnrolmentStatus.ENROLLED
                enrolment.save(update_fields=["status", "updated_at"])
                promoted.append(enrolment)
    return promoted


def enrolment_withdraw(*, enrolment: Enrolment) -> list[Enrolment]:
    """Free the learner's seat (or waiting place); returns whoever was promoted into it."""
    with transaction.atomic():
        _lock_course(enrolment.course)
        Enrolment.objects.filter(pk=enrolment.pk).update(status=EnrolmentStatus.WITHDRAWN, updated_at=timezone.now())
        public_pages_changed()  # a seat is free on the course page
        enrolment.refresh_from_db()
        JoinLink.objects.filter(learner=enrolment.learner, course=enrolment.course, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        learner_sockets_recheck(learner_id=enrolment.learner_id)
        return seats_fill(course=enrolment.course)


# ---------------------------------------------------------------- bulk paste

# Separators people use between name and number: comma (either width), tab, space.
BULK_SEPARATORS = re.compile(r"[,，\t、;；]+|\s{2,}")
# A paste larger than this is surely a mistake (the centre's biggest course holds ~50).
BULK_MAX_LINES = 500


@dataclass
class BulkRow:
    line_number: int
    text: str
    name: str = ""
    phone: str = ""
    errors: list[str] = field(default_factory=list)
    existing: Learner | None = None
    already_enrolled: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def learners_bulk_preview(*, text: str, course: CoursePage | None = None) -> list[BulkRow]:
    """Read pasted “name, phone” lines and say what saving would do with each."""
    rows, seen = [], {}
    lines = [(n, line.strip()) for n, line in enumerate((text or "").splitlines(), start=1) if line.strip()]
    if len(lines) > BULK_MAX_LINES:
        raise ValidationError(
            _("Please paste at most %(limit)s lines at a time.") % {"limit": BULK_MAX_LINES}, code="too_many"
        )
    for number, line in lines:
        row = BulkRow(line_number=number, text=line)
        parts = [p.strip() for p in BULK_SEPARATORS.split(line) if p.strip()]
        if len(parts) == 1 and " " in parts[0]:
            parts = parts[0].rsplit(" ", 1)
        if len(parts) != 2:
            row.errors.append(_("Write the name, a comma, then the mobile number."))
        else:
            row.name = " ".join(parts[0].split())
            try:
                row.phone = phone_normalise(parts[1])
            except ValidationError as error:
                row.errors.extend(error.messages)
            if not row.name or len(row.name) > 60:
                row.errors.append(_("Please enter a name of at most 60 characters."))
        if row.phone:
            if row.phone in seen:
                row.errors.append(
                    _("The same number is on line %(line)s.") % {"line": seen[row.phone]}
                )
            else:
                seen[row.phone] = number
        rows.append(row)
    existing = {learner.phone: learner for learner in Learner.objects.filter(phone__in=list(seen))}
    enrolled = set()
    if course is not None:
        enrolled = set(
            Enrolment.objects.filter(course=course, learner__phone__in=list(seen))
            .exclude(status=EnrolmentStatus.WITHDRAWN)
            .values_list("learner__phone", flat=True)
        )
    for row in rows:
        row.existing = existing.get(row.phone)
        row.already_enrolled = row.phone in enrolled
    return rows


def learners_bulk_save(*, text: str, course: CoursePage | None = None, pool: str = SeatPool.ONLINE) -> list[BulkRow]:
    """Save every line, or none: a list with any broken line is refused whole."""
    rows = learners_bulk_preview(text=text, course=course)
    if not rows:
        raise ValidationError(_("Please paste at least one line."), code="empty")
    broken = [row.line_number for row in rows if not row.ok]
    if broken:
        raise ValidationError(
            _("Nothing was saved. Please correct line(s) %(lines)s first.") % {"lines": ", ".join(map(str, broken))},
            code="broken_lines",
        )
    with transaction.atomic():
        for row in rows:
            learner, _created = learner_get_or_create(name=row.name, phone=row.phone)
            if course is not None and not row.already_enrolled:
                enrolment_create(learner=learner, course=course, pool=pool)
                join_link_ensure(course=course, learner=learner)
    return rows


# ---------------------------------------------------------------- self sign-up


@dataclass
class SignupResult:
    learner: Learner
    enrolment: Enrolment
    learner_is_new: bool


def learner_signup(*, name: str, phone: str, course: CoursePage, pool: str = SeatPool.ONLINE) -> SignupResult:
    """A learner signs up on a course page: learner, enrolment and join link, all or nothing."""
    with transaction.atomic():
        learner, created = learner_get_or_create(name=name, phone=phone)
        enrolment = enrolment_create(learner=learner, course=course, pool=pool)
        join_link_ensure(course=course, learner=learner)
    return SignupResult(learner=learner, enrolment=enrolment, learner_is_new=created)
