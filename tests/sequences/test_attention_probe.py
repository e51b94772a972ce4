"""The attention probe: explicit softmax weights, equal to what SDPA computes."""

import torch

from sequences.models import build_model
from sequences.models.attention import Attention, attention_mask
from sequences.probes.attention import attend_explicitly, capture_attention
from sequences.tasks import make_task
from tests.sequences.helpers import small


def test_explicit_attention_equals_sdpa_with_padding_and_causal_masks():
    torch.manual_seed(0)
    attention = Attention(16, 4, dropout=0.0).eval()
    x = torch.randn(3, 7, 16)
    valid = torch.arange(7)[None, :] < torch.tensor([7, 5, 2])[:, None]
    for mask in (None, attention_mask(valid), attention_mask(valid, 7)):
        with torch.no_grad():
            fused, explicit = attention(x, mask=mask), attend_explicitly(attention, x, mask=mask)
        difference = (fused - explicit).abs().max().item()
        print(f"max difference {difference:.2e}")
        assert torch.allclose(fused, explicit, atol=1e-6)


def test_attention_rows_sum_to_one_and_padding_gets_none():
    spec = small("sentiment", "many-to-one", "transformer", model={"layers": 2, "heads": 2})
    task = make_task(spec)
    model = build_model(spec, task.signature).eval()
    batch = task.validation
    weights = capture_attention(model, batch.x[:8], None, batch.lengths[:8])
    assert set(weights) == {"self.l0", "self.l1"}
    for w in weights.values():
        assert torch.allclose(w.sum(dim=-1), torch.ones(w.shape[:-1]), atol=1e-5)
        for row, length in enumerate(batch.lengths[:8].tolist()):
            assert torch.all(w[row, :, :, length:] == 0)  # no step attends to padding


def test_a_transformer_seq2seq_shows_encoder_decoder_and_cross_attention():
    spec = small("reverse", cell="transformer", model={"layers": 2, "heads": 2})
    task = make_task(spec)
    model = build_model(spec, task.signature).eval()
    batch = task.validation
    weights = capture_attention(model, batch.x[:4], batch.y[:4], batch.lengths[:4])
    assert set(weights) == {f"{kind}.l{n}" for kind in ("self", "decoder", "cross") for n in (0, 1)}
    decoder = weights["decoder.l0"][0, 0]  # (T', T'): causal, so nothing above the diagonal
    assert torch.all(decoder.triu(diagonal=1) == 0)
