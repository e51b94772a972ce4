"""Size of a model before it is built: parameters and activation memory."""

GATES = {"rnn": 1, "lstm": 4, "gru": 3}  # weight blocks per recurrent layer


def estimate_parameters(model, input_size: int, output_size: int) -> int:
    """Exactly the parameter count of the recurrent model that `models.build_model` makes."""
    gates = GATES[model.cell]
    total = 0
    for layer in range(model.layers):
        layer_input = input_size if layer == 0 else model.hidden
        total += gates * model.hidden * (layer_input + model.hidden)  # W_ih and W_hh
        total += 2 * gates * model.hidden  # b_ih and b_hh
    total += model.hidden * output_size + output_size  # the head
    return total


def estimate_activation_bytes(model, batch_size: int, length: int) -> int:
    """Rough float32 bytes kept for backward in one step: gate pre-activations and states."""
    per_step = (GATES[model.cell] + 2) * model.hidden * model.layers
    return 4 * per_step * batch_size * length
