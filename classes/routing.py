from django.urls import path

from classes.groups.consumers import GroupChatConsumer
from classes.live.consumers import ClassRoomConsumer
from classes.live.desk_socket import DeskCameraConsumer

websocket_urlpatterns = [
    path("ws/class/<id:session_id>/", ClassRoomConsumer.as_asgi()),
    path("ws/class/<id:session_id>/desk/", DeskCameraConsumer.as_asgi()),
    path("ws/group/<id:course_id>/", GroupChatConsumer.as_asgi()),
]
