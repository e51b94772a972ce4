"""GET /api/openapi.json: the JSON API described for other programs.

Every route under /api/ is here with each method it answers and each status it can
return; tests/playground/test_openapi.py checks this against the URL patterns.
"""

from django.http import JsonResponse

from playground.api import MAX_INT, endpoint
from playground.datasets.progress import PHASES
from playground.page_constants import CONSTANTS
from playground.runs.exports import EXPORTS
from playground.workshops.views import JoinRequest, WorkshopRequest
from sequences.predict import PredictRequest
from sequences.probes.asking import LookRequest
from sequences.spec import RunSpec
from sequences.uploads import KINDS

SCHEMAS = "#/components/schemas/{model}"
ERROR = {"$ref": "#/components/schemas/Error"}
RUN_SPEC = {"$ref": "#/components/schemas/RunSpec"}
PRESET = {"type": "object", "description": "a partial run spec (RunSpec): defaults fill the rest"}
SETTINGS = {"type": "array", "items": {"type": "string"}, "maxItems": 50}

REASONS = {
    400: "The body is not JSON (or a form field is missing)",
    403: "Not allowed: not the owner, not the instructor, a closed workshop or its lock",
    404: "There is no such thing (check the link)",
    409: "Not in this state (the run is still active, or has ended, or has no weights)",
    413: "Too large: an upload over 5 MB, or any other body over 2.5 MB",
    415: "Not a file the playground can read (binary, JSON instead of CSV, ...)",
    422: "Well-formed but invalid: the error names the field",
    429: "A quota is full, or too many wrong workshop codes came from this address: the "
    "error says which and what to do",
    503: "A service the answer needs is down or busy (Redis, no worker, every upload "
    "checker busy): the error says so; try again",
}


def answer(description, schema=None, media="application/json"):
    return {
        "description": description,
        "content": {media: {"schema": schema or {"type": "object"}}},
    }


def errors(*codes):
    return {str(code): answer(REASONS[code], ERROR) for code in codes}


def json_body(schema):
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def obj(required=(), **properties):
    return {"type": "object", "required": list(required), "properties": properties}


def path_parameter(name, **schema):
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string", **schema}}


def header(name, description):
    return {"name": name, "in": "header", "schema": {"type": "string"}, "description": description}


STRING, INTEGER, BOOLEAN = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
RUN_ID = path_parameter("run_id")
CODE = path_parameter("code")
DATASET_ID = path_parameter("dataset_id")
WHAT = path_parameter("what", enum=list(EXPORTS))
AFTER = {
    "name": "after",
    "in": "query",
    "schema": {"type": "integer", "minimum": 0, "maximum": MAX_INT},
}
OWNER_TOKEN = header("X-Owner-Token", "for scripts: the owner_token from POST /api/runs")
INSTRUCTOR_KEY = header("X-Instructor-Key", "for scripts: the key in the instructor_url")
STATUS = {"enum": [*CONSTANTS["statuses"]["active"], *CONSTANTS["statuses"]["finished"]]}

