"""The playground's PyTorch library: data, models, training. No Django in here."""
