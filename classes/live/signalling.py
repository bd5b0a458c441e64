"""What a WebRTC signal may carry: it is relayed to another person's browser, so only
the fields a peer connection reads pass, each of its own type."""

# SDP is a few KB; ten times that is no offer a browser makes.
MAX_SDP = 64 * 1024
MAX_CANDIDATE = 1024
MAX_SHORT = 64
DESCRIPTION_TYPES = ("offer", "answer", "pranswer", "rollback")


def _text(value, limit: int, *, optional: bool = False) -> bool:
    return (optional and value is None) or (isinstance(value, str) and len(value) <= limit)


def _index(value) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 1024)


def _description(value) -> dict | None:
    if not isinstance(value, dict) or set(value) - {"type", "sdp"}:
        return None
    if value.get("type") not in DESCRIPTION_TYPES or not _text(value.get("sdp", ""), MAX_SDP):
        return None
    return {"type": value["type"], "sdp": value.get("sdp", "")}


def _candidate(value) -> dict | None:
    if not isinstance(value, dict) or set(value) - {"candidate", "sdpMid", "sdpMLineIndex", "usernameFragment"}:
        return None
    if not (_text(value.get("candidate"), MAX_CANDIDATE) and _text(value.get("sdpMid"), MAX_SHORT, optional=True)
            and _index(value.get("sdpMLineIndex"))
            and _text(value.get("usernameFragment"), MAX_SHORT, optional=True)):
        return None
    return {key: value.get(key) for key in ("candidate", "sdpMid", "sdpMLineIndex", "usernameFragment")}


def signal_data_clean(data) -> dict | None:
    """The signal's data as it may be relayed — `pc` (the page's connection id) and exactly one
    of a `description`, a `candidate` or `renew: true` (a page asking the other for a fresh
    connection) — or None if it is anything else. A description may carry `desk`: the id of
    the stream on this connection that is the desk camera's ("" for none). The teacher's page
    sends it with every description, so a learner's page knows the desk's picture before the
    track arrives, in the same frame that brings it."""
    if not isinstance(data, dict) or not _text(data.get("pc"), MAX_SHORT):
        return None
    if set(data) - {"pc", "description", "candidate", "renew", "desk"}:
        return None
    if "desk" in data:
        if "description" not in data or len(data) != 3 or not _text(data["desk"], MAX_SHORT):
            return None
    elif len(data) != 2:
        return None
    if "renew" in data:
        return {"pc": data["pc"], "renew": True} if data["renew"] is True else None
    if "description" in data:
        description = _description(data["description"])
        if not description:
            return None
        return {"pc": data["pc"], "description": description} | ({"desk": data["desk"]} if "desk" in data else {})
    candidate = _candidate(data["candidate"])
    return {"pc": data["pc"], "candidate": candidate} if candidate else None
