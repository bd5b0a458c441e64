"""The remote-assist socket's names, defined once. docs/realtime.md describes each."""

# Client → server
PING = "ping"

# Server → client
HISTORY = "assist.history"
STEP = "assist.step"
PONG = "pong"
ERROR = "error"

# Channel-layer event handler on the consumer (AssistConsumer.assist_frame). It carries
# `text`, the JSON frame built once by the service and passed to every watcher as it is.
LAYER_FRAME = "assist.frame"

# Close codes (4000–4999 are the application's own); the same numbers as the class room's.
CLOSE_NOT_SIGNED_IN = 4401
CLOSE_NOT_ALLOWED = 4403
CLOSE_NO_SUCH_LEARNER = 4404
CLOSE_TOO_MANY_ERRORS = 4400


def assist_group(learner_id: int) -> str:
    """Everyone watching one learner's steps."""
    return f"assist.{learner_id}"
