"""WebSockets from our own pages only.

A browser sends the page's Origin with every WebSocket handshake, and sends the session
cookie whatever the page: so a socket opened from another origin (a sibling port on the
same host included) is refused at the handshake. Channels' AllowedHostsOriginValidator
compares host names only, and would let a sibling port through.

A client that sends no Origin is not a browser (a script, a notebook): it acts only for
itself, so it may connect, as it may GET the same events over HTTP.
"""

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host


def own_origin(headers: dict, scope: dict) -> str | None:
    """The origin our own pages have for this connection, or None for a host we do not
    serve (ALLOWED_HOSTS, as for HTTP: a rebound DNS name is not us)."""
    host = headers.get(b"host", b"").decode("latin1")
    domain, _ = split_domain_port(host)
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return None
    secure = scope.get("scheme") == "wss"
    proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy:
        # Behind a TLS proxy, as Django reads it for HTTP (HTTP_X_FORWARDED_PROTO).
        name = proxy[0].removeprefix("HTTP_").replace("_", "-").lower().encode()
        secure = secure or headers.get(name, b"").decode("latin1") == proxy[1]
    return f"{'https' if secure else 'http'}://{host}"


def allowed(scope: dict) -> bool:
    headers = dict(scope.get("headers", []))
    origin = headers.get(b"origin")
    if origin is None:
        return True  # not a browser
    origin = origin.decode("latin1")
    own = own_origin(headers, scope)
    return (own is not None and origin == own) or origin in settings.CSRF_TRUSTED_ORIGINS


class OwnOriginOnly:
    """ASGI middleware: refuse (403 at the handshake) a socket opened from another origin."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if allowed(scope):
            return await self.application(scope, receive, send)
        return await WebsocketDenier()(scope, receive, send)
