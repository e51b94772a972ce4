"""Asking a trained model why (sequences.probes.what_if): interventions checked by hand,
one step's arithmetic recombined and checked against the fused torch modules, and every
bad request answered with a sentence that names its field."""

import math

import pytest
import torch
from torch import nn

from sequences.datasets import CATALOG
from sequences.models import build_model
from sequences.models.parallel_stack import ParallelStack
from sequences.probes.asking import Explain, LookError, LookRequest
from sequences.probes.explain import explain
from sequences.probes.interventions import RecurrentEdits, head_masks, masked_heads
from sequences.probes.recurrent import unroll
from sequences.probes.what_if import what_if
from sequences.tasks import make_task
from tests.sequences.helpers import small


def built(dataset="adding", paradigm=None, cell="lstm", model=None):
    torch.manual_seed(0)
    options = {"length": 12} if dataset == "adding" else {}
    spec = small(dataset, paradigm, cell, model=model, options=options)
    task = make_task(spec, CATALOG)
    return task, build_model(spec, task.signature).eval()


def asked(**body) -> LookRequest:
    return LookRequest.model_validate(body)


def edits_of(rnn: nn.RNNBase, T: int, *interventions: dict) -> RecurrentEdits:
    return RecurrentEdits(asked(interventions=list(interventions)).interventions, rnn, T)


def test_clamping_forget_to_one_and_input_to_zero_keeps_the_cell_state_constant():
    torch.manual_seed(0)
    rnn = nn.LSTM(3, 8, batch_first=True)
    x = torch.randn(1, 10, 3)
    clamp = {"kind": "clamp", "layer": 0, "steps": [4, 5, 6, 7], "units": [1, 5]}
    edits = edits_of(
        rnn, 10, {**clamp, "gate": "forget", "value": 1.0}, {**clamp, "gate": "i", "value": 0.0}
    )
    with torch.no_grad():
        plain = unroll(rnn, x)[0]["forward"]
        held = unroll(rnn, x, edits=edits)[0]["forward"]
    cell = held["cell"][0]  # (T, H)
    for t in (4, 5, 6, 7):  # c_t = 1 * c_{t-1} + 0 * g on the clamped units
        assert torch.equal(cell[t, [1, 5]], cell[3, [1, 5]])
    assert torch.equal(held["forget"][0, 4:8, [1, 5]], torch.ones(4, 2))
    # Before the clamp nothing changed; on the other units the gates were not held.
    assert torch.equal(held["cell"][0, :4], plain["cell"][0, :4])
    assert not torch.equal(plain["cell"][0, 4:8, [1, 5]], cell[4:8, [1, 5]])


def test_zeroing_a_unit_zeroes_its_row_and_the_next_layer_and_the_output_see_zero():
    task, model = built(cell="gru", model={"layers": 2})
    x = task.validation.x[:1]
    edits = edits_of(model.rnn, 12, {"kind": "unit", "layer": 0, "unit": 3, "value": 0.0})
    with torch.no_grad():
        layers = unroll(model.rnn, model.inputs(x), edits=edits)
    assert torch.equal(layers[0]["forward"]["hidden"][0, :, 3], torch.zeros(12))
    # The next layer read exactly these states: a fused layer 1 fed layer 0's edited states
    # gives the same top states.
    top = nn.GRU(16, 16, batch_first=True)
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        getattr(top, f"{name}_l0").data = getattr(model.rnn, f"{name}_l1").data
    with torch.no_grad():
        fused_top, _ = top(layers[0]["forward"]["hidden"])
        expected = model.head(fused_top[:, -1])
    assert torch.allclose(layers[1]["forward"]["hidden"], fused_top, atol=1e-6)
    # And the answer is the head of those top states.
    look = what_if(
        task, model, asked(interventions=[{"kind": "unit", "layer": 0, "unit": 3, "value": 0.0}])
    )
    assert look["output"]["output"] == round(float(expected.reshape(-1)[0]), 4)
    assert look["before"]["output"]["output"] != look["output"]["output"]


def test_a_unit_set_on_some_steps_changes_only_what_comes_after_them():
    task, model = built(cell="lstm")
    body = {"kind": "unit", "layer": 0, "unit": 2, "value": 0.9, "steps": [6]}
    look = what_if(task, model, asked(interventions=[body]))
    hidden = look["difference"]["heatmaps"]["l0.hidden"]
    kept = look["difference"]["time"]
    zero = round((0 - hidden["min"]) / ((hidden["max"] - hidden["min"]) or 1) * 255)
    for row, t in zip(hidden["z"], kept, strict=True):
        if t < 6:  # the causal cone opens at the changed step
            assert set(row) == {zero}
    assert any(set(row) != {zero} for row, t in zip(hidden["z"], kept, strict=True) if t > 6)


