"""Training knobs: optimizer, learning-rate schedule, initialization, penalties, clipping."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import torch
from torch import nn

from sequences.settings import TrainingSpec


def make_optimizer(
    training: TrainingSpec, parameters: Iterable[nn.Parameter]
) -> torch.optim.Optimizer:
    t = training
    if t.optimizer == "sgd":
        return torch.optim.SGD(
            parameters, lr=t.lr, momentum=t.momentum, weight_decay=t.weight_decay
        )
    if t.optimizer == "adam":
        # L2 in the gradient
        return torch.optim.Adam(parameters, lr=t.lr, weight_decay=t.weight_decay)
    if t.optimizer == "adamw":
        # decoupled decay
        return torch.optim.AdamW(parameters, lr=t.lr, weight_decay=t.weight_decay)
    if t.optimizer == "rmsprop":
        return torch.optim.RMSprop(
            parameters, lr=t.lr, momentum=t.momentum, weight_decay=t.weight_decay
        )
    raise ValueError(f"unknown optimizer {t.optimizer!r}")


def lr_factor(schedule: str, steps: int) -> Callable[[int], float]:
    """The multiplier of the base learning rate at each step."""
    if schedule == "cosine":
        return lambda step: 0.5 * (1 + math.cos(math.pi * step / steps))
    if schedule == "step":
        return lambda step: 0.1 ** int(3 * step / steps)  # x0.1 after each third
    if schedule == "warmup":
        warm = max(1, steps // 10)  # linear warm-up for a tenth, then cosine down
        return lambda step: (
            (step + 1) / warm
            if step < warm
            else 0.5 * (1 + math.cos(math.pi * (step - warm) / max(1, steps - warm)))
        )
    return lambda step: 1.0


def initialize(model: nn.Module, scheme: str) -> None:
    """Re-initialize the recurrent weights; other layers keep torch's defaults."""
    if scheme == "default":
        return
    for module in model.modules():
        if not isinstance(module, nn.RNNBase):
            continue
        blocks = (
            module.get_parameter("weight_hh_l0").shape[0] // module.hidden_size
        )  # gates per layer
        for name, parameter in module.named_parameters():
            with torch.no_grad():
                if name.startswith("weight_ih"):
                    if scheme == "identity":
                        nn.init.normal_(parameter, std=0.001)  # IRNN: tiny input weights
                    else:
                        nn.init.xavier_uniform_(parameter)
                elif name.startswith("weight_hh"):
                    for gate in parameter.chunk(blocks, dim=0):  # one square matrix per gate
                        if scheme == "identity":
                            gate.copy_(torch.eye(gate.shape[0], gate.shape[1]))
                        elif scheme == "orthogonal":
                            nn.init.orthogonal_(gate)
                        else:
                            nn.init.xavier_uniform_(gate)
                elif name.startswith("bias"):
                    parameter.zero_()


def l1_penalty(model: nn.Module) -> torch.Tensor:
    """Sum of |w| over weight matrices (not biases): it pushes weights to exactly zero."""
    sizes = [p.abs().sum() for name, p in model.named_parameters() if "weight" in name]
    return torch.stack(sizes).sum()


def clip_gradients(training: TrainingSpec, parameters: Iterable[nn.Parameter]) -> None:
    if training.clip == "norm":
        nn.utils.clip_grad_norm_(parameters, training.clip_value)
    elif training.clip == "value":
        nn.utils.clip_grad_value_(parameters, training.clip_value)
