"""The workshop pages: join and watch the board, or run the room as the instructor."""

from django.http import Http404
from django.views.decorators.csrf import ensure_csrf_cookie

from playground.page_constants import render_page
from playground.workshops.models import Workshop
from playground.workshops.rules import is_instructor, participant_of


def workshop_or_404(code: str) -> Workshop:
    workshop = Workshop.objects.filter(code=code.upper()).first()
    if workshop is None:
        raise Http404("There is no such workshop.")
    return workshop


@ensure_csrf_cookie  # the page's scripts send it back on every change
def board_page(request, code):
    workshop = workshop_or_404(code)
    participant = participant_of(request)
    joined = participant if participant and participant.workshop_id == workshop.code else None
    context = {"workshop": workshop, "participant": joined, "instructor": False}
    return render_page(request, "workshop.html", context)


@ensure_csrf_cookie
def instructor_page(request, code):
    workshop = workshop_or_404(code)
    if not is_instructor(request, workshop, request.GET.get("key", "")):
        raise Http404("There is no such workshop.")  # without the key, the page is not there
    request.session["instructing"] = list({*request.session.get("instructing", []), workshop.code})
    context = {"workshop": workshop, "participant": None, "instructor": True}
    return render_page(request, "workshop.html", context)


@ensure_csrf_cookie
def new_workshop(request):
    return render_page(request, "workshop_new.html")
