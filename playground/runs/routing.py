from django.urls import path

from playground.runs.consumers import RunEventsConsumer

websocket_urlpatterns = [
    path("ws/runs/<str:run_id>/", RunEventsConsumer.as_asgi()),
]
