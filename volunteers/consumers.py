"""The remote-assist socket: a volunteer on the phone with a learner watches each step
the learner's phone takes. Read-only for the watcher; it sends nothing but `ping`.

Only those who may see the learner (volunteers/selectors/access.py) are let in, and the
rule is checked again at every frame and every step passed on, so a volunteer taken
off the request stops seeing steps at once.
"""

from channels.db import database_sync_to_async
from django.utils.translation import gettext as _

from core.sockets import FrameSocket, dumps
from classes.models import Learner
from volunteers import events
from volunteers.selectors.access import user_may_see_learner
from volunteers.selectors.assist import assist_history_frame


class AssistConsumer(FrameSocket):
    """Built on the frame base every socket shares (size, rate, error frame, ping)."""

    learner_id: int

    async def connect(self):
        await self.accept()  # accept first, so a refusal can say why with a close code
        learner_id = self.scope["url_route"]["kwargs"]["learner_id"]
        refusal = await self._refusal(learner_id)
        if refusal is not None:
            return await self._refuse(*refusal)
        self.learner_id = learner_id
        self.member_key = f"assist:{self.scope['user'].pk}"
        # Join the group before reading the history, so a step taken meanwhile is not missed
        # (it may come twice; the page keeps each id once).
        await self.channel_layer.group_add(events.assist_group(learner_id), self.channel_name)
        history = await database_sync_to_async(assist_history_frame)(learner_id=learner_id)
        await self.send(text_data=dumps(history))

    async def disconnect(self, code):
        await self._leave_group()

    async def _leave_group(self):
        if self.member_key is not None:
            await self.channel_layer.group_discard(events.assist_group(self.learner_id), self.channel_name)
            self.member_key = None  # later frames are ignored, as before connect

    async def before_action(self, kind: str) -> bool:
        return await self._still_allowed()

    async def assist_frame(self, event):
        """A step, serialised once by the service, passed on as it is."""
        if self.member_key is not None and await self._still_allowed():
            await self.send(text_data=event["text"])

    async def _still_allowed(self) -> bool:
        refusal = await self._refusal(self.learner_id)
        if refusal is None:
            return True
        await self._leave_group()
        await self._refuse(*refusal)
        return False

    HANDLERS = {events.PING: FrameSocket.on_ping}

    @database_sync_to_async
    def _refusal(self, learner_id: int) -> tuple[int, str, str] | None:
        """Why this socket may not watch the learner (close code, error code, words), or None."""
        user = self.scope["user"]
        if not user.is_authenticated:
            return events.CLOSE_NOT_SIGNED_IN, "not_signed_in", _("Please sign in again.")
        learner = Learner.objects.filter(pk=learner_id).first()
        if learner is None or not user_may_see_learner(user=user, learner=learner):
            # One answer for both, so trying ids tells nobody which learners exist.
            return events.CLOSE_NO_SUCH_LEARNER, "no_such_learner", str(events.NOT_YOURS_OR_MISSING)
        return None
