from django.urls import path

from volunteers.consumers import AssistConsumer

websocket_urlpatterns: list = [
    path("ws/assist/<id:learner_id>/", AssistConsumer.as_asgi()),
]
