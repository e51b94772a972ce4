"""User text is data in every export. Hostile run names and upload names go through the
script, the report, the CSVs and the config of runs trained by the real worker, and come
out as the text that was typed: never code that runs, markup that renders or a formula."""

import ast
import csv
import io
import json
import urllib.error
import urllib.request
from html.parser import HTMLParser

import pytest

from playground.csv_safety import csv_cell
from playground.runs.models import Run
from playground.runs.report import report_html
from tests.conftest import Browserless, tiny_spec
from tests.sequences.test_export_script import run_script
from tests.uploads.test_uploads_on_the_stack import upload

# Each would write this file if it ran as code.
MARKER = "payload-ran"
HOSTILE = {
    "double-triple-quote": f'x"""; import pathlib; pathlib.Path("{MARKER}").touch(); """',
    "single-triple-quote": f"x'''; import pathlib; pathlib.Path('{MARKER}').touch(); '''",
    # In a docstring, \N{ and \x do not compile; a last backslash escapes what follows.
    "backslashes": "back\\slash \\N{oops} \\x41 \\u12 C:\\new\\",
    # A newline would end a comment and start a statement.
    "newlines": f"two\nimport pathlib; pathlib.Path('{MARKER}').touch()\r\n# lines",
    "markup": '</script><img src=x onerror="alert(1)"><!-- <a href="//evil">',
    "braces": "{{ run.owner_token }} {title} {0} %(name)s {% csrf_token %}",
}
# Upload names arrive through a form that trims them.
UPLOAD_NAME = f'</script><b>up</b>""" ; import pathlib; pathlib.Path("{MARKER}").touch() #'
STEPS = 20


def download(client, path) -> tuple[int, bytes]:
    try:
        with client.opener.open(client.base_url + path, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture(scope="module")
def runs(stack) -> dict:
    """One finished run per hostile name (and one named by its upload), trained by the
    real worker: {case: (client, run as the API answers it, the name it should show)}."""
    client = Browserless(stack.url)
    started = {}
    for case, name in HOSTILE.items():
        status, run = client.post("/api/runs", {**tiny_spec(steps=STEPS), "name": name})
        assert status == 201, run
        started[case] = (run["id"], name)
    texts = "".join(
        f'"{w} was {"good" if i % 2 else "bad"}",{i % 2}\n' for i, w in enumerate("ab" * 40)
    )
    status, dataset = upload(
        client,
        "texts.csv",
        ("text,label\n" + texts).encode(),
        kind="labelled-text",
        name=UPLOAD_NAME,
    )
    assert status == 201, dataset
    assert dataset["name"] == UPLOAD_NAME
    spec = {
        "dataset": dataset["id"],
        "model": {"cell": "gru", "hidden": 8},
        "training": {"steps": STEPS, "batch_size": 8},
    }
    status, run = client.post("/api/runs", spec)
    assert status == 201, run
    # A run without a name is called by its cell and its dataset's name.
    started["upload-name"] = (run["id"], "GRU on " + UPLOAD_NAME)
    done = {}
    for case, (run_id, name) in started.items():
        finished = client.wait_for_status(run_id, {"completed", "failed"}, timeout=600)
        assert finished["status"] == "completed", finished["error"]
        done[case] = (client, finished, name)
    return done


CASES = [*HOSTILE, "upload-name"]
pytestmark = pytest.mark.stack


@pytest.mark.parametrize("case", CASES)
def test_an_exported_script_trains_and_never_runs_the_name(runs, case, tmp_path):
    client, run, name = runs[case]
    status, body = download(client, f"/api/runs/{run['id']}/export/script")
    assert status == 200
    source = body.decode()
    # The name is one string literal, nothing else.
    literals = [n.value for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Constant)]
    assert name in literals
    printed = run_script(tmp_path, source)
    assert f"step {STEPS}:" in printed and "validation loss" in printed
    assert not (tmp_path / MARKER).exists()


class Page(HTMLParser):
    """Every element with its attributes, and the text inside each element."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.open: list[str] = []
        self.texts: dict[str, list[str]] = {}

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        self.open.append(tag)

    def handle_endtag(self, tag):
        if tag in self.open:
            del self.open[len(self.open) - 1 - self.open[::-1].index(tag) :]

    def handle_data(self, data):
        if self.open:
            self.texts.setdefault(self.open[-1], []).append(data)


def parsed_report(client, run_id) -> Page:
    status, body = download(client, f"/api/runs/{run_id}/export/report")
    assert status == 200
    page = Page()
    page.feed(body.decode())
    page.close()
    return page


@pytest.mark.parametrize("case", CASES)
def test_the_report_shows_the_name_as_text_and_adds_no_markup(runs, case, django_db_blocker):
    client, run, name = runs[case]
    page = parsed_report(client, run["id"])
    assert "".join(page.texts["h1"]) == name
    assert "".join(page.texts["title"]) == name
    # The same elements as the same run's report under a plain name: nothing was injected.
    plain = Page()
    plain.feed(report_renamed(run["id"], "plain", django_db_blocker))
    assert [tag for tag, _ in page.elements] == [tag for tag, _ in plain.elements]
    assert not [a for _, attrs in page.elements for a in attrs if a.startswith("on")]
    assert not [attrs for tag, attrs in page.elements if tag in ("img", "a", "b")]


def report_renamed(run_id: str, name: str, django_db_blocker) -> str:
    """The stored run's report, were it named otherwise."""
    with django_db_blocker.unblock():
        run = Run.objects.get(id=run_id)
        run.spec["name"] = name
        return report_html(run)


