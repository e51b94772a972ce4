"""The build page's live check speaks a person's words, names the cells that cannot run
with the task and paradigm and the choices the chosen cell cannot take, and knows a
workshop participant's quotas; a generated task shows a few examples with their targets."""

import pytest

from playground.runs.models import Run


def check(client, spec: dict) -> dict:
    answer = client.post("/api/runs/check", spec, content_type="application/json")
    assert answer.status_code == 200
    return answer.json()


@pytest.mark.django_db
def test_every_invalid_setting_is_named_by_its_label_in_plain_words(client):
    answer = check(client, {"model": {"hidden": 5000, "layers": 0}, "training": {"lr": "x"}})
    assert answer["ok"] is False
    problems = {p["field"]: (p["label"], p["message"]) for p in answer["problems"]}
    assert problems == {
        "model.hidden": ("Hidden size", "At most 1024"),
        "model.layers": ("Layers", "At least 1"),
        "training.lr": ("Learning rate", "A number, please"),
    }
    # The raw details stay as they were for scripts.
    assert {d["field"] for d in answer["details"]} == set(problems)


@pytest.mark.django_db
def test_the_cells_a_task_cannot_train_come_with_the_reason(client):
    adding = check(client, {"dataset": "adding"})
    assert adding["ok"] is True
    assert list(adding["unavailable"]["model.cell"]) == ["bow"]
    assert "One to one" in adding["unavailable"]["model.cell"]["bow"]
    one_to_one = check(client, {"dataset": "sentiment", "paradigm": "one-to-one"})
    assert sorted(one_to_one["unavailable"]["model.cell"]) == [
        "gru",
        "lstm",
        "mingru",
        "minlstm",
        "rnn",
        "ssm",
        "transformer",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("cell, name", [("mingru", "minGRU"), ("ssm", "Selective SSM")])
def test_a_parallel_cell_greys_out_initialisation_and_reading_backwards_with_why(
    client, cell, name
):
    answer = check(client, {"dataset": "adding", "model": {"cell": cell}})
    assert answer["ok"] is True
    init = answer["unavailable"]["training.init"]
    assert sorted(init) == ["identity", "orthogonal", "xavier"]
    assert init["xavier"].startswith(f"{name}") and "has no recurrent matrix W_hh" in init["xavier"]
    backwards = answer["unavailable"]["model.bidirectional"]["true"]
    assert backwards.startswith(f"{name}") and "reads forwards only" in backwards


@pytest.mark.django_db
def test_a_classic_cell_keeps_every_initialisation_and_reads_backwards_where_it_may(client):
    answer = check(client, {"dataset": "adding", "model": {"cell": "lstm"}})
    assert set(answer["unavailable"]) == {"model.cell"}


@pytest.mark.django_db
def test_reading_backwards_is_greyed_out_where_it_would_show_the_answer(client):
    answer = check(client, {"dataset": "stories", "model": {"cell": "gru"}})
    assert "training.init" not in answer["unavailable"]
    backwards = answer["unavailable"]["model.bidirectional"]["true"]
    assert backwards == (
        "This task predicts each next step, so reading backwards would show the model the answer"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("dataset, paradigm", [("wave", "one-to-many"), ("sine", "one-to-one")])
def test_a_transformer_is_offered_where_the_task_has_one_input(client, dataset, paradigm):
    answer = check(
        client, {"dataset": dataset, "paradigm": paradigm, "model": {"cell": "transformer"}}
    )
    assert answer["ok"] is True
    assert list(answer["unavailable"]["model.cell"]) == ["bow"]


@pytest.mark.django_db
def test_a_participant_hears_the_workshop_quota_before_pressing_train(client):
    made = client.post(
        "/api/workshops",
        {"title": "Small", "quotas": {"max_steps": 100}, "locked": ["model.cell"]},
        content_type="application/json",
    ).json()
    code = made["join_url"].rstrip("/").split("/")[-1]
    joined = client.post(
        f"/api/workshops/{code}/join", {"name": "Ada"}, content_type="application/json"
    )
    assert joined.status_code == 201
    over = check(client, {"training": {"steps": 500}})
    assert over["ok"] is False
    assert over["problems"] == [
        {
            "field": "training.steps",
            "label": "Steps",
            "message": "This workshop allows at most 100 steps a run, not 500.",
        }
    ]
    locked = check(client, {"model": {"cell": "gru"}, "training": {"steps": 50}})
    assert locked["problems"][0]["label"] == "Cell"
    assert check(client, {"training": {"steps": 50}})["ok"] is True
    assert Run.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("dataset", ["adding", "copy", "reverse", "sentiment", "sine", "wave"])
def test_a_generated_task_shows_examples_with_their_targets(client, dataset):
    preview = client.get(f"/api/datasets/{dataset}").json()["preview"]
    assert len(preview["examples"]) == 4
    for example in preview["examples"]:
        assert set(example) == {"input", "target"}
    if dataset == "adding":
        for example in preview["examples"]:
            steps = example["input"]["values"]
            marked = [value for value, marker in steps if marker == 1.0]
            assert len(marked) == 2
            assert example["target"]["values"][0][0] == pytest.approx(sum(marked), abs=0.02)
    if dataset == "reverse":
        first = preview["examples"][0]
        assert first["target"]["tokens"] == first["input"]["tokens"][::-1]
    if dataset == "sentiment":
        assert preview["examples"][0]["target"]["label"] in ("positive", "negative")
