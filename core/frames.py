"""Reading a client's frame so that nothing in it can hurt anyone: valid Unicode only
(a lone surrogate passes json.loads but cannot be encoded to send on), bounded nesting,
bounded numbers and sizes. Every socket reads its frames through `frame_read`."""

import json

# The deepest legitimate frame is a relayed WebRTC candidate: {"data": {"candidate": {…}}}.
MAX_DEPTH = 6
# Strings, list items and object keys in one frame; an SDP offer has a few hundred lines in one string.
MAX_ITEMS = 500
# Integers a browser can hold exactly (Number.MAX_SAFE_INTEGER); a bigger one is a forgery
# and would not fit a database column either.
MAX_INT = 2**53 - 1


class FrameError(ValueError):
    """Why a frame was refused, as an error code for the error frame."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _valid_text(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate such as "\ud800"
        return False
    return True


def frame_check(value, *, max_depth: int = MAX_DEPTH) -> None:
    """Raise FrameError unless `value` (parsed JSON) is safe to store and to send on.
    Walks the value without recursion, so no frame can exhaust the stack."""
    pending = [(value, 0)]
    items = 0
    while pending:
        item, depth = pending.pop()
        items += 1
        if items > MAX_ITEMS:
            raise FrameError("too_large")
        if isinstance(item, str):
            if not _valid_text(item):
                raise FrameError("bad_text")
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, int):
            if abs(item) > MAX_INT:
                raise FrameError("bad_number")
        elif isinstance(item, float):
            if item != item or item in (float("inf"), float("-inf")):
                raise FrameError("bad_number")
        elif isinstance(item, (list, dict)):
            if depth >= max_depth:
                raise FrameError("too_deep")
            if isinstance(item, dict):
                pending.extend((key, depth + 1) for key in item)
                pending.extend((child, depth + 1) for child in item.values())
            else:
                pending.extend((child, depth + 1) for child in item)
        else:  # json.loads makes nothing else; a caller passing odd values is refused too
            raise FrameError("bad_json")


def _no_constants(name: str):
    # JSON has no NaN or Infinity; Python's json accepts them by default.
    raise ValueError(name)


def json_read(text: str, *, max_depth: int = MAX_DEPTH):
    """The JSON value in `text`, checked by `frame_check`; FrameError otherwise. For socket
    frames and request bodies (core.bodies) alike."""
    if not _valid_text(text):
        raise FrameError("bad_text")
    try:
        value = json.loads(text, parse_constant=_no_constants)
    except RecursionError:  # thousands of nested brackets
        raise FrameError("too_deep") from None
    except ValueError:
        raise FrameError("bad_json") from None
    frame_check(value, max_depth=max_depth)
    return value


def frame_read(text: str) -> dict:
    """The frame in `text` as a dict with a string `type`, checked by `frame_check`;
    FrameError otherwise."""
    frame = json_read(text)
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        raise FrameError("bad_json")
    return frame