def test_a_masked_head_contributes_nothing():
    task, model = built("sentiment", "many-to-one", "transformer", model={"heads": 4})
    x = task.validation.x[:1]
    masks = asked(interventions=[{"kind": "head", "layer": 0, "head": 1}]).interventions
    with torch.no_grad(), masked_heads(head_masks(model, masks)):
        masked = model(x)[0]
    # By hand: the output projection's columns that read head 1 set to zero.
    size = 16 // 4
    with torch.no_grad():
        plain = model(x)[0]
        model.blocks[0].attend.out.weight[:, size : 2 * size] = 0
        by_hand = model(x)[0]
    assert torch.allclose(masked, by_hand, atol=1e-6)
    assert not torch.allclose(masked, plain)
    look = what_if(task, model, asked(interventions=[{"kind": "head", "layer": 0, "head": 1}]))
    assert look["probe"]["masked_heads"] == ["self.l0.h1"] and "before" in look


def recombined_lstm(u: dict) -> tuple[float, float]:
    g = {k: u["x_term"][k] + u["h_term"][k] + u["bias"][k] for k in "ifgo"}
    assert all(g[k] == pytest.approx(u["pre"][k], abs=1e-5) for k in "ifgo")
    sig = torch.sigmoid
    i, f, o = (float(sig(torch.tensor(g[k], dtype=torch.float64))) for k in "ifo")
    cand = float(torch.tanh(torch.tensor(g["g"], dtype=torch.float64)))
    assert (i, f, cand, o) == pytest.approx((u["i"], u["f"], u["g"], u["o"]), abs=1e-5)
    c = u["f"] * u["c_prev"] + u["i"] * u["g"]
    h = u["o"] * float(torch.tanh(torch.tensor(c, dtype=torch.float64)))
    return c, h


@pytest.mark.parametrize("layers", [1, 2])
def test_an_lstm_steps_arithmetic_recombines_to_the_fused_modules_state(layers):
    torch.manual_seed(1)
    rnn = nn.LSTM(3, 6, num_layers=layers, batch_first=True)
    x = torch.randn(1, 7, 3)
    with torch.no_grad():
        out, (h_n, c_n) = rnn(x)
        unrolled = unroll(rnn, x)
    top, last = layers - 1, 6
    shown = explain(rnn, x, unrolled, Explain(t=last, layer=top, units=[0, 2, 5]))
    for u in shown["units"]:
        c, h = recombined_lstm(u)
        assert c == pytest.approx(u["c"], abs=1e-5) and h == pytest.approx(u["h"], abs=1e-5)
        assert u["c"] == pytest.approx(float(c_n[top, 0, u["unit"]]), abs=1e-5)
        assert u["h"] == pytest.approx(float(out[0, last, u["unit"]]), abs=1e-5)
    earlier = explain(rnn, x, unrolled, Explain(t=3, layer=top, units=[4]))["units"][0]
    assert earlier["h_prev"] == pytest.approx(float(out[0, 2, 4]), abs=1e-6)
    assert earlier["h"] == pytest.approx(float(out[0, 3, 4]), abs=1e-5)


def test_a_gru_steps_arithmetic_recombines_to_the_fused_modules_state():
    torch.manual_seed(2)
    rnn = nn.GRU(3, 5, batch_first=True)
    x = torch.randn(1, 6, 3)
    with torch.no_grad():
        out, _ = rnn(x)
    shown = explain(rnn, x, unroll(rnn, x), Explain(t=4, layer=0, units=[0, 1, 4]))
    sig = torch.sigmoid
    for u in shown["units"]:
        part = {k: u["x_term"][k] + u["bias_x"][k] for k in "rzn"}
        past = {k: u["h_term"][k] + u["bias_h"][k] for k in "rzn"}
        r = float(sig(torch.tensor(part["r"] + past["r"])))
        z = float(sig(torch.tensor(part["z"] + past["z"])))
        n = float(torch.tanh(torch.tensor(part["n"] + r * past["n"])))
        assert (r, z, n) == pytest.approx((u["r"], u["z"], u["n"]), abs=1e-5)
        h = (1 - u["z"]) * u["n"] + u["z"] * u["h_prev"]
        assert h == pytest.approx(u["h"], abs=1e-5)
        assert u["h"] == pytest.approx(float(out[0, 4, u["unit"]]), abs=1e-5)
        assert u["h_prev"] == pytest.approx(float(out[0, 3, u["unit"]]), abs=1e-6)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_a_vanilla_rnn_steps_arithmetic_recombines_to_the_fused_modules_state(activation):
    torch.manual_seed(3)
    rnn = nn.RNN(3, 5, nonlinearity=activation, batch_first=True, bidirectional=True)
    x = torch.randn(1, 6, 3)
    with torch.no_grad():
        out, _ = rnn(x)
    squash = torch.tanh if activation == "tanh" else torch.relu
    for direction, offset in (("forward", 0), ("backward", 5)):
        asked_for = Explain(t=2, layer=0, units=[0, 3], direction=direction)
        shown = explain(rnn, x, unroll(rnn, x), asked_for)
        assert shown["activation"] == activation
        for u in shown["units"]:
            pre = u["x_term"] + u["h_term"] + u["bias"]
            assert pre == pytest.approx(u["pre"], abs=1e-5)
            assert float(squash(torch.tensor(pre))) == pytest.approx(u["h"], abs=1e-5)
            assert u["h"] == pytest.approx(float(out[0, 2, offset + u["unit"]]), abs=1e-5)


