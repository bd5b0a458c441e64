"""What classes announces for the apps above it to hear, the way Wagtail announces
`page_published`. classes never imports those apps: volunteers, for example, subscribes
in its AppConfig.ready() to show the volunteer on the phone each step a learner takes.

Each signal is sent with `sender=None` and the keyword arguments its comment names.
"""

from django.db import transaction
from django.dispatch import Signal

# A learner opened their personal join link. learner
learner_link_opened = Signal()
# A learner's device check reported what works. learner, result (the page's findings)
learner_device_checked = Signal()
# A learner's socket came into, or went out of, a class room. learner, session
learner_room_entered = Signal()
learner_room_left = Signal()
# The reminders sweep ran: classes are coming up. now
reminders_swept = Signal()


def announce(signal: Signal, **kwargs) -> None:
    """Send `signal` once the current transaction commits (at once outside one), so no
    listener hears of something that is then rolled back."""
    transaction.on_commit(lambda: signal.send(sender=None, **kwargs))