UPLOAD = {
    "type": "object",
    "required": ["file", "kind"],
    "properties": {
        "file": {"type": "string", "format": "binary", "description": "at most 5 MB, UTF-8"},
        "kind": {"enum": list(KINDS)},
        "name": STRING,
        "columns": {"type": "string", "description": "series: value columns, comma-separated"},
        "time_column": STRING,
        "text_column": STRING,
        "label_column": STRING,
        "missing": {"enum": ["refuse", "drop", "interpolate"]},
        "progress": {
            "type": "string",
            "pattern": "^[A-Za-z0-9_-]{16,64}$",
            "description": "a random token: GET /api/uploads/{token}/progress then tells how "
            "far the check has come",
        },
    },
}
UPLOAD_PROGRESS = obj(
    ["token", "phase"],
    token=STRING,
    phase={"enum": list(PHASES)},
    rows={"type": "integer", "description": "reading: rows read so far; checking: rows read"},
)
RUN_CREATED = obj(
    ["id", "url", "ws", "status", "owner_token"],
    id=STRING,
    url=STRING,
    ws=STRING,
    status=STATUS,
    owner_token=STRING,
)
RUN = obj(
    ["id", "status", "spec", "progress", "result", "error"],
    id=STRING,
    status=STATUS,
    spec={"type": "object"},
    progress=obj(["step", "total_steps"], step=INTEGER, total_steps=INTEGER),
    result={"type": ["object", "null"]},
    error={"type": ["string", "null"]},
    created_at=STRING,
    started_at={"type": ["string", "null"]},
    finished_at={"type": ["string", "null"]},
    queue={
        **obj(["ahead", "training"], ahead=INTEGER, training=INTEGER),
        "description": "only while the run is queued: how many queued runs go before it, "
        "and how many runs are training now",
    },
)
EVENT = obj(
    ["seq", "type", "time"],
    seq=INTEGER,
    type=STRING,
    time={
        "type": ["number", "array"],
        "items": {"type": "integer"},
        "description": "unix seconds; on a probe event, the kept time steps (its heatmaps' "
        "axis), which take the place of the timestamp",
    },
    status={**STATUS, "description": "status events: the run's new status"},
    message={
        "type": "string",
        "description": "status events, where there is more to say: why it failed or was "
        "cancelled, or, for a running run going back to `queued` because its worker was "
        'lost or shut down, why and the step it resumes from ("...; resuming from step '
        '1200." or "...; starting again from step 0."): the steps after it are logged '
        "again, and their metrics points replace the earlier ones from that step on",
    },
)
DELETED = obj(["id", "deleted"], id=STRING, deleted=BOOLEAN)
A_RUN = obj(["run"], run={"type": "string", "description": "a run of this workshop"})
JSON = "application/json"
FILES = {
    "config": JSON,
    "metrics": "text/csv",
    "weights": "application/octet-stream",
    "script": "text/x-python",
    "report": "text/html",
}


def instructor_action(summary, body, done, *codes):
    return {
        "post": {
            "summary": summary + " (instructor only)",
            "parameters": [CODE, INSTRUCTOR_KEY],
            **({"requestBody": json_body(body)} if body else {}),
            # Every action looks the code up: wrong codes are limited per address (429).
            "responses": {**done, **errors(*codes, 429)},
        }
    }


