"""The organisation file's JSON Schema (``schema.json``, shipped for editors) and the small
checker that applies it: only the keywords the schema uses, so that loading a file needs
no ``jsonschema`` at run time. The tests check that ``jsonschema`` agrees with it."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Optional

__all__ = ["Problem", "check", "schema"]

Path_ = tuple[Any, ...]
Problem = tuple[Path_, str]


@functools.lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    """The JSON Schema of the organisation file."""
    loaded: dict[str, Any] = json.loads(
        (Path(__file__).parent / "schema.json").read_text(encoding="utf-8")
    )
    return loaded


_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "number": (int, float),
    "integer": (int,),
    "boolean": (bool,),
}


def _type_ok(value: Any, name: str) -> bool:
    if isinstance(value, bool) and name in ("number", "integer"):
        return False
    return isinstance(value, _TYPES[name])


def _show(value: Any) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


def check(document: Any) -> list[Problem]:
    """Every place where ``document`` breaks the schema, as (path, message)."""
    root = schema()
    problems: list[Problem] = []
    _check(document, root, root, (), problems)
    return problems


def _resolve(node: Mapping[str, Any], root: Mapping[str, Any]) -> Mapping[str, Any]:
    while "$ref" in node:
        ref: str = node["$ref"]
        target: Any = root
        for part in ref.lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def _check(
    value: Any,
    node: Mapping[str, Any],
    root: Mapping[str, Any],
    where: Path_,
    problems: list[Problem],
) -> None:
    node = _resolve(node, root)
    kind: Optional[str] = node.get("type")
    if kind is not None and not _type_ok(value, kind):
        article = "an" if kind[0] in "aeiou" else "a"
        problems.append((where, f"must be {article} {kind}, not {_show(value)}"))
        return
    if "enum" in node and value not in node["enum"]:
        problems.append((where, f"must be one of {', '.join(map(str, node['enum']))}"))
    if isinstance(value, str):
        if len(value) < node.get("minLength", 0):
            problems.append((where, "must not be empty"))
        elif "maxLength" in node and len(value) > node["maxLength"]:
            problems.append((where, f"must be at most {node['maxLength']} characters"))
        elif "pattern" in node and not re.search(node["pattern"], value):
            problems.append((where, f"{_show(value)} does not match {node['pattern']}"))
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if number and "minimum" in node and value < node["minimum"]:
        problems.append((where, f"must be {node['minimum']} or more, not {value}"))
    if isinstance(value, list) and "items" in node:
        for index, item in enumerate(value):
            _check(item, node["items"], root, (*where, index), problems)
    if isinstance(value, dict):
        for key in node.get("required", ()):
            if key not in value:
                problems.append((where, f"{key!r} is required"))
        properties: Mapping[str, Any] = node.get("properties", {})
        extra = node.get("additionalProperties", True)
        for key, item in value.items():
            if not isinstance(key, str):
                problems.append(((*where, key), "keys must be strings"))
            elif key in properties:
                _check(item, properties[key], root, (*where, key), problems)
            elif extra is False:
                known = ", ".join(properties) or "none"
                problems.append(((*where, key), f"unknown field (known: {known})"))
            elif isinstance(extra, dict):
                _check(item, extra, root, (*where, key), problems)
