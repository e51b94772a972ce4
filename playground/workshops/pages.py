"""The workshop pages: join and watch the board, or run the room as the instructor."""

import functools

from django.http import Http404, HttpResponse
from django.views.decorators.csrf import ensure_csrf_cookie

from playground.api import ApiError
from playground.page_constants import render_page
from playground.runs.form import form
from playground.workshops import codes
from playground.workshops.models import Workshop
from playground.workshops.projector import join_address, qr_svg
from playground.workshops.rules import is_instructor, participant_of
from sequences.datasets import CATALOG
from sequences.spec import RunSpec


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


def preset_form() -> dict:
    """What the preset form shows: the built-in tasks and every setting of the build form."""
    return {
        "datasets": [{"id": info.id, "name": info.name} for info in CATALOG.values()],
        "default_dataset": RunSpec.model_fields["dataset"].default,
        "form": form(),
    }


def joining(request, workshop: Workshop) -> dict:
    """The workshop, and how to join it: its full address and that address as a QR code."""
    address = join_address(request, workshop.code)
    return {"workshop": workshop, "join_address": address, "join_qr": qr_svg(address)}


# The page's scripts send the CSRF cookie back with every change.
@ensure_csrf_cookie
@refused_as_text
def board_page(request, code):
    workshop = workshop_or_404(request, code)
    participant = participant_of(request)
    joined = participant if participant and participant.workshop_id == workshop.code else None
    context = {
        **joining(request, workshop),
        "participant": joined,
        "instructor": False,
        # ?view=projector: the room's screen, with the join code, address and QR up front.
        "projector": request.GET.get("view") == "projector",
    }
    return render_page(request, "workshop.html", context)


@ensure_csrf_cookie
@refused_as_text
def instructor_page(request, code):
    workshop = workshop_or_404(request, code)
    if not is_instructor(request, workshop, request.GET.get("key", "")):
        raise Http404("There is no such workshop.")  # without the key, the page is not there
    request.session["instructing"] = list({*request.session.get("instructing", []), workshop.code})
    context = {
        **joining(request, workshop),
        **preset_form(),
        "participant": None,
        "instructor": True,
    }
    return render_page(request, "workshop.html", context)


@ensure_csrf_cookie
def new_workshop(request):
    return render_page(request, "workshop_new.html", preset_form())
