"""JSON API plumbing: every error is a 4xx (or 503) with a sentence a person can act on."""

import functools
import json

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.defaults import page_not_found
from django.views.defaults import server_error as default_server_error


class ApiError(Exception):
    def __init__(self, status: int, message: str, **extra):
        super().__init__(message)
        self.status, self.message, self.extra = status, message, extra


def error_response(status: int, message: str, **extra) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status)


def endpoint(*methods):
    """A JSON endpoint: wrong methods get 405, ApiError becomes its response. The API is
    for scripts as much as pages, so it takes no CSRF token; the session cookie is
    SameSite=Lax, so another site cannot act as a run's owner."""

    def wrap(view):
        @csrf_exempt
        @functools.wraps(view)
        def handle(request, *args, **kwargs):
            if request.method not in methods:
                allowed = ", ".join(methods)
                response = error_response(405, f"Use {allowed} for this address.")
                response["Allow"] = allowed
                return response
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
