"""Keep personal join-link, calendar-feed and guardians' consent tokens out of every log:
whoever reads a log line must not be able to walk into a learner's class, read their
timetable, or answer for a child's guardian with it."""

import logging
import re

# /j/<token>/ and /calendar/<token>.ics — see classes/urls.py.
JOIN_TOKEN_RE = re.compile(r"/j/[^/\s\"?]+")
CALENDAR_TOKEN_RE = re.compile(r"/calendar/[^/\s\"?]+")
# /works/consent/<token>/ and /works/withdraw/<token>/ — see volunteers/views/works.py.
CONSENT_TOKEN_RE = re.compile(r"/works/(consent|withdraw)/[^/\s\"?]+")
REDACTED = "/j/[token]"
CALENDAR_REDACTED = "/calendar/[token]"


def redact_tokens(text: str) -> str:
    text = CONSENT_TOKEN_RE.sub(r"/works/\1/[token]", text)
    return CALENDAR_TOKEN_RE.sub(CALENDAR_REDACTED, JOIN_TOKEN_RE.sub(REDACTED, text))


class RedactTokensFilter(logging.Filter):
    """For Django's own log records (e.g. "Not Found: /j/…")."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/j/" in message or "/calendar/" in message or "/works/" in message:
            record.msg, record.args = redact_tokens(message), None
        return True
