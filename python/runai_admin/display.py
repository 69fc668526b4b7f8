"""Tables of results: plain text for the CLI and terminals, HTML for notebooks.

Pagers and lists of results use it for their ``show()`` and for how IPython and Jupyter
display them; :func:`table` also serves scripts:

    from runai_admin.display import table
    print(table(client.projects.list(max_items=20), columns=["name", "parent.name"]))
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Optional

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
"""(title, key path) of the columns that say the most about each kind of object, by
namespace; other lists show their first scalar fields."""
MAX_CELL = 40
"""The most characters a cell shows; a longer value is cut with an ellipsis."""
MAX_AUTO_COLUMNS = 7
"""The most columns a list without a preset shows."""
PREVIEW_ROWS = 10
"""Rows a notebook or REPL shows of a list; the rest are counted, not fetched."""


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
    """The columns of rows without a preset: their scalar fields in order of appearance,
    at most :data:`MAX_AUTO_COLUMNS`."""
    columns: list[str] = []
    for row in rows:
        for key, value in row.items():
            if key not in columns and not isinstance(value, (dict, list)):
                columns.append(key)
    return [(key, key) for key in columns[:MAX_AUTO_COLUMNS]]


def kind_of(where: str) -> str:
    """The preset of a method: ``legacy.clusters.list`` shows as ``legacy.clusters``."""
    return where.rsplit(".", 1)[0]


def _grid(
    rows: list[dict[str, Any]], columns: Optional[list[str]], kind: str
) -> tuple[list[str], list[list[str]]]:
    chosen = [(c, c) for c in columns] if columns else PRESETS.get(kind) or auto_columns(rows)
    titles = [title for title, _ in chosen]
    return titles, [[_cell(lookup(row, path)) for _, path in chosen] for row in rows]


def preview_note(shown: int, total: Optional[int], more: bool) -> str:
    """What a preview leaves out: ``10 of 57 shown``, or that more pages follow."""
    if total is not None and total > shown:
        return f"{shown} of {total} shown"
    if total is None and more:
        return f"first {shown} shown; more on the next pages"
    return f"{shown} item{'' if shown == 1 else 's'}"


def html_table(rows: Sequence[Any], kind: str = "", note: str = "") -> str:
    """Rows as an HTML table (every cell escaped), with ``note`` under it."""
    import html  # on use (a notebook's display), not with the package

    rows = list(rows)
    foot = f"<p><small>{html.escape(note)}</small></p>" if note else ""
    if not rows:
        return f"<p><em>(none)</em></p>{foot}"
    if not all(isinstance(r, dict) for r in rows):
        body = "".join(f"<tr><td>{html.escape(_cell(r))}</td></tr>" for r in rows)
        return f"<table>{body}</table>{foot}"
    titles, cells = _grid(rows, None, kind)
    head = "".join(f"<th>{html.escape(t)}</th>" for t in titles)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in cells
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{foot}"


def table(rows: Iterable[Any], columns: Optional[list[str]] = None, kind: str = "") -> str:
    """Rows of dicts as aligned text; ``columns`` are key paths (``a.b``) to show."""
    rows = list(rows)
    if not rows:
        return "(none)"
    if not all(isinstance(r, dict) for r in rows):
        return "\n".join(_cell(r) for r in rows)
    titles, cells = _grid(rows, columns, kind)
    widths = [max(len(t), *(len(r[i]) for r in cells)) for i, t in enumerate(titles)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()

    out = [line(titles), line(["-" * w for w in widths])]
    out += [line(r) for r in cells]
    return "\n".join(out)
