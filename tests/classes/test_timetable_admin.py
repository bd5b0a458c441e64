"""The timetable through the browser: the coordinator's planner and class pages in the
Wagtail admin, the ClassSession snippet form, and the teacher's free-time page.

Requests ask for English (Accept-Language), so the messages read here do not depend
on the Chinese catalogue; one test checks the page a Chinese phone gets."""

from datetime import time, timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from wagtail.admin.panels import ObjectList

from classes.models import (
    AvailabilityException,
    AvailabilitySlot,
    ClassSession,
    Room,
    SessionMode,
    Teacher,
    Term,
    TermHoliday,
    TimetableSlot,
)
from classes.timetable import engine
from classes.timetable.services import timetable_publish
from classes.wagtail_hooks import ClassSessionForm
from tests.classes.test_timetable import MON, THU, TUE, local, make_need, make_teacher, make_term

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- helpers


@pytest.fixture
def en_client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def coordinator(en_client):
    en_client.login(username="coordinator", password="demo-coordinator")
    return en_client


@pytest.fixture
def wang(en_client):
    """The demo teacher 王书华, signed in; free Monday 08:30–12:00, Wednesday 13:30–17:00, Thursday 09:00–11:30."""
    en_client.login(username="teacher_wang", password="demo-teacher")
    return en_client


def shown(response) -> list[str]:
    """The messages on the page the (followed) response ended on."""
    return [str(message) for message in response.context["messages"]]


def planner_url(term) -> str:
    return reverse("wagtailadmin_timetable_planner", args=[term.pk])


def session_url(session) -> str:
    return reverse("wagtailadmin_timetable_session", args=[session.pk])


@pytest.fixture
def term():
    return make_term()


@pytest.fixture
def teacher():
    return make_teacher()


@pytest.fixture
def need(term, teacher):
    """爱尚书法 once a week for an hour, online, taught by a teacher free Monday and Thursday 08:00–12:00."""
    return make_need(term, "calligraphy", teacher)


@pytest.fixture
def slot(need):
    return TimetableSlot.objects.create(need=need, weekday=MON, starts=time(9))


@pytest.fixture
def session(term, slot):
    """The first class of the published term: Monday 09:00."""
    timetable_publish(term=term)
    return ClassSession.objects.filter(series=slot).order_by("starts_at").first()


# ---------------------------------------------------------------- who may plan


@pytest.mark.parametrize("url_name", ["terms", "planner", "session"])
def test_a_teacher_is_sent_to_the_admin_login_from_the_planner(wang, session, url_name):
    url = {"terms": reverse("wagtailadmin_timetable"), "planner": planner_url(session.series.need.term),
           "session": session_url(session)}[url_name]
    response = wang.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))


