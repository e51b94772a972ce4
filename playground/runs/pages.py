"""The pages: build a model, watch a run."""

from django.http import Http404
from django.views.decorators.csrf import ensure_csrf_cookie

from playground.datasets.catalog import describe, describe_builtin, described
from playground.datasets.models import Dataset
from playground.page_constants import render_page
from playground.runs.form import form
from playground.runs.models import Run
from playground.runs.ownership import owns
from playground.runs.presets import PRESETS
from sequences.datasets import CATALOG
from sequences.predict import try_kind


def dataset_choices(request) -> list[dict]:
    """Each dataset as the API shows it, with its options' schema for the form: the
    built-ins, then this browser's uploads."""
    builtins = [describe_builtin(info) for info in CATALOG.values()]
    mine = Dataset.objects.filter(owner=request.session.get("owner", "")).defer("data")[:50]
    return builtins + [describe(row) for row in mine]


@ensure_csrf_cookie  # the page's scripts send it back on every change
def build(request):
    context = {
        "datasets": dataset_choices(request),
        "form": form(),
        "presets": PRESETS,
        # Only this browser's runs: a run is private until its link is shared.
        "recent": Run.objects.filter(owner=request.session.get("owner", "")).only(
            "id", "spec", "status"
        )[:10],
    }
    return render_page(request, "build.html", context)


@ensure_csrf_cookie
def run_page(request, run_id):
    run = Run.objects.filter(id=run_id).first()
    if run is None:
        raise Http404("There is no such run.")
    info = described(run.spec["dataset"])
    context = {
        "run": run,
        "is_owner": owns(request, run),
        "run_api": run.as_api(),
        "try_kind": try_kind(info) if info else None,
    }
    return render_page(request, "run.html", context)


MAX_COMPARED = 8


@ensure_csrf_cookie
def compare(request):
    """/compare/?runs=ID,ID,...: runs side by side (anyone with the links may compare)."""
    wanted = [i for i in request.GET.get("runs", "").split(",") if i.strip()][:MAX_COMPARED]
    found = {r.id: r for r in Run.objects.filter(id__in=wanted)}
    runs = [
        {"id": r.id, "title": r.title, "cell": r.spec["model"]["cell"], "status": r.status}
        for r in (found[i] for i in wanted if i in found)
    ]
    missing = [i for i in wanted if i not in found]
    return render_page(request, "compare.html", {"runs": runs, "missing": missing})
