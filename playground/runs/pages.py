"""The pages: build a model, watch a run."""

from django.http import Http404
from django.views.decorators.csrf import ensure_csrf_cookie

from playground.datasets.catalog import describe, describe_builtin, described
from playground.datasets.models import Dataset
from playground.page_constants import render_page
from playground.runs import hooks
from playground.runs.comparing import compared
from playground.runs.form import PARADIGM_NAMES, form
from playground.runs.models import Run
from playground.runs.ownership import owns
from playground.runs.presets import PRESETS
from sequences.datasets import CATALOG
from sequences.models import READERS
from sequences.predict import try_kind
from sequences.probes.asking import MAX_EXPLAINED_UNITS, MAX_INTERVENTIONS
from sequences.probes.interventions import GATES
from sequences.spec import ModelSpec


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
        "paradigm_names": PARADIGM_NAMES,
        # A workshop's participant is offered only the lessons its quotas allow.
        "presets": hooks.lessons(request, PRESETS),
        # Only this browser's runs: a run is private until its link is shared.
        "recent": Run.objects.filter(owner=request.session.get("owner", "")).only(
            "id", "spec", "status"
        )[:10],
    }
    return render_page(request, "build.html", context)


def try_options(info, spec: dict) -> dict:
    """What Try it needs to know of a lesson task's data: the adding problem's sequence
    length; copy and reverse's symbols, longest string and direction."""
    options = info.options.model_validate(spec.get("dataset_options") or {}).model_dump()
    return {**options, "reverse": info.id == "reverse"}


# What a person types to ask the model about another input, by what Try it does.
ASK_INPUTS = {"add": "add", "sequence": "sequence", "write": "text", "classify": "text"}


def ask_options(info, kind: str | None, spec: dict) -> dict:
    """What "Ask the model why" offers for this run: the input to edit ("add", "sequence",
    "text", "series" or none), the model's layers, units, heads and gates to change, and
    whether one step's arithmetic can be written out for it."""
    model = ModelSpec.model_validate(spec.get("model") or {})
    series = info is not None and info.kind == "series"
    return {
        "input": ASK_INPUTS.get(kind or "", "series" if series else None),
        "cell": model.cell,
        "layers": model.layers,
        "hidden": model.hidden,
        "heads": model.heads,
        # Gates and units to hold, and one step's arithmetic: every reader.
        "recurrent": model.cell in READERS,
        "explains": model.cell in READERS,
        # The attention a head mask may name: an encoder-decoder has three kinds.
        "attentions": ["self", "decoder", "cross"]
        if spec.get("paradigm") == "seq2seq"
        else ["self"],
        # The gates a clamp may hold, by name with the letter of the equations.
        "gates": GATES.get(model.cell, {}),
        "max_interventions": MAX_INTERVENTIONS,
        "max_explained_units": MAX_EXPLAINED_UNITS,
    }


@ensure_csrf_cookie
def run_page(request, run_id):
    run = Run.objects.filter(id=run_id).first()
    if run is None:
        raise Http404("There is no such run.")
    info = described(run.spec["dataset"])
    kind = try_kind(info) if info else None
    context = {
        "run": run,
        "is_owner": owns(request, run),
        "run_api": run.as_api(),
        "try_kind": kind,
        "try_options": try_options(info, run.spec) if kind in ("add", "sequence") else {},
        "ask_options": ask_options(info, kind, run.spec),
    }
    return render_page(request, "run.html", context)


MAX_COMPARED = 8


@ensure_csrf_cookie
def compare(request):
    """/compare/?runs=ID,ID,...: runs side by side (anyone with the links may compare)."""
    wanted = [i for i in request.GET.get("runs", "").split(",") if i.strip()][:MAX_COMPARED]
    found = {r.id: r for r in Run.objects.filter(id__in=wanted)}
    runs = [found[i] for i in wanted if i in found]
    missing = [i for i in wanted if i not in found]
    context = compared(runs, request.GET.get("lesson", ""))
    return render_page(request, "compare.html", {**context, "missing": missing})
