"""Small specs for fast tests, and what several tests measure of a model."""

from sequences.spec import parse_spec


def small(dataset="adding", paradigm=None, cell="gru", model=None, training=None, options=None):
    from sequences.datasets import CATALOG

    paradigm = paradigm or CATALOG[dataset].paradigms[0]
    return parse_spec(
        {
            "dataset": dataset,
            "paradigm": paradigm,
            "dataset_options": options or {},
            "model": {"cell": cell, "hidden": 16, **(model or {})},
            "training": {"steps": 40, "batch_size": 8, **(training or {})},
        }
    )


class Recorder:
    def __init__(self):
        self.points, self.probes, self.samples = [], [], []

    def metrics(self, point):
        self.points.append(point)

    def probe(self, payload):
        self.probes.append(payload)

    def sample(self, payload):
        self.samples.append(payload)


def trained_losses(model, task, steps=40, lr=0.01, batch_size=32) -> list[float]:
    """Train `model` on fresh batches of `task` with Adam; the loss of every step."""
    import torch

    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(0)
    losses = []
    for _ in range(steps):
        batch = task.sample(batch_size, generator)
        _, loss = model(batch.x, batch.y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    print(f"loss {losses[0]:.4f} -> {losses[-1]:.4f}")
    return losses


def bytes_kept_for_backward(model, batch) -> int:
    """What one forward of `model` on `batch` keeps for backward, each tensor counted once."""
    import torch

    saved: dict[tuple, int] = {}

    def keep(t: torch.Tensor) -> torch.Tensor:
        saved[(t.data_ptr(), tuple(t.shape))] = t.numel() * t.element_size()
        return t

    with torch.autograd.graph.saved_tensors_hooks(keep, lambda t: t):
        model(batch.x, batch.y)
    return sum(saved.values())
