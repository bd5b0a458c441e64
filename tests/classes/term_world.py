"""A term of the test's own for the coordinators' term overview, small enough to count by hand.

Term 2021-03-01 – 2021-06-30. Two courses of its own (so the demo's data never touches it):

太极入门 (3 online seats, 2 at the centre; the term's room 活动室 holds 1):
  甲 乙 online since February, 丙 online since 10 March, 丁 waiting online, 戊 at the centre since February.
  Classes: 3 Mar (held), 17 Mar (held), 24 Mar (held), 31 Mar (never started), 7 Apr (cancelled),
  and 7 Jul (held, after the term: not counted).
    3 Mar:  甲 came, 乙 only waited before the start (not attended), 戊 came      → 2 of 3 (丙 not yet signed up)
    17 Mar: 甲 came, 丙 came half an hour late (attended)                        → 2 of 4
    24 Mar: 甲 came                                                              → 1 of 4
  Per learner: 甲 3 of 3; 乙 0 of 3, missed the last two; 丙 1 of 2; 戊 1 of 3, missed the last two.
剪纸 (2 online seats, none at the centre): 己 online since February.
  Classes: 5 Mar (held, 己 came), 12 Mar (held, 己 did not)                   → 1 of 1, 0 of 1; 己 1 of 2.
Readiness: 甲 and 乙 opened their 太极入门 link; 甲 heard the test sound (乙 did not).
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils import timezone

from classes.courses.join_links import join_link_ensure
from classes.courses.services import enrolment_create
from classes.models import (
    ClassSession,
    CourseIndexPage,
    CourseNeed,
    CoursePage,
    DeviceCheck,
    Enrolment,
    EnrolmentStatus,
    JoinLink,
    Learner,
    Participant,
    Room,
    RoomRole,
    SeatPool,
    SessionMode,
    Teacher,
    Term,
    Visit,
)

SIGNED_UP_EARLY = (2021, 2, 1)


def at(month: int, day: int, hour: int = 10, minute: int = 0, year: int = 2021) -> datetime:
    """A moment in the centre's time zone."""
    return timezone.make_aware(datetime(year, month, day, hour, minute))


@dataclass
class TermWorld:
    term: Term
    taichi: CoursePage
    papercut: CoursePage
    room: Room
    learners: dict[str, Learner]
    sessions: dict[str, ClassSession]
    phones: Iterator[int] = field(default_factory=lambda: iter(range(10_000)))

    def learner(self, name: str, course: CoursePage, pool: str = SeatPool.ONLINE, signed_up: datetime | None = None):
        learner = Learner.objects.create(name=name, phone=f"1370021{next(self.phones):04d}")
        enrolment = enrolment_create(learner=learner, course=course, pool=pool)
        Enrolment.objects.filter(pk=enrolment.pk).update(created_at=signed_up or at(*SIGNED_UP_EARLY[1:]))
        self.learners[name] = learner
        return learner

    def held(self, key: str, course: CoursePage, starts_at: datetime, *, started_late_by: int = 0) -> ClassSession:
        session = ClassSession.objects.create(
            course=course, starts_at=starts_at, duration_minutes=60,
            live_started_at=starts_at + timedelta(minutes=started_late_by),
            live_ended_at=starts_at + timedelta(minutes=60),
        )
        self.sessions[key] = session
        return session

    def visit(self, session: ClassSession, learner: Learner, joined_at: datetime) -> Visit:
        participant, _created = Participant.objects.get_or_create(
            session=session, learner=learner, defaults={"name": learner.name, "role": RoomRole.LEARNER})
        visit = Visit.objects.create(participant=participant)
        Visit.objects.filter(pk=visit.pk).update(joined_at=joined_at, left_at=joined_at + timedelta(minutes=20),
                                                 last_seen_at=joined_at + timedelta(minutes=20))
        return visit


def course(slug: str, title: str, online: int, centre: int, category) -> CoursePage:
    today = timezone.localdate()
    page = CourseIndexPage.objects.get().add_child(instance=CoursePage(
        title=title, slug=slug, category=category, summary="每周一次。", term_start=date(2021, 3, 1),
        term_end=today + timedelta(days=60), online_seats=online, centre_seats=centre,
    ))
    return page


def build_term_world(category) -> TermWorld:
    term = Term.objects.create(name="2021 春季学期", starts_on=date(2021, 3, 1), ends_on=date(2021, 6, 30))
    taichi = course("taichi-term-world", "太极入门", 3, 2, category)
    papercut = course("papercut-term-world", "剪纸", 2, 0, category)
    room = Room.objects.create(name="活动室", capacity=1)
    CourseNeed.objects.create(term=term, course=taichi, teacher=Teacher.objects.create(name="赵老师"),
                              mode=SessionMode.BOTH, room=room)
    world = TermWorld(term=term, taichi=taichi, papercut=papercut, room=room, learners={}, sessions={})

    jia = world.learner("甲", taichi)
    yi = world.learner("乙", taichi)
    bing = world.learner("丙", taichi, signed_up=at(3, 10))
    world.learner("丁", taichi)  # the fourth online: waiting
    wu = world.learner("戊", taichi, pool=SeatPool.CENTRE)
    ji = world.learner("己", papercut)
    assert Enrolment.objects.get(learner=world.learners["丁"]).status == EnrolmentStatus.WAITLISTED

    a1 = world.held("a1", taichi, at(3, 3), started_late_by=2)
    a2 = world.held("a2", taichi, at(3, 17))
    a3 = world.held("a3", taichi, at(3, 24))
    world.sessions["a4"] = ClassSession.objects.create(course=taichi, starts_at=at(3, 31), duration_minutes=60)
    world.sessions["a5"] = ClassSession.objects.create(course=taichi, starts_at=at(4, 7), duration_minutes=60,
                                                       cancelled_at=at(4, 1))
    after = world.held("after", taichi, at(7, 7))
    b1 = world.held("b1", papercut, at(3, 5))
    world.held("b2", papercut, at(3, 12))

    world.visit(a1, jia, at(3, 3, 10, 5))
    world.visit(a1, yi, at(3, 3, 9, 55))  # in the waiting room before the teacher started: not attended
    world.visit(a1, wu, at(3, 3, 10, 10))
    world.visit(a2, jia, at(3, 17, 10, 1))
    world.visit(a2, bing, at(3, 17, 10, 30))  # late, but after the start: attended
    world.visit(a3, jia, at(3, 24, 10, 0))
    world.visit(b1, ji, at(3, 5, 10, 2))
    assert after.live_started_at > at(6, 30)

    for learner in (jia, yi):
        link = join_link_ensure(course=taichi, learner=learner)
        JoinLink.objects.filter(pk=link.pk).update(last_used_at=at(3, 1))
    DeviceCheck.objects.create(learner=jia, sound_heard=True)
    DeviceCheck.objects.create(learner=yi, sound_heard=False)
    return world


def grow(world: TermWorld, *, learners: int = 4, held: int = 2) -> None:
    """More learners (each coming to every class) and more held classes, for the query budgets."""
    CoursePage.objects.filter(pk=world.papercut.pk).update(online_seats=2 + learners)
    world.papercut.refresh_from_db()
    extra = [world.learner(f"新学员{n}", world.papercut) for n in range(learners)]
    for n in range(held):
        session = world.held(f"grown{n}", world.papercut, at(5, 3 + 7 * n))
        for learner in extra:
            world.visit(session, learner, at(5, 3 + 7 * n, 10, 5))
    ClassSession.objects.create(course=world.papercut, starts_at=at(6, 1), duration_minutes=60)
