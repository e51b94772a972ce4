"""The OpenAPI document describes every API route the URL patterns serve, with each method
the route answers, and is a well-formed OpenAPI 3 document."""

import re
import typing

import pytest
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver

from playground.openapi import FILES
from playground.runs.exports import EXPORTS
from sequences.spec import Cell

METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
# A method no API route answers: the endpoint decorator refuses it with an Allow header.
UNANSWERED = "PROPFIND"


def routes(patterns=None, prefix=""):
    """(path as OpenAPI writes it, the view, its keyword arguments) for every URL pattern."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from routes(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            names = list(entry.pattern.converters)
            path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
            yield path, entry.callback, names


def answered_methods(view, names) -> set[str]:
    """The methods a view answers, from the Allow header of its 405 to any other method."""
    request = RequestFactory().generic(UNANSWERED, "/")
    response = view(request, **{name: "x" for name in names})
    assert response.status_code == 405 and response.has_header("Allow"), (
        f"{view.__module__}.{view.__name__} is not an @endpoint: its methods are unknown"
    )
    return {method.strip().lower() for method in response["Allow"].split(",")}


@pytest.fixture(scope="module")
def document():
    from django.test import Client

    return Client().get("/api/openapi.json").json()


def api_routes():
    return [(path, view, names) for path, view, names in routes() if path.startswith("/api/")]


def refs(node):
    """Every "$ref" in a part of the document."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from [value] if key == "$ref" else refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def test_the_api_routes_are_found_in_the_url_patterns():
    paths = [path for path, _, _ in api_routes()]
    assert "/api/runs" in paths and "/api/runs/{run_id}/export/{what}" in paths


@pytest.mark.parametrize("path, view, names", api_routes(), ids=[p for p, _, _ in api_routes()])
def test_the_document_describes_the_route_with_exactly_the_methods_it_answers(
    document, path, view, names
):
    assert path in document["paths"], f"the OpenAPI document lacks {path}"
    described = set(document["paths"][path]) & METHODS
    missing = answered_methods(view, names) - described
    assert not missing, f"the OpenAPI document lacks {', '.join(sorted(missing))} {path}"
    extra = described - answered_methods(view, names)
    assert not extra, f"{path} does not answer {', '.join(sorted(extra))}"


def test_the_document_describes_no_route_that_is_not_there(document):
    served = {path for path, _, _ in api_routes()}
    assert set(document["paths"]) - served == set()


def test_the_document_is_openapi_3(document):
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] and document["info"]["version"]
    schemas = document["components"]["schemas"]
    for path, item in document["paths"].items():
        assert path.startswith("/api/")
        in_path = set(re.findall(r"{(\w+)}", path))
        for method, operation in item.items():
            assert method in METHODS, f"{path}: '{method}' is not an HTTP method"
            where = f"{method.upper()} {path}"
            assert operation["summary"], where
            parameters = operation.get("parameters", [])
            for parameter in parameters:
                assert parameter["in"] in ("path", "query", "header", "cookie"), where
                assert "schema" in parameter, where
            declared = {p["name"] for p in parameters if p["in"] == "path"}
            assert declared == in_path, f"{where} declares path parameters {declared}"
            assert all(p["required"] for p in parameters if p["in"] == "path"), where
            if "requestBody" in operation:
                assert operation["requestBody"]["content"], where
            assert operation["responses"], where
            for code, response in operation["responses"].items():
                assert re.fullmatch(r"[1-5]\d\d", code), f"{where}: status '{code}'"
                assert response["description"], f"{where} {code}"
                if code.startswith(("4", "5")):
                    error = response["content"]["application/json"]["schema"]
                    assert error == {"$ref": "#/components/schemas/Error"}, f"{where} {code}"
            assert any(code.startswith("2") for code in operation["responses"]), where
    for ref in refs(document):
        assert ref.removeprefix("#/components/schemas/") in schemas, f"{ref} is not in the document"


def test_the_document_describes_every_export_and_the_run_spec(document):
    assert set(FILES) == set(EXPORTS)
    what = document["paths"]["/api/runs/{run_id}/export/{what}"]["get"]["parameters"][1]
    assert what["schema"]["enum"] == list(EXPORTS)
    assert "model" in document["components"]["schemas"]["RunSpec"]["properties"]


def test_the_run_spec_offers_every_cell(document):
    cell = document["components"]["schemas"]["ModelSpec"]["properties"]["cell"]
    assert cell["enum"] == list(typing.get_args(Cell))
    assert {"mingru", "minlstm", "ssm"} <= set(cell["enum"])
