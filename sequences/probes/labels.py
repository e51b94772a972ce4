"""Labels and numbers for a probe event: the probe sequence's tokens or values for the
axes, and gradients rounded so that their orders of magnitude survive."""

import torch


def axis_labels(x: torch.Tensor, time_kept: list[int], vocab: list[str] | None) -> list:
    """A sequence's tokens (as words where there is a vocabulary) or values, at the kept steps."""
    if x.dtype == torch.long:
        return [vocab[int(x[t])] if vocab else int(x[t]) for t in time_kept]
    if x.dim() == 1:
        return [round(float(x[t]), 4) for t in time_kept]
    return [[round(v, 4) for v in x[t].tolist()] for t in time_kept]


def significant(values: torch.Tensor) -> list[float]:
    """Four significant digits: gradients span many orders of magnitude, so round relatively."""
    return [float(f"{v:.4g}") for v in values.tolist()]


def norms_by_step(grads: list) -> torch.Tensor:
    """(T,) the norm of each step's gradient (zero where a step got none)."""
    return torch.stack([g[0].norm() if g is not None else torch.zeros(()) for g in grads])
