"""The official OpenAPI document, for conformance tests. It lives beside the checkout in
the project's shared reference folder; where it is absent (a user's clone), the tests
that need it skip with a clear reason."""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPEC_DIR = Path(os.environ.get("RUNAI_SPEC_DIR", ROOT.parent / "shared" / "runai-api"))


def spec_dir() -> Path:
    if not (SPEC_DIR / "openapi.json").is_file():
        pytest.skip(f"the official OpenAPI document is not at {SPEC_DIR} (set RUNAI_SPEC_DIR)")
    return SPEC_DIR


@lru_cache(maxsize=1)
def _document() -> dict:
    return _as_json_schema(json.loads((spec_dir() / "openapi.json").read_text()))


def _as_json_schema(node: Any) -> Any:
    """OpenAPI 3.0's `nullable: true` becomes an explicit null alternative."""
    if isinstance(node, list):
        return [_as_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _as_json_schema(v) for k, v in node.items()}
    if out.pop("nullable", False) is True:
        # Null is allowed whatever the rest says (an `allOf` of a non-null schema too):
        # that is what the control plane means and sends.
        out = {"anyOf": [{"type": "null"}, out]}
    return out


def validator(schema: dict):
    """A Draft 4 validator (the dialect OpenAPI 3.0 derives from) for one schema, whose
    `#/components/...` references resolve in the official document."""
    import jsonschema
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    doc = {**_document(), "x-under-test": _as_json_schema(schema)}
    registry = Registry().with_resource("urn:spec", Resource(doc, DRAFT4))
    return jsonschema.Draft4Validator({"$ref": "urn:spec#/x-under-test"}, registry=registry)


def named(schema_name: str) -> dict:
    return {"$ref": f"#/components/schemas/{schema_name}"}


def response_schema(method: str, path: str, status: int) -> dict:
    response = _document()["paths"][path][method.lower()]["responses"][str(status)]
    if "$ref" in response:
        name = response["$ref"].rsplit("/", 1)[1]
        response = _document()["components"]["responses"][name]
    return response["content"]["application/json"]["schema"]


def request_schema(method: str, path: str) -> dict:
    body = _document()["paths"][path][method.lower()]["requestBody"]
    return body["content"]["application/json"]["schema"]


def assert_valid(instance: Any, schema: dict, what: str) -> None:
    errors = sorted(validator(schema=schema).iter_errors(instance), key=lambda e: list(e.path))
    assert not errors, f"{what} does not conform: " + "; ".join(
        f"{'/'.join(map(str, e.path)) or '<root>'}: {e.message[:200]}" for e in errors[:5]
    )
