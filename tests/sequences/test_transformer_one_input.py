"""Transformers on one input: a decoder-only transformer draws a wave from its frequency
and phase (one-to-many), and one reads a single value (one-to-one). Writing step by step
with kept keys and values is checked against one pass over every step."""

import pytest
import torch

from sequences.estimate import estimate_activation_bytes
from sequences.examples import predictions
from sequences.models import build_model
from sequences.models.transformer import TransformerNet
from sequences.models.transformer_one_to_many import TransformerOneToMany
from sequences.probes.asking import LookError, LookRequest
from sequences.probes.look import look, probe_sequence
from sequences.probes.payload import MAX_BYTES, size_of
from sequences.probes.what_if import what_if
from sequences.task import Signature
from sequences.tasks import make_task
from tests.sequences.helpers import bytes_kept_for_backward, small, trained_losses


def wave(model=None, length=12):
    spec = small("wave", "one-to-many", "transformer", model=model, options={"length": length})
    task = make_task(spec)
    torch.manual_seed(0)
    return spec, task, build_model(spec, task.signature)


def test_a_transformer_draws_a_wave_from_one_input_and_its_loss_falls():
    spec, task, model = wave({"heads": 2})
    assert isinstance(model, TransformerOneToMany)
    losses = trained_losses(model, task)
    assert sum(losses[-5:]) / 5 < 0.25 * losses[0]


@pytest.mark.parametrize("positional", ["sinusoidal", "learned"])
def test_writing_step_by_step_equals_one_pass_over_its_own_guesses(positional):
    _, task, model = wave({"heads": 2, "layers": 2, "positional": positional})
    x = task.validation.x[:8]
    model.eval()
    with torch.no_grad():
        written, _ = model(x)  # step by step, keys and values kept
        at_once = model.teacher_forced(x, written)  # every step at once, reading the same
    print(f"max difference {(written - at_once).abs().max():.2e}")
    assert written.shape == (8, task.signature.target_length, 1)
    assert torch.allclose(written, at_once, atol=1e-5)


def test_writing_tokens_feeds_back_each_guessed_token():
    spec, _, _ = wave({"heads": 2, "layers": 2})
    signature = Signature("values", 2, "tokens", 7, 1, 6)
    torch.manual_seed(0)
    model = build_model(spec, signature).eval()
    x = torch.randn(5, 1, 2)
    with torch.no_grad():
        logits, _ = model(x)  # (5, 6, 7)
        at_once = model.teacher_forced(x, logits.argmax(dim=-1))
    assert logits.shape == (5, 6, 7)
    assert torch.allclose(logits, at_once, atol=1e-5)


def test_it_predicts_the_whole_wave_without_targets_as_evaluation_does():
    _, task, model = wave({"heads": 2})
    v = task.validation
    predicted = predictions(model, v.x[:16])
    with torch.no_grad():
        evaluated, _ = model.eval()(v.x[:16], v.y[:16])
    assert predicted.shape == v.y[:16].shape
    assert torch.allclose(predicted, evaluated)


def test_evaluation_reads_its_own_guesses_and_training_the_truth():
    _, task, model = wave({"heads": 2})
    batch = task.sample(8, torch.Generator().manual_seed(1))
    with torch.no_grad():
        forced, _ = model.train()(batch.x, batch.y)
        free, _ = model.eval()(batch.x, batch.y)
    assert torch.allclose(forced[:, 0], free[:, 0], atol=1e-6)  # step 0 reads only the input
    assert not torch.allclose(forced[:, 1:], free[:, 1:], atol=1e-3)


def test_its_probe_shows_causal_decoder_attention_and_the_teacher_forced_loss():
    _, task, model = wave({"heads": 2, "layers": 2}, length=20)
    x, y = probe_sequence(task)
    model.train()
    payload = look(model, x, y)
    with torch.no_grad():
        _, loss = model(x, y)  # dropout is 0: training mode only turns teacher forcing on
    assert model.training  # the look puts the model back as it found it
    assert payload["loss"] == pytest.approx(loss.item(), rel=1e-4)
    assert set(payload["attention"]) == {"decoder.l0", "decoder.l1"}
    for attention in payload["attention"].values():
        assert len(attention["heads"]) == 2
        for head in attention["heads"]:
            for r, row in zip(attention["rows"], head, strict=True):
                later = [v for c, v in zip(attention["cols"], row, strict=True) if c > r]
                assert not any(later)  # no output step looks at a later one
            assert head[0][0] == 255  # step 0 can only look at the one input
    assert len(payload["grad_by_time"]) == 1 and payload["grad_by_time"][0] > 0
    assert set(payload["grad_by_time_hidden"]) == {"decoder.l0", "decoder.l1"}
    assert len(payload["grad_by_time_hidden"]["decoder.l0"]) == len(payload["output_time"])
    assert len(payload["outputs"]) == len(payload["output_time"]) == 20
    assert all(p.grad is None for p in model.parameters())


def test_a_probe_of_the_largest_one_to_many_transformer_stays_under_64_kib():
    spec = small(
        "wave",
        "one-to-many",
        "transformer",
        model={"layers": 6, "hidden": 64, "heads": 16},
        options={"length": 500},
        training={"batch_size": 1},
    )
    task = make_task(spec)
    x, y = probe_sequence(task)
    payload = look(build_model(spec, task.signature), x, y)
    print(f"probe event: {size_of(payload)} bytes")
    assert size_of(payload) < MAX_BYTES


def test_a_what_if_input_is_drawn_and_a_masked_head_changes_the_drawing():
    _, task, model = wave({"heads": 2})
    asked = LookRequest.model_validate(
        {"input": [[0.5, 0.25]], "interventions": [{"kind": "head", "layer": 0, "head": 1}]}
    )
    answer = what_if(task, model, asked)
    assert answer["probe"]["masked_heads"] == ["decoder.l0.h1"]
    assert len(answer["output"]["output"]) == task.signature.target_length
    assert answer["output"] != answer["before"]["output"]
    with pytest.raises(LookError) as refused:
        cross = {"kind": "head", "layer": 0, "head": 0, "attention": "cross"}
        what_if(task, model, LookRequest.model_validate({"interventions": [cross]}))
    assert str(refused.value).startswith("interventions[0].attention: ")


def test_the_activation_estimate_counts_the_positions_a_step_keeps():
    spec = small(
        "wave",
        "one-to-many",
        "transformer",
        model={"hidden": 64, "heads": 4},
        options={"length": 100},
        training={"batch_size": 32},
    )
    task = make_task(spec)
    model = build_model(spec, task.signature)
    batch = task.sample(32, torch.Generator().manual_seed(0))
    measured = bytes_kept_for_backward(model, batch)
    estimated = estimate_activation_bytes(spec, task.signature)
    print(f"kept for backward: {measured:,} bytes, estimated {estimated:,}")
    assert 0.5 * measured < estimated < 2 * measured


def test_a_one_to_one_transformer_attends_to_its_one_value_and_learns():
    spec = small("sine", "one-to-one", "transformer", model={"heads": 2})
    task = make_task(spec)
    assert task.signature.length == 1
    torch.manual_seed(0)
    model = build_model(spec, task.signature)
    assert isinstance(model, TransformerNet)
    losses = trained_losses(model, task)
    assert sum(losses[-5:]) / 5 < 0.5 * losses[0]
    x, y = probe_sequence(task)
    payload = look(model, x, y)
    assert all(a["heads"] == [[[255]], [[255]]] for a in payload["attention"].values())
