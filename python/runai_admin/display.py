"""Plain-text tables for the CLI (and anyone printing results in a terminal)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Optional

#: Columns that say the most about each kind of object; other lists get their scalar fields.
PRESETS: dict[str, list[str]] = {
    "clusters": ["name", "uuid", "version", "status.state", "createdAt"],
    "departments": ["id", "name", "clusterId", "totalResources.gpuQuota", "createdAt"],
    "projects": ["id", "name", "parent.name", "totalResources.gpuQuota", "status.phase"],
    "users": ["id", "username", "isLocal", "createdAt", "lastLogin"],
    "legacy.clusters": ["name", "clusterUuid", "tenantId", "createdAt"],
}
MAX_CELL = 40
MAX_AUTO_COLUMNS = 7


def lookup(item: Any, path: str) -> Any:
    """`a.b` walks nested dicts; a missing step gives None."""
    for key in path.split("."):
        if not isinstance(item, dict):
            return None
        item = item.get(key)
    return item


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def auto_columns(rows: Sequence[dict]) -> list[str]:
    columns: list[str] = []
    for row in rows:
        for key, value in row.items():
            if key not in columns and not isinstance(value, (dict, list)):
                columns.append(key)
    return columns[:MAX_AUTO_COLUMNS]


def table(rows: Iterable[Any], columns: Optional[list[str]] = None, kind: str = "") -> str:
    rows = list(rows)
    if not rows:
        return "(none)"
    if not all(isinstance(r, dict) for r in rows):
        return "\n".join(_cell(r) for r in rows)
    columns = columns or PRESETS.get(kind) or auto_columns(rows)
    cells = [[_cell(lookup(row, c)) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()

    out = [line(columns), line(["-" * w for w in widths])]
    out += [line(r) for r in cells]
    return "\n".join(out)