PATHS = {
    "/api/health": {
        "get": {
            "summary": "Is the stack ready? ok, redis, workers, and the workers on each run "
            "queue (503 with error when not)",
            "responses": {
                "200": answer(
                    "Ready",
                    obj(
                        ["ok", "redis", "workers", "queues"],
                        ok=BOOLEAN,
                        redis=BOOLEAN,
                        workers=INTEGER,
                        queues={
                            **obj(["cpu", "gpu"], cpu=INTEGER, gpu=INTEGER),
                            "description": "Live workers on the CPU and the GPU run queues "
                            "(a worker on both counts in each)",
                        },
                    ),
                ),
                **errors(503),
            },
        }
    },
    "/api/openapi.json": {
        "get": {"summary": "This document", "responses": {"200": answer("OpenAPI 3")}}
    },
    "/api/datasets": {
        "get": {
            "summary": "Built-in datasets and this browser's uploads",
            "responses": {
                "200": answer(
                    "Datasets",
                    obj(["datasets"], datasets={"type": "array", "items": {"type": "object"}}),
                )
            },
        },
        "post": {
            "summary": "Upload a text or CSV file (checked, previewed, stored prepared)",
            "requestBody": {
                "required": True,
                "content": {"multipart/form-data": {"schema": UPLOAD}},
            },
            "responses": {
                "201": answer("The dataset with its preview"),
                **errors(400, 413, 415, 422, 429, 503),
            },
        },
    },
    "/api/uploads/{token}/progress": {
        "get": {
            "summary": "How far the check of an upload sent with this progress token has come "
            "(waiting, reading, checking, storing, then done or failed; kept 10 minutes)",
            "parameters": [path_parameter("token", pattern="^[A-Za-z0-9_-]{16,64}$")],
            "responses": {
                "200": answer("The upload's progress", UPLOAD_PROGRESS),
                **errors(400, 404, 503),
            },
        }
    },
    "/api/datasets/{dataset_id}": {
        "get": {
            "summary": "A dataset with its preview (a task generated in code: a few "
            "examples, each input with its target)",
            "parameters": [DATASET_ID],
            "responses": {"200": answer("The dataset"), **errors(404)},
        },
        "delete": {
            "summary": "Remove an upload (its uploader only; not while a run trains on it)",
            "parameters": [DATASET_ID],
            "responses": {"200": answer("Deleted", DELETED), **errors(403, 404, 409)},
        },
    },
    "/api/runs": {
        "post": {
            "summary": "Queue a training run (a workshop participant's obeys its locks and quotas)",
            "requestBody": json_body(RUN_SPEC),
            "responses": {
                "201": answer("Queued", RUN_CREATED),
                **errors(400, 403, 413, 422, 429, 503),
            },
        }
    },
    "/api/runs/check": {
        "post": {
            "summary": "Validate a run spec without starting it: its size, or why it cannot run",
            "requestBody": json_body(RUN_SPEC),
            "responses": {
                "200": answer(
                    "ok true, spec, parameters, activation_mib; or ok false, error, details "
                    "and problems (each {field, label, message}: every invalid setting in a "
                    "person's words, with its control's label). Both carry unavailable: "
                    '{"model.cell": {cell: why}}, the cells the task and paradigm cannot '
                    'train, and {"training.init": {choice: why}, "model.bidirectional": '
                    '{"true": why}} where the chosen cell cannot take those choices (the '
                    "parallel-scan cells mingru, minlstm and ssm have no W_hh to initialise "
                    "and read forwards only). A workshop participant's spec is checked "
                    "against the workshop's locks and quotas too (its refusal comes as ok "
                    "false)"
                ),
                **errors(400, 413),
            },
        }
    },
    "/api/runs/{run_id}": {
        "get": {
            "summary": "A run's status, progress and result",
            "parameters": [RUN_ID],
            "responses": {"200": answer("The run", RUN), **errors(404)},
        },
        "delete": {
            "summary": "Delete a finished run with its events and weights (owner only)",
            "parameters": [RUN_ID, OWNER_TOKEN],
            "responses": {"200": answer("Deleted", DELETED), **errors(403, 404, 409)},
        },
    },
    "/api/runs/{run_id}/events": {
        "get": {
            "summary": "The run's stored events after a seq",
            "parameters": [RUN_ID, AFTER],
            "responses": {
                "200": answer(
                    "Events",
                    obj(
                        ["status", "events"],
                        status=STATUS,
                        events={"type": "array", "items": EVENT},
                    ),
                ),
                **errors(400, 404),
            },
        }
    },
    "/api/runs/{run_id}/checkpoints": {
        "get": {
            "summary": "The steps whose weights the run keeps: a few, spread early to late "
            "(a running run adds one every few seconds and thins them; its final step once "
            "it has finished)",
            "parameters": [RUN_ID],
            "responses": {
                "200": answer(
                    "Kept steps", obj(["steps"], steps={"type": "array", "items": INTEGER})
                ),
                **errors(404),
            },
        }
    },
    "/api/runs/{run_id}/cancel": {
        "post": {
            "summary": "Ask a run to stop (owner only)",
            "parameters": [RUN_ID, OWNER_TOKEN],
            "responses": {
                "202": answer("Cancelling", obj(["id", "status"], id=STRING, status=STATUS)),
                **errors(403, 404, 409),
            },
        }
    },
    "/api/runs/{run_id}/predict": {
        "post": {
            "summary": "Try a finished run's model: write, classify, forecast, add, copy or "
            "reverse",
            "description": "Text answers list every typed token with whether the model knows "
            "it (tokens, unknown); a classifier that read only <unk> says so (caution). The "
            "adding problem takes input as [value, marker] rows and answers with expected "
            "and marked beside output; copy and reverse take a string of symbols (0-9, a-z, "
            "A-Z) and answer with read, expected and correct.",
            "parameters": [RUN_ID],
            "requestBody": json_body({"$ref": "#/components/schemas/PredictRequest"}),
            "responses": {
                "200": answer("The answer: output, and what else the kind gives"),
                **errors(400, 404, 409, 413, 422),
            },
        }
    },
    "/api/runs/{run_id}/look": {
        "post": {
            "summary": "Look inside a run's model on any input, at any kept checkpoint, with "
            "interventions and one step's arithmetic",
            "description": "input: text (text tasks, copy, reverse), a list of numbers (a "
            "series), or [value, marker] rows (adding); absent: the run's probe sequence. "
            "step: a kept checkpoint (GET /api/runs/{run_id}/checkpoints), the last by "
            "default. interventions (at most 8), each on the chosen steps (all by default): "
            "clamp a gate (LSTM input/forget/candidate/output or i/f/g/o, GRU reset/update/"
            "candidate or r/z/n, RNN preactivation, minGRU update/candidate or z/h~, minLSTM "
            "forget/input/candidate or f/i/h~, SSM step or delta, its Δ_t) on chosen units; "
            "set a hidden unit's h_t (unit; an SSM layer's output); mask an attention head "
            "(head, with attention self/decoder/cross). explain (every recurrent reader): "
            "{t, layer, units} answers each unit's terms: LSTM x_term, h_term, bias "
            "and pre per gate, i, f, g, o, c_prev, c, tanh_c, h_prev, h; GRU x_term, h_term, "
            "bias_x, bias_h and pre per gate, r, z, n, h_prev, h; RNN x_term, h_term, bias, "
            "pre, h_prev, h. The answer: step, probe (a probe event's data), output (shaped "
            "as predict answers), and with interventions before {probe, output} and, for "
            "recurrent models, difference (after minus before per state heatmap). Where an "
            "input's truth is unknown, the probe's loss is taken against the model's own "
            "answer. Interventions work on recurrent readers and transformers; explain on "
            "recurrent readers (minGRU: x_term, bias and pre per gate z and h~, then "
            "z, h~, h_prev, h; minLSTM: the same for f, i and h~, then f, i, f', i', h~, h_prev, "
            "h; SSM, per channel: u, step_pre, step, states (per state number n: A, decay, B, "
            "written, h_prev, h, C, read), D, y, z, silu_z, gated, out); a bag of words and "
            "encoder-decoders take a what-if input. "
            "Read-only: anyone with the run's link may look. A look runs in the web "
            "process, so one whose parameters x input steps (x2 with interventions) exceed "
            "LOOK_MAX_COST (2e8 by default) is refused with a 422 saying so.",
            "parameters": [RUN_ID],
            "requestBody": json_body({"$ref": "#/components/schemas/LookRequest"}),
            "responses": {
                "200": answer(
                    "The look",
                    obj(
                        ["step", "probe", "output"],
                        step=INTEGER,
                        probe={"type": "object"},
                        output={"type": "object"},
                        before=obj(["probe", "output"]),
                        difference=obj(["time", "heatmaps"]),
                        explain={"type": "object"},
                    ),
                ),
                **errors(400, 404, 409, 413, 422),
            },
        }
    },
    "/api/runs/{run_id}/export/{what}": {
        "get": {
            "summary": "Download the settings, metrics, weights, a PyTorch script or a report",
            "parameters": [RUN_ID, WHAT],
            "responses": {
                "200": {
                    "description": "The file, as an attachment",
                    # The config is a JSON object (the run spec); the rest are files.
                    "content": {
                        media: {"schema": {"type": "object" if media == JSON else "string"}}
                        for media in FILES.values()
                    },
                },
                # The script and report are built in the work pool, which may be full.
                **errors(404, 409, 503),
            },
        }
    },
    "/api/workshops": {
        "post": {
            "summary": "Host a workshop: title, preset, locked, hidden, quotas",
            "requestBody": json_body({"$ref": "#/components/schemas/WorkshopRequest"}),
            "responses": {
                "201": answer(
                    "The join code and links",
                    obj(
                        ["code", "join_url", "instructor_url", "board_ws"],
                        code=STRING,
                        join_url=STRING,
                        instructor_url=STRING,
                        board_ws=STRING,
                    ),
                ),
                **errors(400, 413, 422),
            },
        }
    },
    "/api/workshops/{code}": {
        "get": {
            "summary": "A workshop's board: participants and runs",
            "description": "Also `curves` (each run's validation curve, `{run id: [[step, "
            "loss], ...]}`, at most 100 points a run) and `baselines` (`{task: loss}`, the "
            "validation loss of always guessing the mean, where a task defines one). On the "
            "board socket, each `run` update carries `points`: the run's newest validation "
            "points, which extend its curve.",
            "parameters": [CODE],
            "responses": {"200": answer("The workshop"), **errors(404, 429)},
        }
    },
    "/api/workshops/{code}/join": {
        "post": {
            "summary": "Join with a display name (this browser's runs then belong here)",
            "parameters": [CODE],
            "requestBody": json_body({"$ref": "#/components/schemas/JoinRequest"}),
            "responses": {
                "201": answer(
                    "The participant",
                    obj(["participant", "board_ws"], participant=INTEGER, board_ws=STRING),
                ),
                **errors(400, 403, 404, 413, 422, 429),
            },
        }
    },
    "/api/workshops/{code}/stop": instructor_action(
        "Stop a run", A_RUN, {"202": answer("Stopping")}, 400, 403, 404, 409, 413
    ),
    "/api/workshops/{code}/spotlight": instructor_action(
        "Show one run on every screen (run null clears it)",
        obj(["run"], run={"type": ["string", "null"]}),
        {"200": answer("The spotlight")},
        400,
        403,
        404,
        413,
    ),
    "/api/workshops/{code}/preset": instructor_action(
        "Push a new preset",
        obj(["preset"], preset=PRESET, locked=SETTINGS, hidden=SETTINGS),
        {"200": answer("The preset, as the board shows it")},
        400,
        403,
        404,
        413,
        422,
    ),
    "/api/workshops/{code}/close": instructor_action(
        "Close the workshop", None, {"200": answer("Closed")}, 403, 404
    ),
    "/api/workshops/{code}/results": {
        "get": {
            "summary": "Every run of the workshop as CSV (instructor only)",
            "parameters": [CODE, INSTRUCTOR_KEY],
            "responses": {
                "200": answer("CSV", {"type": "string"}, "text/csv"),
                **errors(403, 404, 429),
            },
        }
    },
}


