"""Letting a language model write: sample each next token from its own predictions."""

import torch
from torch import nn

from sequences.models.recurrent import RecurrentNet


@torch.no_grad()
def generate(
    model: nn.Module,
    prompt: list[int],
    steps: int,
    temperature: float,
    window: int,
    generator: torch.Generator | None = None,
) -> list[int]:
    """`steps` new token ids after `prompt`. A recurrent model carries its state forward;
    any other model re-reads the last `window` tokens for each new one."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    try:
        written: list[int] = []
        state = None
        for _ in range(steps):
            if isinstance(model, RecurrentNet):
                # The prompt once, then only the newest token, from the state it left.
                fresh = written[-1:] or prompt
                ids = torch.tensor([fresh], device=device)
                logits, _, state = model.forward_with_state(ids, state=state)
            else:
                context = (prompt + written)[-window:]
                logits, _ = model(torch.tensor([context], device=device))
            scores = logits[0, -1].float()
            scores[0] = -torch.inf  # never padding
            if temperature <= 0:
                token = int(scores.argmax())
            else:
                probabilities = torch.softmax(scores / temperature, dim=-1).cpu()
                token = int(torch.multinomial(probabilities, 1, generator=generator))
            written.append(token)
        return written
    finally:
        model.train(was_training)
