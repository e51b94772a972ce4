"""Self- and cross-attention on SDPA, and the transformer block built from them."""

import math

import torch
import torch.nn.functional as F
from torch import nn


class KeysValues:
    """The keys and values a self-attention has computed so far, while a decoder writes one
    step at a time: each new step attends to them without recomputing the earlier steps."""

    def __init__(self) -> None:
        self.keys: torch.Tensor | None = None  # (B, nh, t, hs)
        self.values: torch.Tensor | None = None

    def extend(self, k: torch.Tensor, v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The new step's keys and values appended to the earlier ones: (B, nh, t + 1, hs)."""
        if self.keys is not None and self.values is not None:
            k, v = torch.cat([self.keys, k], dim=2), torch.cat([self.values, v], dim=2)
        self.keys, self.values = k, v
        return k, v


class Attention(nn.Module):
    """softmax(Q K^T / sqrt(d)) V over `heads` heads. Q comes from x; K and V from
    `memory` (cross-attention) or from x itself (self-attention)."""

    def __init__(self, width: int, heads: int, dropout: float):
        super().__init__()
        self.heads, self.dropout = heads, dropout
        self.query = nn.Linear(width, width)
        self.key_value = nn.Linear(width, 2 * width)
        self.out = nn.Linear(width, width)

    def split(self, t: torch.Tensor) -> torch.Tensor:
        B, T, C = t.shape
        return t.view(B, T, self.heads, C // self.heads).transpose(1, 2)  # (B, nh, T, hs)

    def forward(
        self,
        x: torch.Tensor,
        memory: torch.Tensor | None = None,
        mask: torch.Tensor | None = None,
        seen: KeysValues | None = None,
    ) -> torch.Tensor:
        """`seen`: x is the next step of a sequence whose earlier keys and values it holds;
        the step attends to all of them and to itself (no mask needed: none is in its future)."""
        memory = x if memory is None else memory
        q = self.split(self.query(x))  # (B, nh, T, hs)
        k, v = (self.split(t) for t in self.key_value(memory).chunk(2, dim=-1))  # (B, nh, S, hs)
        if seen is not None:
            k, v = seen.extend(k, v)  # (B, nh, t + 1, hs)
        dropout = self.dropout if self.training else 0.0
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=dropout)  # fused
        B, nh, T, hs = y.shape
        return self.out(y.transpose(1, 2).reshape(B, T, nh * hs))


class Block(nn.Module):
    """Pre-norm transformer block: attend to the sequence, (attend to the encoder), then
    a position-wise feed-forward layer; each with a residual connection."""

    def __init__(self, width: int, heads: int, ff: int, dropout: float, cross: bool = False):
        super().__init__()
        self.norm1, self.attend = nn.LayerNorm(width), Attention(width, heads, dropout)
        self.cross = Attention(width, heads, dropout) if cross else None
        self.norm2 = nn.LayerNorm(width) if cross else None
        self.norm3 = nn.LayerNorm(width)
        self.ff = nn.Sequential(nn.Linear(width, ff), nn.GELU(), nn.Linear(ff, width))
        self.drop = nn.Dropout(dropout)

    def forward(
        self,
        x: torch.Tensor,
        mask: torch.Tensor | None = None,
        memory: torch.Tensor | None = None,
        memory_mask: torch.Tensor | None = None,
        seen: KeysValues | None = None,
    ) -> torch.Tensor:
        x = x + self.drop(self.attend(self.norm1(x), mask=mask, seen=seen))
        if self.cross is not None and self.norm2 is not None:
            x = x + self.drop(self.cross(self.norm2(x), memory=memory, mask=memory_mask))
        return x + self.drop(self.ff(self.norm3(x)))


class Positions(nn.Module):
    """Adds where each step is: fixed sinusoids (Vaswani et al.) or a learned table."""

    def __init__(self, kind: str, width: int, max_length: int):
        super().__init__()
        self.learned = kind == "learned"
        self.table: nn.Embedding | torch.Tensor
        if self.learned:
            self.table = nn.Embedding(max_length, width)
        else:
            position = torch.arange(max_length, dtype=torch.float32)[:, None]
            rate = torch.exp(torch.arange(0, width, 2).float() * (-math.log(10000.0) / width))
            table = torch.zeros(max_length, width)
            table[:, 0::2] = torch.sin(position * rate)
            table[:, 1::2] = torch.cos(position * rate[: width // 2])
            self.register_buffer("table", table, persistent=False)

    def forward(self, x: torch.Tensor, start: int = 0) -> torch.Tensor:
        """x holds the steps from `start` on (a decoder writing one step at a time)."""
        T = x.shape[1]
        table = self.table.weight if isinstance(self.table, nn.Embedding) else self.table
        return x + table[start : start + T]  # (B, T, C)


def attention_mask(
    valid: torch.Tensor | None = None,
    causal_size: int | None = None,
    device: torch.device | None = None,
) -> torch.Tensor | None:
    """A boolean SDPA mask (True: may attend): keys that are real, and not in the future."""
    mask = None
    if valid is not None:
        mask = valid[:, None, None, :]  # (B, 1, 1, S)
    if causal_size is not None:
        causal = torch.ones(causal_size, causal_size, dtype=torch.bool, device=device).tril()
        mask = causal[None, None] if mask is None else mask & causal[None, None]
    return mask
