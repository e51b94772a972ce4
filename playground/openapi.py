"""GET /api/openapi.json: the JSON API described for other programs."""

from django.http import JsonResponse

from playground.api import endpoint
from sequences.spec import RunSpec

ERROR = {"$ref": "#/components/schemas/Error"}


def answer(description, schema=None):
    content = {"application/json": {"schema": schema or {"type": "object"}}}
    return {"description": description, "content": content}


def errors(*codes):
    return {str(code): answer("An error a person can act on", ERROR) for code in codes}


RUN_ID = {"name": "run_id", "in": "path", "required": True, "schema": {"type": "string"}}
CODE = {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}
DATASET_ID = {"name": "dataset_id", "in": "path", "required": True, "schema": {"type": "string"}}
UPLOAD = {
    "type": "object",
    "required": ["file", "kind"],
    "properties": {
        "file": {"type": "string", "format": "binary", "description": "at most 5 MB, UTF-8"},
        "kind": {"enum": ["text", "labelled-text", "series"]},
        "name": {"type": "string"},
        "columns": {"type": "string", "description": "series: value columns, comma-separated"},
        "time_column": {"type": "string"},
        "text_column": {"type": "string"},
        "label_column": {"type": "string"},
        "missing": {"enum": ["refuse", "drop", "interpolate"]},
    },
}
AFTER = {"name": "after", "in": "query", "schema": {"type": "integer", "minimum": 0}}

PATHS = {
    "/api/health": {
        "get": {
            "summary": "Is the stack ready?",
            "responses": {"200": answer("Ready"), **errors(503)},
        }
    },
    "/api/datasets": {
        "get": {
            "summary": "Built-in datasets and this browser's uploads",
            "responses": {"200": answer("Datasets")},
        },
        "post": {
            "summary": "Upload a text or CSV file (checked, previewed, stored prepared)",
            "requestBody": {
                "required": True,
                "content": {"multipart/form-data": {"schema": UPLOAD}},
            },
            "responses": {
                "201": answer("The dataset with its preview"),
                **errors(400, 413, 415, 422),
            },
        },
    },
    "/api/datasets/{dataset_id}": {
        "get": {
            "summary": "A dataset with its preview",
            "parameters": [DATASET_ID],
            "responses": {"200": answer("The dataset"), **errors(404)},
        },
        "delete": {
            "summary": "Remove an upload (its uploader only)",
            "parameters": [DATASET_ID],
            "responses": {"200": answer("Deleted"), **errors(403, 404, 409)},
        },
    },
    "/api/workshops": {
        "post": {
            "summary": "Host a workshop: title, preset, locked, hidden, quotas",
            "responses": {"201": answer("The join code and links"), **errors(400, 422)},
        }
    },
    "/api/workshops/{code}": {
        "get": {
            "summary": "A workshop's board: participants and runs",
            "parameters": [CODE],
            "responses": {"200": answer("The workshop"), **errors(404)},
        }
    },
    "/api/workshops/{code}/join": {
        "post": {
            "summary": "Join with a display name (this browser's runs then belong here)",
            "parameters": [CODE],
            "responses": {"201": answer("The participant"), **errors(400, 403, 404, 422)},
        }
    },
    **{
        f"/api/workshops/{{code}}/{action}": {
            "post": {
                "summary": summary + " (instructor only)",
                "parameters": [CODE],
                "responses": {"200": answer("Done"), **errors(403, 404, 409, 422)},
            }
        }
        for action, summary in [
            ("stop", "Stop a run"),
            ("spotlight", "Show one run on every screen"),
            ("preset", "Push a new preset"),
            ("close", "Close the workshop"),
        ]
    },
    "/api/workshops/{code}/results": {
        "get": {
            "summary": "Every run of the workshop as CSV (instructor only)",
            "parameters": [CODE],
            "responses": {"200": answer("CSV"), **errors(403, 404)},
        }
    },
    "/api/runs": {
        "post": {
            "summary": "Queue a training run",
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/RunSpec"}}
                },
            },
            "responses": {"201": answer("Queued: id, url, ws, status"), **errors(400, 422, 503)},
        }
    },
    "/api/runs/check": {
        "post": {
            "summary": "Validate a run spec without starting it: parameters and memory, or the reason it cannot run",
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/RunSpec"}}
                },
            },
            "responses": {
                "200": answer(
                    "ok true with the normalized spec, parameters and activation_mib; or ok false with error and details"
                ),
                **errors(400),
            },
        }
    },
    "/api/runs/{run_id}": {
        "get": {
            "summary": "A run's status, progress and result",
            "parameters": [RUN_ID],
            "responses": {"200": answer("The run"), **errors(404)},
        }
    },
    "/api/runs/{run_id}/events": {
        "get": {
            "summary": "The run's stored events after a seq",
            "parameters": [RUN_ID, AFTER],
            "responses": {"200": answer("Events"), **errors(400, 404)},
        }
    },
    "/api/runs/{run_id}/cancel": {
        "post": {
            "summary": "Ask a run to stop (owner only)",
            "parameters": [RUN_ID],
            "responses": {"202": answer("Cancelling"), **errors(403, 404, 409)},
        }
    },
}


@endpoint("GET")
def openapi(request):
    spec_schema = RunSpec.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas = {"RunSpec": spec_schema, **spec_schema.pop("$defs", {})}
    schemas["Error"] = {
        "type": "object",
        "required": ["error"],
        "properties": {"error": {"type": "string"}},
    }
    document = {
        "openapi": "3.1.0",
        "info": {"title": "Sequence-model playground", "version": "1"},
        "paths": PATHS,
        "components": {"schemas": schemas},
    }
    return JsonResponse(document)
