"""The exported script rebuilds the model from the playground's own code and trains it on
the exported data, with nothing but PyTorch: run as a separate Python process."""

import ast
import pkgutil
import re

import pytest

import sequences.models
from sequences.export.script import MODULES, script
from sequences.tasks import make_task
from tests.script_runner import RUNNER
from tests.sequences.helpers import small

CASES = [
    ("adding", None, "gru", {}),
    ("copy", "seq2seq", "lstm", {"attention": True, "bidirectional": True}),
    ("sentiment", "one-to-one", "bow", {}),
    ("stories", None, "transformer", {"heads": 2}),
    ("sine", "seq2seq", "transformer", {"heads": 2}),
    ("wave", "one-to-many", "rnn", {}),
    ("adding", None, "mingru", {"layers": 2}),
    ("copy", "seq2seq", "minlstm", {"attention": True}),
    ("wave", "one-to-many", "ssm", {"layers": 2}),
    ("wave", "one-to-many", "transformer", {"heads": 2}),
]


def run_script(tmp_path, source: str) -> str:
    """Run the script on its own, in tmp_path (tests/script_runner.py: as `python -I`, in a
    process of its own); its output."""
    path = tmp_path / "exported.py"
    path.write_text(source)
    code, stdout, stderr = RUNNER.run(tmp_path)
    assert code == 0, stderr[-3000:]
    return stdout


@pytest.mark.parametrize(
    "dataset, paradigm, cell, model", CASES, ids=[c[0] + "-" + c[2] for c in CASES]
)
def test_an_exported_script_runs_on_its_own(tmp_path, dataset, paradigm, cell, model):
    spec = small(dataset, paradigm, cell, model=model, training={"steps": 12})
    source = script(spec, make_task(spec), "A test run")
    assert "import sequences" not in source and "from sequences" not in source
    output = run_script(tmp_path, source)
    assert "step 12:" in output and "validation loss" in output
    assert (tmp_path / "weights.pt").exists()


def test_every_model_module_is_copied_into_the_script():
    # A model in a module the script lacks would fail only when its paradigm is exported.
    names = {f"sequences.models.{m.name}" for m in pkgutil.iter_modules(sequences.models.__path__)}
    assert names <= {module.__name__ for module in MODULES}


def test_an_exported_script_trains_like_the_playground(tmp_path):
    from sequences.train import train

    spec = small("sine", "many-to-one", "gru", training={"steps": 200, "batch_size": 32})
    output = run_script(tmp_path, script(spec, make_task(spec), "Sine, exported"))
    print(output)
    losses = [float(v) for v in re.findall(r"step \d+: loss ([\d.]+)", output)]
    exported = float(re.search(r"validation loss ([\d.]+)", output).group(1))
    here = train(spec).result["final_val_loss"]
    print(f"validation loss: exported script {exported:.4f}, playground {here:.4f}")
    assert losses[-1] < 0.3 * losses[0]  # it learned
    assert exported < 3 * here + 0.01  # about as well as the playground's own loop


HOSTILE_TITLES = [
    'x"""; import pathlib; pathlib.Path("payload-ran").touch(); """',
    "x'''; import pathlib; pathlib.Path('payload-ran').touch(); '''",
    "back\\slash \\N{oops} \\x41 C:\\new\\",
    "two\nimport pathlib; pathlib.Path('payload-ran').touch()\r\n# lines",
    "</script>{title} {{ spec }} nul\x00 \ud800 \u2028",
    "n" * 10_000,
]


def test_a_title_is_one_string_literal_in_the_script_whatever_it_holds(tmp_path):
    # Short sequences: a title takes the same path into the script at any length, and
    # packing the embedded data is most of what writing a script costs.
    spec = small("adding", None, "gru", training={"steps": 12}, options={"length": 5})
    task = make_task(spec)
    for title in HOSTILE_TITLES:
        tree = ast.parse(script(spec, task, title))
        assert title in [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)]
    output = run_script(tmp_path, script(spec, task, HOSTILE_TITLES[0]))
    assert "step 12:" in output and not (tmp_path / "payload-ran").exists()
