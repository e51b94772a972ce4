"""The probe's unrolled pass reproduces the fused modules it looks inside."""

import pytest
import torch
from torch import nn

from sequences.probes.recurrent import final_state, spectral_norms, unroll

CASES = [
    (kind, layers, bidirectional, activation)
    for kind in (nn.RNN, nn.LSTM, nn.GRU)
    for layers in (1, 2)
    for bidirectional in (False, True)
    for activation in (("tanh", "relu") if kind is nn.RNN else ("tanh",))
]


def fused(kind, layers, bidirectional, activation):
    options = dict(num_layers=layers, bidirectional=bidirectional, batch_first=True)
    if kind is nn.RNN:
        options["nonlinearity"] = activation
    torch.manual_seed(0)
    return kind(3, 8, **options)


@pytest.mark.parametrize(
    "kind, layers, bidirectional, activation",
    CASES,
    ids=[f"{k.__name__}-{n}layer-{'bi' if b else 'uni'}-{a}" for k, n, b, a in CASES],
)
def test_the_unrolled_probe_equals_the_fused_module(kind, layers, bidirectional, activation):
    rnn = fused(kind, layers, bidirectional, activation)
    x = torch.randn(4, 11, 3)
    with torch.no_grad():
        expected, _ = rnn(x)  # (B, T, D*H): the top layer
        probed = unroll(rnn, x)
    top = torch.cat([probed[-1][d]["hidden"] for d in probed[-1]], dim=-1)
    assert all(len(probed[-1][d]["steps"]) == 11 for d in probed[-1])
    difference = (top - expected).abs().max().item()
    print(f"max difference {difference:.2e}")
    assert torch.allclose(top, expected, atol=1e-5)
    assert len(probed) == layers
    assert set(probed[0]) == ({"forward", "backward"} if bidirectional else {"forward"})


def test_lstm_gates_are_probabilities_and_the_cell_follows_its_update():
    rnn = fused(nn.LSTM, 1, False, "tanh")
    with torch.no_grad():
        gates = unroll(rnn, torch.randn(2, 6, 3))[0]["forward"]
    for name in ("input", "forget", "output"):
        assert torch.all((gates[name] > 0) & (gates[name] < 1))
    c = gates["cell"]
    recomputed = (
        gates["forget"][:, 1:] * c[:, :-1] + gates["input"][:, 1:] * gates["candidate"][:, 1:]
    )
    assert torch.allclose(recomputed, c[:, 1:], atol=1e-6)


def test_spectral_norms_name_each_layer_and_gate():
    norms = spectral_norms(fused(nn.GRU, 2, False, "tanh"))
    assert set(norms) == {
        f"l{layer}.{gate}" for layer in (0, 1) for gate in ("reset", "update", "candidate")
    }
    identity = nn.RNN(3, 5, batch_first=True)
    with torch.no_grad():
        identity.weight_hh_l0.copy_(torch.eye(5) * 0.5)
    assert spectral_norms(identity) == {"l0.W_hh": pytest.approx(0.5)}


@pytest.mark.parametrize("kind", [nn.RNN, nn.LSTM, nn.GRU], ids=lambda k: k.__name__)
def test_the_unrolled_probe_starts_from_a_given_state_as_the_fused_module_does(kind):
    rnn = fused(kind, 2, False, "tanh")
    x, h0 = torch.randn(2, 5, 3), torch.randn(2, 2, 8)
    state = (h0, torch.randn(2, 2, 8)) if kind is nn.LSTM else h0
    with torch.no_grad():
        expected, expected_final = rnn(x, state)
        probed = unroll(rnn, x, state)
    top = probed[-1]["forward"]["hidden"]
    print(f"max difference {(top - expected).abs().max().item():.2e}")
    assert torch.allclose(top, expected, atol=1e-5)
    final = final_state(rnn, probed)
    for ours, theirs in zip(
        final if kind is nn.LSTM else [final],
        expected_final if kind is nn.LSTM else [expected_final],
        strict=True,
    ):
        assert torch.allclose(ours, theirs, atol=1e-5)
