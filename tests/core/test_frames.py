"""Reading clients' frames: nothing that passes can fail to be stored or sent on."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from classes.live.signalling import signal_data_clean
from core.frames import MAX_DEPTH, FrameError, frame_read


def code_of(text: str) -> str:
    with pytest.raises(FrameError) as refused:
        frame_read(text)
    return refused.value.code


def test_a_plain_frame_is_read():
    assert frame_read('{"type": "chat.send", "text": "你好", "client_id": "a1"}')["text"] == "你好"


@pytest.mark.parametrize("field", ["type", "text", "client_id"])
def test_a_lone_surrogate_in_any_string_is_refused(field):
    frame = {"type": "chat.send", "text": "x", "client_id": "c"}
    text = json.dumps(frame).replace(f'"{field}": "', f'"{field}": "\\ud800', 1)
    assert code_of(text) == "bad_text"


def test_a_lone_surrogate_in_a_key_is_refused():
    assert code_of('{"type": "hello", "\\udfff": 1}') == "bad_text"


def test_thousands_of_nested_brackets_are_refused_without_exhausting_the_stack():
    assert code_of('{"type": "ping", "x": ' + "[" * 5000 + "]" * 5000 + "}") == "too_deep"


def test_nesting_just_past_the_limit_is_refused():
    assert code_of('{"type": "ping", "x": ' + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "}") == "too_deep"


@pytest.mark.parametrize("number", ["1e999", "NaN", "Infinity", str(2**64)])
def test_numbers_no_browser_sends_are_refused(number):
    assert code_of('{"type": "hello", "last_seq": %s}' % number) in ("bad_number", "bad_json")


@pytest.mark.parametrize("text", ['[1, 2]', '"hello"', '{"no_type": 1}', '{"type": 5}', "{", ""])
def test_what_is_not_a_frame_with_a_type_is_refused(text):
    assert code_of(text) == "bad_json"


@given(st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=40,
))
def test_whatever_is_read_can_be_sent_on(value):
    text = json.dumps({"type": "x", "value": value})
    try:
        frame = frame_read(text)
    except FrameError:
        return
    json.dumps(frame, ensure_ascii=False).encode("utf-8")  # raises if anything unsendable got through


def test_an_offer_is_relayed_with_only_its_own_fields():
    data = {"pc": "p1", "description": {"type": "offer", "sdp": "v=0"}}
    assert signal_data_clean(data) == data


def test_a_candidate_is_relayed():
    data = {"pc": "p1", "candidate": {"candidate": "candidate:1 1 udp 1 127.0.0.1 5000 typ host",
                                      "sdpMid": "0", "sdpMLineIndex": 0, "usernameFragment": "ab"}}
    assert signal_data_clean(data) == data


def test_a_request_for_a_fresh_connection_is_relayed():
    data = {"pc": "p1", "renew": True}
    assert signal_data_clean(data) == data


def test_an_offer_says_which_of_its_streams_is_the_desk_cameras():
    data = {"pc": "p1", "description": {"type": "offer", "sdp": "v=0"}, "desk": "stream-7"}
    assert signal_data_clean(data) == data


@pytest.mark.parametrize("data", [
    {"pc": "p1"},
    {"pc": "p1", "desk": "stream-7"},
    {"pc": "p1", "candidate": {"candidate": ""}, "desk": "stream-7"},
    {"pc": "p1", "description": {"type": "offer", "sdp": "v=0"}, "desk": 7},
    {"pc": "p1", "renew": 1},
    {"pc": "p1", "renew": True, "description": {"type": "offer", "sdp": "v=0"}},
    {"pc": "p1", "description": {"type": "offer", "sdp": "v=0"}, "candidate": {"candidate": ""}},
    {"pc": "p1", "description": {"type": "evil", "sdp": "v=0"}},
    {"pc": "p1", "description": {"type": "offer", "sdp": "v=0", "extra": "<script>"}},
    {"pc": "p1", "candidate": {"candidate": 5}},
    {"pc": {"nested": True}, "description": {"type": "offer", "sdp": ""}},
    {"pc": "p1", "unknown": 1, "description": {"type": "offer", "sdp": ""}},
    "not an object",
])
def test_signal_data_a_peer_connection_would_not_read_is_refused(data):
    assert signal_data_clean(data) is None
