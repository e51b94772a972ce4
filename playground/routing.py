"""Where each WebSocket path goes."""

from django.urls import path

from playground.runs.consumers import RunEventsConsumer
from playground.workshops.consumers import BoardConsumer

websocket_urlpatterns = [
    path("ws/runs/<str:run_id>/", RunEventsConsumer.as_asgi()),
    path("ws/workshops/<str:code>/", BoardConsumer.as_asgi()),
]
