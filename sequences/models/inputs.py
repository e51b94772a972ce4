"""Turning a step's input into a vector: tokens by embedding or one-hot, values as they are."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from sequences.batch import IGNORE, PAD
from sequences.settings import ModelSpec
from sequences.task import Signature


class TokenInput(nn.Module):
    """Token ids -> vectors. A one-hot vector times W_ih *is* a lookup of W_ih's column,
    so an embedding is the same idea with its own, smaller, learned table."""

    def __init__(self, vocab_size: int, encoding: str, embedding_size: int):
        super().__init__()
        self.one_hot = encoding == "one-hot"
        self.vocab_size = vocab_size
        self.size = vocab_size if self.one_hot else embedding_size
        if not self.one_hot:
            self.embedding = nn.Embedding(vocab_size, embedding_size, padding_idx=PAD)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        if self.one_hot:
            return F.one_hot(ids.clamp(min=0), self.vocab_size).float()  # (B, T, V)
        return self.embedding(ids)  # (B, T, E)


class ValueInput(nn.Module):
    """Numbers -> vectors: projected to `size` when given, else passed on as they are
    (a recurrent layer's W_ih is itself the linear input projection)."""

    def __init__(self, features: int, size: int | None = None):
        super().__init__()
        self.size = size or features
        self.project = nn.Linear(features, size) if size else nn.Identity()

    def forward(self, values: torch.Tensor) -> torch.Tensor:
        return self.project(values)  # (B, T, size)


def input_layer(
    signature: Signature, model_spec: ModelSpec, project_to: int | None = None
) -> TokenInput | ValueInput:
    if signature.inputs == "tokens":
        size = project_to or model_spec.embedding
        return TokenInput(signature.input_size, model_spec.input_encoding, size)
    return ValueInput(signature.input_size, project_to)


def output_input_layer(
    signature: Signature, model_spec: ModelSpec, project_to: int | None = None
) -> TokenInput | ValueInput:
    """How a decoder reads its own previous output (tokens or values); `project_to`: as
    vectors of that width (a transformer's), as input_layer does for the inputs."""
    if signature.outputs == "tokens":
        size = project_to or model_spec.embedding
        return TokenInput(signature.output_size, model_spec.input_encoding, size)
    return ValueInput(signature.output_size, project_to)


def decoder_start(signature: Signature, batch_size: int, device: torch.device) -> torch.Tensor:
    """A decoder's first input: the start token, or a zero vector for values."""
    if signature.outputs == "tokens":
        if signature.bos is None:
            raise ValueError("a decoder that writes tokens needs the task's start token (bos)")
        return torch.full((batch_size, 1), signature.bos, dtype=torch.long, device=device)
    return torch.zeros(batch_size, 1, signature.output_size, device=device)


def as_decoder_input(targets: torch.Tensor, signature: Signature) -> torch.Tensor:
    """Targets read back as decoder inputs: skipped (padding) targets become PAD tokens."""
    if signature.outputs == "tokens":
        return targets.masked_fill(targets == IGNORE, PAD)
    return targets
