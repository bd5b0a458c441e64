"""The chat engine on its own: numbering, idempotent sends, bounds, replay, lock and pin."""

import pytest
from django.core.exceptions import ValidationError

from classes.live.chat import CHAT_TEXT_MAX, chat_last_seq, chat_message_post, chat_messages_after, chat_pin, chat_room_create, chat_set_locked
from classes.models import ChatMessage, ChatRoom, Learner

pytestmark = pytest.mark.django_db


@pytest.fixture
def room():
    return chat_room_create()


@pytest.fixture
def liu():
    return Learner.objects.get(phone="13800138001")


def post(room, liu, text="老师好", client_id="c1", **extra):
    return chat_message_post(
        room_id=room.pk, client_id=client_id, text=text, author_name=liu.name, author_role="learner",
        author_learner=liu, **extra,
    )


def test_messages_are_numbered_one_after_another_within_their_room(room, liu):
    other = chat_room_create()
    seqs = [post(room, liu, client_id=f"c{n}")[0].seq for n in range(3)]
    assert seqs == [1, 2, 3]
    assert post(other, liu)[0].seq == 1
    assert chat_last_seq(room_id=room.pk) == 3


def test_a_retry_with_the_same_client_id_returns_the_stored_message(room, liu):
    first, created = post(room, liu, text="老师好")
    again, created_again = post(room, liu, text="老师好")
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert ChatMessage.objects.filter(room=room).count() == 1
    assert chat_last_seq(room_id=room.pk) == 1


def test_the_same_client_id_from_two_people_is_two_messages(room, liu):
    zhou = Learner.objects.get(phone="13800138004")
    post(room, liu, client_id="same")
    _message, created = chat_message_post(
        room_id=room.pk, client_id="same", text="我也是", author_name=zhou.name, author_role="learner",
        author_learner=zhou,
    )
    assert created


@pytest.mark.parametrize(
    "text, client_id, code",
    [
        pytest.param(" \n ", "c1", "empty", id="blank"),
        pytest.param(None, "c1", "empty", id="none"),
        pytest.param("字" * (CHAT_TEXT_MAX + 1), "c1", "too_long", id="too-long"),
        pytest.param("好", "", "bad_client_id", id="no-client-id"),
        pytest.param("好", "x" * 65, "bad_client_id", id="long-client-id"),
    ],
)
def test_a_message_out_of_bounds_is_refused_and_takes_no_number(room, liu, text, client_id, code):
    with pytest.raises(ValidationError) as error:
        post(room, liu, text=text, client_id=client_id)
    assert error.value.code == code
    assert chat_last_seq(room_id=room.pk) == 0


def test_a_message_of_exactly_the_limit_is_stored(room, liu):
    message, _created = post(room, liu, text="字" * CHAT_TEXT_MAX)
    assert len(message.text) == CHAT_TEXT_MAX


def test_text_is_stored_without_surrounding_space(room, liu):
    assert post(room, liu, text="  老师好 \n")[0].text == "老师好"


def test_a_locked_chat_refuses_learners_but_not_whoever_may_post_when_locked(room, liu):
    chat_set_locked(room_id=room.pk, locked=True)
    with pytest.raises(ValidationError) as error:
        post(room, liu, client_id="learner")
    message, created = post(room, liu, client_id="teacher", may_post_when_locked=True)
    assert error.value.code == "chat_locked"
    assert created and message.seq == 1


def test_a_message_is_broadcast_only_once_its_transaction_commits(room, liu, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        post(room, liu)
        post(room, liu)  # the retry stores nothing, so it broadcasts nothing
    assert len(callbacks) == 1


def test_messages_after_a_number_come_oldest_first(room, liu):
    for n in range(5):
        post(room, liu, client_id=f"c{n}", text=f"第{n}条")
    messages, more = chat_messages_after(room_id=room.pk, after_seq=2)
    assert [m.seq for m in messages] == [3, 4, 5]
    assert more is False


def test_messages_after_a_number_say_when_there_were_more_than_the_limit(room, liu):
    for n in range(4):
        post(room, liu, client_id=f"c{n}")
    messages, more = chat_messages_after(room_id=room.pk, after_seq=0, limit=3)
    assert [m.seq for m in messages] == [1, 2, 3]
    assert more is True


def test_pinning_a_message_and_unpinning_it(room, liu):
    message, _created = post(room, liu)
    chat_pin(room_id=room.pk, seq=message.seq)
    pinned = ChatRoom.objects.get(pk=room.pk).pinned
    chat_pin(room_id=room.pk, seq=None)
    assert pinned == message
    assert ChatRoom.objects.get(pk=room.pk).pinned is None


def test_pinning_a_number_that_is_not_in_the_room_is_refused(room, liu):
    other = chat_room_create()
    post(other, liu)  # seq 1 exists, but in another room
    with pytest.raises(ValidationError) as error:
        chat_pin(room_id=room.pk, seq=1)
    assert error.value.code == "no_message"
