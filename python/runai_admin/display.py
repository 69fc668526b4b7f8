"""Plain-text tables for the CLI (and anyone printing results in a terminal)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Optional

#: (title, key path) of the columns that say the most about each kind of object; other
#: lists show their scalar fields.
PRESETS: dict[str, list[tuple[str, str]]] = {
    "clusters": [
        ("NAME", "name"),
        ("UUID", "uuid"),
        ("VERSION", "version"),
        ("STATE", "status.state"),
        ("CREATED", "createdAt"),
    ],
    "departments": [
        ("ID", "id"),
        ("NAME", "name"),
        ("CLUSTER", "clusterId"),
        ("GPU QUOTA", "totalResources.gpuQuota"),
        ("CREATED", "createdAt"),
    ],
    "projects": [
        ("ID", "id"),
        ("NAME", "name"),
        ("DEPARTMENT", "parent.name"),
        ("GPU QUOTA", "totalResources.gpuQuota"),
        ("PHASE", "status.phase"),
    ],
    "users": [
        ("ID", "id"),
        ("USERNAME", "username"),
        ("LOCAL", "isLocal"),
        ("CREATED", "createdAt"),
        ("LAST LOGIN", "lastLogin"),
    ],
    "access_rules": [
        ("ID", "id"),
        ("SUBJECT", "subjectId"),
        ("ROLE", "roleName"),
        ("SCOPE", "scopeType"),
        ("SCOPE NAME", "scopeName"),
    ],
    "roles": [
        ("ID", "id"),
        ("NAME", "name"),
        ("CUSTOM", "custom"),
        ("DESCRIPTION", "description"),
    ],
    "legacy.clusters": [
        ("NAME", "name"),
        ("UUID", "clusterUuid"),
        ("TENANT", "tenantId"),
        ("CREATED", "createdAt"),
    ],
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


def auto_columns(rows: Sequence[dict[str, Any]]) -> list[tuple[str, str]]:
    columns: list[str] = []
    for row in rows:
        for key, value in row.items():
            if key not in columns and not isinstance(value, (dict, list)):
                columns.append(key)
    return [(key, key) for key in columns[:MAX_AUTO_COLUMNS]]


def table(rows: Iterable[Any], columns: Optional[list[str]] = None, kind: str = "") -> str:
    """Rows of dicts as aligned text; ``columns`` are key paths (``a.b``) to show."""
    rows = list(rows)
    if not rows:
        return "(none)"
    if not all(isinstance(r, dict) for r in rows):
        return "\n".join(_cell(r) for r in rows)
    chosen = [(c, c) for c in columns] if columns else PRESETS.get(kind) or auto_columns(rows)
    titles = [title for title, _ in chosen]
    cells = [[_cell(lookup(row, path)) for _, path in chosen] for row in rows]
    widths = [max(len(t), *(len(r[i]) for r in cells)) for i, t in enumerate(titles)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()

    out = [line(titles), line(["-" * w for w in widths])]
    out += [line(r) for r in cells]
    return "\n".join(out)
