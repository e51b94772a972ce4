"""The README documents every cell, paradigm, dataset and training setting there is, and
the pages have a way to show each of them; the pages' scripts copy no server facts."""

import json
import re
import typing
from pathlib import Path

import pytest

from playground.page_constants import CONSTANTS
from playground.runs.models import ACTIVE, CELL_NAMES, FINISHED
from sequences.datasets import CATALOG
from sequences.reporting import Reporter
from sequences.spec import Cell, Paradigm, TrainingSpec

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
JS = ROOT / "frontend" / "static" / "js"

NAMES = [
    *typing.get_args(Cell),
    *typing.get_args(Paradigm),
    *CATALOG,
    *TrainingSpec.model_fields,
]
# What the training loop reports (the Reporter's methods), and the lifecycle's own events.
EVENT_TYPES = [
    *(
        name
        for name in vars(Reporter)
        if not name.startswith("_") and callable(vars(Reporter)[name])
    ),
    "status",
    "done",
]


@pytest.mark.parametrize("name", NAMES)
def test_the_readme_documents_it(name):
    assert f"`{name}`" in README, f"README.md does not mention `{name}`"


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_the_run_page_renders_every_event_type(event_type):
    renderers = re.search(r"const renderers = \{(.*?)\n\};", (JS / "run.js").read_text(), re.S)
    assert re.search(rf"^\s*{event_type}: ", renderers.group(1), re.M), event_type


@pytest.mark.parametrize("paradigm", typing.get_args(Paradigm))
def test_the_build_page_explains_and_draws_every_paradigm(paradigm):
    key = rf'(^|\s)("{paradigm}"|{paradigm}): '
    assert re.search(key, (JS / "build.js").read_text(), re.M), f"no hint for {paradigm}"
    assert re.search(key, (JS / "diagram.js").read_text(), re.M), f"no diagram for {paradigm}"


@pytest.mark.parametrize("cell", typing.get_args(Cell))
def test_every_cell_has_a_name_and_a_box_label(cell):
    assert cell in CELL_NAMES
    labels = re.search(r"const BOX_LABELS = \{(.*?)\};", (JS / "diagram.js").read_text())
    assert re.search(rf"\b{cell}: ", labels.group(1)), f"diagram.js has no box label for {cell}"


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["/", "/compare/", "/workshops/new"])
def test_the_pages_get_the_statuses_and_cells_from_the_server(client, page):
    html = client.get(page).content.decode()
    found = re.search(r'<script id="constants" type="application/json">(.*?)</script>', html)
    constants = json.loads(found.group(1))
    assert constants["statuses"]["finished"] == list(FINISHED)
    assert constants["statuses"]["active"] == list(ACTIVE)
    assert constants["cells"] == list(typing.get_args(Cell))


@pytest.mark.parametrize("field", CONSTANTS["upload_fields"])
def test_the_build_page_has_an_input_for_every_upload_field(field):
    build = (ROOT / "frontend" / "templates" / "build.html").read_text()
    assert f'id="upload-{field.replace("_", "-")}"' in build


@pytest.mark.parametrize("script", sorted(JS.glob("*.js")), ids=lambda path: path.name)
def test_no_page_script_keeps_its_own_list_of_statuses_or_cells(script):
    """A line quoting two statuses (or two cells) is a copy of the server's list."""
    lists = {"statuses": [*ACTIVE, *FINISHED], "cells": list(typing.get_args(Cell))}
    for number, line in enumerate(script.read_text().splitlines(), 1):
        for what, names in lists.items():
            quoted = [name for name in names if f'"{name}"' in line or f"'{name}'" in line]
            assert len(quoted) < 2, (
                f"{script.name}:{number} copies {what} {quoted}: use constants.js"
            )
