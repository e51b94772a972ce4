"""Tasks from uploads: split by time without leakage, normalized from the training part,
and trained end to end with sample events."""

import math

import pytest
import torch

from sequences.spec import SpecError, parse_spec
from sequences.train import train
from sequences.uploads import prepare
from sequences.uploads.tasks import SeriesTask, uploaded_dataset
from tests.sequences.helpers import Recorder


def series(n=200, offset=1000.0):
    rows = "".join(f"{i},{offset + 50 * math.sin(i / 6):.4f},{i % 5}\n" for i in range(n))
    return prepare(("t,level,cycle\n" + rows).encode(), "series", {"columns": ["level", "cycle"]})


def catalog_of(prepared, id="u-test"):
    info = uploaded_dataset(id, "test", prepared.kind, prepared.data, prepared.summary)
    return {id: info}


def spec_for(prepared, paradigm, cell="gru", options=None, steps=30, **model):
    catalog = catalog_of(prepared)
    spec = parse_spec(
        {
            "dataset": "u-test",
            "paradigm": paradigm,
            "dataset_options": options or {},
            "model": {"cell": cell, "hidden": 16, **model},
            "training": {"steps": steps, "batch_size": 8},
        },
        catalog,
    )
    return spec, catalog["u-test"]


@pytest.mark.parametrize("paradigm", ["many-to-one", "many-to-many", "seq2seq"])
def test_training_windows_never_reach_the_held_out_part(paradigm):
    prepared = series()
    task = SeriesTask(
        prepared.data, {"window": 16, "horizon": 5, "normalize": "standard"}, paradigm, 0.2
    )
    assert task.split == 160
    generator = torch.Generator().manual_seed(0)
    held_out = task.values[task.split :]
    for _ in range(20):
        batch = task.sample(64, generator)
        # No training window holds a held-out value (the series never repeats exactly).
        for row in held_out[:, 0]:
            assert not torch.isclose(batch.x[..., 0], row).any()
            assert not torch.isclose(batch.y[..., 0], row).any()
    v = task.validation
    targets = v.y[..., 0].reshape(-1)
    # Every validation target lies in the held-out part.
    assert all(torch.isclose(held_out[:, 0], t).any() for t in targets)


def test_normalization_statistics_come_from_the_training_part_only():
    prepared = series()
    options = {"window": 16, "horizon": 5, "normalize": "standard"}
    task = SeriesTask(prepared.data, options, "many-to-one", 0.2)
    changed = dict(prepared.data, values=[list(r) for r in prepared.data["values"]])
    for row in changed["values"][160:]:
        row[0] += 10_000  # the future changes wildly
    other = SeriesTask(changed, options, "many-to-one", 0.2)
    assert torch.equal(task.center, other.center) and torch.equal(task.scale, other.scale)
    assert task.values[:160].mean(dim=0).abs().max() < 1e-4  # standardized where trained


def test_a_window_too_long_for_the_series_names_the_option_and_the_rows():
    with pytest.raises(SpecError) as error:
        spec_for(series(n=60), "many-to-one", options={"window": 50})
    assert error.value.details[0]["field"] == "dataset_options.window"
    assert "48" in error.value.message


@pytest.mark.parametrize("paradigm", ["many-to-one", "many-to-many", "seq2seq"])
def test_a_series_trains_and_its_forecast_is_shown_in_the_original_units(paradigm):
    spec, info = spec_for(series(), paradigm, options={"window": 12, "horizon": 6})
    recorder = Recorder()
    outcome = train(spec, info.make(spec.dataset_options, paradigm, 0, 0.2), recorder, probes=True)
    assert outcome.status == "completed", outcome.message
    sample = recorder.samples[-1]
    assert sample["kind"] == "forecast" and sample["step"] == 30
    assert sample["columns"] == ["level", "cycle"]
    actual = sample["actual"]["level"]
    assert 940 < min(actual) and max(actual) < 1060  # original units, not standardized
    forecast = sample["predicted"]["level"]
    assert len(forecast) == len(sample["x"]) - sample["forecast_from"]
    assert all(800 < v < 1200 for v in forecast)  # denormalized too
    assert recorder.probes  # and the probe looked inside


def test_an_uploaded_text_trains_a_language_model_that_writes_samples():
    text = "the quick brown fox jumps over the lazy dog. " * 40
    prepared = prepare(text.encode(), "text")
    for tokens in ("characters", "words"):
        spec, info = spec_for(
            prepared, "many-to-many", cell="lstm", options={"tokens": tokens, "length": 16}
        )
        recorder = Recorder()
        task = info.make(spec.dataset_options, "many-to-many", 0, 0.1)
        assert train(spec, task, recorder, probes=True).status == "completed"
        sample = recorder.samples[-1]
        assert sample["kind"] == "text" and sample["prompt"] and sample["text"]
        if tokens == "words":
            assert set(sample["text"].split()) <= set(task.vocab)


def test_labelled_text_trains_a_classifier_and_a_bag_of_words_with_a_confusion_matrix():
    rows = [
        f'"it was {w} {n}",{lab}' for n in range(30) for w, lab in (("good", "pos"), ("bad", "neg"))
    ]
    prepared = prepare(("text,label\n" + "\n".join(rows)).encode(), "labelled-text")
    for paradigm, cell in (("many-to-one", "gru"), ("one-to-one", "bow")):
        spec, info = spec_for(prepared, paradigm, cell=cell)
        recorder = Recorder()
        task = info.make(spec.dataset_options, paradigm, 0, 0.2)
        assert train(spec, task, recorder, probes=True).status == "completed"
        sample = recorder.samples[-1]
        assert sample["kind"] == "classification" and sample["labels"] == ["neg", "pos"]
        assert sum(map(sum, sample["confusion"])) == len(task.validation.x)
        assert sample["examples"][0]["text"].startswith("it was")


@pytest.mark.parametrize("dataset, rows", [("sunspots", 309), ("co2", 2284)])
def test_the_real_series_are_read_offline_and_train_like_an_upload(dataset, rows):
    from sequences.datasets import CATALOG

    prepared = CATALOG[dataset].preview()
    assert prepared.summary["rows"] == rows and prepared.summary["gaps"]["count"] == 0
    spec = parse_spec(
        {
            "dataset": dataset,
            "paradigm": "seq2seq",
            "dataset_options": {"window": 24, "horizon": 6},
            "model": {"cell": "gru", "hidden": 16},
            "training": {"steps": 20, "batch_size": 8},
        }
    )
    recorder = Recorder()
    assert train(spec, reporter=recorder, probes=True).status == "completed"
    forecast = recorder.samples[-1]
    assert forecast["kind"] == "forecast" and len(forecast["predicted"][dataset]) == 6
    assert forecast["x"][0][:4].isdigit()  # labelled by year or week
