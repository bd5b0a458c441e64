"""The remote-assist socket's names, defined once. docs/realtime.md describes each."""

from django.utils.translation import gettext_lazy

# The frames and close codes every socket shares, defined once in the frame base.
from core.sockets import (  # noqa: F401
    CLOSE_NOT_ALLOWED, CLOSE_NOT_FOUND, CLOSE_NOT_SIGNED_IN, CLOSE_TOO_MANY_ERRORS, ERROR, PING, PONG,
)

# Client → server

# Server → client
HISTORY = "assist.history"
STEP = "assist.step"

# Channel-layer event handler on the consumer (AssistConsumer.assist_frame). It carries
# `text`, the JSON frame built once by the service and passed to every watcher as it is.
LAYER_FRAME = "assist.frame"

# Close codes (4000–4999 are the application's own); the same numbers as the class room's.
# A learner who is not there and one who is not the watcher's are refused alike, so
# trying ids tells nobody which learners exist.
CLOSE_NO_SUCH_LEARNER = CLOSE_NOT_FOUND
NOT_YOURS_OR_MISSING = gettext_lazy("This learner is not assigned to you, or there is no such learner.")


def assist_group(learner_id: int) -> str:
    """Everyone watching one learner's steps."""
    return f"assist.{learner_id}"
