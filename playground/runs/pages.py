"""The pages: build a model, watch a run."""

from django.http import Http404
from django.shortcuts import render

from playground.runs.models import Run
from playground.runs.ownership import owns
from sequences.datasets import CATALOG
from sequences.spec import ModelSpec, RunSpec, TrainingSpec


def limits(model) -> dict:
    """Each field's bounds and default, so the form can say what is allowed."""
    found = {}
    for name, field in model.model_fields.items():
        bounds = {"default": field.default}
        for rule in field.metadata:
            for key in ("ge", "gt", "le", "lt"):
                if getattr(rule, key, None) is not None:
                    bounds[key] = getattr(rule, key)
        found[name] = bounds
    return found


def build(request):
    context = {
        "datasets": [info.describe() for info in CATALOG.values()],
        "defaults": RunSpec().model_dump(mode="json"),
        "limits": {"model": limits(ModelSpec), "training": limits(TrainingSpec)},
        # Only this browser's runs: a run is private until its link is shared.
        "recent": Run.objects.filter(owner=request.session.get("owner", "")).only(
            "id", "spec", "status"
        )[:10],
    }
    return render(request, "build.html", context)


def run_page(request, run_id):
    run = Run.objects.filter(id=run_id).first()
    if run is None:
        raise Http404("There is no such run.")
    context = {"run": run, "is_owner": owns(request, run), "run_api": run.as_api()}
    return render(request, "run.html", context)
