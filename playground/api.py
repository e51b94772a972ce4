"""JSON API plumbing: every error is a 4xx (or 503) with a sentence a person can act on."""

import functools
import json

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.views.csrf import csrf_failure as default_csrf_failure
from django.views.decorators.csrf import csrf_exempt
from django.views.defaults import bad_request as default_bad_request
from django.views.defaults import page_not_found
from django.views.defaults import server_error as default_server_error

# A run spec is three levels deep and a workshop's preset four: far deeper is an attack
# (Python's parser gives up near 1,000 levels, and everything after it recurses too).
MAX_JSON_DEPTH = 32
# The largest number a database integer column holds (a seq, a step).
MAX_INT = 2**63 - 1


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
    try:
        body = request.body
    except RequestDataTooBig as exc:
        raise unreadable(exc) from None
    if not body:
        raise ApiError(400, "The request body is empty; send a JSON object.")
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiError(400, f"The request body is not valid JSON ({exc}).") from None
    except RecursionError:
        raise too_deep() from None
    except ValueError:
        # Python refuses to read an integer of more than 4,300 digits (a guard against
        # slow conversions); no setting takes a number anywhere near that long.
        raise ApiError(
            400,
            "A number in the request body has thousands of digits; send a number that fits "
            "the setting (see /api/openapi.json for each one's limits).",
        ) from None
    if depth(data) > MAX_JSON_DEPTH:
        raise too_deep()
    if holds_nul(data):
        raise ApiError(400, NUL)
    return data


# PostgreSQL stores no NUL character in text or JSON: text that holds one is refused,
# whichever database runs, instead of failing later.
NUL = "Text in the request holds a NUL character (\\u0000), which cannot be stored; remove it."


def holds_nul(data: object) -> bool:
    """Whether any string in parsed JSON (a key or a value) holds a NUL, without recursion."""
    todo = [data]
    while todo:
        value = todo.pop()
        if isinstance(value, str) and "\x00" in value:
            return True
        if isinstance(value, dict):
            todo.extend(value.keys())
            todo.extend(value.values())
        elif isinstance(value, list):
            todo.extend(value)
    return False


def read_form(request):
    """The multipart form's files (its fields are then in request.POST), or a 4xx."""
    try:
        return request.FILES
    except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent) as exc:
        raise unreadable(exc) from None
    except MultiPartParserError as exc:
        raise ApiError(
            400, f"The form could not be read ({exc}); send it as multipart/form-data."
        ) from None


def depth(data: object) -> int:
    """How deeply lists and objects nest in parsed JSON (a scalar is 0), without recursion."""
    deepest, todo = 0, [(data, 1)]
    while todo:
        value, level = todo.pop()
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, list):
            deepest = max(deepest, level)
            todo.extend((item, level + 1) for item in value if isinstance(item, (dict, list)))
    return deepest


def too_deep() -> ApiError:
    return ApiError(
        400,
        f"The request body nests lists or objects more than {MAX_JSON_DEPTH} levels "
        "deep; a run spec needs three.",
    )


def unreadable(exc: Exception | None) -> ApiError:
    """Django's refusals of an oversized request, as sentences."""
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 2**20
        return ApiError(
            413,
            f"The request body is larger than {limit:g} MB, the limit for everything "
            "but an uploaded file; send less.",
        )
    if isinstance(exc, TooManyFieldsSent):
        return ApiError(
            400,
            f"The form has more than {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,} fields; "
            "an upload needs file, kind and a few choices.",
        )
    if isinstance(exc, TooManyFilesSent):
        return ApiError(
            400,
            f"The form has more than {settings.DATA_UPLOAD_MAX_NUMBER_FILES} files; "
            "upload one file at a time.",
        )
    return ApiError(400, "The request could not be read; check its headers and its body.")


def query_int(request, name: str, default: int = 0, maximum: int = MAX_INT) -> int:
    raw = request.GET.get(name, str(default))
    shown = raw if len(raw) <= 24 else raw[:20] + "…"
    try:
        value = int(raw)
    except ValueError:
        # Python will not read more than 4,300 digits; such a number is out of range anyway.
        if not raw.strip().lstrip("+-").isdigit():
            raise ApiError(400, f"'{name}' must be a whole number, not '{shown}'.") from None
        value = -1 if raw.strip().startswith("-") else maximum + 1
    if value < 0:
        raise ApiError(400, f"'{name}' must be 0 or more.")
    if value > maximum:
        raise ApiError(400, f"'{name}' must be at most {maximum}, not '{shown}'.")
    return value


def bad_request(request, exception=None):
    """A request Django refused before any view ran (too large, too many fields)."""
    if request.path.startswith("/api/"):
        error = unreadable(exception)
        return error_response(error.status, error.message)
    return default_bad_request(request, exception)


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