def schemas() -> dict:
    """The request models, from the pydantic models the views validate with."""
    found = {}
    for name, model in [
        ("RunSpec", RunSpec),
        ("PredictRequest", PredictRequest),
        ("LookRequest", LookRequest),
        ("WorkshopRequest", WorkshopRequest),
        ("JoinRequest", JoinRequest),
    ]:
        schema = model.model_json_schema(ref_template=SCHEMAS)
        found.update(schema.pop("$defs", {}))
        found[name] = schema
    found["Error"] = obj(["error"], error=STRING)
    return found


# A change sent with the browser's session cookie must come from the app's own pages
# (Django's CSRF token); any change from another origin is refused. Scripts that send no
# cookie are never refused for it.
CHANGES = ("post", "put", "patch", "delete")
REFUSED_ACROSS_ORIGINS = answer(
    "Refused: not the owner or instructor, a workshop's rule, or a change that did not "
    "come from the playground's own pages (another origin, or a session cookie without "
    "its CSRF token)",
    ERROR,
)


def with_origin_refusals(paths: dict) -> dict:
    """Every change may be refused with 403 for where it came from."""
    return {
        path: {
            method: {**op, "responses": {"403": REFUSED_ACROSS_ORIGINS, **op["responses"]}}
            if method in CHANGES
            else op
            for method, op in operations.items()
        }
        for path, operations in paths.items()
    }


@endpoint("GET")
def openapi(request):
    document = {
        "openapi": "3.1.0",
        "info": {
            "title": "Sequence-model playground",
            "version": "1",
            "description": "Every error is a 4xx (or 503) with a sentence in `error`. "
            "A method an address does not list gets 405 with an Allow header.",
        },
        "paths": with_origin_refusals(PATHS),
        "components": {"schemas": schemas()},
    }
    return JsonResponse(document)
