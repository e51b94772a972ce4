"""A run and its event log. The database is the record; the channel layer only notifies."""

import secrets

from django.db import models

from playground.datasets.models import Dataset
from playground.eventlog.models import LoggedEvent, LogOwner

ACTIVE = ("queued", "running")
FINISHED = ("completed", "failed", "cancelled", "diverged")
# Finished runs whose model can be tried: the task keeps the weights unless the run
# diverged, and a failed run has none to keep (runs/tasks.py).
TRYABLE = ("completed", "cancelled")
CELL_NAMES = {
    "rnn": "Vanilla RNN",
    "lstm": "LSTM",
    "gru": "GRU",
    "mingru": "minGRU",
    "minlstm": "minLSTM",
    "ssm": "Selective SSM (Mamba-style)",
    "transformer": "Transformer",
    "bow": "Bag of words",
}


def dataset_label(dataset_id: str) -> str:
    """A built-in by its short id; an upload by the name it was given."""
    if not dataset_id.startswith("u-"):
        return dataset_id
    name = Dataset.objects.filter(id=dataset_id).values_list("name", flat=True).first()
    return name or "an uploaded dataset"


def new_run_id() -> str:
    return secrets.token_urlsafe(16)  # 128 random bits: a run link cannot be guessed


class Run(LogOwner):
    STATUSES = [(s, s) for s in ACTIVE + FINISHED]

    id = models.CharField(primary_key=True, max_length=32, default=new_run_id, editable=False)
    spec = models.JSONField()
    status = models.CharField(max_length=16, choices=STATUSES, default="queued", db_index=True)
    owner = models.CharField(max_length=64)  # the creating browser's session owner id
    owner_token = models.CharField(max_length=64, default=secrets.token_urlsafe)  # for scripts
    step = models.IntegerField(default=0)
    total_steps = models.IntegerField()
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(null=True, blank=True)
    cancel_requested = models.BooleanField(default=False)
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # the worker's lease
    workshop = models.ForeignKey(
        "workshops.Workshop", null=True, blank=True, on_delete=models.CASCADE, related_name="runs"
    )
    participant = models.ForeignKey(
        "workshops.Participant",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="runs",
    )
    # Runs wait here, not in the task queue, until the lifecycle hands them over in rounds;
    # when it last sent the run's task (a run not taken long after is sent again: its message
    # may be lost, runs/lifecycle.py `resend_lost`).
    dispatched = models.BooleanField(default=False)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    # Where it trains: its estimated work (sequences.estimate.run_cost), the queue it was
    # last handed to by that cost (runs/routing.py: cpu or gpu), and the worker that took it.
    cost = models.BigIntegerField(default=0)
    queue = models.CharField(max_length=8, default="cpu")
    worker = models.CharField(max_length=255, blank=True, default="")
    # Times a worker took it (a clean hand-back gives its attempt back): the lease and the
    # checkpoints carry it, so a worker the run was taken from writes nothing more.
    attempts = models.IntegerField(default=0)
    val_loss = models.FloatField(null=True, blank=True)  # the latest validation loss
    best_val_loss = models.FloatField(null=True, blank=True)
    # How many of its browser's runs were waiting or training when it was created: the
    # lowest round goes first, so one browser's queue never delays another's first run.
    round = models.IntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.spec.get('name') or self.id} ({self.status})"

    @property
    def title(self) -> str:
        cell = CELL_NAMES.get(self.spec["model"]["cell"], self.spec["model"]["cell"])
        return self.spec.get("name") or f"{cell} on {dataset_label(self.spec['dataset'])}"

    def as_api(self) -> dict:
        return {
            "id": self.id,
            "status": self.status,
            "spec": self.spec,
            "progress": {"step": self.step, "total_steps": self.total_steps},
            "result": self.result,
            "error": self.error,
            "created_at": iso(self.created_at),
            "started_at": iso(self.started_at),
            "finished_at": iso(self.finished_at),
        }


class RunEvent(LoggedEvent):
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=16)

    class Meta:
        ordering = ["seq"]
        constraints = [models.UniqueConstraint(fields=["run", "seq"], name="one_event_per_seq")]

    WIRE_COLUMNS = ("seq", "type", "time")

    @classmethod
    def fields_from(cls, message: dict) -> dict:
        data = dict(message)
        return {"type": data.pop("type"), "data": data}

    def as_message(self) -> dict:
        return {"seq": self.seq, "type": self.type, "time": self.time, **self.data}


def iso(moment):
    return moment.isoformat() if moment else None


class RunWeights(models.Model):
    """A finished run's trained weights: a PyTorch state dict, as torch.save wrote it. Kept
    apart from Run so that listing runs never loads them."""

    run = models.OneToOneField(Run, on_delete=models.CASCADE, primary_key=True)
    data = models.BinaryField()
    saved_at = models.DateTimeField(auto_now=True)


class Checkpoint(models.Model):
    """Where a running run is: its whole training state (sequences.resume.TrainingState, as
    bytes) at a step, overwritten every few seconds, for the next worker to resume from.
    `attempt` is the run's attempt that saved it."""

    run = models.OneToOneField(Run, on_delete=models.CASCADE, primary_key=True)
    step = models.IntegerField()
    attempt = models.IntegerField()
    data = models.BinaryField()
    saved_at = models.DateTimeField(auto_now=True)


class KeptWeights(models.Model):
    """Weight snapshots of a run at a few steps, early to late (RUN_KEPT_CHECKPOINTS at
    most, thinned as the run goes on), so its model can be looked at as it was then."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="kept_weights")
    step = models.IntegerField()
    data = models.BinaryField()

    class Meta:
        ordering = ["step"]
        constraints = [models.UniqueConstraint(fields=["run", "step"], name="one_kept_per_step")]
