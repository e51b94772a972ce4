"""Lessons in one click: each preset trains a few runs that differ in one thing, then
opens them side by side. Every spec here is checked by a test (tests/playground)."""

ADDING = {"dataset": "adding", "dataset_options": {"length": 50}}

PRESETS = [
    {
        "id": "vanishing-gradients",
        "title": "Vanishing gradients",
        "lesson": "A vanilla RNN cannot carry the first marked number across 50 steps: its "
        "gradient fades on the way back. The LSTM's cell state carries it.",
        "runs": [
            {
                **ADDING,
                "name": "Vanilla RNN remembers?",
                "model": {"cell": "rnn", "hidden": 64},
                "training": {"steps": 1500},
            },
            {
                **ADDING,
                "name": "LSTM remembers",
                "model": {"cell": "lstm", "hidden": 64},
                "training": {"steps": 1500},
            },
        ],
    },
    {
        "id": "order-matters",
        "title": "Order matters",
        "lesson": "'not good' and 'good, not bad' hold the same words. A bag of words stays at "
        "chance on these sentences; an LSTM reading in order does not.",
        "runs": [
            {
                "dataset": "sentiment",
                "paradigm": "one-to-one",
                "name": "Bag of words",
                "model": {"cell": "bow", "hidden": 64},
                "training": {"steps": 800},
            },
            {
                "dataset": "sentiment",
                "paradigm": "many-to-one",
                "name": "LSTM reads in order",
                "model": {"cell": "lstm", "hidden": 64},
                "training": {"steps": 800},
            },
        ],
    },
    {
        "id": "exploding-gradients",
        "title": "Exploding gradients and clipping",
        "lesson": "A relu RNN with a large learning rate: within a few steps one huge gradient "
        "throws the weights away (the run ends as diverged). Clipping its norm keeps each step "
        "in bounds.",
        "runs": [
            {
                **ADDING,
                "name": "No clipping",
                "model": {"cell": "rnn", "activation": "relu", "hidden": 64},
                "training": {
                    "steps": 800,
                    "optimizer": "sgd",
                    "lr": 0.5,
                    "clip": "off",
                    "init": "orthogonal",
                },
            },
            {
                **ADDING,
                "name": "Clipped at norm 1",
                "model": {"cell": "rnn", "activation": "relu", "hidden": 64},
                "training": {
                    "steps": 800,
                    "optimizer": "sgd",
                    "lr": 0.5,
                    "clip": "norm",
                    "clip_value": 1.0,
                    "init": "orthogonal",
                },
            },
        ],
    },
    {
        "id": "attention",
        "title": "Attention on reversing",
        "lesson": "To reverse a string, the decoder needs the first symbol last. Without attention "
        "it must squeeze everything into one vector; with it, it looks back at the right step.",
        "runs": [
            {
                "dataset": "reverse",
                "dataset_options": {"max_length": 16},
                "name": "GRU, no attention",
                "model": {"cell": "gru", "hidden": 64},
                "training": {"steps": 1500},
            },
            {
                "dataset": "reverse",
                "dataset_options": {"max_length": 16},
                "name": "GRU with attention",
                "model": {"cell": "gru", "hidden": 64, "attention": True},
                "training": {"steps": 1500},
            },
        ],
    },
    {
        "id": "gru-or-lstm",
        "title": "GRU or LSTM?",
        "lesson": "Three gates against two: the GRU has three quarters of the LSTM's recurrent "
        "weights and runs faster. Does it learn as well?",
        "runs": [
            {
                **ADDING,
                "name": "GRU",
                "model": {"cell": "gru", "hidden": 64},
                "training": {"steps": 1000},
            },
            {
                **ADDING,
                "name": "LSTM",
                "model": {"cell": "lstm", "hidden": 64},
                "training": {"steps": 1000},
            },
        ],
    },
]
