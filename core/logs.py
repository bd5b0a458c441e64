"""Keep personal join-link and calendar-feed tokens out of every log: whoever reads a
log line must not be able to walk into a learner's class, or read their timetable, with it."""

import logging
import re

# /j/<token>/ and /calendar/<token>.ics — see classes/urls.py.
JOIN_TOKEN_RE = re.compile(r"/j/[^/\s\"?]+")
CALENDAR_TOKEN_RE = re.compile(r"/calendar/[^/\s\"?]+")
REDACTED = "/j/[token]"
CALENDAR_REDACTED = "/calendar/[token]"


def redact_tokens(text: str) -> str:
    return CALENDAR_TOKEN_RE.sub(CALENDAR_REDACTED, JOIN_TOKEN_RE.sub(REDACTED, text))


class RedactTokensFilter(logging.Filter):
    """For Django's own log records (e.g. "Not Found: /j/…")."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/j/" in message or "/calendar/" in message:
            record.msg, record.args = redact_tokens(message), None
        return True
