"""The build page's live check in a person's words: each problem named by its control's
label ("Hidden size: at most 1024", not "model.hidden: Input should be less than or equal
to 1024"), and the cells that cannot run with the chosen task and paradigm, with why."""

import re

from playground.runs.form import MODEL, PARADIGM_NAMES, TRAINING
from playground.runs.models import CELL_NAMES
from sequences.spec import Cell, SpecError, parse_spec

LABELS = {
    **{control.path: control.label for control in MODEL + TRAINING},
    "dataset": "Task",
    "paradigm": "Paradigm",
    "name": "Name",
    "model": "Model",
    "training": "Training",
    "spec": "Settings",
}

# pydantic's sentences, in the order tried (the longer phrase before its prefix).
PLAIN = [
    (r"^Input should be less than or equal to (.+)$", r"at most \1"),
    (r"^Input should be greater than or equal to (.+)$", r"at least \1"),
    (r"^Input should be greater than (.+)$", r"more than \1"),
    (r"^Input should be less than (.+)$", r"less than \1"),
    (r"^Input should be a valid integer.*$", "a whole number, please"),
    (r"^Input should be a finite number.*$", "a number, please"),
    (r"^Input should be a valid number.*$", "a number, please"),
    (r"^Input should be a valid boolean.*$", "on or off"),
    (r"^Input should be (.+)$", r"choose one of \1"),
    (r"^String should have at most (\d+) characters?$", r"at most \1 characters"),
    (r"^Field required$", "needs a value"),
]


def label_of(path: str) -> str:
    """The control's label; a dataset option reads as its name ("Min length")."""
    if path.startswith("dataset_options."):
        name = path.split(".", 1)[1].replace("_", " ")
        return name[:1].upper() + name[1:]
    return LABELS.get(path, path)


def with_names(text: str) -> str:
    """Ids a person never sees in the page ("bow", "many-to-one") as their names."""
    for ids in (CELL_NAMES, PARADIGM_NAMES):
        for key, name in ids.items():
            text = re.sub(rf"(?<![\w-]){re.escape(key)}(?![\w-])", name, text)
    return text


def plain(field: str, message: str) -> dict:
    """One problem as {field, label, message}: the message without the path, in words."""
    message = message.removeprefix(f"{field}: ")
    for pattern, replacement in PLAIN:
        if re.match(pattern, message):
            message = re.sub(pattern, replacement, message)
            break
    # The baseline's own sentence names it twice once its id reads as its name.
    message = with_names(message).replace("Bag of words, the bag-of-words baseline,", "it")
    return {"field": field, "label": label_of(field), "message": message[:1].upper() + message[1:]}


def plain_problems(details: list[dict]) -> list[dict]:
    """Every problem of a refused spec, one per field (the first message for each)."""
    seen: dict[str, dict] = {}
    for detail in details:
        seen.setdefault(detail["field"], plain(detail["field"], detail["message"]))
    return list(seen.values())


def unavailable_cells(data, catalog: dict) -> dict[str, str]:
    """{cell: why it cannot run} for the task and paradigm the spec names, with every other
    setting at its default (a cell that fails only with other settings stays offered)."""
    if not isinstance(data, dict):
        return {}
    dataset = catalog.get(data.get("dataset"))
    if dataset is None:
        return {}
    paradigm = dataset.paradigm_for(
        data.get("paradigm") if data.get("paradigm") in dataset.paradigms else None
    )
    reasons = {}
    for cell in Cell.__args__:
        try:
            parse_spec(
                {"dataset": dataset.id, "paradigm": paradigm, "model": {"cell": cell}}, catalog
            )
        except SpecError as exc:
            why = next((d["message"] for d in exc.details if d["field"] == "model.cell"), None)
            if why:
                reasons[cell] = plain("model.cell", why)["message"]
    return reasons
