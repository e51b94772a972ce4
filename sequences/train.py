"""The training loop: one flat loop over steps, logging only at its interval."""

import contextlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import torch
from torch.optim.lr_scheduler import LambdaLR

from sequences.batch import IGNORE, Batch
from sequences.denormals import flushing_denormals
from sequences.models import build_model
from sequences.models.recurrent import RecurrentNet, State
from sequences.optim import clip_gradients, initialize, l1_penalty, lr_factor, make_optimizer
from sequences.pacing import Pacer
from sequences.probes.look import look, probe_sequence
from sequences.reporting import NullReporter, Reporter, never
from sequences.resume import (
    Checkpoints,
    NoCheckpoints,
    TrainingState,
    copied,
    moved,
    pacer_state,
    random_state,
    restore_pacer,
    restore_random_state,
)
from sequences.settings import TrainingSpec
from sequences.spec import RunSpec
from sequences.task import Examples, Signature, Streams, Task, vocab_of
from sequences.tasks import make_task

MAX_LOGGED_POINTS = 500  # keeps the stored metrics of a run bounded however long it trains
MAX_VALIDATIONS = 25  # validation passes per run
MIN_VALIDATIONS = 10  # enough points for a validation curve, even on a short run
VALIDATION_SHARE = 0.02  # of the training work, at most, spent validating
MIN_VALIDATION_ROWS = 16  # a smaller sample says too little to be worth the pass
VALIDATION_CHUNK = 512  # sequences per validation forward pass, to bound its memory
MAX_PROBES = 100  # probe events per run: with each under 64 KiB, a bounded store
MIN_PROBE_SECONDS = 1.0  # at most about one probe a second, however fast the steps
MAX_SAMPLES = 50  # sample events per run
MIN_SAMPLE_SECONDS = 2.0
# Of the training time, at most, spent looking inside and sampling (big models too). With
# validation's share, the instrumented loop keeps about 0.98 of a bare loop's speed.
PROBE_SHARE = 0.01
SAMPLE_SHARE = 0.005
# A logged gradient norm this many times its usual size is a spike: worth a look inside
# at once (a few times a run), since a run whose gradients explode may not live to the next.
SPIKE_FACTOR = 10.0
MAX_SPIKE_LOOKS = 3


@dataclass
class Outcome:
    # interrupted: asked to stop so that another process carries on (its state is saved)
    status: Literal["completed", "cancelled", "diverged", "interrupted"]
    result: dict = field(default_factory=dict)
    message: str = ""
    model: torch.nn.Module | None = field(default=None, repr=False)  # as training left it
    state: TrainingState | None = field(default=None, repr=False)  # where an interrupted run was


def default_device() -> str:
    return "cuda" if torch.cuda.is_available() else "cpu"


def logging_interval(steps: int) -> int:
    return max(1, math.ceil(steps / MAX_LOGGED_POINTS))


@dataclass(frozen=True)
class ValidationPlan:
    every: int  # steps between validations, a multiple of the logging interval
    rows: int  # sequences each pass before the last reads: an evenly spread sample
    last_rows: int  # sequences the last pass reads: the whole set where the budget allows


def validation_plan(
    steps: int, log_every: int, validation_rows: int, batch_size: int
) -> ValidationPlan:
    """When to validate and on how much: MIN_VALIDATIONS to MAX_VALIDATIONS passes a run,
    all of them together costing at most about VALIDATION_SHARE of the training work (a
    forward pass over a batch costs up to half a step: less for recurrent cells, about
    that for attention over long sequences on a CPU). Where the whole set is too dear for
    that many passes, they read an evenly spread sample of it, as large as the budget
    allows, and the last pass reads the whole set if it costs at most half the budget.
    Validation always lands on logged steps."""
    budget = steps * VALIDATION_SHARE  # in step equivalents
    row_cost = 1 / batch_size / 2
    passes = min(MAX_VALIDATIONS, math.floor(budget / (validation_rows * row_cost)))
    rows = last_rows = validation_rows
    if passes < MIN_VALIDATIONS:
        passes = MIN_VALIDATIONS
        if validation_rows * row_cost > budget / 2:
            last_rows = 0  # the last pass reads the sample too
        left = budget - last_rows * row_cost
        sampled = passes - (1 if last_rows else 0)
        rows = min(validation_rows, max(MIN_VALIDATION_ROWS, math.floor(left / sampled / row_cost)))
        last_rows = last_rows or rows
    every = max(1, math.ceil(steps / passes))
    return ValidationPlan(log_every * max(1, math.ceil(every / log_every)), rows, last_rows)


