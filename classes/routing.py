from django.urls import path

from classes.consumers import ClassRoomConsumer

websocket_urlpatterns = [
    path("ws/class/<int:session_id>/", ClassRoomConsumer.as_asgi()),
]
