from django.urls import path

from classes.groups.consumers import GroupChatConsumer
from classes.live.consumers import ClassRoomConsumer

websocket_urlpatterns = [
    path("ws/class/<id:session_id>/", ClassRoomConsumer.as_asgi()),
    path("ws/group/<id:course_id>/", GroupChatConsumer.as_asgi()),
]
