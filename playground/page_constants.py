"""Facts the pages' JavaScript needs, read from where they are defined.

Every page gets them as one `json_script` block ("constants"), which
`frontend/static/js/constants.js` reads; no JS file keeps its own copy.
"""

import typing

from django.shortcuts import render

from playground.datasets.upload_form import CHOICE_FIELDS
from playground.runs.models import ACTIVE, CELL_NAMES, FINISHED, TRYABLE
from sequences.models import READERS
from sequences.spec import Cell, ModelSpec, RunSpec

CONSTANTS = {
    "statuses": {"active": list(ACTIVE), "finished": list(FINISHED), "tryable": list(TRYABLE)},
    "cells": list(typing.get_args(Cell)),
    "cell_names": CELL_NAMES,
    # The cells that carry a state from step to step (the diagram draws it along each layer).
    "readers": list(READERS),
    # The upload form's fields besides file, kind and name (the build page has an input
    # "upload-<field>" for each, with "-" for "_").
    "upload_fields": ["columns", *CHOICE_FIELDS],
    # What a workshop's participants start from when the instructor gives no preset.
    "default_preset": {
        "dataset": RunSpec.model_fields["dataset"].default,
        "model": {"cell": ModelSpec.model_fields["cell"].default},
    },
}


def render_page(request, template: str, context: dict | None = None):
    """A page, with the constants its JavaScript reads."""
    return render(request, template, {"constants": CONSTANTS, **(context or {})})
