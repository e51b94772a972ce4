"""Models. Every model answers the same call: forward(x, targets=None) -> (output, loss)."""

import torch
import torch.nn.functional as F
from torch import nn


class RecurrentModel(nn.Module):
    """A fused recurrent stack that reads a whole sequence and answers at its last step."""

    def __init__(self, cell: str, input_size: int, hidden: int, layers: int, output_size: int):
        super().__init__()
        # torch's fused modules keep the training path fast; the internals come from a probe
        if cell == "rnn":
            self.rnn = nn.RNN(input_size, hidden, num_layers=layers, batch_first=True)
        elif cell == "lstm":
            self.rnn = nn.LSTM(input_size, hidden, num_layers=layers, batch_first=True)
        elif cell == "gru":
            self.rnn = nn.GRU(input_size, hidden, num_layers=layers, batch_first=True)
        else:
            raise ValueError(f"unknown cell {cell!r}")
        self.head = nn.Linear(hidden, output_size)

    def forward(self, x: torch.Tensor, targets: torch.Tensor | None = None):
        states, _ = self.rnn(x)  # (B, T, H): the top layer's hidden state at every step
        prediction = self.head(states[:, -1])  # (B, O): many-to-one answers at the last step
        loss = None if targets is None else F.mse_loss(prediction, targets)
        return prediction, loss


def build_model(model_spec, task) -> RecurrentModel:
    """The model a spec describes, sized for its task."""
    return RecurrentModel(
        model_spec.cell,
        task.input_size,
        model_spec.hidden,
        model_spec.layers,
        task.output_size,
    )
