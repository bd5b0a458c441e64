"""WebSocket routes of every app, gathered in one place."""

from classes.routing import websocket_urlpatterns as classes_routes
from volunteers.routing import websocket_urlpatterns as volunteers_routes

websocket_urlpatterns = [*classes_routes, *volunteers_routes]
