"""JSON API plumbing: every error is a 4xx (or 503) with a sentence a person can act on."""

import functools
import json

from django.conf import settings
from django.http import JsonResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.views.csrf import csrf_failure as default_csrf_failure
from django.views.decorators.csrf import csrf_exempt
from django.views.defaults import page_not_found
from django.views.defaults import server_error as default_server_error


class ApiError(Exception):
    def __init__(self, status: int, message: str, **extra):
        super().__init__(message)
        self.status, self.message, self.extra = status, message, extra


def error_response(status: int, message: str, **extra) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status)


SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")
CSRF = CsrfViewMiddleware(lambda request: None)


def cross_site_refusal(request, view, args, kwargs) -> JsonResponse | None:
    """Refuse a state-changing request that another site may have made in the browser's
    name; None lets it through.

    1. An Origin that is not ours: a page elsewhere (a sibling port included) sent it.
    2. With the session cookie, Django's CSRF check: the page's X-CSRFToken header must
       match the csrftoken cookie, which another origin cannot read.
    A request without the cookie (a script with X-Owner-Token or X-Instructor-Key, or a
    browser's first request) acts for nobody, so it needs no token."""
    if request.method in SAFE_METHODS:
        return None
    origin = request.headers.get("Origin")
    own = f"{request.scheme}://{request.get_host()}"
    if origin is not None and origin != own and origin not in settings.CSRF_TRUSTED_ORIGINS:
        return csrf_failure(request, f"Origin {origin} is not this site ({own}).")
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return CSRF.process_view(request, view, args, kwargs)
    return None


def endpoint(*methods):
    """A JSON endpoint: wrong methods get 405, ApiError becomes its response. The API is
    for scripts as much as pages: Django's CSRF check applies only to requests that carry
    the session cookie (cross_site_refusal), and every answer hands out the csrftoken
    cookie that a client keeping cookies sends back as X-CSRFToken."""

    def wrap(view):
        @csrf_exempt
        @functools.wraps(view)
        def handle(request, *args, **kwargs):
            if request.method not in methods:
                allowed = ", ".join(methods)
                response = error_response(405, f"Use {allowed} for this address.")
                response["Allow"] = allowed
                return response
            refused = cross_site_refusal(request, view, args, kwargs)
            if refused is not None:
                return refused
            if "CSRF_COOKIE" not in request.META:
                get_token(request)  # the middleware sets the cookie on the way out
            try:
                return view(request, *args, **kwargs)
            except ApiError as exc:
                return error_response(exc.status, exc.message, **exc.extra)

        return handle

    return wrap


def read_json(request) -> object:
    if not request.body:
        raise ApiError(400, "The request body is empty; send a JSON object.")
    try:
        return json.loads(request.body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiError(400, f"The request body is not valid JSON ({exc}).") from None


def query_int(request, name: str, default: int = 0) -> int:
    raw = request.GET.get(name, str(default))
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"'{name}' must be a whole number, not '{raw}'.") from None
    if value < 0:
        raise ApiError(400, f"'{name}' must be 0 or more.")
    return value


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return error_response(404, f"There is nothing at {request.path}; see /api/openapi.json.")
    return page_not_found(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        return error_response(500, "Something broke on our side; the problem was logged.")
    return default_server_error(request)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: the API answers a refused cross-site request in JSON."""
    if not request.path.startswith("/api/"):
        return default_csrf_failure(request, reason)
    return error_response(
        403,
        "This request was refused: it did not come from the playground's own pages "
        "(another site, or a page without the CSRF token). Send it from the playground, "
        "or from a script without cookies (X-Owner-Token, X-Instructor-Key).",
        reason=reason,
    )
