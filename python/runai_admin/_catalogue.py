"""The operation catalogue as the Python face sees it: loaded once from the compiled core,
grouped by namespace."""

from __future__ import annotations

import inspect
import json
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any, Optional

from . import _core

_PY_TYPES = {
    "string": str,
    "integer": int,
    "number": float,
    "boolean": bool,
    "array": list,
    "object": dict,
}


@dataclass(frozen=True)
class Operation:
    id: str
    namespace: str
    name: str
    method: str
    path: str
    spec: dict

    @property
    def paginated(self) -> bool:
        return self.spec["pagination"] is not None

    @property
    def returns_list(self) -> bool:
        """Array results of list methods come back as a pager, paginated or not."""
        result = self.spec.get("result") or {}
        return self.paginated or (self.name.endswith("list") and result.get("type") == "array")

    @property
    def items_path(self) -> list[str]:
        pagination = self.spec["pagination"]
        return pagination["items"] if pagination else []

    @property
    def deprecated(self) -> bool:
        return bool(self.spec["deprecated"])

    @property
    def replacement(self) -> Optional[str]:
        return self.spec.get("replacement")

    @cached_property
    def keyword_names(self) -> frozenset[str]:
        """The keywords the operation itself takes (computed once: calls consult it)."""
        names = {q["py"] for q in self.spec["query"]}
        body = self.spec.get("body")
        if body:
            names.update(f["py"] for f in body.get("fields", []))
            names.add("body")
        return frozenset(names)

    def signature(self, *, pager: bool) -> inspect.Signature:
        params = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_ONLY)]
        for p in self.spec["path_params"]:
            params.append(
                inspect.Parameter(p["py"], inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=str)
            )
        keywords = list(self.spec["query"])
        body = self.spec.get("body")
        if body:
            keywords += body.get("fields", [])
        skip = {"offset", "limit"} if pager else set()
        for k in sorted(keywords, key=lambda k: not k.get("required")):
            if k["py"] in skip:
                continue
            annotation = _PY_TYPES.get(k.get("type", ""), Any)
            default = inspect.Parameter.empty if k.get("required") else None
            params.append(
                inspect.Parameter(
                    k["py"], inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
                )
            )
        if body:
            params.append(inspect.Parameter("body", inspect.Parameter.KEYWORD_ONLY, default=None))
        if pager:
            for name in ("page_size", "max_items", "offset"):
                params.append(inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None))
        for name in ("timeout", "max_retries"):
            params.append(inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None))
        return inspect.Signature(params)

    def doc(self) -> str:
        lines = [f"{self.method} {self.path}  (operation {self.id})"]
        if self.deprecated:
            lines.append(f"Deprecated: use {self.replacement or 'its successor'}.")
        return "\n".join(lines)


@lru_cache(maxsize=1)
def operations() -> tuple[Operation, ...]:
    catalogue = json.loads(_core.catalogue_json())
    return tuple(
        Operation(
            id=op["id"],
            namespace=op["namespace"],
            name=op["name"],
            method=op["method"],
            path=op["path"],
            spec=op,
        )
        for op in catalogue["operations"]
        if op["exposed"]
    )


def by_namespace() -> dict[str, list[Operation]]:
    grouped: dict[str, list[Operation]] = {}
    for op in operations():
        grouped.setdefault(op.namespace, []).append(op)
    return grouped
