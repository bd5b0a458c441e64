"""Remote assist: the steps a learner's phone takes (the service and the endpoint the phone
reports to), where they are recorded (join link, device check), and who may open the
volunteer's assist page."""

import json
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from classes.models import ClassSession, CoursePage, Learner
from classes.courses.join_links import join_link_ensure, join_link_token
from volunteers import events
from volunteers.models import AssistEvent, AssistStep, HelpRequest, HelpStatus
from volunteers.selectors.assist import DONE, HISTORY_HOURS, LEFT, PROBLEM, WAITING, assist_checklist
from volunteers.services.assist import DUPLICATE_WINDOW, assist_step_record, assist_steps_from_check
from volunteers.views import assist as assist_views

pytestmark = pytest.mark.django_db

STEP_URL = "/assist/step/"


@pytest.fixture
def zhao():
    return Learner.objects.get(phone="13800138002")  # 学会ABC and 国画兴趣班; an open help request


@pytest.fixture
def learn_abc():
    return CoursePage.objects.get(slug="learn-abc")


def _user(username):
    return get_user_model().objects.get(username=username)


@pytest.fixture
def assigned(zhao):
    """赵建国's help request is the demo volunteer's."""
    HelpRequest.objects.filter(learner=zhao).update(
        status=HelpStatus.ASSIGNED, volunteer=_user("volunteer"), assigned_at=timezone.now())


def _steps(learner):
    return list(AssistEvent.objects.filter(learner=learner).values_list("step", flat=True))


def _age(learner, step, by):
    AssistEvent.objects.filter(learner=learner, step=step).update(at=timezone.now() - by)


@pytest.fixture
def watcher():
    """A channel in 赵建国's assist group; `received()` is what reached it, waiting for nothing."""
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    zhao = Learner.objects.get(phone="13800138002")
    async_to_sync(layer.group_add)(events.assist_group(zhao.pk), channel)

    def received():
        # Straight from the in-memory layer's queue: its async receive() would bind the queue
        # to one event loop, and each async_to_sync call runs another.
        queue = layer.channels.get(channel)
        messages = []
        while queue is not None and not queue.empty():
            messages.append(queue.get_nowait()[1])
        return messages

    return received


# ---------------------------------------------------------------- the service


def test_recording_a_step_saves_it_for_the_learner(zhao):
    event = assist_step_record(learner=zhao, step=AssistStep.CAMERA_ALLOWED)

    assert event is not None
    assert _steps(zhao) == ["camera_allowed"]


def test_the_same_step_again_within_seconds_is_ignored(zhao):
    assist_step_record(learner=zhao, step=AssistStep.PAGE_OPENED)

    again = assist_step_record(learner=zhao, step=AssistStep.PAGE_OPENED)

    assert again is None
    assert _steps(zhao) == ["page_opened"]


def test_the_same_step_after_the_duplicate_window_is_recorded_again(zhao):
    assist_step_record(learner=zhao, step=AssistStep.PAGE_OPENED)
    _age(zhao, AssistStep.PAGE_OPENED, DUPLICATE_WINDOW + timedelta(seconds=1))

    again = assist_step_record(learner=zhao, step=AssistStep.PAGE_OPENED)

    assert again is not None
    assert _steps(zhao) == ["page_opened", "page_opened"]


def test_another_step_right_after_is_recorded(zhao):
    assist_step_record(learner=zhao, step=AssistStep.ROOM_JOINED)
    assist_step_record(learner=zhao, step=AssistStep.ROOM_LEFT)

    assert _steps(zhao) == ["room_joined", "room_left"]


def test_an_unknown_step_is_refused_with_a_sentence_and_nothing_saved(zhao):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        assist_step_record(learner=zhao, step="teleported")

    assert refused.value.messages == ["“teleported” is not a step we know."]
    assert _steps(zhao) == []


