"""Inside a recurrent encoder-decoder (seq2seq) or a one-to-many generator: the encoder's
and the decoder's gates and states, the decoder's attention over the encoder, and gradient
flow back from the outputs through the decoder into the encoder.

The decoder reads the true previous outputs (teacher forcing), as training does, so its
steps line up with the target sequence on the axes."""

from typing import Any

import torch

from sequences.models.losses import task_loss
from sequences.models.parallel_stack import ParallelStack
from sequences.models.recurrent import State
from sequences.models.seq2seq import RecurrentOneToMany, RecurrentSeq2Seq
from sequences.probes.inside_recurrent import agreement, collect, named_norms, state_steps
from sequences.probes.labels import axis_labels, significant
from sequences.probes.payload import VALUE_BUDGET, attention_map, bounded
from sequences.probes.recurrent import Layer, cell_name, final_state, unroll

ATTENTION_SIDE = 48  # output and input steps the attention map keeps, at most


def encode(
    model: RecurrentSeq2Seq | RecurrentOneToMany, embedded: torch.Tensor
) -> tuple[list[Layer], torch.Tensor | None, State]:
    """(encoder layers, memory (1, S, D*H) or None, the decoder's initial state)."""
    if not isinstance(model, RecurrentSeq2Seq):  # one-to-many: the one input sets the state
        return [], None, model.initial_state(embedded[:, 0])
    layers = unroll(model.encoder, embedded)
    memory = torch.cat([layers[-1][d]["hidden"] for d in layers[-1]], dim=-1)
    return layers, memory, model.bridge(final_state(model.encoder, layers))


def look_decoder(
    model: RecurrentSeq2Seq | RecurrentOneToMany,
    x: torch.Tensor,
    y: torch.Tensor,
    vocab: list[str] | None,
) -> dict[str, Any]:
    decoder = model.decoder
    embedded = model.inputs(x).detach().requires_grad_(True)  # (1, S, E)
    encoder, memory, state = encode(model, embedded)
    reads = decoder.reads(decoder.teacher_inputs(y))
    decoded = unroll(decoder.rnn, reads, state)
    top = decoded[-1]["forward"]["hidden"]  # (1, T', H)
    loss = task_loss(model.signature, decoder.project(top, memory, None), y)
    encoder_steps, decoder_steps = state_steps(encoder), state_steps(decoded)
    grads = torch.autograd.grad(
        loss, [embedded, *encoder_steps, *decoder_steps], allow_unused=True
    )  # parameters' .grad untouched
    encoder_arrays, encoder_flow = collect(encoder, grads[1 : 1 + len(encoder_steps)], "encoder.")
    decoder_arrays, decoder_flow = collect(decoded, grads[1 + len(encoder_steps) :], "decoder.")
    attention = None
    if decoder.attention is not None and memory is not None:
        with torch.no_grad():
            weights = decoder.attention.weights(top, memory, None)  # (1, T', S)
        # One head: rows are output steps, columns input steps.
        attention = attention_map(weights, ATTENTION_SIDE)
    # One budget of values: the attention map's, then the halves' heatmaps by their count.
    budget = VALUE_BUDGET - (len(attention["rows"]) * len(attention["cols"]) if attention else 0)
    share = budget * len(encoder_arrays) // (len(encoder_arrays) + len(decoder_arrays))
    encoder_maps, time_kept = bounded(encoder_arrays, x.shape[1], share)
    decoder_maps, output_time = bounded(decoder_arrays, y.shape[1], budget - share)
    for heatmap in decoder_maps.values():
        heatmap["axis"] = "outputs"  # drawn against the output steps, not the input's
    rnn = decoder.rnn
    payload = {
        "cell": cell_name(rnn),
        "time": time_kept,
        "output_time": output_time,
        "heatmaps": {**encoder_maps, **decoder_maps},
        "grad_by_time": significant(grads[0][0].norm(dim=-1)[time_kept]),
        "grad_by_time_hidden": {
            **{k: significant(g[time_kept]) for k, g in encoder_flow.items()},
            **{k: significant(g[output_time]) for k, g in decoder_flow.items()},
        },
        "spectral_norms": {
            **(
                named_norms(model.encoder, "encoder.")
                if isinstance(model, RecurrentSeq2Seq)
                else {}
            ),
            **named_norms(rnn, "decoder."),
        },
        "inputs": axis_labels(x[0], time_kept, vocab),
        "outputs": axis_labels(y[0], output_time, vocab),
        "loss": round(loss.item(), 6),
    }
    if attention:
        payload["attention"] = {"cross": attention}
    if isinstance(rnn, ParallelStack):
        with torch.no_grad():  # the decoder's states by the scan, from the same start
            parallel, _ = rnn(reads, state)
        payload["scan_agreement"] = agreement(parallel, top)
    return payload
