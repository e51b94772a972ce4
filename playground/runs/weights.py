"""A finished run's trained weights, kept for downloads and for trying the model."""

import io
import logging

import torch
from django.conf import settings

from playground.retrying import retrying
from playground.runs import checkpoints
from playground.runs.models import RunWeights

log = logging.getLogger(__name__)


def save_weights(run_id: str, model: torch.nn.Module, step: int | None = None) -> None:
    """Store them as the run's weights, and (given its last `step`) among its kept steps."""
    buffer = io.BytesIO()
    torch.save({k: v.detach().cpu() for k, v in model.state_dict().items()}, buffer)
    RunWeights.objects.update_or_create(run_id=run_id, defaults={"data": buffer.getvalue()})
    if step is not None:
        checkpoints.keep(run_id, step, buffer.getvalue())


def keep_weights(run_id: str, model: torch.nn.Module, step: int | None = None) -> None:
    """Save them, riding out a short database outage; a failure is logged, since the run
    itself is fine and only its download and "try it" will be missing."""
    what = f"saving the weights of run {run_id}"
    try:
        retrying(what, save_weights, run_id, model, step, give_up_after=settings.RUN_LEASE_SECONDS)
    except Exception:
        log.exception("could not save the weights of run %s", run_id)
