"""Schemas for conformance tests, taken from the operation catalogue the extension embeds:
the structure of the official OpenAPI document as the generator kept it, so these tests run
in any clone. The reference folder beside the checkout (the official document and operation
list) is needed only by the tests that compare the catalogue with them."""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
REFERENCE_DIR = Path(os.environ.get("RUNAI_SPEC_DIR", ROOT.parent / "shared" / "runai-api"))
SCHEMA_PREFIX = "#/components/schemas/"


def reference_file(name: str) -> Path:
    """A file of the reference folder, or a skip saying where it was looked for."""
    path = REFERENCE_DIR / name
    if not path.is_file():
        pytest.skip(f"{name} is not in the reference folder {REFERENCE_DIR} (set RUNAI_SPEC_DIR)")
    return path


@lru_cache(maxsize=1)
def catalogue() -> dict:
    from runai_admin import _core

    return json.loads(_core.catalogue_json())


def operation(op_id: str) -> dict:
    for op in catalogue()["operations"]:
        if op["id"] == op_id:
            return op
    raise KeyError(op_id)


def _as_json_schema(node: Any) -> Any:
    """OpenAPI 3.0's `nullable: true` becomes an explicit null alternative."""
    if isinstance(node, list):
        return [_as_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _as_json_schema(v) for k, v in node.items()}
    # `is True`: a property named `nullable` holds a schema, not the keyword's flag.
    if out.get("nullable") is True:
        del out["nullable"]
        # Null is allowed whatever the rest says (an `allOf` of a non-null schema too):
        # that is what the control plane means and sends.
        out = {"anyOf": [{"type": "null"}, out]}
    return out


@lru_cache(maxsize=1)
def _document() -> dict:
    schemas = {name: _as_json_schema(s) for name, s in catalogue()["schemas"].items()}
    return {"components": {"schemas": schemas}}


def validator(schema: dict):
    """A Draft 4 validator (the dialect OpenAPI 3.0 derives from) for one schema, whose
    `#/components/schemas/...` references resolve in the catalogue."""
    import jsonschema
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    doc = {**_document(), "x-under-test": _as_json_schema(schema)}
    registry = Registry().with_resource("urn:spec", Resource(doc, DRAFT4))
    return jsonschema.Draft4Validator({"$ref": "urn:spec#/x-under-test"}, registry=registry)


def named(schema_name: str) -> dict:
    return {"$ref": SCHEMA_PREFIX + schema_name}


def _schema_of(part: dict | None, what: str) -> dict:
    if part and part.get("schema"):
        return named(part["schema"])
    if part and "inline" in part:
        return part["inline"]
    raise AssertionError(f"{what} has no JSON schema in the catalogue")


def response_schema(op_id: str) -> dict:
    """The schema of the operation's success answer."""
    return _schema_of(operation(op_id)["result"], f"{op_id}'s result")


def request_schema(op_id: str) -> dict:
    return _schema_of(operation(op_id)["body"], f"{op_id}'s body")


def assert_valid(instance: Any, schema: dict, what: str) -> None:
    errors = sorted(validator(schema=schema).iter_errors(instance), key=lambda e: list(e.path))
    assert not errors, f"{what} does not conform: " + "; ".join(
        f"{'/'.join(map(str, e.path)) or '<root>'}: {e.message[:200]}" for e in errors[:5]
    )
