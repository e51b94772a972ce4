"""How many intra-op threads a training step gains from.

A small model's step is many small matrix products: extra threads only add OpenMP
barriers, which cost more than they save and spin against every other process on a busy
machine. Measured on 2 cores, quiet, ms a step with 1 and 2 threads (Adam, fp32):
GRU 16 (B 32, T 60) 7.6 and 34.2; LSTM 2×128 (B 64, T 100) 137 and 141; GRU 2×256
(B 64, T 100) 389 and 456; LSTM 2×512 (B 64, T 50) 705 and 438. Only the last gains.
"""

import torch

from sequences.estimate import exact_parameters, step_cost
from sequences.settings import Recipe
from sequences.task import Signature

# Parameters × batch × length of a step, under which one thread is fastest (between the
# GRU 2×256 above, 3.8e9, and the LSTM 2×512, 1.0e10).
ONE_THREAD_BELOW = 6_000_000_000


def threads_for(parameters: int, batch_size: int, length: int, available: int) -> int:
    """One thread for a small step; every available thread where the products are large."""
    if step_cost(parameters, batch_size, length) < ONE_THREAD_BELOW:
        return 1
    return max(1, available)


def use_threads_for(spec: Recipe, signature: Signature, available: int) -> int:
    """Set torch's intra-op threads for this model's steps; return how many."""
    parameters = exact_parameters(spec, signature)
    threads = threads_for(parameters, spec.training.batch_size, signature.length, available)
    torch.set_num_threads(threads)
    return threads
