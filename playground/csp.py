"""A Content-Security-Policy on every response: the pages run only our own scripts.

User text is shown everywhere (run names, participants' names, uploaded words), so a
slip in escaping must not become a script. Scripts come from our origin only, never
inline (the pages' `json_script` blocks are data: type application/json, which CSP does
not run). Plotly sets inline styles, so styles may be inline; sockets go to our own host.
It sits above WhiteNoise, so static files get it too (and X-Frame-Options, which the
clickjacking middleware at the bottom of the stack never sees for them).
"""

from django.conf import settings
from django.core.exceptions import DisallowedHost

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    # Plotly draws heatmaps as data: images; its "download plot" makes one too.
    "img-src": "'self' data: blob:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def answer_headers() -> list[tuple[bytes, bytes]]:
    """The same protections for an answer made outside Django (GET /api/health), which
    neither this middleware nor Django's security middleware sees."""
    policy = "; ".join(f"{name} {value}" for name, value in POLICY.items())
    return [
        (b"content-security-policy", policy.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
        (b"x-frame-options", settings.X_FRAME_OPTIONS.encode()),
    ]


def policy_for(request) -> str:
    directives = dict(POLICY)
    try:
        host = request.get_host()
    except DisallowedHost:
        host = None  # refused anyway; the answer still gets the policy
    if host:
        # 'self' covers ws: and wss: to our host in CSP 3; older browsers need them named.
        directives["connect-src"] += f" ws://{host} wss://{host}"
    return "; ".join(f"{name} {value}" for name, value in directives.items())


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", policy_for(request))
        response.headers.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
        return response
