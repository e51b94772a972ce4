"""Benchmarks: each compares the playground with a bare PyTorch loop measured in the same run."""