@pytest.mark.parametrize("case", HOSTILE)
def test_the_config_carries_the_name_as_json(runs, case):
    client, run, name = runs[case]
    status, body = download(client, f"/api/runs/{run['id']}/export/config")
    assert status == 200 and json.loads(body) == run["spec"]
    assert json.loads(body)["name"] == name


def test_the_metrics_csv_keeps_numbers_as_numbers(runs):
    client, run, _ = runs["markup"]
    status, body = download(client, f"/api/runs/{run['id']}/export/metrics")
    assert status == 200
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    assert len(rows) >= 1 and rows[-1]["step"] == str(STEPS)
    for row in rows:
        for column, cell in row.items():
            assert cell == "" or float(cell) == float(cell), (column, cell)  # a number, as is


def stored_runs_named(name: str, django_db_blocker) -> int:
    # Compared here, not in a query: PostgreSQL cannot even compare a JSON value holding a
    # NUL or a lone surrogate, the very names these tests send.
    with django_db_blocker.unblock():
        return sum(spec.get("name") == name for spec in Run.objects.values_list("spec", flat=True))


def test_a_name_over_the_limit_is_a_clear_422_and_nothing_is_stored(live, django_db_blocker):
    name = "n" * 10_000
    status, answer = live.post("/api/runs", {**tiny_spec(steps=STEPS), "name": name})
    assert status == 422 and "name" in answer["error"]
    assert stored_runs_named(name, django_db_blocker) == 0


def test_an_upload_name_over_the_limit_is_cut_and_exports_still_work(live, tmp_path):
    rows = "".join(f"{i},{(i * 7) % 11 - 5}\n" for i in range(200))
    name = '"""' + "\\" * 9_000 + "<" * 997
    status, dataset = upload(live, "long.csv", ("t,v\n" + rows).encode(), kind="series", name=name)
    assert status == 201, dataset
    assert dataset["name"] == name[:100]
    spec = {"dataset": dataset["id"], "paradigm": "many-to-one", "dataset_options": {"window": 8}}
    spec |= {"model": {"cell": "gru", "hidden": 8}, "training": {"steps": STEPS, "batch_size": 8}}
    status, run = live.post("/api/runs", spec)
    assert status == 201, run
    run = live.wait_for_status(run["id"], {"completed", "failed"}, timeout=600)
    assert run["status"] == "completed", run["error"]
    status, body = download(live, f"/api/runs/{run['id']}/export/script")
    run_script(tmp_path, body.decode())
    assert "".join(parsed_report(live, run["id"]).texts["h1"]) == "GRU on " + name[:100]


def test_a_nul_in_a_name_is_refused_and_nothing_is_stored(live, django_db_blocker):
    """PostgreSQL stores no NUL: a name that holds one gets a clear 400, whatever the database."""
    from playground.datasets.models import Dataset

    name = "nul\x00byte"
    status, answer = live.post("/api/runs", {**tiny_spec(steps=STEPS), "name": name})
    assert status == 400 and "NUL" in answer["error"], answer
    assert stored_runs_named(name, django_db_blocker) == 0
    status, answer = upload(live, "data.csv", b"t,v\n1,2\n2,3\n3,4\n", kind="series", name=name)
    assert status == 400 and "NUL" in answer["error"], answer
    with django_db_blocker.unblock():
        assert not Dataset.objects.filter(name__contains="nul").exists()


# ---- the workshop's results -----------------------------------------------------------
FORMULAS = ['=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(A1:A2)", "=1"]


def test_the_workshop_results_neutralise_formulas_and_keep_numbers(client_of):
    teacher = client_of()
    preset = tiny_spec(steps=STEPS)
    status, made = teacher.post("/api/workshops", {"title": "=cmd|' /C calc'!A0", "preset": preset})
    assert status == 201, made
    code = made["code"]
    run_ids = []
    for name in FORMULAS:
        student = client_of()
        assert student.post(f"/api/workshops/{code}/join", {"name": name})[0] == 201
        status, run = student.post("/api/runs", preset)
        assert status == 201, run
        run_ids.append(run["id"])
    for run_id in run_ids:
        assert teacher.wait_for_status(run_id, {"completed"}, timeout=600)["status"] == "completed"
    status, body = download(teacher, f"/api/workshops/{code}/results")
    assert status == 200
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    assert [row["participant"] for row in rows] == ["'" + name for name in FORMULAS]
    assert [row["run"] for row in rows] == [csv_cell(run_id) for run_id in run_ids]
    for row in rows:
        # Numbers stay numbers: no quote in front.
        assert float(row["best_val_loss"]) > 0 and float(row["final_val_loss"]) > 0
        assert int(row["parameters"]) > 0 and int(row["steps"]) == STEPS


@pytest.mark.parametrize(
    "value, cell",
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=1", "a=1"),
        ("", ""),
        (-0.5, -0.5),
        (-3, -3),
        (None, None),
    ],
)
def test_a_csv_cell_is_neutralised_only_when_it_is_text(value, cell):
    assert csv_cell(value) == cell


def test_a_name_that_utf8_cannot_carry_is_a_clear_422(live, django_db_blocker):
    """JSON can carry a lone surrogate; UTF-8 (every download) cannot."""
    name = "lone \ud800 surrogate"
    status, answer = live.post("/api/runs", {**tiny_spec(steps=STEPS), "name": name})
    assert status == 422 and "name" in answer["error"]
    assert stored_runs_named(name, django_db_blocker) == 0
