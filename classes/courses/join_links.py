"""Personal join links: the token on a learner's printed card or a teacher's link, and
whether it still opens the class. Only a hash of the token is stored."""

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from classes.courses.sockets import learner_sockets_recheck
from classes.models import CoursePage, JoinLink, Learner, Teacher

# 128 bits, the floor for a token that alone grants entry.
TOKEN_BYTES = 16
# A link keeps working for a week after the term, for the last class's stragglers.
LINK_GRACE = timedelta(days=7)
TOKEN_SALT = "classes.join_link"


def token_for(link: JoinLink, salt: str = TOKEN_SALT) -> str:
    """Any record with a pk and a nonce (a join link, a calendar feed); each kind has its own salt."""
    digest = salted_hmac(salt, f"{link.pk}:{link.nonce}", algorithm="sha256").digest()[:TOKEN_BYTES]
    return base64.b32encode(digest).decode().rstrip("=").lower()


def token_normalise(raw: str) -> str:
    """What people type from a printed card: upper case, dashes, spaces, 0 for o."""
    return "".join(ch for ch in (raw or "").lower() if ch.isalnum()).replace("0", "o").replace("1", "l")


def token_hash(token: str) -> str:
    return hashlib.sha256(token_normalise(token).encode()).hexdigest()


def join_link_token(*, link: JoinLink) -> str:
    """The token of an existing link, for printing the card again."""
    return token_for(link)


def join_link_issue(*, course: CoursePage, learner: Learner | None = None, teacher: Teacher | None = None) -> JoinLink:
    """Revoke any live link of this person for this course and issue a new one."""
    with transaction.atomic():
        JoinLink.objects.filter(course=course, learner=learner, teacher=teacher, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        link = JoinLink.objects.create(
            course=course, learner=learner, teacher=teacher, nonce=secrets.token_hex(16),
            # A placeholder until the id exists; the token depends on it.
            token_hash=secrets.token_hex(32),
        )
        link.token_hash = token_hash(token_for(link))
        link.save(update_fields=["token_hash"])
        if learner is not None:  # whoever holds the old card is out at once
            learner_sockets_recheck(learner_id=learner.pk)
    return link


def join_link_ensure(*, course: CoursePage, learner: Learner | None = None, teacher: Teacher | None = None) -> JoinLink:
    """The person's live link for this course, issuing one if there is none."""
    link = JoinLink.objects.filter(course=course, learner=learner, teacher=teacher, revoked_at__isnull=True).first()
    return link or join_link_issue(course=course, learner=learner, teacher=teacher)


@dataclass
class LinkCheck:
    link: JoinLink | None = None
    problem: str = ""  # "", "unknown", "revoked" or "expired"


def join_link_check(*, token: str) -> LinkCheck:
    """Find the link a token opens, and whether it may still be used."""
    link = (
        JoinLink.objects.select_related("course", "learner", "teacher__user").filter(token_hash=token_hash(token)).first()
    )
    if link is None:
        return LinkCheck(problem="unknown")
    if link.revoked_at is not None:
        return LinkCheck(link=link, problem="revoked")
    if timezone.localdate() > link.course.term_end + LINK_GRACE:
        return LinkCheck(link=link, problem="expired")
    if link.teacher_id and not (link.teacher.user_id and link.teacher.user.is_active):
        return LinkCheck(link=link, problem="revoked")
    return LinkCheck(link=link)


def join_link_is_live(*, link_id: int) -> JoinLink | None:
    """The link behind a learner's session, if it has not been revoked or run out since.
    Asked on every page a learner opens: one narrow query, the course's page row not read."""
    return (
        JoinLink.objects.select_related("learner")
        .filter(pk=link_id, revoked_at__isnull=True, course__term_end__gte=timezone.localdate() - LINK_GRACE)
        .first()
    )


def join_link_mark_used(*, link: JoinLink) -> None:
    JoinLink.objects.filter(pk=link.pk).update(last_used_at=timezone.now())


def link_expiry(*, link: JoinLink):
    """When a session opened by this link should end: after the term, never during a class."""
    last_day = link.course.term_end + LINK_GRACE
    return timezone.make_aware(datetime.combine(last_day + timedelta(days=1), time.min))
