"""Telling a learner's open sockets that their access may have ended, so a revoked link
or a withdrawal closes the class room and the group at once, not at the next frame."""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from classes import events


def learner_sockets_recheck(*, learner_id: int) -> None:
    """After the current transaction commits, ask each of the learner's sockets to check
    their access again (the layer delivers at most once: each socket also checks at its next frame)."""

    def push():
        async_to_sync(get_channel_layer().group_send)(events.learner_group(learner_id), {"type": events.LAYER_RECHECK})

    transaction.on_commit(push)