def spread_sample(batch: Batch, rows: int) -> Batch:
    """`rows` sequences spread evenly over the batch (the same ones every time)."""
    if rows >= len(batch):
        return batch
    picked = torch.linspace(0, len(batch) - 1, rows).round().long()
    lengths = None if batch.lengths is None else batch.lengths[picked]
    return Batch(batch.x[picked], batch.y[picked], lengths)


def diverged(last: dict, step: int, loss: float, grad_norm: float) -> str:
    """What a run that diverged says: the step, from the last one its progress showed."""
    where = f"at step {step}"
    if last.get("step", step - 1) < step - 1:
        # Between logged steps, divergence is seen only at the next log.
        where = f"after step {last['step']} (by step {step})"
    return (
        f"Training diverged {where}: the loss is {loss} and the gradient norm {grad_norm}. "
        "Try a smaller learning rate or gradient clipping."
    )


def gradient_norms(model: torch.nn.Module) -> tuple[float, dict[str, float]]:
    """The total gradient norm and one per layer ("rnn.l0", "head"), with a single sync."""
    groups: dict[str, list[torch.Tensor]] = {}
    for name, parameter in model.named_parameters():
        if parameter.grad is not None:
            groups.setdefault(layer_of(name), []).append(parameter.grad.detach().float().norm())
    names = list(groups)
    norms = torch.stack([torch.linalg.vector_norm(torch.stack(groups[n])) for n in names])
    total = torch.linalg.vector_norm(norms)
    values = torch.cat([total[None], norms]).tolist()  # CPU-GPU sync point
    return values[0], dict(zip(names, values[1:], strict=True))


def layer_of(parameter_name: str) -> str:
    """'rnn.weight_hh_l1' -> 'rnn.l1'; 'blocks.0.ff.0.weight' -> 'blocks.0'; 'head.bias' -> 'head'."""
    parts = parameter_name.split(".")
    leaf = parts[-1].rsplit("_", 1)[-1]
    if leaf.startswith("l") and leaf[1:].isdigit():  # a fused recurrent module's layer
        return ".".join(parts[:-1] + [leaf])
    if len(parts) > 2 and parts[1].isdigit():  # a numbered block
        return ".".join(parts[:2])
    return parts[0]


def detached(state: State) -> State:
    if isinstance(state, tuple):
        return (state[0].detach(), state[1].detach())
    return state.detach()


class CarriedState:
    """Truncated BPTT: one long stream read in chunks, each chunk starting from the state
    the last one ended in, detached, so gradients reach back one chunk only."""

    def __init__(
        self,
        task: Task,
        model: torch.nn.Module,
        batch_size: int,
        chunk: int,
        start: int = 0,
        state: State | None = None,
    ):
        """`start` chunks already read, ending in `state` (when resuming)."""
        if not (isinstance(task, Streams) and isinstance(model, RecurrentNet)):
            raise ValueError(
                "training.tbptt: truncated BPTT needs a task read as one stream and a "
                "recurrent model"
            )
        self.chunks = task.stream(batch_size, chunk, start)
        self.model = model
        self.state: State | None = state  # None: the next chunk starts from zeros

    def loss(self, batch: Batch) -> torch.Tensor:
        """The loss on the next chunk, from the last chunk's final state; keeps this one's."""
        _, loss, state = self.model.forward_with_state(batch.x, batch.y, state=self.state)
        self.state = detached(state)  # keep the state, cut the graph
        assert loss is not None  # the chunk has targets
        return loss


def precision_context(
    training: TrainingSpec, device: str
) -> Callable[[], contextlib.AbstractContextManager[Any]]:
    """bf16 autocast on CUDA when asked; plain fp32 otherwise."""
    if training.precision == "bf16" and device.startswith("cuda"):
        return lambda: torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext


@torch.no_grad()
def evaluate(
    model: torch.nn.Module,
    validation: Batch,
    signature: Signature,
    autocast: Callable[[], contextlib.AbstractContextManager[Any]],
) -> tuple[float, float | None]:
    """Validation loss and, for classes and tokens, accuracy; in chunks, in eval mode."""
    model.eval()
    device = validation.x.device
    loss_sum, weight = torch.zeros((), device=device), 0
    correct = torch.zeros((), dtype=torch.long, device=device)
    counted = torch.zeros_like(correct)
    scored = signature.outputs in ("classes", "tokens")
    for start in range(0, len(validation), VALIDATION_CHUNK):
        rows = slice(start, start + VALIDATION_CHUNK)
        x, y = validation.x[rows], validation.y[rows]
        lengths = None if validation.lengths is None else validation.lengths[rows]
        with autocast():
            output, loss = model(x, y, lengths)
        loss_sum += loss.float() * len(x)
        weight += len(x)
        if scored:
            real = y != IGNORE
            correct += ((output.argmax(dim=-1) == y) & real).sum()
            counted += real.sum()
    model.train()
    accuracy = (correct / counted).item() if scored else None  # CPU-GPU sync point
    return (loss_sum / weight).item(), accuracy


