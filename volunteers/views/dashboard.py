"""The coordinators' term overview (学期概览) in the Wagtail admin: seats, attendance, the
readiness funnel and the volunteers of one term, as charts and tables, each table also as
a spreadsheet; and the one button that puts a learner who missed two classes on the call list.

The figures come from selectors in classes (seats, attendance) and volunteers (funnel,
hours); this module only arranges them. Each table is built once (`Table`) and both the page
and its CSV download are made from it, so the two always agree."""

from dataclasses import dataclass, field
from functools import cached_property

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from classes.courses.term_figures import (
    TermChoice,
    seat_totals,
    sessions_counted,
    term_choose,
    term_courses,
    term_seats,
)
from classes.live.term_figures import live_room_holds, term_attendance
from classes.models import CoursePage, Enrolment, EnrolmentStatus, Learner
from core.charts import BarInput, GroupInput, bar_chart
from core.roles import require_coordinator
from volunteers.exports import csv_response
from volunteers.models import HelpSource
from volunteers.selectors.hours import minutes_as_hours
from volunteers.selectors.term_overview import (
    learners_on_call_list,
    readiness_funnel,
    term_volunteer_figures,
)
from volunteers.services.help import help_request_ask

OVERVIEW_URL_NAME = "wagtailadmin_term_overview"
CSV_URL_NAME = "wagtailadmin_term_overview_csv"
CALL_URL_NAME = "wagtailadmin_term_overview_call"


@dataclass
class Table:
    """One table of the overview: the page shows it, its CSV download is the same rows."""

    name: str  # in the CSV's address and file name
    caption: str
    header: list[str]
    rows: list[list] = field(default_factory=list)
    footer: list | None = None  # the totals row


class Overview:
    """One term's figures, each worked out when first asked for: a CSV download asks for its own only."""

    TABLES = ("enrolment", "sessions", "learners", "funnel", "volunteers")

    def __init__(self, choice: TermChoice):
        self.term = choice.term
        self.terms = choice.terms
        self.now = timezone.now()

    @cached_property
    def courses(self):
        return term_courses(term=self.term)

    @cached_property
    def seats(self):
        return term_seats(term_courses=self.courses, online_room_holds=live_room_holds())

    @cached_property
    def attendance(self):
        return term_attendance(term=self.term, courses=self.courses.courses, now=self.now)

    @cached_property
    def funnel(self):
        return readiness_funnel(courses=self.courses.courses)

    @cached_property
    def volunteers(self):
        return term_volunteer_figures(term=self.term, now=self.now)

    # ------------------------------------------------------------ the tables

    def enrolment_table(self) -> Table:
        totals = seat_totals(self.seats)
        return Table(
            name="enrolment", caption=_("Seats per course"),
            header=[_("Course"), _("Online: seats taken"), _("Online: seats"), _("Online: waiting"),
                    _("At the centre: seats taken"), _("At the centre: seats"), _("At the centre: waiting"),
                    _("Room at the centre"), _("To look at")],
            rows=[
                [row.course.title, row.online["taken"], row.online["capacity"], row.online["waiting"],
                 row.centre["taken"], row.centre["capacity"], row.centre["waiting"],
                 _("%(room)s, holds %(capacity)s") % {"room": row.room.name, "capacity": row.room.capacity}
                 if row.room else "—",
                 " ".join(row.notes) or "—"]
                for row in self.seats
            ],
            footer=[_("Total"), totals.online_taken, totals.online_capacity, totals.online_waiting,
                    totals.centre_taken, totals.centre_capacity, totals.centre_waiting, "", ""],
        )

    def sessions_table(self) -> Table:
        return Table(
            name="sessions", caption=_("Attendance per class held"),
            header=[_("Course"), _("Class"), _("Learners who came"), _("Learners with a seat"), _("Attendance (%)")],
            rows=[
                [row.session.course.title, _when(row.session.starts_at), row.attended, row.enrolled,
                 _rate(row.rate)]
                for row in self.attendance.sessions
            ],
        )

    def learners_table(self) -> Table:
        return Table(
            name="learners", caption=_("Attendance per learner this term"),
            header=[_("Learner"), _("Course"), _("Classes attended"), _("Classes held since signing up"),
                    _("Attendance (%)"), _("Missed the last two classes")],
            rows=[
                [row.name, row.course.title, row.attended, row.held, _rate(row.rate),
                 _("Yes") if row.missed_last_two else _("No")]
                for row in self.attendance.learners
            ],
        )

    def funnel_table(self) -> Table:
        return Table(
            name="funnel", caption=_("Getting ready for class, per course"),
            header=[_("Course"), _("Learners with a seat"), _("Opened their link"), _("Checked their device"),
                    _("Came to a class")],
            rows=[[row.course.title, row.enrolled, row.link_opened, row.device_checked, row.attended]
                  for row in self.funnel],
        )

    def volunteers_table(self) -> Table:
        hours = self.volunteers.hours
        total = hours.total
        return Table(
            name="volunteers", caption=_("Service hours per volunteer this term"),
            header=[_("Volunteer"), _("Phone calls (hours)"), _("Setup visits (hours)"),
                    _("Helping in class (hours)"), _("Total (hours)")],
            rows=[
                [row.name, minutes_as_hours(row.hours.calls), minutes_as_hours(row.hours.setup),
                 minutes_as_hours(row.hours.in_class), minutes_as_hours(row.hours.total)]
                for row in hours.rows
            ],
            footer=[_("Total"), minutes_as_hours(total.calls), minutes_as_hours(total.setup),
                    minutes_as_hours(total.in_class), minutes_as_hours(total.total)],
        )

    def table(self, name: str) -> Table:
        return getattr(self, f"{name}_table")()

    # ------------------------------------------------------------ the charts

    def seats_chart(self):
        groups = []
        for row in self.seats:
            bars = [BarInput(label=_("Online"), value=row.online["taken"], whole=row.online["capacity"],
                             words=_seats_words(row.online))]
            if row.centre["capacity"] or row.centre["taken"]:
                bars.append(BarInput(label=_("At the centre"), value=row.centre["taken"], whole=row.centre["capacity"],
                                     words=_seats_words(row.centre)))
            groups.append(GroupInput(label=row.course.title, bars=bars))
        return bar_chart(
            chart_id="seats-chart", title=_("Seats taken of the seats there are, per course"),
            description=_("Each bar is the seats taken, inside an outline as long as all the seats. "
                          "The table “Seats per course” beside it has the same numbers."),
            groups=groups,
        )

    def funnel_chart(self):
        labels = {"enrolled": _("Learners with a seat"), "link_opened": _("Opened their link"),
                  "device_checked": _("Checked their device"), "attended": _("Came to a class")}
        groups = [
            GroupInput(label=row.course.title, bars=[
                BarInput(label=labels[step], value=count, whole=row.enrolled,
                         words=_("%(count)s of %(whole)s") % {"count": count, "whole": row.enrolled})
                for step, count in row.steps()
            ])
            for row in self.funnel
        ]
        return bar_chart(
            chart_id="funnel-chart", title=_("How far learners have got in getting ready, per course"),
            description=_("For each course: learners with a seat, then how many of them opened their link, "
                          "checked their device and came to a class. The table “Getting ready for class, "
                          "per course” beside it has the same numbers."),
            groups=groups,
        )