def test_a_teacher_cannot_propose_by_posting_to_the_planner(wang, term, need):
    response = wang.post(planner_url(term), {"action": "propose"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("wagtailadmin_login"))
    assert not TimetableSlot.objects.filter(need__term=term).exists()


def test_an_anonymous_visitor_is_sent_to_the_admin_login_from_the_planner(en_client):
    response = en_client.get(reverse("wagtailadmin_timetable"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("wagtailadmin_login"))


def test_an_admin_user_who_is_not_a_coordinator_is_sent_back_to_the_dashboard(en_client):
    editor = User.objects.create_user(username="editor", password="editor-pass")
    editor.user_permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    en_client.login(username="editor", password="editor-pass")
    response = en_client.get(reverse("wagtailadmin_timetable"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("wagtailadmin_home")
    assert any("do not have permission" in text for text in shown(response))


def test_the_terms_page_links_each_term_to_its_planner(coordinator, term):
    response = coordinator.get(reverse("wagtailadmin_timetable"))
    assert response.status_code == 200
    body = response.content.decode()
    assert f'href="{planner_url(term)}"' in body and f'href="{planner_url(Term.objects.get(name="新学期"))}"' in body


def test_the_admin_menu_offers_the_planner_to_a_coordinator(coordinator):
    assert reverse("wagtailadmin_timetable") in coordinator.get(reverse("wagtailadmin_home")).content.decode()


@pytest.mark.parametrize("model", ["term", "room", "availabilityslot", "availabilityexception", "classsession"])
def test_the_timetable_setup_lists_open_for_a_coordinator(coordinator, model):
    assert coordinator.get(reverse(f"wagtailsnippets_classes_{model}:list")).status_code == 200


def test_the_term_editor_opens_for_a_coordinator(coordinator, term):
    assert coordinator.get(reverse("wagtailsnippets_classes_term:edit", args=[term.pk])).status_code == 200


# ---------------------------------------------------------------- the planner


def test_propose_fills_the_week_and_says_how_many(coordinator):
    demo = Term.objects.get(name="新学期")
    response = coordinator.post(planner_url(demo), {"action": "propose"}, follow=True)
    assert "Proposed 6 weekly classes." in shown(response)
    assert TimetableSlot.objects.filter(need__term=demo).count() == 6


def test_propose_warns_about_a_course_it_could_not_place(coordinator, term):
    make_need(term, "calligraphy", make_teacher("没空老师", free=()))
    response = coordinator.post(planner_url(term), {"action": "propose"}, follow=True)
    assert "爱尚书法 was not placed: 没空老师 has not given any free time yet." in shown(response)


def test_propose_says_the_timetable_is_proven_best(coordinator, term, need):
    response = coordinator.post(planner_url(term), {"action": "propose"}, follow=True)
    assert ("This is the best timetable the teachers' free time allows: no other places more courses or meets "
            "more wishes.") in shown(response)


def test_propose_stopped_by_the_time_limit_says_a_better_timetable_may_exist(coordinator, term, need, settings,
                                                                             monkeypatch):
    settings.TIMETABLE_SOLVER_SECONDS = 0
    monkeypatch.setattr(engine, "MIN_SOLVE_SECONDS", 0)
    response = coordinator.post(planner_url(term), {"action": "propose"}, follow=True)
    assert ("The planner stopped looking after 0 seconds. This is the best timetable it found, but a better one may "
            "exist: propose again, or move courses by hand.") in shown(response)
    assert TimetableSlot.objects.filter(need=need).count() == 1


def away_on_the_second_monday(term, teacher) -> None:
    AvailabilityException.objects.create(teacher=teacher, date=term.starts_on + timedelta(weeks=1), kind="away")


def test_the_planner_lists_a_class_moved_for_a_week_the_teacher_is_away(coordinator, term, teacher, slot):
    away_on_the_second_monday(term, teacher)
    response = coordinator.get(planner_url(term))
    [change] = response.context["week_changes"]
    assert change.moved_on == term.starts_on + timedelta(weeks=1, days=3) and change.moved_starts == time(9)
    assert "Weeks that differ" in response.content.decode()


def test_publish_holds_the_moved_class_and_says_when(coordinator, term, teacher, slot):
    away_on_the_second_monday(term, teacher)
    response = coordinator.post(planner_url(term), {"action": "publish", "confirmed": "yes"}, follow=True)
    moved = ClassSession.objects.get(series=slot, starts_at=local(term.starts_on + timedelta(weeks=1, days=3), 9))
    when = date_format(timezone.localtime(moved.starts_at), "SHORT_DATETIME_FORMAT")
    assert f"爱尚书法 on {term.starts_on + timedelta(weeks=1)} is held on {when} instead: the teacher is away." in shown(response)


def test_add_saves_a_weekly_time(coordinator, term, need):
    response = coordinator.post(planner_url(term), {
        "action": "add", "need": need.pk, "weekday": THU, "starts": "10:00", "room": ""}, follow=True)
    assert "Saved." in shown(response)
    assert TimetableSlot.objects.filter(need=need, weekday=THU, starts=time(10)).exists()


def test_add_shows_the_clash_next_to_the_add_form_and_saves_nothing(coordinator, term, need):
    response = coordinator.post(planner_url(term), {
        "action": "add", "need": need.pk, "weekday": TUE, "starts": "10:00", "room": ""})
    assert '<p class="error-message" id="add-refusal" role="alert">测试老师 is not free on Tuesday 10:00–11:00' in (
        response.content.decode())
    assert not TimetableSlot.objects.filter(need=need).exists()


def test_add_without_a_time_asks_to_correct_the_form(coordinator, term, need):
    response = coordinator.post(planner_url(term), {"action": "add", "need": need.pk, "weekday": MON, "starts": ""})
    assert response.status_code == 200
    assert "starts" in response.context["add_form"].errors
    assert "Please correct the marked fields." in shown(response)
    assert not TimetableSlot.objects.filter(need=need).exists()


def test_save_moves_a_weekly_time(coordinator, term, slot):
    response = coordinator.post(planner_url(term), {
        "action": "save", "slot": slot.pk, "weekday": THU, "starts": "11:00", "room": ""}, follow=True)
    assert "Saved." in shown(response)
    slot.refresh_from_db()
    assert (slot.weekday, slot.starts) == (THU, time(11))


def planner_row(response, slot) -> str:
    """The hand-edit row of one weekly time on the planner page."""
    body = response.content.decode()
    return body[body.index(f'<tr id="slot-{slot.pk}">'):].split("</tr>")[0]


def test_a_refused_edit_keeps_what_was_typed_and_says_why_next_to_its_row(coordinator, term, teacher, slot):
    painting = make_need(term, "chinese-painting", teacher)
    TimetableSlot.objects.create(need=painting, weekday=THU, starts=time(10))
    response = coordinator.post(planner_url(term), {
        "action": "save", "slot": slot.pk, "weekday": THU, "starts": "10:30", "room": ""})
    row = planner_row(response, slot)
    refusal = f"slot{slot.pk}-refusal"
    assert f'id="{refusal}" role="alert">测试老师 already teaches 国画兴趣班' in row
    assert f'<option value="{THU}" selected>' in row and 'value="10:30"' in row
    assert row.count(f'aria-describedby="{refusal}"') == row.count('aria-invalid="true"') == 3
    assert "autofocus" in row
    slot.refresh_from_db()
    assert (slot.weekday, slot.starts) == (MON, time(9))


def test_the_add_by_hand_hint_comes_only_after_a_proposal_for_the_course_it_left_out(coordinator, term):
    one_hour = make_teacher("一小时老师", free=((MON, 8, 9),))
    make_need(term, "calligraphy", one_hour)
    make_need(term, "chinese-painting", one_hour)
    before = coordinator.get(planner_url(term)).content.decode()
    coordinator.post(planner_url(term), {"action": "propose"})
    after = coordinator.get(planner_url(term)).content.decode()
    [placed] = TimetableSlot.objects.filter(need__term=term)
    left_out = "国画兴趣班" if placed.need.course.slug == "calligraphy" else "爱尚书法"
    assert "Add the missing ones by hand" not in before
    assert after.count("Add the missing ones by hand") == 1
    assert f"{left_out} has 0 of its 1 weekly classes. Add the missing ones by hand." in after


def test_save_of_a_weekly_time_from_another_term_is_refused_and_changes_nothing(coordinator, slot):
    other = Term.objects.get(name="新学期")
    response = coordinator.post(planner_url(other), {
        "action": "save", "slot": slot.pk, "weekday": THU, "starts": "11:00", "room": ""}, follow=True)
    assert any("no longer exists" in text for text in shown(response))
    slot.refresh_from_db()
    assert slot.weekday == MON


def test_a_second_tap_on_remove_says_the_weekly_time_is_gone(coordinator, term, slot):
    coordinator.post(planner_url(term), {"action": "delete", "slot": slot.pk})
    response = coordinator.post(planner_url(term), {"action": "delete", "slot": slot.pk}, follow=True)
    assert response.status_code == 200
    assert any("no longer exists" in text for text in shown(response))


def test_a_garbled_weekly_time_number_is_refused_with_a_message(coordinator, term, slot):
    response = coordinator.post(planner_url(term), {"action": "delete", "slot": "abc"}, follow=True)
    assert any("no longer exists" in text for text in shown(response))
    assert TimetableSlot.objects.filter(pk=slot.pk).exists()


def test_remove_deletes_a_weekly_time(coordinator, term, slot):
    response = coordinator.post(planner_url(term), {"action": "delete", "slot": slot.pk}, follow=True)
    assert "Removed." in shown(response)
    assert not TimetableSlot.objects.filter(pk=slot.pk).exists()


def test_publish_creates_the_classes_and_lists_the_holidays_skipped(coordinator, term, slot):
    holiday = term.starts_on + timedelta(weeks=1)
    TermHoliday.objects.create(term=term, date=holiday, name="社区活动日")
    response = coordinator.post(planner_url(term), {"action": "publish", "confirmed": "yes"}, follow=True)
    messages = shown(response)
    assert "Published: 2 classes created." in messages
    assert f"爱尚书法 on {holiday} skipped: holiday" in messages
    assert ClassSession.objects.filter(series=slot).count() == 2


def test_publish_without_confirmation_asks_naming_the_term_and_creates_nothing(coordinator, term, slot):
    response = coordinator.post(planner_url(term), {"action": "publish"})
    assert str(term) in response.content.decode()
    term.refresh_from_db()
    assert term.published_at is None and not ClassSession.objects.filter(series=slot).exists()


def test_the_published_planner_links_each_class_to_its_page(coordinator, term, session):
    body = coordinator.get(planner_url(term)).content.decode()
    for each in ClassSession.objects.filter(series__need__term=term):
        assert f'href="{session_url(each)}"' in body


def test_publish_with_a_course_missing_its_times_names_it_and_creates_nothing(coordinator, term, need):
    response = coordinator.post(planner_url(term), {"action": "publish", "confirmed": "yes"}, follow=True)
    messages = " ".join(shown(response))
    assert "Every course needs all its weekly classes before publishing." in messages
    assert "爱尚书法 has 0 of its 1 weekly classes" in messages
    term.refresh_from_db()
    assert term.published_at is None and not ClassSession.objects.filter(series__need__term=term).exists()


def test_publishing_twice_from_the_planner_is_refused(coordinator, term, session):
    count = ClassSession.objects.count()
    response = coordinator.post(planner_url(term), {"action": "publish", "confirmed": "yes"}, follow=True)
    assert "This term's timetable is already published." in shown(response)
    assert ClassSession.objects.count() == count


# ---------------------------------------------------------------- one class: move or cancel


def test_the_class_page_offers_move_and_cancel(coordinator, session):
    body = coordinator.get(session_url(session)).content.decode()
    assert 'value="move"' in body and 'value="cancel"' in body


def test_the_move_form_moves_the_class(coordinator, session):
    day = timezone.localtime(session.starts_at).date()
    response = coordinator.post(session_url(session), {
        "action": "move", "date": day.isoformat(), "starts": "10:30", "room": ""}, follow=True)
    assert any("1 classes moved" in text for text in shown(response))
    session.refresh_from_db()
    assert session.starts_at == local(day, 10, 30) and session.sequence == 1


def test_the_move_form_can_move_the_rest_of_the_series(coordinator, slot, session):
    day = timezone.localtime(session.starts_at).date()
    response = coordinator.post(session_url(session), {
        "action": "move", "date": day.isoformat(), "starts": "10:00", "room": "", "whole_series": "on"}, follow=True)
    assert any("3 classes moved" in text for text in shown(response))
    assert {timezone.localtime(s.starts_at).time() for s in ClassSession.objects.filter(series=slot)} == {time(10)}


def test_the_move_form_shows_a_refusal_and_keeps_the_class(coordinator, session):
    day = timezone.localtime(session.starts_at).date()
    response = coordinator.post(session_url(session), {
        "action": "move", "date": day.isoformat(), "starts": "15:00", "room": ""}, follow=True)
    assert response.status_code == 200
    assert any("测试老师 is not free at" in text for text in shown(response))
    session.refresh_from_db()
    assert session.starts_at == local(day, 9) and session.sequence == 0


def test_the_cancel_form_cancels_the_class(coordinator, session):
    response = coordinator.post(session_url(session), {"action": "cancel", "reason": "老师生病"}, follow=True)
    assert any("1 classes cancelled" in text for text in shown(response))
    session.refresh_from_db()
    assert session.is_cancelled and session.cancel_reason == "老师生病"


def test_the_cancel_form_without_a_reason_asks_for_one(coordinator, session):
    response = coordinator.post(session_url(session), {"action": "cancel", "reason": ""})
    assert response.status_code == 200
    assert "reason" in response.context["cancel_form"].errors
    session.refresh_from_db()
    assert not session.is_cancelled


def test_the_page_of_a_cancelled_class_offers_no_move(coordinator, session):
    coordinator.post(session_url(session), {"action": "cancel", "reason": "老师生病"})
    response = coordinator.get(session_url(session))
    assert 'value="move"' not in response.content.decode()
    assert "老师生病" in response.content.decode()


def test_moving_a_cancelled_class_by_posting_is_refused(coordinator, session):
    coordinator.post(session_url(session), {"action": "cancel", "reason": "老师生病"})
    day = timezone.localtime(session.starts_at).date()
    response = coordinator.post(session_url(session), {
        "action": "move", "date": day.isoformat(), "starts": "10:30", "room": ""}, follow=True)
    assert any("cancelled; it cannot be moved" in text for text in shown(response))
    session.refresh_from_db()
    assert session.starts_at == local(day, 9)


# ---------------------------------------------------------------- the ClassSession snippet form


def _local_text(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _snippet_data(session, **changes) -> dict:
    data = {
        "course": session.course_id,
        "starts_at": _local_text(session.starts_at),
        "duration_minutes": session.duration_minutes,
        "mode": session.mode,
        "room": session.room_id or "",
    }
    return {**data, **changes}


def _class_session_form(session, data):
    """ClassSessionForm as Wagtail builds it from the snippet's panels."""
    panels = ObjectList(ClassSession.panels, base_form_class=ClassSessionForm).bind_to_model(ClassSession)
    form_class = panels.get_form_class()
    return form_class(data, instance=session, for_user=User.objects.get(username="coordinator"))


def test_class_session_form_refuses_changing_a_saved_classs_start_time(session):
    later = _local_text(session.starts_at + timedelta(hours=1))
    form = _class_session_form(session, _snippet_data(session, starts_at=later))
    assert not form.is_valid()
    assert any("Move or cancel" in error for error in form.non_field_errors())


def test_class_session_form_accepts_a_saved_class_unchanged_in_time_and_room(session):
    form = _class_session_form(session, _snippet_data(session, mode=SessionMode.BOTH))
    assert form.is_valid(), form.errors


def test_the_snippet_form_refuses_changing_a_saved_classs_start_time(coordinator, session):
    before = session.starts_at
    url = reverse("wagtailsnippets_classes_classsession:edit", args=[session.pk])
    response = coordinator.post(url, _snippet_data(session, starts_at=_local_text(before + timedelta(hours=1))))
    session.refresh_from_db()
    assert session.starts_at == before
    assert response.status_code == 200
    assert any("Move or cancel" in error for error in response.context["form"].non_field_errors())


def test_the_snippet_form_refuses_changing_a_saved_classs_room(coordinator, session):
    room = Room.objects.create(name="活动室", capacity=20)
    url = reverse("wagtailsnippets_classes_classsession:edit", args=[session.pk])
    response = coordinator.post(url, _snippet_data(session, room=room.pk))
    session.refresh_from_db()
    assert session.room is None
    assert response.status_code == 200


def test_the_snippet_form_saves_a_change_that_is_not_time_or_room(coordinator, session):
    url = reverse("wagtailsnippets_classes_classsession:edit", args=[session.pk])
    response = coordinator.post(url, _snippet_data(session, mode=SessionMode.BOTH))
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.mode == SessionMode.BOTH


# ---------------------------------------------------------------- the teacher's free-time page


FREE_TIME = "/teach/free-time/"


def li() -> Teacher:
    return Teacher.objects.get(user__username="teacher_li")


def test_a_teacher_sees_their_own_free_time_only(wang):
    response = wang.get(FREE_TIME)
    body = response.content.decode()
    assert response.status_code == 200 and response.context["teacher"].user.username == "teacher_wang"
    assert "Monday 08:30–12:00" in body
    assert "18:30–21:00" not in body  # 李安妮's evenings


def test_a_teacher_adds_free_time(wang):
    response = wang.post(FREE_TIME, {"action": "add_slot", "weekday": 4, "starts": "09:00", "ends": "11:00"})
    assert response.status_code == 302
    assert AvailabilitySlot.objects.filter(teacher__user__username="teacher_wang", weekday=4, starts=time(9)).exists()


def test_a_teacher_adds_a_day_away(wang):
    day = timezone.localdate() + timedelta(days=10)
    response = wang.post(FREE_TIME, {"action": "add_exception", "date": day.isoformat(), "kind": "away", "note": "看医生"})
    assert response.status_code == 302
    assert AvailabilityException.objects.filter(teacher__user__username="teacher_wang", date=day).exists()


def test_a_teacher_removes_their_own_free_time(wang):
    mine = AvailabilitySlot.objects.get(teacher__user__username="teacher_wang", weekday=MON)
    wang.post(FREE_TIME, {"action": "delete_slot", "pk": mine.pk})
    assert not AvailabilitySlot.objects.filter(pk=mine.pk).exists()


def test_removing_free_time_with_a_garbled_number_removes_nothing(wang):
    before = AvailabilitySlot.objects.count()
    response = wang.post(FREE_TIME, {"action": "delete_slot", "pk": "12x"})
    assert response.status_code == 302
    assert AvailabilitySlot.objects.count() == before


def test_an_anonymous_visitor_is_sent_to_log_in(en_client):
    response = en_client.get(FREE_TIME)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={FREE_TIME}"


def test_a_volunteer_without_a_teacher_record_is_refused(en_client):
    en_client.login(username="volunteer", password="demo-volunteer")
    assert en_client.get(FREE_TIME).status_code == 403


def test_a_coordinator_without_a_teacher_chosen_is_refused(coordinator):
    assert coordinator.get(FREE_TIME).status_code == 403


def test_a_coordinator_edits_a_teachers_free_time_on_their_behalf(coordinator):
    url = f"{FREE_TIME}?teacher={li().pk}"
    page = coordinator.get(url)
    assert page.context["teacher"] == li() and page.context["on_behalf"] is True
    assert "Free time of 李安妮" in page.content.decode()
    response = coordinator.post(url, {"action": "add_slot", "weekday": 6, "starts": "14:00", "ends": "16:00"})
    assert response.status_code == 302 and response["Location"] == url
    assert AvailabilitySlot.objects.filter(teacher=li(), weekday=6, starts=time(14)).exists()


def test_a_teacher_asking_for_another_teacher_sees_their_own(wang):
    response = wang.get(f"{FREE_TIME}?teacher={li().pk}")
    assert response.context["teacher"].user.username == "teacher_wang"
    assert response.context["on_behalf"] is False


def test_a_teacher_cannot_add_free_time_for_another_teacher(wang):
    before = li().availability.count()
    wang.post(f"{FREE_TIME}?teacher={li().pk}",
              {"action": "add_slot", "weekday": 6, "starts": "14:00", "ends": "16:00"})
    assert li().availability.count() == before
    assert AvailabilitySlot.objects.filter(teacher__user__username="teacher_wang", weekday=6).exists()


@pytest.mark.parametrize("action", ["delete_slot", "delete_exception"])
def test_a_teacher_cannot_delete_another_teachers_free_time(wang, action):
    if action == "delete_slot":
        theirs = li().availability.first()
    else:
        theirs = AvailabilityException.objects.create(teacher=li(), date=timezone.localdate() + timedelta(days=5))
    wang.post(FREE_TIME, {"action": action, "pk": theirs.pk})
    assert type(theirs).objects.filter(pk=theirs.pk).exists()


def test_free_time_ending_before_it_starts_shows_the_message_and_saves_nothing(wang):
    before = AvailabilitySlot.objects.count()
    response = wang.post(FREE_TIME, {"action": "add_slot", "weekday": 4, "starts": "11:00", "ends": "10:00"})
    assert response.status_code == 200
    assert "The end time 10:00 must be later than the start time 11:00." in response.content.decode()
    assert AvailabilitySlot.objects.count() == before


def test_overlapping_free_time_shows_the_saved_slot_and_saves_nothing(wang):
    before = AvailabilitySlot.objects.count()
    response = wang.post(FREE_TIME, {"action": "add_slot", "weekday": MON, "starts": "11:00", "ends": "13:00"})
    assert response.status_code == 200
    assert "This overlaps Monday 08:30–12:00" in response.content.decode()
    assert AvailabilitySlot.objects.count() == before


def test_extra_free_time_without_times_shows_the_message_and_saves_nothing(wang):
    day = timezone.localdate() + timedelta(days=10)
    response = wang.post(FREE_TIME, {"action": "add_exception", "date": day.isoformat(), "kind": "extra"})
    assert response.status_code == 200
    assert "Say from when until when the extra free time is." in response.content.decode()
    assert not AvailabilityException.objects.filter(date=day).exists()


def test_the_free_time_page_is_in_chinese_for_a_chinese_phone(zh_client):
    zh_client.login(username="teacher_wang", password="demo-teacher")
    body = zh_client.get(FREE_TIME).content.decode()
    assert '<html lang="zh-Hans"' in body
    assert "星期一 08:30–12:00" in body  # the weekday from Django's own catalogue
