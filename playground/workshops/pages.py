"""The workshop pages: join and watch the board, or run the room as the instructor."""

import functools

from django.http import Http404, HttpResponse
from django.views.decorators.csrf import ensure_csrf_cookie

from playground.api import ApiError
from playground.page_constants import render_page
from playground.workshops import codes
from playground.workshops.models import Workshop
from playground.workshops.rules import is_instructor, participant_of


def workshop_or_404(request, code: str) -> Workshop:
    workshop = codes.find(request, code)  # wrong codes are limited per address
    if workshop is None:
        raise Http404("There is no such workshop.")
    return workshop


def refused_as_text(page):
    """A page whose code lookup was refused (too many wrong codes) says why, in plain text."""

    @functools.wraps(page)
    def answer(request, code):
        try:
            return page(request, code)
        except ApiError as refused:
            return HttpResponse(
                refused.message, status=refused.status, content_type="text/plain; charset=utf-8"
            )

    return answer


# The page's scripts send the CSRF cookie back with every change.
@ensure_csrf_cookie
@refused_as_text
def board_page(request, code):
    workshop = workshop_or_404(request, code)
    participant = participant_of(request)
    joined = participant if participant and participant.workshop_id == workshop.code else None
    context = {"workshop": workshop, "participant": joined, "instructor": False}
    return render_page(request, "workshop.html", context)


@ensure_csrf_cookie
@refused_as_text
def instructor_page(request, code):
    workshop = workshop_or_404(request, code)
    if not is_instructor(request, workshop, request.GET.get("key", "")):
        raise Http404("There is no such workshop.")  # without the key, the page is not there
    request.session["instructing"] = list({*request.session.get("instructing", []), workshop.code})
    context = {"workshop": workshop, "participant": None, "instructor": True}
    return render_page(request, "workshop.html", context)


@ensure_csrf_cookie
def new_workshop(request):
    return render_page(request, "workshop_new.html")
