"""ASGI entry point: HTTP goes to Django, WebSockets to the Channels consumers."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "playground.settings")
django_application = get_asgi_application()  # set up Django before importing consumers

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from playground.heartbeat import health_first  # noqa: E402
from playground.routing import websocket_urlpatterns  # noqa: E402
from playground.socket_origin import OwnOriginOnly  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_application,  # bodies are limited as they arrive: playground.stack.web
        # Run streams are public to anyone with the link, like the run page itself, but a
        # page on another origin may not open them in its visitor's browser.
        "websocket": OwnOriginOnly(URLRouter(websocket_urlpatterns)),
    }
)
# GET /api/health is answered before Django, from the workers' heartbeat: a crowd of health
# checks never waits for Django's thread, and never keeps another request waiting for it.
application = health_first(application)
