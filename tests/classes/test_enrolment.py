import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from datetime import timedelta

from classes.models import Enrolment, EnrolmentStatus, SeatPool
from classes.courses.selectors import waitlist_position
from classes.courses.services import enrolment_create, enrolment_withdraw, seats_fill

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_course(calligraphy):
    Enrolment.objects.filter(course=calligraphy).delete()
    calligraphy.online_seats = 2
    calligraphy.centre_seats = 1
    calligraphy.save()
    return calligraphy


def test_learner_gets_a_seat_while_the_pool_has_room(small_course, learner):
    assert enrolment_create(learner=learner, course=small_course).status == EnrolmentStatus.ENROLLED


def test_learner_joins_the_waiting_list_when_the_pool_is_full(small_course, make_learner):
    for _ in range(2):
        enrolment_create(learner=make_learner(), course=small_course)
    third = enrolment_create(learner=make_learner(), course=small_course)
    assert third.status == EnrolmentStatus.WAITLISTED
    assert waitlist_position(enrolment=third) == 1


def test_the_two_seat_pools_fill_separately(small_course, make_learner):
    enrolment_create(learner=make_learner(), course=small_course, pool=SeatPool.CENTRE)
    waiting = enrolment_create(learner=make_learner(), course=small_course, pool=SeatPool.CENTRE)
    online = enrolment_create(learner=make_learner(), course=small_course, pool=SeatPool.ONLINE)
    assert (waiting.status, online.status) == (EnrolmentStatus.WAITLISTED, EnrolmentStatus.ENROLLED)


def test_waiting_list_is_first_come_first_served(small_course, make_learner):
    for _ in range(2):
        enrolment_create(learner=make_learner(), course=small_course)
    first, second = (enrolment_create(learner=make_learner(), course=small_course) for _ in range(2))
    assert (waitlist_position(enrolment=first), waitlist_position(enrolment=second)) == (1, 2)


def test_withdrawing_promotes_the_first_in_line(small_course, make_learner):
    seated = [enrolment_create(learner=make_learner(), course=small_course) for _ in range(2)]
    first_waiting = enrolment_create(learner=make_learner(), course=small_course)
    second_waiting = enrolment_create(learner=make_learner(), course=small_course)
    promoted = enrolment_withdraw(enrolment=seated[0])
    first_waiting.refresh_from_db()
    second_waiting.refresh_from_db()
    assert promoted == [first_waiting]
    assert first_waiting.status == EnrolmentStatus.ENROLLED
    assert waitlist_position(enrolment=second_waiting) == 1


def test_adding_seats_and_publishing_promotes_the_waiting(small_course, make_learner):
    for _ in range(3):
        enrolment_create(learner=make_learner(), course=small_course)
    small_course.online_seats = 3
    small_course.save_revision().publish()
    assert Enrolment.objects.filter(course=small_course, status=EnrolmentStatus.WAITLISTED).count() == 0


def test_seats_fill_does_nothing_when_no_seat_is_free(small_course, make_learner):
    for _ in range(3):
        enrolment_create(learner=make_learner(), course=small_course)
    assert seats_fill(course=small_course) == []


def test_a_learner_cannot_hold_two_enrolments_in_one_course(small_course, learner):
    enrolment_create(learner=learner, course=small_course)
    with pytest.raises(ValidationError) as error:
        enrolment_create(learner=learner, course=small_course, pool=SeatPool.CENTRE)
    assert error.value.code == "duplicate"
    assert Enrolment.objects.filter(learner=learner, course=small_course).count() == 1


def test_a_learner_who_left_may_sign_up_again(small_course, learner):
    enrolment_withdraw(enrolment=enrolment_create(learner=learner, course=small_course))
    assert enrolment_create(learner=learner, course=small_course).status == EnrolmentStatus.ENROLLED


def test_sign_up_after_the_term_is_refused(small_course, learner):
    # A term that ran its whole course before yesterday, whatever weekday today is.
    small_course.term_start = timezone.localdate() - timedelta(weeks=12)
    small_course.term_end = timezone.localdate() - timedelta(days=1)
    small_course.save()
    with pytest.raises(ValidationError) as error:
        enrolment_create(learner=learner, course=small_course)
    assert error.value.code == "term_over"
    assert not Enrolment.objects.filter(learner=learner).exists()


def test_centre_seat_in_an_online_only_course_is_refused(small_course, learner):
    small_course.centre_seats = 0
    small_course.save()
    with pytest.raises(ValidationError):
        enrolment_create(learner=learner, course=small_course, pool=SeatPool.CENTRE)


@pytest.mark.django_db(transaction=True)
def test_two_sign_ups_for_the_last_seat_at_once_give_it_to_exactly_one(make_learner):
    from classes.models import CoursePage

    course = CoursePage.objects.get(slug="learn-abc")
    Enrolment.objects.filter(course=course).delete()
    course.online_seats = 1
    course.save()
    rivals = [make_learner(), make_learner()]
    start = threading.Barrier(len(rivals))
    errors = []

    def sign_up(learner):
        try:
            start.wait()
            enrolment_create(learner=learner, course=course)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up, args=(rival,)) for rival in rivals]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(Enrolment.objects.filter(course=course).values_list("status", flat=True))
    assert errors == []
    assert statuses == [EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED]
