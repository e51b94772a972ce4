"""Keeping a probe event small: downsample time and units, quantize to bytes.

A probe event must stay under MAX_BYTES however big the model is, so every heatmap gets
a share of a fixed budget of values; each says which time steps and units it kept.
"""

import json

import torch

MAX_BYTES = 64 * 1024
VALUE_BUDGET = 10_000  # heatmap cells per event (about 4 bytes each once quantized)
MAX_TIME = 100
MIN_UNITS = 4  # units each heatmap keeps, at least, before time steps are dropped


def evenly(count: int, keep: int) -> list[int]:
    """`keep` indices spread evenly over range(count), first and last included."""
    if keep >= count:
        return list(range(count))
    if keep == 1:
        return [count - 1]
    return sorted({round(i * (count - 1) / (keep - 1)) for i in range(keep)})


def heatmap(values: torch.Tensor, time_kept: list[int], units: int) -> dict:
    """(T, H) -> the kept cells, quantized to 0..255 between the array's min and max."""
    unit_kept = evenly(values.shape[1], units)
    kept = values[time_kept][:, unit_kept].float()
    low, high = kept.min().item(), kept.max().item()
    scale = (high - low) or 1.0
    levels = ((kept - low) / scale * 255).round().to(torch.uint8)
    return {"z": levels.tolist(), "min": round(low, 6), "max": round(high, 6), "units": unit_kept}


def bounded(
    arrays: dict[str, torch.Tensor], time_steps: int, budget: int = VALUE_BUDGET
) -> tuple[dict, list[int]]:
    """Every (T, H) array as a heatmap, sharing `budget` values; and the time steps kept.

    With many arrays, fewer time steps are kept so that each still shows a few units (a
    one-unit strip costs as much per value in JSON brackets as it shows)."""
    per_array = budget // max(1, len(arrays))
    time_kept = evenly(time_steps, max(2, min(time_steps, MAX_TIME, per_array // MIN_UNITS)))
    units = max(1, per_array // len(time_kept))
    return {name: heatmap(a, time_kept, units) for name, a in arrays.items()}, time_kept


def attention_map(weights: torch.Tensor, side: int) -> dict:
    """(heads, T, S) attention weights -> at most side x side per head, as 0..255 on a fixed
    0..1 scale (so that steps compare), with the query rows and key columns kept."""
    rows, cols = evenly(weights.shape[1], side), evenly(weights.shape[2], side)
    kept = weights[:, rows][:, :, cols]
    levels = (kept * 255).round().to(torch.uint8)
    return {"heads": levels.tolist(), "rows": rows, "cols": cols}


def size_of(payload: dict) -> int:
    return len(json.dumps(payload, separators=(",", ":")))