def _when(moment) -> str:
    # With the year: a coordinator may look back at last year's term, and a spreadsheet sorts it.
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _rate(rate: int | None) -> int | str:
    return "—" if rate is None else rate


def _seats_words(seats: dict) -> str:
    words = _("%(taken)s of %(capacity)s seats taken") % {"taken": seats["taken"], "capacity": seats["capacity"]}
    if seats["waiting"]:
        words += _(", %(waiting)s waiting") % {"waiting": seats["waiting"]}
    return words


def _term_asked(request) -> int | None:
    value = request.GET.get("term", "")
    return int(value) if value.isdigit() and len(value) < 10 else None


def _overview(request) -> Overview:
    require_coordinator(request)
    return Overview(term_choose(term_id=_term_asked(request)))


def _csv_url(name: str, overview: Overview) -> str:
    return f"{reverse(CSV_URL_NAME, args=[name])}?term={overview.term.pk}"


@never_cache
def term_overview(request):
    overview = _overview(request)
    context = {
        "page_title": _("Term overview"), "header_icon": "table", "overview": overview, "term": overview.term,
    }
    if overview.term is not None:
        attendance = overview.attendance
        on_call_list = learners_on_call_list(learner_ids={row.learner_id for row in attendance.missed_last_two})
        context.update({
            "counted": sessions_counted(term=overview.term, now=overview.now),
            "seat_totals": seat_totals(overview.seats),
            "tables": {name: overview.table(name) for name in Overview.TABLES},
            "csv_urls": {name: _csv_url(name, overview) for name in Overview.TABLES},
            "seats_chart": overview.seats_chart(),
            "funnel_chart": overview.funnel_chart(),
            "missed": [(row, row.learner_id in on_call_list) for row in attendance.missed_last_two],
            "volunteers": overview.volunteers,
            "volunteer_hours_total": minutes_as_hours(overview.volunteers.hours.total.total),
        })
    return TemplateResponse(request, "volunteers/admin/term_overview.html", context)


@never_cache
def term_overview_csv(request, table: str):
    overview = _overview(request)
    if table not in Overview.TABLES or overview.term is None:
        raise Http404
    data = overview.table(table)
    rows = [*data.rows, data.footer] if data.footer else data.rows
    return csv_response(filename=f"term-{overview.term.pk}-{data.name}.csv", header=data.header, rows=rows)


@require_POST
def term_overview_call(request):
    """Put a learner who missed their course's last two classes on the volunteers' call list.
    A second tap (or a learner already waiting for a call) changes nothing and says so."""
    require_coordinator(request)
    learner_id, course_id = request.POST.get("learner", ""), request.POST.get("course", "")
    enrolment = get_object_or_404(
        Enrolment.objects.select_related("learner", "course"), status=EnrolmentStatus.ENROLLED,
        learner_id=int(learner_id) if learner_id.isdigit() else None,
        course_id=int(course_id) if course_id.isdigit() else None,
    )
    learner: Learner = enrolment.learner
    course: CoursePage = enrolment.course
    if learner.pk in learners_on_call_list(learner_ids=[learner.pk]):
        messages.info(request, _("%(name)s is already on the volunteers' call list.") % {"name": learner.name})
    else:
        try:
            help_request_ask(
                learner=learner, source=HelpSource.COORDINATOR, course=course, by=request.user,
                note=_("From the term overview: missed the last two classes in a row."),
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("%(name)s is on the volunteers' call list: a volunteer will phone about "
                                        "%(course)s.") % {"name": learner.name, "course": course.title})
    term = request.POST.get("term", "")
    target = reverse(OVERVIEW_URL_NAME) + (f"?term={term}" if term.isdigit() and len(term) < 10 else "")
    return redirect(target + "#missed")