def test_the_arithmetic_shows_a_clamped_gate_as_the_pass_used_it():
    task, model = built(cell="lstm")
    look = what_if(
        task,
        model,
        asked(
            interventions=[{"kind": "clamp", "layer": 0, "gate": "f", "value": 0.0, "steps": [5]}],
            explain={"t": 5, "layer": 0, "units": [0]},
        ),
    )
    unit = look["explain"]["units"][0]
    assert unit["f"] == 0.0 and unit["c"] == pytest.approx(unit["i"] * unit["g"], abs=1e-6)


def test_a_typed_input_is_read_and_answered_as_try_it_answers():
    task, model = built("sentiment", "many-to-one", "lstm")
    look = what_if(task, model, asked(input="the film was not boring"))
    assert look["probe"]["inputs"] == ["the", "film", "was", "not", "boring"]
    assert look["output"]["output"] in ("negative", "positive")
    other = what_if(task, model, asked(input="the film was boring"))
    assert other["probe"]["inputs"] == ["the", "film", "was", "boring"]
    rows = [[0.5, 1.0 if t in (2, 9) else 0.0] for t in range(12)]
    task, model = built("adding", cell="gru")
    look = what_if(task, model, asked(input=rows))
    assert look["output"]["expected"] == 1.0 and look["output"]["marked"] == [2, 9]


@pytest.mark.parametrize(
    ("dataset", "paradigm", "cell", "body", "field"),
    [
        (
            "adding",
            None,
            "lstm",
            {"interventions": [{"kind": "clamp", "layer": 0, "gate": "reset", "value": 1.0}]},
            "interventions[0].gate",
        ),
        (
            "adding",
            None,
            "lstm",
            {"interventions": [{"kind": "clamp", "layer": 0, "gate": "f", "value": 2.0}]},
            "interventions[0].value",
        ),
        (
            "adding",
            None,
            "gru",
            {"interventions": [{"kind": "unit", "layer": 3, "unit": 0, "value": 0.0}]},
            "interventions[0].layer",
        ),
        (
            "adding",
            None,
            "gru",
            {"interventions": [{"kind": "unit", "layer": 0, "unit": 16, "value": 0.0}]},
            "interventions[0].unit",
        ),
        (
            "adding",
            None,
            "gru",
            {
                "interventions": [
                    {"kind": "unit", "layer": 0, "unit": 0, "value": 0.0, "steps": [12]}
                ]
            },
            "interventions[0].steps",
        ),
        (
            "adding",
            None,
            "gru",
            {"interventions": [{"kind": "head", "layer": 0, "head": 0}]},
            "interventions[0].kind",
        ),
        ("adding", None, "gru", {"explain": {"t": 0, "layer": 0, "units": [99]}}, "explain.units"),
        ("adding", None, "gru", {"explain": {"t": 12, "layer": 0, "units": [0]}}, "explain.t"),
        ("adding", None, "gru", {"input": [[0.5, 1.0]]}, "input"),
        (
            "sentiment",
            "many-to-one",
            "transformer",
            {"interventions": [{"kind": "head", "layer": 0, "head": 4}]},
            "interventions[0].head",
        ),
        (
            "sentiment",
            "many-to-one",
            "transformer",
            {"explain": {"t": 0, "layer": 0, "units": [0]}},
            "explain",
        ),
        ("sentiment", "many-to-one", "lstm", {"input": "the qwzx film"}, "input"),
        ("sentiment", "many-to-one", "lstm", {"input": "good " * 200}, "input"),
        (
            "sentiment",
            "one-to-one",
            "bow",
            {"interventions": [{"kind": "unit", "layer": 0, "unit": 0, "value": 0.0}]},
            "interventions[0]",
        ),
        ("reverse", None, "gru", {"input": "12Z"}, "input"),
        (
            "reverse",
            None,
            "gru",
            {"interventions": [{"kind": "unit", "layer": 0, "unit": 0, "value": 0.0}]},
            "interventions[0]",
        ),
    ],
)
def test_each_bad_request_says_which_field(dataset, paradigm, cell, body, field):
    task, model = built(dataset, paradigm, cell)
    with pytest.raises(LookError) as refused:
        what_if(task, model, asked(**body))
    print(refused.value)
    assert str(refused.value).startswith(f"{field}: ")


