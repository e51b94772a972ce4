"""A run as one standalone PyTorch script: the playground's own model code (copied in,
so the script needs nothing but torch), the run's settings, and the data it trained on
(embedded, compressed). Running it rebuilds the model and trains it the same way."""

import base64
import inspect
import io
import re
import zlib
from dataclasses import asdict
from pprint import pformat

import torch

import sequences.batch
import sequences.models
import sequences.models.attention
import sequences.models.bow
import sequences.models.decoder
import sequences.models.editing
import sequences.models.inputs
import sequences.models.losses
import sequences.models.min_rnn
import sequences.models.parallel_stack
import sequences.models.recurrent
import sequences.models.scan
import sequences.models.selective_ssm
import sequences.models.seq2seq
import sequences.models.transformer
import sequences.models.transformer_one_to_many
import sequences.optim
from sequences.spec import RunSpec
from sequences.task import FixedSet, Task

# In dependency order: each module only uses names defined above it.
MODULES = [
    sequences.batch,
    sequences.models.inputs,
    sequences.models.losses,
    sequences.models.editing,
    sequences.models.scan,
    sequences.models.min_rnn,
    sequences.models.selective_ssm,
    sequences.models.parallel_stack,
    sequences.models.recurrent,
    sequences.models.attention,
    sequences.models.transformer,
    sequences.models.transformer_one_to_many,
    sequences.models.decoder,
    sequences.models.seq2seq,
    sequences.models.bow,
    sequences.models,
    sequences.optim,
]
MAX_VALUES = 3_000_000  # numbers embedded for training, at most (a few MB once compressed)
MAX_VALIDATION = 512
OWN_IMPORT = re.compile(r"^from sequences[.\w]* import (\([^)]*\)|.*)$\n", re.MULTILINE)
IMPORT = re.compile(r"^(import [\w.]+.*|from [\w.]+ import [^(\n]*)$", re.MULTILINE)


def vendored() -> tuple[list[str], str]:
    """(the import lines the modules need, their code without the playground's imports)."""
    imports: list[str] = []
    bodies: list[str] = []
    for module in MODULES:
        source = OWN_IMPORT.sub("", inspect.getsource(module))
        for line in IMPORT.findall(source):
            if line not in imports:
                imports.append(line)
        body = IMPORT.sub("", source).strip()
        bodies.append(
            f"# ---- {module.__name__} " + "-" * (70 - len(module.__name__)) + f"\n{body}"
        )
    return imports, "\n\n\n".join(bodies)


def exported_data(task: Task, spec: RunSpec) -> dict[str, torch.Tensor]:
    """Training examples (the fixed set, or a large sample of the generated ones) and the
    validation set, as plain tensors."""
    if isinstance(task, FixedSet):
        train = task.train
    else:
        probe = task.sample(1, torch.Generator().manual_seed(0))
        per_example = max(1, probe.x[0].numel() + probe.y[0].numel())
        n = max(spec.training.batch_size, min(8192, MAX_VALUES // per_example))
        train = task.sample(n, torch.Generator().manual_seed(spec.training.seed))
    v = task.validation
    data = {
        "train_x": train.x,
        "train_y": train.y,
        "val_x": v.x[:MAX_VALIDATION],
        "val_y": v.y[:MAX_VALIDATION],
    }
    if train.lengths is not None:
        data["train_lengths"] = train.lengths
    if v.lengths is not None:
        data["val_lengths"] = v.lengths[:MAX_VALIDATION]
    return {k: t.contiguous().clone() for k, t in data.items()}


def packed(data: dict[str, torch.Tensor]) -> str:
    buffer = io.BytesIO()
    torch.save(data, buffer)
    text = base64.b64encode(zlib.compress(buffer.getvalue(), 9)).decode()
    return "\n".join(text[i : i + 100] for i in range(0, len(text), 100))


def script(spec: RunSpec, task: Task, title: str) -> str:
    imports, code = vendored()
    settings = spec.model_dump(mode="json")
    signature = asdict(task.signature)
    own = {"import base64", "import io", "import zlib", "from types import SimpleNamespace"}
    # A __future__ import must come first; the rest in order.
    lines = sorted(set(imports) | own, key=lambda line: ("__future__" not in line, line))
    # Text a person typed (the run's name, an upload's name in it) enters only as Python
    # literals written by repr (pformat writes strings with repr too): never inside the
    # docstring or a comment, where a quote, a backslash or a newline would end it.
    return TEMPLATE.format(
        title=repr(title),
        imports="\n".join(lines),
        spec=pformat(settings, sort_dicts=False, width=96),
        signature=pformat(signature, sort_dicts=False, width=96),
        code=code,
        data=packed(exported_data(task, spec)),
    )


TEMPLATE = '''#!/usr/bin/env python3
"""A run of the sequence-model playground, rebuilt: its name is TITLE below.

The model code below is the playground's own; the settings are the run's; the data at
the end is what it trained on (training examples and the validation set). Needs only
PyTorch:

    pip install torch
    python this_file.py
"""

{imports}

TITLE = {title}

SPEC = {spec}

SIGNATURE = {signature}


{code}


# ---- training ------------------------------------------------------------------------
def namespace(value):
    """The settings as attributes (spec.model.hidden), as the model code reads them."""
    if isinstance(value, dict):
        return SimpleNamespace(**{{k: namespace(v) for k, v in value.items()}})
    return value


def load_data():
    raw = zlib.decompress(base64.b64decode("".join(DATA.split())))
    return torch.load(io.BytesIO(raw), weights_only=True)


def main():
    spec, signature = namespace(SPEC), SimpleNamespace(**SIGNATURE)
    t = spec.training
    data = load_data()
    torch.manual_seed(t.seed)
    model = build_model(spec, signature)
    initialize(model, t.init)
    parameters = list(model.parameters())
    optimizer = make_optimizer(t, parameters)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_factor(t.schedule, t.steps))
    print(f"{{sum(p.numel() for p in parameters):,}} parameters; {{len(data['train_x']):,}} training examples")
    lengths = data.get("train_lengths")
    for step in range(1, t.steps + 1):
        rows = torch.randint(0, len(data["train_x"]), (t.batch_size,))
        x, y = data["train_x"][rows], data["train_y"][rows]
        _, loss = model(x, y, lengths[rows] if lengths is not None else None)
        objective = loss + t.l1 * l1_penalty(model) if t.l1 else loss
        optimizer.zero_grad(set_to_none=True)
        objective.backward()
        clip_gradients(t, parameters)
        optimizer.step()
        schedule.step()
        if step % max(1, t.steps // 10) == 0 or step == t.steps:
            print(f"step {{step}}: loss {{loss.item():.4f}}")
    model.eval()
    with torch.no_grad():
        _, val_loss = model(data["val_x"], data["val_y"], data.get("val_lengths"))
    print(f"validation loss {{val_loss.item():.4f}}")
    torch.save(model.state_dict(), "weights.pt")
    print("weights saved to weights.pt")


DATA = """
{data}
"""

if __name__ == "__main__":
    main()
'''
