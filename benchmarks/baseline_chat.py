"""The baseline for benchmarks.group_chat: the Channels tutorial's chat room.

It does what the tutorial's consumer does and nothing more: each frame received is
sent to the room's group, and each group message goes on to the socket, serialised
per receiver. No sign-in, no database, no resume, no bounds. Serve it with

    python -m learning.serve -b 127.0.0.1 -p 8001 benchmarks.baseline_chat:application

It takes the channel layer from the settings, as the site does (REDIS_URL picks Redis).
"""

import json
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learning.settings.dev")
django.setup()

from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import path  # noqa: E402


class BaselineChatConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        self.room_group_name = f"chat_{self.scope['url_route']['kwargs']['room_name']}"
        await self.channel_layer.group_add(self.room_group_name, self.channel_name)
        await self.accept()

    async def disconnect(self, close_code):
        await self.channel_layer.group_discard(self.room_group_name, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        frame = json.loads(text_data)
        # The tutorial passes the message on; the client id rides along so lost and
        # duplicated deliveries can be counted as for the group chat.
        await self.channel_layer.group_send(
            self.room_group_name, {"type": "chat.message", "client_id": frame.get("client_id"), "text": frame["text"]}
        )

    async def chat_message(self, event):
        await self.send(text_data=json.dumps({"type": "chat.message", "client_id": event["client_id"],
                                              "text": event["text"]}))


application = ProtocolTypeRouter(
    {
        "websocket": AllowedHostsOriginValidator(
            URLRouter([path("ws/chat/<str:room_name>/", BaselineChatConsumer.as_asgi())])
        ),
    }
)
