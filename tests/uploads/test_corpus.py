"""Every malformed file in corpus/ gets the answer expected.json names, through the real
upload endpoint, and nothing is stored for it."""

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from playground.datasets.models import Dataset

CORPUS = Path(__file__).parent / "corpus"
EXPECTED = json.loads((CORPUS / "expected.json").read_text())


def test_the_corpus_is_large_and_every_file_has_an_answer():
    files = {p.name for p in CORPUS.iterdir() if p.name != "expected.json"}
    assert files == set(EXPECTED)
    assert len(files) >= 25


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_malformed_upload_is_refused_with_a_message_that_names_the_problem(client, name):
    expected = EXPECTED[name]
    form = {
        "file": SimpleUploadedFile(name, (CORPUS / name).read_bytes()),
        "kind": expected["kind"],
    }
    form.update(expected.get("choices", {}))
    answer = client.post("/api/datasets", form)
    body = answer.json()
    print(name, answer.status_code, body)
    assert answer.status_code == expected["status"]
    assert expected["contains"] in body["error"]
    if "offers" in expected:
        assert body["choices"]["missing"] == expected["offers"]
    assert Dataset.objects.count() == 0