@flushing_denormals
def train(
    spec: RunSpec,
    task: Task | None = None,
    reporter: Reporter = NullReporter(),
    should_stop: Callable[[], bool] = never,
    device: str | None = None,
    probes: bool = False,
    resume: TrainingState | None = None,
    checkpoints: Checkpoints = NoCheckpoints(),
    should_interrupt: Callable[[], bool] = never,
) -> Outcome:
    """Train the model a spec describes; report at the logging interval; stop when asked.
    With `probes`, also look inside the model every `probe.every` steps (time-capped).
    With `resume`, go on from the state a checkpoint kept; the loop leaves its state with
    `checkpoints` whenever they are due, and when `should_interrupt` says so it saves one
    and stops, as `interrupted`, for another process to carry on."""
    device = device or default_device()
    task = task if task is not None else make_task(spec)
    t = spec.training
    steps = t.steps

    torch.manual_seed(t.seed)
    if device.startswith("cuda"):
        torch.backends.cudnn.benchmark = True  # fixed shapes: let cuDNN pick its fastest kernels
    model = build_model(spec, task.signature).to(device)
    initialize(model, t.init)
    parameters = list(model.parameters())
    optimizer = make_optimizer(t, parameters)
    schedule = LambdaLR(optimizer, lr_factor(t.schedule, steps))
    autocast = precision_context(t, device)
    generator = torch.Generator().manual_seed(t.seed)
    validation = task.validation.to(device)
    log_every = logging_interval(steps)
    plan = validation_plan(steps, log_every, len(validation), t.batch_size)
    # Passes read a fixed sample, so their points compare with each other.
    validation_sample = spread_sample(validation, plan.rows)
    last_validation = spread_sample(validation, plan.last_rows)

    # The probe always looks at the same sequence, so its pictures compare across steps.
    if probes:
        probe_x, probe_y = (t.to(device) for t in probe_sequence(task))
        probe_every = max(spec.probe.every, math.ceil(steps / MAX_PROBES))
        probe_pacer = Pacer(probe_every, steps, MIN_PROBE_SECONDS, PROBE_SHARE)
        vocab = vocab_of(task)
    # What the model produces now (forecasts, text, a confusion matrix), where the task can say.
    examples = task if probes and isinstance(task, Examples) else None
    if examples is not None:
        sample_pacer = Pacer(
            max(spec.probe.every, math.ceil(steps / MAX_SAMPLES)),
            steps,
            MIN_SAMPLE_SECONDS,
            SAMPLE_SHARE,
        )

    loss_sum = torch.zeros((), device=device)  # summed on the device: no sync between logs
    summed = 0
    last: dict = {}
    best_val, stale_validations = math.inf, 0
    usual_norm, spike_looks = math.nan, 0  # the gradient norm's running size; looks it caused
    spiking = False
    started = time.perf_counter()
    done = 0  # steps done before this loop starts (by the process that saved `resume`)
    carried_state: State | None = None

    # Carry on where a checkpoint left off: everything the next step reads, as it was.
    if resume is not None:
        done = resume.step
        model.load_state_dict(resume.model)
        optimizer.load_state_dict(resume.optimizer)
        schedule.load_state_dict(resume.schedule)
        restore_random_state(resume.rng, generator)
        carried_state = moved(resume.carried, device)
        loop = resume.loop
        loss_sum += loop["loss_sum"].to(device)
        summed, last = loop["summed"], dict(loop["last"])
        best_val, stale_validations = loop["best_val"], loop["stale_validations"]
        usual_norm = loop.get("usual_norm", math.nan)
        spike_looks = loop.get("spike_looks", 0)
        started -= loop["seconds"]  # the time the earlier processes trained counts too
        if probes and "probe_pacer" in loop:
            restore_pacer(probe_pacer, loop["probe_pacer"])
        if examples is not None and "sample_pacer" in loop:
            restore_pacer(sample_pacer, loop["sample_pacer"])

    # Truncated BPTT reads one long stream in chunks, carrying the state across them.
    carried = (
        CarriedState(task, model, t.batch_size, t.tbptt, done, carried_state) if t.tbptt else None
    )

    def capture(step: int) -> TrainingState:
        """Everything the next step reads, copied (on the device: no wait for it)."""
        loop = {
            "loss_sum": loss_sum.clone(),
            "summed": summed,
            "last": dict(last),
            "best_val": best_val,
            "stale_validations": stale_validations,
            "usual_norm": usual_norm,
            "spike_looks": spike_looks,
            "seconds": time.perf_counter() - started,
        }
        if probes:
            loop["probe_pacer"] = pacer_state(probe_pacer)
        if examples is not None:
            loop["sample_pacer"] = pacer_state(sample_pacer)
        return TrainingState(
            step=step,
            model=copied(model.state_dict()),
            optimizer=copied(optimizer.state_dict()),
            schedule=schedule.state_dict(),
            rng=random_state(device, generator),
            carried=copied(carried.state) if carried else None,
            loop=loop,
        )

    def result(done_steps: int, **extra: Any) -> dict[str, Any]:
        seconds = time.perf_counter() - started
        return {
            "steps": done_steps,
            "final_loss": last.get("loss"),
            "final_val_loss": last.get("val_loss"),
            "final_val_accuracy": last.get("val_accuracy"),
            "best_val_loss": best_val if math.isfinite(best_val) else None,
            "parameters": sum(p.numel() for p in parameters),
            "seconds": round(seconds, 3),
            "steps_per_second": round(done_steps / seconds, 2) if seconds > 0 else None,
            "device": device,
            "precision": "bf16" if autocast is not contextlib.nullcontext else "fp32",
            **extra,
        }

    for step in range(done + 1, steps + 1):
        # 1. a fresh batch (or the stream's next chunk)
        fresh = next(carried.chunks) if carried else task.sample(t.batch_size, generator)
        batch = fresh.to(device)

        # 2. forward and backward
        with autocast():
            if carried:
                loss = carried.loss(batch)
            else:
                _, loss = model(batch.x, batch.y, batch.lengths)
            objective = loss + t.l1 * l1_penalty(model) if t.l1 else loss
        optimizer.zero_grad(set_to_none=True)
        objective.backward()
        loss_sum += loss.detach().float()
        summed += 1

        # 3. log, at the interval only: the one place the CPU waits for the GPU
        if step % log_every == 0 or step == steps:
            mean_loss = (loss_sum / summed).item()  # CPU-GPU sync point
            loss_sum.zero_()
            summed = 0
            grad_norm, grad_norms = gradient_norms(model)  # before clipping: the real size
            if not (math.isfinite(mean_loss) and math.isfinite(grad_norm)):
                return Outcome(
                    "diverged", result(step), diverged(last, step, mean_loss, grad_norm), model
                )
            # A spike is measured against the usual size, which a spike itself moves little.
            spiking = grad_norm > SPIKE_FACTOR * usual_norm
            usual_norm = (
                grad_norm
                if math.isnan(usual_norm)
                else 0.9 * usual_norm + 0.1 * min(grad_norm, SPIKE_FACTOR * usual_norm)
            )
            last = {"step": step, "loss": mean_loss, "grad_norm": grad_norm}
            last.update(grad_norms=grad_norms, lr=schedule.get_last_lr()[0])
            if step % plan.every == 0 or step == steps:
                checked = last_validation if step == steps else validation_sample
                last["val_loss"], accuracy = evaluate(model, checked, task.signature, autocast)
                if accuracy is not None:
                    last["val_accuracy"] = accuracy
                if last["val_loss"] < best_val:
                    best_val, stale_validations = last["val_loss"], 0
                else:
                    stale_validations += 1
            reporter.metrics(dict(last))
            if t.early_stopping and stale_validations >= t.early_stopping:
                return Outcome("completed", result(step, stopped_early=True), model=model)

        # 4. clip and update, unless someone asked us to stop
        clip_gradients(t, parameters)
        optimizer.step()
        schedule.step()

        # 5. look inside, now and then (free when probes are off: this one `if`)
        spike_look = spiking and spike_looks < MAX_SPIKE_LOOKS
        if probes and (probe_pacer.due(step) or spike_look):
            spike_looks += spike_look
            spiking = False
            with probe_pacer.timing():
                reporter.probe({"step": step, **look(model, probe_x, probe_y, vocab)})
        if examples is not None and sample_pacer.due(step):
            with sample_pacer.timing():
                reporter.sample({"step": step, **examples.example(model)})

        if should_stop():
            return Outcome("cancelled", result(step), f"Cancelled at step {step}.", model)

        # 6. keep the state now and then, or hand it over when asked to stop for another process
        if step < steps and should_interrupt():
            state = capture(step)
            checkpoints.save(state)
            return Outcome(
                "interrupted", result(step), f"Interrupted at step {step}.", model, state
            )
        if step < steps and checkpoints.due():
            checkpoints.save(capture(step))

    return Outcome("completed", result(steps), model=model)
