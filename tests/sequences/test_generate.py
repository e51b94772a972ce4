"""Writing with a language model: a recurrent model carries its state from token to token."""

import torch

from sequences.generate import generate
from sequences.models import build_model
from sequences.tasks import make_task
from tests.sequences.helpers import small


def test_a_recurrent_model_writes_from_its_carried_state_what_rereading_everything_gives():
    spec = small("stories", cell="lstm")
    task = make_task(spec)
    torch.manual_seed(0)
    model = build_model(spec, task.signature)
    prompt = task.validation.x[0, :6].tolist()
    written = generate(model, prompt, steps=12, temperature=0, window=1000)
    assert model.training  # generate writes in eval mode, then puts the model back
    # The same greedy choices, reading the whole text again from zeros for each token.
    reread: list[int] = []
    with torch.no_grad():
        for _ in range(12):
            scores = model.eval()(torch.tensor([prompt + reread]))[0][0, -1]
            scores[0] = -torch.inf  # never padding
            reread.append(int(scores.argmax()))
    assert written == reread
