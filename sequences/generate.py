"""Letting a language model write: sample each next token from its own predictions."""

import torch

from sequences.models.recurrent import RecurrentNet


@torch.no_grad()
def generate(
    model, prompt: list[int], steps: int, temperature: float, window: int, generator=None
) -> list[int]:
    """`steps` new token ids after `prompt`. A recurrent model carries its state forward;
    any other model re-reads the last `window` tokens for each new one."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    try:
        written, state = [], None
        if isinstance(model, RecurrentNet):
            logits, _ = model(torch.tensor([prompt], device=device))
            state = model.last_state
        for _ in range(steps):
            if isinstance(model, RecurrentNet) and written:
                logits, _ = model(torch.tensor([[written[-1]]], device=device), state=state)
                state = model.last_state
            elif not isinstance(model, RecurrentNet):
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
