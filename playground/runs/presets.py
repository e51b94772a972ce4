"""Lessons in one click: each preset trains a few runs that differ in one thing, then
opens them side by side, with a sentence on what to look at. Each lesson trains in about a
minute on two CPU cores (its runs side by side), and shows its point: the specs here are
checked by tests (tests/playground/test_presets.py, test_lesson_outcomes.py)."""

ADDING = {"dataset": "adding", "dataset_options": {"length": 50}}
# Four times the other lessons' span: long enough that a step-by-step loop is slow, short
# enough that the GRU, too, learns within the lesson's minute (both do by 400 steps at 0.03;
# 32 units, as a GRU this small is as slow as one of 64: its steps wait, not its arithmetic).
LONG_ADDING = {"dataset": "adding", "dataset_options": {"length": 200}}
# SGD at a large learning rate: nothing but clipping stands between a spike and a step.
EXPLODING = {
    "dataset": "sine",
    "model": {"cell": "rnn", "hidden": 64},
    "training": {"steps": 600, "optimizer": "sgd", "lr": 0.1, "init": "orthogonal"},
}

PRESETS = [
    {
        "id": "vanishing-gradients",
        "title": "Vanishing gradients",
        "lesson": "A vanilla RNN cannot carry the first marked number across 50 steps: its "
        "gradient fades on the way back, and its loss stays at the 0.167 of guessing. The "
        "LSTM's cell state carries it, and its loss leaves that line after about 700 steps.",
        "look": "The dotted validation curves against the dashed guessing line: the LSTM's falls away from it, the RNN's stays on it. Below, the RNN's gradient falls to the left: the early steps get almost no signal.",
        "runs": [
            {
                **ADDING,
                "name": "Vanilla RNN remembers?",
                "model": {"cell": "rnn", "hidden": 64},
                "training": {"steps": 1000, "lr": 0.01},
            },
            {
                **ADDING,
                "name": "LSTM remembers",
                "model": {"cell": "lstm", "hidden": 64},
                "training": {"steps": 1000, "lr": 0.01},
            },
        ],
    },
    {
        "id": "order-matters",
        "title": "Order matters",
        "lesson": "'not good' and 'good, not bad' hold the same words. A bag of words stays at "
        "chance on these sentences; an LSTM reading in order does not.",
        "look": "The validation curves against the dashed line of guessing (ln 2): the bag of words stays near it, the LSTM drops far below; the table's accuracy says the same.",
        "runs": [
            {
                "dataset": "sentiment",
                "paradigm": "one-to-one",
                "name": "Bag of words",
                "model": {"cell": "bow", "hidden": 64},
                "training": {"steps": 400, "lr": 0.01},
            },
            {
                "dataset": "sentiment",
                "paradigm": "many-to-one",
                "name": "LSTM reads in order",
                "model": {"cell": "lstm", "hidden": 64},
                "training": {"steps": 400, "lr": 0.01},
            },
        ],
    },
    {
        "id": "exploding-gradients",
        "title": "Exploding gradients and clipping",
        "lesson": "A vanilla RNN forecasting a sine wave with SGD at a large learning "
        "rate: each step makes the recurrent weights larger, so the gradient grows tenfold "
        "every few steps (watch the gradient norm) until the run ends as diverged. Clipping "
        "its norm at 1 keeps each step in bounds, and the same model learns.",
        "look": "The unclipped run's gradient norm, on its own page, grows tenfold every few steps until the run diverges; its looks inside were taken during the spike. The clipped run's loss keeps falling.",
        "runs": [
            {
                **EXPLODING,
                "name": "No clipping",
                "training": {**EXPLODING["training"], "clip": "off"},
            },
            {
                **EXPLODING,
                "name": "Clipped at norm 1",
                "training": {**EXPLODING["training"], "clip": "norm", "clip_value": 1.0},
            },
        ],
    },
    {
        "id": "attention",
        "title": "Attention on reversing",
        "lesson": "To reverse a string, the decoder needs the first symbol last. Without attention "
        "it must squeeze everything into one vector; with it, it looks back at the right step.",
        "look": "The attention map: with attention, the first output steps look at the last input steps, a diagonal from top right to bottom left. Its validation loss falls faster, and its accuracy is higher.",
        "runs": [
            {
                "dataset": "reverse",
                "dataset_options": {"max_length": 12},
                "name": "GRU, no attention",
                "model": {"cell": "gru", "hidden": 64},
                "training": {"steps": 300, "lr": 0.01},
            },
            {
                "dataset": "reverse",
                "dataset_options": {"max_length": 12},
                "name": "GRU with attention",
                "model": {"cell": "gru", "hidden": 64, "attention": True},
                "training": {"steps": 300, "lr": 0.01},
            },
        ],
    },
    {
        "id": "gru-or-lstm",
        "title": "GRU or LSTM?",
        "lesson": "Three gates against two: the GRU has three quarters of the LSTM's recurrent "
        "weights and runs faster. Does it learn as well?",
        "look": "Both curves leave the dashed guessing line: compare when they leave it, and the steps per second and parameters in the table.",
        "runs": [
            {
                **ADDING,
                "name": "GRU",
                "model": {"cell": "gru", "hidden": 64},
                "training": {"steps": 1000, "lr": 0.01},
            },
            {
                **ADDING,
                "name": "LSTM",
                "model": {"cell": "lstm", "hidden": 64},
                "training": {"steps": 1000, "lr": 0.01},
            },
        ],
    },
    {
        "id": "parallel-rnn",
        "title": "An RNN that trains in parallel",
        "lesson": "A GRU's gates read h_{t-1}, so step t waits for step t-1: 200 steps of "
        "adding, one after another. A minGRU's gates read x_t alone, so every step's gate is "
        "known up front, and one parallel scan computes all 200 states at once. Both carry the "
        "first marked number across 200 steps; the minGRU trains a few times as many steps "
        "a second.",
        "look": "The steps per second in the table: on a CPU the minGRU's are a few times the "
        "GRU's; on a GPU the gap grows with length, as the loop's steps stay one after another "
        "while the scan's run side by side. Both validation curves "
        "fall far below the dashed guessing line (the GRU's lower still, with 15 times the "
        "parameters: the minGRU has no W_hh at all). Under the table, the "
        "parallel scan and the step-by-step loop agree to float rounding: the same recurrence, "
        "in another order.",
        "runs": [
            {
                **LONG_ADDING,
                "name": "GRU, step by step",
                "model": {"cell": "gru", "hidden": 32},
                "training": {"steps": 400, "lr": 0.03},
            },
            {
                **LONG_ADDING,
                "name": "minGRU, in parallel",
                "model": {"cell": "mingru", "hidden": 32},
                "training": {"steps": 400, "lr": 0.03},
            },
        ],
    },
]
