"""One look inside a recurrent model, on its probe sequence: gates and states per layer,
gradient flow back through time, and the size of each W_hh."""

import torch

from sequences.models.losses import task_loss
from sequences.models.recurrent import RecurrentNet
from sequences.models.transformer import TransformerNet, TransformerSeq2Seq
from sequences.probes.attention import capture_attention
from sequences.probes.payload import VALUE_BUDGET, bounded, evenly
from sequences.probes.recurrent import spectral_norms, unroll


def probe_sequence(task):
    """The one sequence every probe of a run looks at: the first validation example."""
    v = task.validation
    length = int(v.lengths[0]) if v.lengths is not None else v.x.shape[1]
    return v.x[:1, :length], v.y[:1]


def unrolled_output(model: RecurrentNet, layers: list[dict]):
    """The model's answer computed from the unrolled states (equal to its fused forward)."""
    top = layers[-1]
    if model.per_step:
        return model.head(torch.cat([top[d]["hidden"] for d in top], dim=-1))  # (1, T, O)
    final = [top["forward"]["hidden"][:, -1]]
    if "backward" in top:
        final.append(top["backward"]["hidden"][:, 0])  # the backward pass ends at step 0
    return model.head(torch.cat(final, dim=-1))  # (1, O)


def look(model, x: torch.Tensor, y: torch.Tensor, vocab: list[str] | None = None) -> dict | None:
    """What `model` does inside on one sequence, or None where there is no probe yet."""
    if isinstance(model, RecurrentNet):
        return look_recurrent(model, x, y, vocab)
    if isinstance(model, (TransformerNet, TransformerSeq2Seq)):
        return look_transformer(model, x, y, vocab)
    return None


def look_recurrent(model: RecurrentNet, x, y, vocab) -> dict:
    """Gates, states, gradient flow through time and W_hh sizes, per layer and direction."""
    was_training = model.training
    model.eval()
    try:
        embedded = (
            model.inputs(x).detach().requires_grad_(True)
        )  # (1, T, E): x_t as the cell sees it
        layers = unroll(model.rnn, embedded)
        loss = task_loss(model.signature, unrolled_output(model, layers), y)
        # dL/dh_t through every later step: the gradient of the h_t the recurrence used.
        steps = [h for layer in layers for d in layer for h in layer[d]["steps"]]
        # torch.autograd.grad leaves every parameter's .grad alone: training never sees the probe.
        grads = torch.autograd.grad(loss, [embedded, *steps], allow_unused=True)
    finally:
        model.train(was_training)
    grad_x, grad_h = grads[0], iter(grads[1:])
    arrays, grad_by_layer = {}, {}
    for index, layer in enumerate(layers):
        for direction, states in layer.items():
            key = f"l{index}" + (".reverse" if direction == "backward" else "")
            per_step = [next(grad_h) for _ in states.pop("steps")]
            grad_by_layer[key] = torch.stack(
                [g[0].norm() if g is not None else torch.zeros(()) for g in per_step]
            )  # (T,)
            for name, values in states.items():
                arrays[f"{key}.{name}"] = values[0].detach()  # (T, H)
    T = x.shape[1]
    heatmaps, time_kept = bounded(arrays, T)
    payload = {
        "cell": CELL_NAMES[type(model.rnn).__name__],
        "time": time_kept,
        "heatmaps": heatmaps,
        "grad_by_time": significant(grad_x[0].norm(dim=-1)[time_kept]),
        "grad_by_time_hidden": {k: significant(g[time_kept]) for k, g in grad_by_layer.items()},
        "spectral_norms": {k: round(v, 4) for k, v in spectral_norms(model.rnn).items()},
        "inputs": axis_labels(x[0], time_kept, vocab),
        "loss": round(loss.item(), 6),
    }
    return payload


CELL_NAMES = {"RNN": "rnn", "LSTM": "lstm", "GRU": "gru"}


def look_transformer(model, x, y, vocab) -> dict:
    """Attention per layer and head (encoder, decoder, cross) and gradient flow through time."""
    was_training = model.training
    model.eval()
    try:
        maps = capture_attention(model, x, y, None)
        grad_x = input_gradient(model, x, y)
    finally:
        model.train(was_training)
    time_kept = evenly(x.shape[1], min(x.shape[1], 100))
    heads = sum(w.shape[1] for w in maps.values())
    side = max(2, min(64, int((VALUE_BUDGET / max(1, heads)) ** 0.5)))
    attention = {}
    for key, weights in maps.items():
        rows, cols = evenly(weights.shape[2], side), evenly(weights.shape[3], side)
        kept = weights[0][:, rows][:, :, cols]  # (heads, rows, cols)
        levels = (kept * 255).round().to(torch.uint8)  # fixed 0..1 scale: steps compare
        attention[key] = {"heads": levels.tolist(), "rows": rows, "cols": cols}
    payload = {
        "cell": "transformer",
        "time": time_kept,
        "attention": attention,
        "grad_by_time": significant(grad_x[0].norm(dim=-1)[time_kept]),
        "inputs": axis_labels(x[0], time_kept, vocab),
    }
    if isinstance(model, TransformerSeq2Seq) and y.dtype == torch.long:
        payload["outputs"] = [vocab[int(t)] if vocab and t >= 0 else int(t) for t in y[0]]
    return payload


def input_gradient(model, x, y) -> torch.Tensor:
    """dL/dx_t, where x_t is the input layer's output: swapped for a leaf that keeps its grad."""
    captured = {}

    def leaf(module, args, output):
        captured["x"] = output.detach().requires_grad_(True)
        return captured["x"]

    hook = model.inputs.register_forward_hook(leaf)
    try:
        _, loss = model(x, y)
        return torch.autograd.grad(loss, captured["x"])[0]  # parameters' .grad untouched
    finally:
        hook.remove()


def axis_labels(x: torch.Tensor, time_kept: list[int], vocab: list[str] | None):
    """The probe sequence's tokens or values, at the kept steps, for the axes."""
    if x.dtype == torch.long:
        return [vocab[int(x[t])] if vocab else int(x[t]) for t in time_kept]
    return [[round(v, 4) for v in x[t].tolist()] for t in time_kept]


def significant(values: torch.Tensor) -> list[float]:
    """Four significant digits: gradients span many orders of magnitude, so round relatively."""
    return [float(f"{v:.4g}") for v in values.tolist()]
