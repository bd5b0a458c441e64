"""Keep personal join-link tokens out of every log: whoever reads a log line must
not be able to walk into a learner's class with it."""

import logging
import re

# /j/<token>/ — see classes/urls.py.
JOIN_TOKEN_RE = re.compile(r"/j/[^/\s\"?]+")
REDACTED = "/j/[token]"


def redact_join_tokens(text: str) -> str:
    return JOIN_TOKEN_RE.sub(REDACTED, text)


class RedactJoinTokensFilter(logging.Filter):
    """For Django's own log records (e.g. "Not Found: /j/…")."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/j/" in message:
            record.msg, record.args = redact_join_tokens(message), None
        return True
