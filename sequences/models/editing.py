"""The hook through which an intervention edits a recurrence as it runs (sequences.probes)."""

from collections.abc import Callable

import torch

# An edit of one step: (t, the recorded name ("forget", "hidden", ...), its value (B, H)) ->
# the value the recurrence goes on with. t counts in reading order, whatever the direction.
StepEdit = Callable[[int, str, torch.Tensor], torch.Tensor]
