"""Where each WebSocket path goes."""

from channels.generic.websocket import AsyncWebsocketConsumer
from django.urls import path, re_path

from playground.eventlog.consumers import NOT_FOUND
from playground.runs.consumers import RunEventsConsumer
from playground.workshops.consumers import BoardConsumer


class NothingHere(AsyncWebsocketConsumer):
    """Any other path: closed with NOT_FOUND, like an unknown run, not an exception."""

    async def connect(self):
        await self.close(code=NOT_FOUND)


websocket_urlpatterns = [
    path("ws/runs/<str:run_id>/", RunEventsConsumer.as_asgi()),
    path("ws/workshops/<str:code>/", BoardConsumer.as_asgi()),
    re_path(r"", NothingHere.as_asgi()),
]
