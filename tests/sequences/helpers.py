"""Small specs for fast tests."""

from sequences.spec import parse_spec


def small(dataset="adding", paradigm=None, cell="gru", model=None, training=None, options=None):
    from sequences.datasets import CATALOG

    paradigm = paradigm or CATALOG[dataset].paradigms[0]
    return parse_spec(
        {
            "dataset": dataset,
            "paradigm": paradigm,
            "dataset_options": options or {},
            "model": {"cell": cell, "hidden": 16, **(model or {})},
            "training": {"steps": 40, "batch_size": 8, **(training or {})},
        }
    )


class Recorder:
    def __init__(self):
        self.points, self.probes, self.samples = [], [], []

    def metrics(self, point):
        self.points.append(point)

    def probe(self, payload):
        self.probes.append(payload)

    def sample(self, payload):
        self.samples.append(payload)
