"""The build page's live check in a person's words: each problem named by its control's
label ("Hidden size: at most 1024", not "model.hidden: Input should be less than or equal
to 1024"), the cells that cannot run with the chosen task and paradigm, and the choices the
chosen cell cannot take, each with why."""

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
    return {"field": field, "label": label_of(field), "message": sentence(message)}


def sentence(message: str) -> str:
    """The message with a capital first letter, unless it starts with a name ("minGRU")."""
    if message.startswith(tuple(CELL_NAMES.values())):
        return message
    return message[:1].upper() + message[1:]


def plain_problems(details: list[dict]) -> list[dict]:
    """Every problem of a refused spec, one per field (the first message for each)."""
    seen: dict[str, dict] = {}
    for detail in details:
        seen.setdefault(detail["field"], plain(detail["field"], detail["message"]))
    return list(seen.values())


def chosen_task(data, catalog: dict) -> tuple[str, str] | None:
    """(dataset, paradigm) the spec names, the dataset's default paradigm where it names
    none the dataset serves; None for a dataset there is not."""
    if not isinstance(data, dict):
        return None
    dataset = catalog.get(data.get("dataset"))
    if dataset is None:
        return None
    paradigm = dataset.paradigm_for(
        data.get("paradigm") if data.get("paradigm") in dataset.paradigms else None
    )
    return dataset.id, paradigm


def refusal(spec: dict, catalog: dict, field: str) -> str | None:
    """Why `spec` cannot run, in a person's words, when the refusal is `field`'s."""
    try:
        parse_spec(spec, catalog)
    except SpecError as exc:
        why = next((d["message"] for d in exc.details if d["field"] == field), None)
        return plain(field, why)["message"] if why else None
    return None


def unavailable_cells(data, catalog: dict) -> dict[str, str]:
    """{cell: why it cannot run} for the task and paradigm the spec names, with every other
    setting at its default (a cell that fails only with other settings stays offered)."""
    task = chosen_task(data, catalog)
    if task is None:
        return {}
    dataset, paradigm = task
    reasons = {}
    for cell in Cell.__args__:
        spec = {"dataset": dataset, "paradigm": paradigm, "model": {"cell": cell}}
        why = refusal(spec, catalog, "model.cell")
        if why:
            reasons[cell] = why
    return reasons


# Choices a cell may not take: {as the page's control holds it (a checkbox's "true"): as the
# spec spells it}. The parallel-scan cells have no W_hh to initialise and read forwards
# only; a classic cell cannot read backwards where that would show the answer.
CELL_BOUND = {
    "training.init": {"xavier": "xavier", "orthogonal": "orthogonal", "identity": "identity"},
    "model.bidirectional": {"true": True},
}


def unavailable_choices(data, catalog: dict) -> dict[str, dict[str, str]]:
    """{field: {choice: why}} for the choices the chosen cell cannot take with the task and
    paradigm the spec names, every other setting at its default."""
    task = chosen_task(data, catalog)
    if task is None:
        return {}
    dataset, paradigm = task
    model = data.get("model") if isinstance(data.get("model"), dict) else {}
    cell = model.get("cell") if model.get("cell") in Cell.__args__ else None
    reasons: dict[str, dict[str, str]] = {}
    for field, choices in CELL_BOUND.items():
        group, name = field.split(".")
        for shown, value in choices.items():
            spec = {"dataset": dataset, "paradigm": paradigm, "model": {}, "training": {}}
            if cell is not None:
                spec["model"]["cell"] = cell
            spec[group][name] = value
            why = refusal(spec, catalog, field)
            if why:
                reasons.setdefault(field, {})[shown] = why
    return reasons
