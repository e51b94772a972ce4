"""Taking a run out of the playground: a standalone PyTorch script."""
