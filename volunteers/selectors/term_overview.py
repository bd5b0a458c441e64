"""The coordinators' term overview, volunteers' side: each course's readiness funnel, the
volunteers with their help requests and service hours this term, and who is already on the
call list. A fixed number of queries however many courses and learners."""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from classes.models import CoursePage, Term
from volunteers.models import HelpRequest, HelpStatus, Volunteer, VolunteerStatus
from volunteers.selectors.hours import PERIOD_TERM, CentreHours, Period, centre_hours
from volunteers.selectors.readiness import readiness_for_courses

# The funnel's steps in the order a learner takes them.
FUNNEL_STEPS = ("enrolled", "link_opened", "device_checked", "attended")


@dataclass(frozen=True)
class FunnelRow:
    """Learners with a seat, and how many of them have taken each step (each counted on its own:
    a learner set up at the centre may attend without a device check)."""

    course: CoursePage
    enrolled: int
    link_opened: int
    device_checked: int
    attended: int

    def steps(self) -> list[tuple[str, int]]:
        return [(step, getattr(self, step)) for step in FUNNEL_STEPS]


def readiness_funnel(*, courses: list[CoursePage]) -> list[FunnelRow]:
    readiness = readiness_for_courses(course_ids=[course.pk for course in courses])
    rows = []
    for course in courses:
        learners = readiness.get(course.pk, {}).values()
        rows.append(FunnelRow(
            course=course, enrolled=len(learners),
            link_opened=sum(1 for r in learners if r.link_opened),
            device_checked=sum(1 for r in learners if r.device_checked),
            attended=sum(1 for r in learners if r.attended),
        ))
    return rows


def term_period(term: Term) -> Period:
    """The term as the service hours count it (volunteers.selectors.hours)."""
    return Period(kind=PERIOD_TERM, starts_on=term.starts_on, ends_on=term.ends_on, term_name=term.name)


@dataclass(frozen=True)
class VolunteerFigures:
    approved: int         # volunteers who may help now
    open_requests: int    # learners waiting for a call, now
    closed_requests: int  # requests done during the term
    hours: CentreHours    # each volunteer's service in the term, and the total


def term_volunteer_figures(*, term: Term, now=None) -> VolunteerFigures:
    now = now or timezone.now()
    period = term_period(term)
    requests = HelpRequest.objects.aggregate(
        open=Count("pk", filter=~Q(status=HelpStatus.CLOSED)),
        closed=Count("pk", filter=Q(status=HelpStatus.CLOSED) & period.filter("closed_at")),
    )
    return VolunteerFigures(
        approved=Volunteer.objects.filter(status=VolunteerStatus.APPROVED).count(),
        open_requests=requests["open"], closed_requests=requests["closed"],
        hours=centre_hours(period=period, now=now),
    )


def learners_on_call_list(*, learner_ids) -> set[int]:
    """Of these learners, those with an open help request: a volunteer will call them already."""
    return set(
        HelpRequest.objects.exclude(status=HelpStatus.CLOSED).filter(learner_id__in=list(learner_ids))
        .values_list("learner_id", flat=True)
    )