def test_holding_a_mingru_update_gate_at_zero_freezes_its_state():
    task, model = built(cell="mingru", model={"layers": 2})
    x = task.validation.x[:1]
    held = {"kind": "clamp", "layer": 0, "gate": "z", "value": 0.0, "steps": [5, 6, 7]}
    with torch.no_grad():
        layers = unroll(model.rnn, model.inputs(x), edits=edits_of(model.rnn, 12, held))
    hidden = layers[0]["forward"]["hidden"][0]  # (T, H)
    for t in (5, 6, 7):  # h_t = (1 - 0) h_(t-1) + 0 h̃_t: nothing written, nothing forgotten
        assert torch.equal(hidden[t], hidden[4])
    assert not torch.equal(hidden[8], hidden[4])  # writing resumes after the hold
    look = what_if(task, model, asked(interventions=[held]))
    assert look["difference"]  # the layer above and the answer saw the frozen state


def test_holding_the_ssms_step_at_zero_stops_its_state_and_keeps_all_of_the_past():
    task, model = built(cell="ssm")
    x = task.validation.x[:1]
    held = {"kind": "clamp", "layer": 0, "gate": "delta", "value": 0.0}
    with torch.no_grad():
        plain = unroll(model.rnn, model.inputs(x))[0]["forward"]
        frozen = unroll(model.rnn, model.inputs(x), edits=edits_of(model.rnn, 12, held))
    layer = frozen[0]["forward"]
    # Δ = 0: exp(0·A) = 1 keeps every state number, and Δ·B·u = 0 writes none: h stays 0.
    assert torch.equal(layer["decay"][0], torch.ones(12, 16))
    assert all(torch.equal(h, torch.zeros_like(h)) for h in layer["steps"])
    assert not all(torch.equal(h, torch.zeros_like(h)) for h in plain["steps"])


def test_a_minlstm_has_no_output_gate_and_says_which_it_has():
    task, model = built(cell="minlstm")
    with pytest.raises(LookError) as refused:
        what_if(
            task,
            model,
            asked(interventions=[{"kind": "clamp", "layer": 0, "gate": "o", "value": 1}]),
        )
    assert "forget (f), input (i), candidate (h~)" in str(refused.value)


def test_a_mingru_steps_arithmetic_recombines_to_its_parallel_scans_state():
    torch.manual_seed(3)
    rnn = ParallelStack("mingru", 3, 5, layers=2, dropout=0.0)
    x = torch.randn(1, 6, 3)
    with torch.no_grad():
        out, _ = rnn(x)  # the parallel scan
        unrolled = rnn.unroll(x)
    shown = explain(rnn, x, unrolled, Explain(t=4, layer=1, units=[0, 3]))
    assert shown["cell"] == "mingru" and "h = (1 − z) ⊙ h_prev + z ⊙ h~" in shown["equations"]
    for u in shown["units"]:
        pre = {k: u["x_term"][k] + u["bias"][k] for k in ("z", "h~")}
        assert pre == pytest.approx(u["pre"], abs=1e-6)
        assert float(torch.sigmoid(torch.tensor(pre["z"]))) == pytest.approx(u["z"], abs=1e-6)
        assert u["h~"] == pytest.approx(pre["h~"], abs=1e-6)  # linear: no squashing
        h = (1 - u["z"]) * u["h_prev"] + u["z"] * u["h~"]
        assert h == pytest.approx(u["h"], abs=1e-5)
        assert u["h"] == pytest.approx(float(out[0, 4, u["unit"]]), abs=1e-5)
        assert u["h_prev"] == pytest.approx(float(out[0, 3, u["unit"]]), abs=1e-5)


