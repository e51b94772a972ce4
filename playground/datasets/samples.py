"""A few examples of a generated built-in task, to show before anyone trains on it: each
input sequence with its target, as the model will read them (the default options, seed 0).

Real data (sunspots, CO2, uploads) has its own preview; this is for the tasks made in code.
"""

from sequences.datasets.catalog import DatasetInfo
from sequences.task import Labelled, Vocabulary
from sequences.tasks import cached_task

SHOWN = 4
MAX_STEPS_SHOWN = 60  # a longer sequence is cut (and says so), so the page stays small


def rounded(values) -> list:
    """Numbers to two decimals: a list of floats, or a list of lists of floats."""
    if isinstance(values, list):
        return [rounded(v) for v in values]
    return round(float(values), 2)


def tokens(task, ids) -> list[str]:
    """Token ids as the names the vocabulary gives them (padding and ignored steps left out)."""
    vocab = task.vocab if isinstance(task, Vocabulary) else None
    return [
        vocab[i] if vocab else str(i) for i in ids if i > 0 and (vocab is None or i < len(vocab))
    ]


def side(task, kind: str, tensor, length=None) -> dict:
    """One input or target: {"tokens": [...]} or {"values": [[...], ...]} (steps x features),
    with "cut" when it is longer than what is shown."""
    data = tensor.tolist()
    if isinstance(data, list) and length is not None:
        data = data[:length]
    if kind == "tokens":
        ids = data if isinstance(data, list) else [data]
        shown = tokens(task, ids)
        return {"tokens": shown[:MAX_STEPS_SHOWN], "cut": len(shown) > MAX_STEPS_SHOWN}
    values = data if isinstance(data, list) else [data]
    # Always steps x features, so a one-feature series reads like a two-feature one.
    values = [v if isinstance(v, list) else [v] for v in values]
    return {"values": rounded(values[:MAX_STEPS_SHOWN]), "cut": len(values) > MAX_STEPS_SHOWN}


def sample_preview(info: DatasetInfo) -> dict:
    """{"examples": [{"input", "target"}, ...], "label"?} from the task's validation set."""
    options = info.options().model_dump()
    task = cached_task(info, options, info.paradigm_for(None), 0.2)
    v = task.validation
    examples = []
    for i in range(min(SHOWN, len(v))):
        length = int(v.lengths[i]) if v.lengths is not None else None
        target = v.y[i]
        if task.signature.outputs == "classes":
            names = task.labels if isinstance(task, Labelled) else None
            shown_target = {"label": names[int(target)] if names else str(int(target))}
        else:
            shown_target = side(task, task.signature.outputs, target)
        examples.append(
            {"input": side(task, task.signature.inputs, v.x[i], length), "target": shown_target}
        )
    return {"examples": examples, "paradigm": info.paradigm_for(None), "options": options}
