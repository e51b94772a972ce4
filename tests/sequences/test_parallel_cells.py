"""minGRU, minLSTM and the selective SSM: the parallel scan equals the sequential loop,
forward and backward, and their states carry across calls as a fused module's do."""

import pytest
import torch

from sequences.estimate import estimate_activation_bytes
from sequences.models import build_model
from sequences.models.parallel_stack import PARALLEL_CELLS, ParallelStack
from sequences.models.scan import scan, sequential_scan
from sequences.probes.look import look, probe_sequence
from sequences.tasks import make_task
from tests.sequences.helpers import bytes_kept_for_backward, small

RELATIVE = 1e-5  # fp32


def relative_difference(got: torch.Tensor, want: torch.Tensor) -> float:
    return ((got - want).abs().max() / want.abs().max()).item()


@pytest.mark.parametrize("length", [1, 2, 7, 64, 1000])
@pytest.mark.parametrize("state_shape", [(5,), (5, 3)])
def test_the_scan_equals_the_loop_forward_and_backward(length, state_shape):
    generator = torch.Generator().manual_seed(length)
    shape = (4, length, *state_shape)
    a = torch.rand(shape, generator=generator).requires_grad_(True)  # decays in (0, 1)
    b = torch.randn(shape, generator=generator).requires_grad_(True)  # any sign
    h0 = torch.randn((4, *state_shape), generator=generator).requires_grad_(True)
    weights = torch.randn(shape, generator=generator)  # a loss that weighs every h_t

    parallel = scan(a, b, h0)
    grads = torch.autograd.grad((parallel * weights).sum(), [a, b, h0])
    looped = sequential_scan(a, b, h0)
    want = torch.autograd.grad((looped * weights).sum(), [a, b, h0])

    assert relative_difference(parallel, looped) < RELATIVE
    for name, got, expected in zip(("a", "b", "h0"), grads, want, strict=True):
        assert relative_difference(got, expected) < RELATIVE, name


def test_the_scan_starts_from_zeros_without_a_state():
    a, b = torch.full((1, 3, 1), 0.5), torch.ones(1, 3, 1)
    assert scan(a, b).flatten().tolist() == [1.0, 1.5, 1.75]


def stack(cell: str, layers: int = 2, input_size: int = 6, hidden: int = 8) -> ParallelStack:
    torch.manual_seed(0)
    return ParallelStack(cell, input_size, hidden, layers, dropout=0.0)


def parameter_grads(module: torch.nn.Module, loss: torch.Tensor, x: torch.Tensor) -> list:
    return torch.autograd.grad(loss, [x, *module.parameters()])


@pytest.mark.parametrize("cell", list(PARALLEL_CELLS))
def test_each_cell_in_parallel_equals_its_sequential_form(cell):
    rnn = stack(cell)
    x = torch.randn(3, 50, 6, generator=torch.Generator().manual_seed(1), requires_grad=True)
    weights = torch.randn(3, 50, 8, generator=torch.Generator().manual_seed(2))

    parallel, state = rnn(x)
    parallel_grads = parameter_grads(rnn, (parallel * weights).sum(), x)
    layers = rnn.unroll(x)
    sequential = layers[-1]["forward"]["hidden"]
    sequential_grads = parameter_grads(rnn, (sequential * weights).sum(), x)

    assert relative_difference(parallel, sequential) < RELATIVE
    for name, got, want in zip(
        ["x", *(n for n, _ in rnn.named_parameters())],
        parallel_grads,
        sequential_grads,
        strict=True,
    ):
        assert relative_difference(got, want) < RELATIVE, name
    for got, want in zip(as_tuple(state), as_tuple(rnn.final_state(layers)), strict=True):
        assert relative_difference(got, want) < RELATIVE


def as_tuple(state) -> tuple:
    return state if isinstance(state, tuple) else (state,)


@pytest.mark.parametrize("cell", list(PARALLEL_CELLS))
def test_a_state_carried_across_two_calls_equals_one_call(cell):
    rnn = stack(cell)
    x = torch.randn(2, 30, 6, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        whole, whole_state = rnn(x)
        first, state = rnn(x[:, :13])
        second, second_state = rnn(x[:, 13:], state)
    assert relative_difference(torch.cat([first, second], dim=1), whole) < RELATIVE
    for got, want in zip(as_tuple(second_state), as_tuple(whole_state), strict=True):
        assert relative_difference(got, want) < RELATIVE


@pytest.mark.parametrize("cell", list(PARALLEL_CELLS))
def test_with_lengths_the_state_ends_at_each_sequences_last_real_step(cell):
    rnn = stack(cell)
    x = torch.randn(2, 20, 6, generator=torch.Generator().manual_seed(4))
    lengths = torch.tensor([20, 9])
    with torch.no_grad():
        _, state = rnn(x, lengths=lengths)
        _, short_state = rnn(x[1:, :9])
    for got, want in zip(as_tuple(state), as_tuple(short_state), strict=True):
        assert relative_difference(got[:, 1], want[:, 0]) < RELATIVE


def test_the_ssm_selects_a_faster_decay_for_a_larger_step():
    layer = stack("ssm", layers=1).layer(0)
    parts = layer.coefficients(torch.randn(1, 40, 6), None)
    step, decay = parts["step"].flatten(), parts["decay"].mean(-1).flatten()
    # exp(Δ A) with A < 0: the larger the step Δ a channel takes, the more it forgets.
    larger = step[:, None] > step[None, :]
    assert ((decay[:, None] <= decay[None, :]) | ~larger).all()


@pytest.mark.parametrize("cell", list(PARALLEL_CELLS))
def test_a_look_inside_reports_how_far_the_scan_lies_from_the_loop(cell):
    spec = small("adding", cell=cell, model={"hidden": 16, "layers": 2})
    task = make_task(spec)
    model = build_model(spec, task.signature)
    x, y = probe_sequence(task)
    payload = look(model, x, y)
    assert payload["cell"] == cell
    assert payload["scan_agreement"]["relative"] < RELATIVE
    assert payload["spectral_norms"] == {}  # no W_hh
    expected = {"mingru": "update", "minlstm": "forget", "ssm": "decay"}[cell]
    assert f"l1.{expected}" in payload["heatmaps"]
    assert len(payload["grad_by_time_hidden"]["l0"]) == len(payload["time"])


@pytest.mark.parametrize("cell", list(PARALLEL_CELLS))
def test_the_size_limit_counts_what_a_parallel_cell_keeps_for_backward(cell):
    spec = small("adding", cell=cell, model={"hidden": 64, "layers": 2}, options={"length": 100})
    task = make_task(spec)
    model = build_model(spec, task.signature)
    batch = task.sample(8, torch.Generator().manual_seed(0))
    measured = bytes_kept_for_backward(model, batch)
    estimated = estimate_activation_bytes(spec, task.signature)
    print(f"kept for backward: {measured:,} bytes, estimated {estimated:,}")
    assert 0.5 * measured < estimated < 2 * measured


@pytest.mark.parametrize(
    "dataset, paradigm, cell", [("copy", "seq2seq", "minlstm"), ("wave", "one-to-many", "ssm")]
)
def test_a_decoders_look_reports_how_far_its_scan_lies_from_the_loop(dataset, paradigm, cell):
    spec = small(dataset, paradigm, cell, model={"layers": 2})
    task = make_task(spec)
    model = build_model(spec, task.signature)
    payload = look(model, *probe_sequence(task))
    assert payload["cell"] == cell
    assert payload["scan_agreement"]["relative"] < RELATIVE