def test_a_minlstm_steps_arithmetic_normalises_its_gates_and_recombines():
    torch.manual_seed(4)
    rnn = ParallelStack("minlstm", 3, 5, layers=1, dropout=0.0)
    x = torch.randn(1, 6, 3)
    with torch.no_grad():
        out, _ = rnn(x)
        unrolled = rnn.unroll(x)
    for u in explain(rnn, x, unrolled, Explain(t=0, layer=0, units=[1, 2]))["units"]:
        assert u["h_prev"] == 0.0  # the first step starts from zeros
        f, i = (float(torch.sigmoid(torch.tensor(u["pre"][k]))) for k in "fi")
        assert (f, i) == pytest.approx((u["f"], u["i"]), abs=1e-6)
        assert u["f'"] + u["i'"] == pytest.approx(1.0, abs=1e-6)
        assert u["f'"] == pytest.approx(f / (f + i), abs=1e-6)
        h = u["f'"] * u["h_prev"] + u["i'"] * u["h~"]
        assert h == pytest.approx(u["h"], abs=1e-5)
        assert u["h"] == pytest.approx(float(out[0, 0, u["unit"]]), abs=1e-5)


def test_a_held_gate_shows_in_a_mingru_steps_arithmetic():
    task, model = built(cell="mingru")
    held = {"kind": "clamp", "layer": 0, "gate": "z", "value": 0.0, "steps": [3]}
    look = what_if(
        task, model, asked(interventions=[held], explain={"t": 3, "layer": 0, "units": [2]})
    )
    unit = look["explain"]["units"][0]
    assert unit["z"] == 0.0 and unit["h"] == pytest.approx(unit["h_prev"], abs=1e-6)


def test_an_ssm_steps_arithmetic_recombines_to_its_state_and_read_out():
    torch.manual_seed(5)
    rnn = ParallelStack("ssm", 3, 6, layers=2, dropout=0.0)
    x = torch.randn(1, 7, 3)
    with torch.no_grad():
        out, (h_end, _) = rnn(x)  # the parallel scan
        unrolled = rnn.unroll(x)
    shown = explain(rnn, x, unrolled, Explain(t=6, layer=1, units=[0, 4]))
    assert shown["cell"] == "ssm" and "h_n = decay_n·h_prev_n + Δ·B_n·u" in shown["equations"]
    kept = unrolled[1]["forward"]["steps"]
    for u in shown["units"]:
        c = u["unit"]
        softplus = float(torch.nn.functional.softplus(torch.tensor(u["step_pre"])))
        assert u["step"] == pytest.approx(softplus, abs=1e-6)
        assert len(u["states"]) == 8
        for s in u["states"]:
            assert s["A"] < 0 and s["decay"] == pytest.approx(
                math.exp(u["step"] * s["A"]), rel=1e-5
            )
            assert s["written"] == pytest.approx(u["step"] * s["B"] * u["u"], rel=1e-4, abs=1e-7)
            h = s["decay"] * s["h_prev"] + s["written"]
            assert h == pytest.approx(s["h"], abs=1e-6)
            assert s["h_prev"] == pytest.approx(float(kept[5][0, c, s["n"]]), abs=1e-6)
            assert s["read"] == pytest.approx(s["C"] * s["h"], rel=1e-4, abs=1e-7)
        # The last step's states are the scan's end state; the read-out recombines.
        assert [s["h"] for s in u["states"]] == pytest.approx(
            h_end[1, 0].view(6, 8)[c].tolist(), abs=1e-5
        )
        y = sum(s["read"] for s in u["states"]) + u["D"] * u["u"]
        assert y == pytest.approx(u["y"], abs=1e-5)
        assert u["gated"] == pytest.approx(u["y"] * u["silu_z"], abs=1e-6)
        assert u["out"] == pytest.approx(float(out[0, 6, c]), abs=1e-5)


def test_a_held_step_shows_in_an_ssms_arithmetic():
    task, model = built(cell="ssm")
    held = {"kind": "clamp", "layer": 0, "gate": "delta", "value": 0.0, "steps": [3]}
    look = what_if(
        task, model, asked(interventions=[held], explain={"t": 3, "layer": 0, "units": [1]})
    )
    unit = look["explain"]["units"][0]
    # Δ held at 0: every decay is exactly 1 and nothing is written, so each state stays.
    assert unit["step"] == 0.0
    for s in unit["states"]:
        assert s["decay"] == 1.0 and s["written"] == 0.0 and s["h"] == s["h_prev"]
