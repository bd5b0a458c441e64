"""What goes on a learner's printed join card and in the message pasted into WeChat or an SMS."""

from dataclasses import dataclass

import segno
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from classes.courses import join_links, selectors
from classes.models import CoursePage, Learner
from core.timefmt import class_time

# Four-character groups are easier to read aloud over the phone and to type.
TOKEN_GROUP = 4
# Four A6 cards (105 × 148 mm) fill an A4 sheet (210 × 297 mm) two by two: cut in half twice.
CARDS_PER_A4_SHEET = 4


@dataclass
class JoinCard:
    learner: Learner
    course: CoursePage
    url: str
    typed_url: str
    qr_svg: str
    weekly_time: str
    message: str


def site_url(request=None) -> str:
    return request.build_absolute_uri("/").rstrip("/") if request is not None else settings.WAGTAILADMIN_BASE_URL


def join_url(*, base: str, token: str) -> str:
    return base + reverse("join", args=[token])


def qr_code_svg(url: str) -> str:
    """The link as a QR code, drawn on the server: it needs no script and no outside service
    (the join cards, and the desk camera's QR on the teacher's console)."""
    return segno.make(url, error="m").svg_inline(scale=4, border=2, dark="#000", light="#fff", omitsize=True)


def join_card(request, *, course: CoursePage, learner: Learner) -> JoinCard:
    link = join_links.join_link_ensure(course=course, learner=learner)
    token = join_links.join_link_token(link=link)
    base = site_url(request)
    url = join_url(base=base, token=token)
    grouped = "-".join(token[i:i + TOKEN_GROUP] for i in range(0, len(token), TOKEN_GROUP))
    typed_url = f"{base.split('://', 1)[-1]}/j/{grouped}"
    next_session = selectors.session_next_for_course(course=course)
    weekly_time = class_time(next_session.starts_at) if next_session else ""
    qr_svg = qr_code_svg(url)
    message = _(
        "%(name)s, welcome to %(course)s! Open this link to go to your class (no app or password needed): "
        "%(url)s  Help: %(phone)s"
    ) % {"name": learner.name, "course": course.title, "url": url, "phone": settings.CENTRE_HELP_PHONE}
    return JoinCard(learner, course, url, typed_url, qr_svg, weekly_time, message)



def card_sheets(cards: list[JoinCard], *, per_sheet: int = CARDS_PER_A4_SHEET) -> list[list[JoinCard]]:
    """The cards in groups of one A4 sheet each, so printing on A4 never splits a group over two
    sheets; printed on A6 paper every card is its own sheet anyway (static/css/join-card.css)."""
    return [cards[start:start + per_sheet] for start in range(0, len(cards), per_sheet)]
