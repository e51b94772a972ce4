"""How the training loop tells the world what it does, without knowing who listens."""

from typing import Protocol


class Reporter(Protocol):
    def metrics(self, point: dict) -> None:
        """One logged step: step, loss, grad_norm, grad_norms, lr and, at times, val_loss."""

    def probe(self, payload: dict) -> None:
        """One look inside the model at a step: gates, states, gradient flow (bounded size)."""

    def sample(self, payload: dict) -> None:
        """What the model produces at a step: a forecast, generated text, predictions."""


class NullReporter:
    """A reporter for when nobody listens, so the loop never asks whether anyone does."""

    def metrics(self, point: dict) -> None:
        pass

    def probe(self, payload: dict) -> None:
        pass

    def sample(self, payload: dict) -> None:
        pass


def never() -> bool:
    """A should_stop for runs nobody can cancel."""
    return False
