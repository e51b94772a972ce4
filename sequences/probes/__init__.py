"""Probes: the model's insides, computed on a small fixed batch beside training.

Training always runs the fused modules; a probe recomputes gates, states and attention
with the same weights on a few sequences, every `probe.every` steps.
"""