def test_a_recorded_step_is_sent_to_the_learners_assist_group_as_plain_data(zhao, watcher,
                                                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        event = assist_step_record(learner=zhao, step=AssistStep.SOUND_HEARD)

    [message] = watcher()
    assert message["type"] == events.LAYER_FRAME
    assert json.loads(message["text"]) == {
        "type": events.STEP, "id": event.pk, "step": "sound_heard", "at": event.at.isoformat(),
        "time": timezone.localtime(event.at).strftime("%H:%M"),
    }


def test_a_step_is_sent_only_once_the_transaction_commits(zhao, watcher, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assist_step_record(learner=zhao, step=AssistStep.SOUND_HEARD)

    assert watcher() == []
    assert len(callbacks) == 1


def test_a_duplicate_step_sends_nothing(zhao, watcher, django_capture_on_commit_callbacks):
    assist_step_record(learner=zhao, step=AssistStep.SOUND_HEARD)
    with django_capture_on_commit_callbacks(execute=True):
        assist_step_record(learner=zhao, step=AssistStep.SOUND_HEARD)

    assert watcher() == []


def test_device_check_findings_become_steps_and_untried_ones_none(zhao):
    assist_steps_from_check(learner=zhao, result={"camera_ok": True, "microphone_ok": False, "sound_heard": None})

    assert _steps(zhao) == ["camera_allowed", "microphone_blocked"]


# ---------------------------------------------------------------- the checklist


def _event(learner, step):
    return AssistEvent.objects.create(learner=learner, step=step)


def test_checklist_rows_wait_until_a_step_comes(zhao):
    rows = assist_checklist(events_so_far=[])

    assert [(row.key, row.state) for row in rows] == [
        ("link", WAITING), ("page", WAITING), ("camera", WAITING), ("microphone", WAITING), ("sound", WAITING),
        ("room", WAITING),
    ]


def test_checklist_row_shows_the_latest_of_its_steps(zhao):
    steps = [_event(zhao, AssistStep.CAMERA_BLOCKED), _event(zhao, AssistStep.CAMERA_ALLOWED),
             _event(zhao, AssistStep.SOUND_NOT_HEARD), _event(zhao, AssistStep.ROOM_JOINED),
             _event(zhao, AssistStep.ROOM_LEFT)]

    rows = {row.key: row for row in assist_checklist(events_so_far=steps)}

    assert (rows["camera"].state, rows["camera"].step) == (DONE, "camera_allowed")
    assert (rows["sound"].state, rows["room"].state) == (PROBLEM, LEFT)


# ---------------------------------------------------------------- where steps are recorded


def test_opening_a_learners_join_link_records_link_opened(client, zhao, learn_abc, django_capture_on_commit_callbacks):
    token = join_link_token(link=join_link_ensure(course=learn_abc, learner=zhao))

    with django_capture_on_commit_callbacks(execute=True):  # announced once the request commits
        client.get(f"/j/{token}/")

    assert _steps(zhao) == ["link_opened"]


def test_opening_a_teachers_join_link_records_no_step(client, learn_abc, django_capture_on_commit_callbacks):
    teacher = learn_abc.teachers.first()
    with django_capture_on_commit_callbacks(execute=True):
        client.get(f"/j/{join_link_token(link=join_link_ensure(course=learn_abc, teacher=teacher))}/")

    assert not AssistEvent.objects.exists()


def test_a_learners_device_check_records_camera_microphone_and_sound(client, open_link, zhao, learn_abc,
                                                                      django_capture_on_commit_callbacks):
    session = ClassSession.objects.filter(course=learn_abc).first()
    with django_capture_on_commit_callbacks(execute=True):  # announced once each request commits
        open_link(learn_abc, learner=zhao)
        client.post(reverse("device_check", args=[session.pk]), {"camera_ok": True, "microphone_ok": True},
                    content_type="application/json")
        client.post(reverse("device_check", args=[session.pk]), {"sound_heard": False},
                    content_type="application/json")

    assert _steps(zhao) == ["link_opened", "camera_allowed", "microphone_allowed", "sound_not_heard"]


def test_a_teachers_device_check_records_no_step(client, learn_abc):
    client.force_login(_user("teacher_li"))
    session = ClassSession.objects.filter(course=learn_abc).first()

    response = client.post(reverse("device_check", args=[session.pk]), {"camera_ok": True},
                           content_type="application/json")

    assert response.status_code == 200
    assert not AssistEvent.objects.exists()


# ---------------------------------------------------------------- the endpoint the phone reports to


def _report(client, step="page_opened", **extra):
    return client.post(STEP_URL, {"step": step}, content_type="application/json", **extra)


@pytest.fixture
def zhao_phone(client, open_link, zhao, learn_abc):
    open_link(learn_abc, learner=zhao)
    AssistEvent.objects.all().delete()  # the link's own step; these tests are about the phone's
    return client


def test_the_phone_reports_a_step_of_its_signed_in_learner(zhao_phone, zhao):
    response = _report(zhao_phone, "camera_blocked")

    assert (response.status_code, response.json()) == (200, {"ok": True, "recorded": True})
    assert _steps(zhao) == ["camera_blocked"]


def test_a_retried_report_is_answered_but_not_recorded_twice(zhao_phone, zhao):
    _report(zhao_phone)
    response = _report(zhao_phone)

    assert response.json() == {"ok": True, "recorded": False}
    assert _steps(zhao) == ["page_opened"]


def test_a_report_without_a_learner_session_is_refused_with_403_json(client):
    response = _report(client)

    assert response.status_code == 403
    assert response.json()["ok"] is False
    assert not AssistEvent.objects.exists()


def test_a_signed_in_volunteer_cannot_report_steps(client, assigned):
    client.force_login(_user("volunteer"))

    response = _report(client)

    assert response.status_code == 403
    assert not AssistEvent.objects.exists()


@pytest.mark.parametrize("step", ["link_opened", "room_joined", "room_left"])
def test_steps_only_the_server_witnesses_are_refused_from_the_phone(zhao_phone, step):
    response = _report(zhao_phone, step)

    assert (response.status_code, response.json()["code"]) == (400, "bad_step")
    assert not AssistEvent.objects.exists()


@pytest.mark.parametrize("body", ['{"step": "flying"}', '{"step": 3}', '["page_opened"]', "not json", ""])
def test_an_unreadable_or_unknown_step_is_refused_with_400(zhao_phone, body):
    response = zhao_phone.post(STEP_URL, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json()["error"] == "That step is not one a phone can report."
    assert not AssistEvent.objects.exists()


def test_a_report_without_the_csrf_token_is_refused(zhao, learn_abc):
    phone = Client(enforce_csrf_checks=True)
    phone.get(f"/j/{join_link_token(link=join_link_ensure(course=learn_abc, learner=zhao))}/")

    response = _report(phone, "camera_allowed")

    assert response.status_code == 403
    assert "camera_allowed" not in _steps(zhao)


def test_a_report_with_the_pages_csrf_token_is_accepted(zhao, learn_abc):
    phone = Client(enforce_csrf_checks=True)
    phone.get(f"/j/{join_link_token(link=join_link_ensure(course=learn_abc, learner=zhao))}/")
    phone.get(reverse("my_classes"))  # any page with a form sets the CSRF cookie, as the class page does

    response = _report(phone, "camera_allowed", HTTP_X_CSRFTOKEN=phone.cookies["csrftoken"].value)

    assert response.status_code == 200
    assert "camera_allowed" in _steps(zhao)


def test_reports_beyond_the_limit_are_refused_with_429(zhao_phone, monkeypatch):
    monkeypatch.setattr(assist_views, "STEP_LIMIT_PER_MINUTE", 2)
    for _ in range(2):
        assert _report(zhao_phone).status_code == 200

    response = _report(zhao_phone, "sound_heard")

    assert (response.status_code, response.json()["code"]) == (429, "rate_limited")
    assert "sound_heard" not in _steps(Learner.objects.get(phone="13800138002"))


def test_the_step_endpoint_takes_only_post(zhao_phone):
    assert zhao_phone.get(STEP_URL).status_code == 405


# ---------------------------------------------------------------- the assist page


def _assist_url(learner):
    return reverse("volunteer_assist", args=[learner.pk])


def test_the_assigned_volunteer_sees_name_phone_courses_and_checklist(client, zhao, assigned):
    client.force_login(_user("volunteer"))

    response = client.get(_assist_url(zhao))

    assert response.status_code == 200
    page = response.content.decode()
    assert "赵建国" in page and 'href="tel:13800138002"' in page
    assert "学会ABC" in page and "国画兴趣班" in page
    assert page.count('class="assist-step"') == 6
    assert f'"socket": "/ws/assist/{zhao.pk}/"' in page


def test_a_coordinator_may_open_any_learners_assist_page(client, zhao):
    client.force_login(_user("coordinator"))

    assert client.get(_assist_url(zhao)).status_code == 200


@pytest.mark.parametrize("username", ["volunteer", "teacher_li"])
def test_someone_not_assigned_gets_404_without_the_phone(client, zhao, username):
    client.force_login(_user(username))

    response = client.get(_assist_url(zhao))

    assert response.status_code == 404
    assert "13800138002" not in response.content.decode()


def test_a_learner_who_is_not_yours_and_one_who_is_not_there_answer_alike(client, zhao):
    client.force_login(_user("volunteer"))

    not_yours = client.get(_assist_url(zhao))
    missing = client.get(reverse("volunteer_assist", args=[999_999]))

    assert (not_yours.status_code, not_yours.templates[0].name) == (missing.status_code, missing.templates[0].name)
    assert not_yours.status_code == 404


def test_a_volunteer_whose_request_was_closed_gets_404(client, zhao, assigned):
    HelpRequest.objects.filter(learner=zhao).update(status=HelpStatus.CLOSED, closed_at=timezone.now())
    client.force_login(_user("volunteer"))

    assert client.get(_assist_url(zhao)).status_code == 404


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(client, zhao):
    response = client.get(_assist_url(zhao))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_learner_id_that_does_not_exist_is_404(client):
    client.force_login(_user("coordinator"))

    assert client.get(reverse("volunteer_assist", args=[999_999])).status_code == 404


def test_the_checklist_starts_from_the_recent_history_in_words(client, zhao, assigned):
    assist_step_record(learner=zhao, step=AssistStep.LINK_OPENED)
    assist_step_record(learner=zhao, step=AssistStep.CAMERA_BLOCKED)
    client.force_login(_user("volunteer"))

    page = client.get(_assist_url(zhao), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert '<li class="assist-step" data-row="link" data-state="done">' in page
    assert '<li class="assist-step" data-row="camera" data-state="problem">' in page
    assert "Camera not allowed at " in page and "The phone said no to the camera." in page


def test_steps_older_than_the_history_leave_the_checklist(client, zhao, assigned):
    assist_step_record(learner=zhao, step=AssistStep.LINK_OPENED)
    _age(zhao, AssistStep.LINK_OPENED, timedelta(hours=HISTORY_HOURS, minutes=1))
    client.force_login(_user("volunteer"))

    page = client.get(_assist_url(zhao)).content.decode()

    assert '<li class="assist-step" data-row="link" data-state="waiting">' in page
