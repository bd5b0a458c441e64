"""Help requests as the services and selectors see them: asking and merging, the automatic
call list, claiming (and the race to claim), assigning, logging calls, closing when ready."""

import threading
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone, translation

from classes.models import ClassSession, Enrolment, EnrolmentStatus, Learner, SeatPool, SessionMode
from core.roles import VOLUNTEERS
from classes.courses.services import enrolment_create
from volunteers.models import (
    MAX_CALL_MINUTES, CallLog, CallOutcome, HelpRequest, HelpSource, HelpStatus, SetupBooking, SetupSlot, Volunteer,
    VolunteerStatus,
)
from volunteers.selectors.help import (
    calls_to_make, help_requests_assigned_to, help_requests_open, readiness_missing, volunteers_approved,
)
from volunteers.selectors.readiness import Readiness
from volunteers.services.help import (
    call_lists_build, call_log_add, help_request_ask, help_request_assign, help_request_claim,
    help_request_unassign, help_requests_close_ready,
)

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in English, so the assertions hold once the translations are in."""
    with translation.override("en"):
        yield


def make_volunteer(username, status=VolunteerStatus.APPROVED):
    user = User.objects.create_user(username, password="x")
    user.groups.add(Group.objects.get(name=VOLUNTEERS))
    Volunteer.objects.create(user=user, name=username, phone="13700000000", status=status)
    return user


@pytest.fixture
def volunteer(db):
    return User.objects.get(username="volunteer")


@pytest.fixture
def coordinator(db):
    return User.objects.get(username="coordinator")


@pytest.fixture
def seated(calligraphy, make_learner):
    learner = make_learner("待帮助")
    enrolment_create(learner=learner, course=calligraphy, pool=SeatPool.ONLINE)
    return learner


def make_ready(learner):
    """A check-in at a setup visit makes a learner ready for every course."""
    slot = SetupSlot.objects.create(starts_at=timezone.now() - timedelta(hours=1))
    SetupBooking.objects.create(slot=slot, learner=learner, checked_in_at=timezone.now())


def ask(learner, course, **kwargs):
    return help_request_ask(learner=learner, source=kwargs.pop("source", HelpSource.LEARNER), course=course, **kwargs)


# ---------------------------------------------------------------- asking and merging


def test_asking_creates_one_open_request(calligraphy, seated):
    result = ask(seated, calligraphy)

    assert not result.merged
    assert result.help_request.status == HelpStatus.OPEN
    assert result.help_request.course == calligraphy
    assert result.help_request.asks == 1


def test_asking_again_merges_into_the_open_request_and_counts_the_ask(calligraphy, seated):
    first = ask(seated, calligraphy).help_request
    second = ask(seated, calligraphy, source=HelpSource.TEACHER, note="她找不到摄像头")

    assert second.merged
    assert second.help_request.pk == first.pk
    assert HelpRequest.objects.filter(learner=seated).count() == 1
    assert second.help_request.asks == 2
    assert "她找不到摄像头" in second.help_request.note


def test_asking_about_another_course_adds_that_course_to_the_note(calligraphy, seated):
    from classes.models import CoursePage

    abc = CoursePage.objects.get(slug="learn-abc")
    ask(seated, calligraphy)
    merged = ask(seated, abc).help_request

    assert merged.course == calligraphy
    assert abc.title in merged.note


def test_a_note_that_is_too_long_is_refused_and_nothing_is_saved(calligraphy, seated):
    with pytest.raises(ValidationError):
        ask(seated, calligraphy, source=HelpSource.TEACHER, note="长" * 301)

    assert not HelpRequest.objects.filter(learner=seated).exists()


def test_after_a_request_closes_a_new_ask_makes_a_new_request(calligraphy, seated):
    first = ask(seated, calligraphy).help_request
    HelpRequest.objects.filter(pk=first.pk).update(status=HelpStatus.CLOSED, closed_at=timezone.now())

    second = ask(seated, calligraphy)

    assert not second.merged and second.help_request.pk != first.pk


@pytest.mark.django_db(transaction=True)
def test_two_asks_at_the_same_moment_make_one_request():
    from classes.models import CoursePage

    learner = Learner.objects.create(name="同时", phone="13500000001")
    course = CoursePage.objects.get(slug="calligraphy")
    barrier = threading.Barrier(2)
    errors = []

    def tap():
        try:
            barrier.wait()
            help_request_ask(learner=learner, source=HelpSource.LEARNER, course=course)
        except Exception as error:  # noqa: BLE001 — reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=tap) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    requests = HelpRequest.objects.filter(learner=learner)
    assert requests.count() == 1
    assert requests.get().asks == 2


# ---------------------------------------------------------------- the call list

# Far from the demo centre's two weeks of classes, so only the test's own class is near.
def far_now():
    return timezone.now() + timedelta(days=400)


@pytest.fixture
def soon_class(calligraphy):
    now = far_now()
    return now, ClassSession.objects.create(course=calligraphy, starts_at=now + timedelta(hours=30))


def test_call_list_gives_a_not_ready_learner_with_a_class_within_two_days_a_request(soon_class, seated):
    now, session = soon_class

    call_lists_build(now=now)

    request = HelpRequest.objects.get(learner=seated)
    assert request.source == HelpSource.CALL_LIST
    assert request.session == session
    assert request.status == HelpStatus.OPEN


def test_call_list_leaves_out_a_ready_learner(soon_class, seated):
    make_ready(seated)

    call_lists_build(now=soon_class[0])

    assert not HelpRequest.objects.filter(learner=seated).exists()


def test_call_list_leaves_out_a_waitlisted_learner(soon_class, calligraphy, make_learner):
    waiting = make_learner("等位")
    Enrolment.objects.create(learner=waiting, course=calligraphy, status=EnrolmentStatus.WAITLISTED)

    call_lists_build(now=soon_class[0])

    assert not HelpRequest.objects.filter(learner=waiting).exists()


def test_call_list_leaves_out_a_seat_at_the_centre(soon_class, calligraphy, make_learner):
    at_centre = make_learner("到中心")
    enrolment_create(learner=at_centre, course=calligraphy, pool=SeatPool.CENTRE)

    call_lists_build(now=soon_class[0])

    assert not HelpRequest.objects.filter(learner=at_centre).exists()


def test_call_list_leaves_out_a_class_more_than_two_days_away(calligraphy, seated):
    now = far_now()
    ClassSession.objects.create(course=calligraphy, starts_at=now + timedelta(hours=49))

    call_lists_build(now=now)

    assert not HelpRequest.objects.filter(learner=seated).exists()


def test_call_list_leaves_out_a_class_held_at_the_centre(calligraphy, seated):
    now = far_now()
    ClassSession.objects.create(course=calligraphy, starts_at=now + timedelta(hours=20), mode=SessionMode.CENTRE)

    call_lists_build(now=now)

    assert not HelpRequest.objects.filter(learner=seated).exists()


def test_call_list_leaves_out_a_cancelled_class(calligraphy, seated):
    now = far_now()
    ClassSession.objects.create(course=calligraphy, starts_at=now + timedelta(hours=20), cancelled_at=now)

    call_lists_build(now=now)

    assert not HelpRequest.objects.filter(learner=seated).exists()


def test_running_the_call_list_twice_makes_nothing_new(soon_class, seated):
    now, _session = soon_class
    first = call_lists_build(now=now)
    snapshot = list(HelpRequest.objects.values_list("pk", "asks", "note", "session_id"))

    second = call_lists_build(now=now)

    assert first >= 1
    assert second == 0
    assert list(HelpRequest.objects.values_list("pk", "asks", "note", "session_id")) == snapshot


def test_call_list_links_the_class_to_a_request_the_learner_already_has(soon_class, calligraphy, seated):
    now, session = soon_class
    existing = ask(seated, calligraphy).help_request

    call_lists_build(now=now)

    existing.refresh_from_db()
    assert HelpRequest.objects.filter(learner=seated).count() == 1
    assert existing.session == session
    assert existing.source == HelpSource.LEARNER


def test_the_reminder_sweep_builds_the_call_list(seated, calligraphy):
    from classes.notifications.services import send_due_reminders

    ClassSession.objects.create(course=calligraphy, starts_at=timezone.now() + timedelta(hours=47, minutes=30))

    send_due_reminders.call()

    assert HelpRequest.objects.filter(learner=seated, source=HelpSource.CALL_LIST).exists()


# ---------------------------------------------------------------- claiming and assigning


def test_a_volunteer_claims_an_open_request(calligraphy, seated, volunteer):
    request = ask(seated, calligraphy).help_request

    help_request_claim(help_request=request, user=volunteer)

    request.refresh_from_db()
    assert request.status == HelpStatus.ASSIGNED
    assert request.volunteer == volunteer
    assert request.assigned_at is not None


def test_claiming_twice_by_the_same_volunteer_is_harmless(calligraphy, seated, volunteer):
    request = ask(seated, calligraphy).help_request
    help_request_claim(help_request=request, user=volunteer)

    help_request_claim(help_request=request, user=volunteer)

    assert HelpRequest.objects.get(pk=request.pk).volunteer == volunteer


def test_a_second_volunteer_cannot_claim_a_taken_request(calligraphy, seated, volunteer):
    request = ask(seated, calligraphy).help_request
    help_request_claim(help_request=request, user=volunteer)
    other = make_volunteer("other")

    with pytest.raises(ValidationError, match="Another volunteer"):
        help_request_claim(help_request=request, user=other)

    assert HelpRequest.objects.get(pk=request.pk).volunteer == volunteer


def test_a_pending_volunteer_cannot_claim(calligraphy, seated):
    request = ask(seated, calligraphy).help_request
    pending = make_volunteer("pending", status=VolunteerStatus.PENDING)

    with pytest.raises(PermissionDenied):
        help_request_claim(help_request=request, user=pending)

    assert HelpRequest.objects.get(pk=request.pk).status == HelpStatus.OPEN


@pytest.mark.django_db(transaction=True)
def test_two_volunteers_claiming_at_once_one_wins_and_the_other_is_told():
    learner = Learner.objects.create(name="抢单", phone="13500000002")
    request = HelpRequest.objects.create(learner=learner, source=HelpSource.LEARNER)
    volunteers = [make_volunteer("racer_a"), make_volunteer("racer_b")]
    barrier = threading.Barrier(2)
    won, refused = [], []

    def claim(user):
        try:
            barrier.wait()
            with translation.override("en"):  # each thread has its own language
                help_request_claim(help_request=HelpRequest.objects.get(pk=request.pk), user=user)
            won.append(user)
        except ValidationError as error:
            refused.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(user,)) for user in volunteers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(won) == 1 and len(refused) == 1
    assert "Another volunteer" in refused[0].messages[0]
    assert HelpRequest.objects.get(pk=request.pk).volunteer == won[0]


def test_a_coordinator_assigns_reassigns_and_unassigns(calligraphy, seated, volunteer, coordinator):
    request = ask(seated, calligraphy).help_request
    other = make_volunteer("other")

    help_request_assign(help_request=request, volunteer=volunteer, by=coordinator)
    assert request.volunteer == volunteer and request.status == HelpStatus.ASSIGNED
    help_request_assign(help_request=request, volunteer=other, by=coordinator)
    assert request.volunteer == other
    help_request_unassign(help_request=request, by=coordinator)
    assert request.volunteer is None and request.status == HelpStatus.OPEN


def test_a_volunteer_cannot_assign(calligraphy, seated, volunteer):
    request = ask(seated, calligraphy).help_request

    with pytest.raises(PermissionDenied):
        help_request_assign(help_request=request, volunteer=volunteer, by=volunteer)


def test_a_request_cannot_be_assigned_to_someone_who_is_not_a_volunteer(calligraphy, seated, coordinator):
    request = ask(seated, calligraphy).help_request
    teacher = User.objects.get(username="teacher_wang")

    with pytest.raises(ValidationError):
        help_request_assign(help_request=request, volunteer=teacher, by=coordinator)

    assert HelpRequest.objects.get(pk=request.pk).status == HelpStatus.OPEN


def test_only_approved_volunteers_are_offered_for_assignment(db):
    make_volunteer("waiting", status=VolunteerStatus.PENDING)

    names = set(volunteers_approved().values_list("username", flat=True))

    assert "volunteer" in names and "waiting" not in names and "coordinator" not in names


# ---------------------------------------------------------------- who sees a phone number


def test_open_requests_never_carry_a_phone_number(calligraphy, seated, coordinator):
    ask(seated, calligraphy, source=HelpSource.TEACHER, note="女儿电话 13912345678")

    rows = [row for row in help_requests_open(user=coordinator) if row.learner_id == seated.pk]

    assert rows and rows[0].phone == "" and rows[0].note == ""


def test_a_volunteer_gets_the_phone_of_assigned_learners_only(calligraphy, seated, volunteer, make_learner):
    other = make_learner("别人的")
    mine = ask(seated, calligraphy).help_request
    help_request_claim(help_request=mine, user=volunteer)
    theirs = ask(other, calligraphy).help_request
    help_request_claim(help_request=theirs, user=make_volunteer("other"))

    rows = help_requests_assigned_to(user=volunteer)
    export = calls_to_make(user=volunteer)

    assert [row.phone for row in rows] == [seated.phone]
    assert [row.phone for row in export] == [seated.phone]


def test_a_coordinators_export_has_every_learner_waiting(calligraphy, seated, coordinator):
    ask(seated, calligraphy)

    assert seated.phone in [row.phone for row in calls_to_make(user=coordinator)]


def test_what_is_missing_is_said_in_words():
    assert readiness_missing(Readiness(link_opened=True)) == ["device check"]
    assert readiness_missing(Readiness(attended=True)) == []


# ---------------------------------------------------------------- the call log


@pytest.fixture
def claimed(calligraphy, seated, volunteer):
    request = ask(seated, calligraphy).help_request
    help_request_claim(help_request=request, user=volunteer)
    return request


def log(request, user, **overrides):
    values = {"called_at": timezone.now() - timedelta(minutes=5), "minutes": 10, "outcome": CallOutcome.NOT_REACHED,
              "notes": ""}
    values.update(overrides)
    return call_log_add(help_request=request, user=user, **values)


def test_the_assigned_volunteer_logs_a_call(claimed, volunteer):
    logged = log(claimed, volunteer, notes="没接")

    assert logged.call.pk and logged.call.volunteer == volunteer
    assert not logged.closed


@pytest.mark.parametrize("minutes", [-1, MAX_CALL_MINUTES + 1])
def test_a_call_of_impossible_length_is_refused_and_nothing_saved(claimed, volunteer, minutes):
    with pytest.raises(ValidationError) as refused:
        log(claimed, volunteer, minutes=minutes)

    assert "minutes" in refused.value.message_dict
    assert not CallLog.objects.filter(request=claimed).exists()


def test_a_call_in_the_future_is_refused_and_nothing_saved(claimed, volunteer):
    with pytest.raises(ValidationError) as refused:
        log(claimed, volunteer, called_at=timezone.now() + timedelta(hours=1))

    assert "future" in refused.value.message_dict["called_at"][0]
    assert not CallLog.objects.filter(request=claimed).exists()


def test_an_unknown_outcome_is_refused(claimed, volunteer):
    with pytest.raises(ValidationError):
        log(claimed, volunteer, outcome="magic")

    assert not CallLog.objects.filter(request=claimed).exists()


def test_another_volunteer_may_not_log_a_call(claimed):
    with pytest.raises(PermissionDenied):
        log(claimed, make_volunteer("other"))


def test_a_coordinator_may_log_a_call(claimed, coordinator):
    assert log(claimed, coordinator).call.pk


def test_a_call_closes_the_request_when_the_learner_is_ready(claimed, volunteer, seated):
    make_ready(seated)

    logged = log(claimed, volunteer, outcome=CallOutcome.JOINED)

    claimed.refresh_from_db()
    assert logged.closed and claimed.status == HelpStatus.CLOSED and claimed.closed_at


def test_the_sweep_closes_a_call_list_request_once_the_learner_is_ready(soon_class, seated):
    call_lists_build(now=soon_class[0])
    make_ready(seated)

    closed = help_requests_close_ready()

    assert closed >= 1
    assert HelpRequest.objects.get(learner=seated).status == HelpStatus.CLOSED


def test_the_sweep_keeps_a_learners_own_ask_open_until_someone_has_called(claimed, volunteer, seated):
    make_ready(seated)

    help_requests_close_ready()
    still_open = HelpRequest.objects.get(pk=claimed.pk).status
    CallLog.objects.create(request=claimed, volunteer=volunteer, called_at=timezone.now(), minutes=3,
                           outcome=CallOutcome.OTHER)
    help_requests_close_ready()

    assert still_open == HelpStatus.ASSIGNED
    assert HelpRequest.objects.get(pk=claimed.pk).status == HelpStatus.CLOSED
