from django.urls import path

from classes.consumers import ClassRoomConsumer
from classes.group_consumers import GroupChatConsumer

websocket_urlpatterns = [
    path("ws/class/<int:session_id>/", ClassRoomConsumer.as_asgi()),
    path("ws/group/<int:course_id>/", GroupChatConsumer.as_asgi()),
]
