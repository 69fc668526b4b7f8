"""What a command prints: files as they are, data as a table, JSON, YAML or CSV."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Optional

from ..display import table

FORMATS = ("table", "json", "yaml", "csv")


def default_format() -> str:
    """A table for a person at a terminal, JSON for a pipe or a file."""
    return "table" if sys.stdout.isatty() else "json"


def plain(value: Any) -> Any:
    """Results as the builtin types (a pager's list is a subclass, which YAML refuses)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """A nested object as dotted paths to its leaves (``status.phase``), as
    ``display.lookup`` reads them; lists are leaves."""
    if not isinstance(value, dict) or (not value and prefix):
        return {prefix or "value": value}
    out: dict[str, Any] = {}
    for key, inner in value.items():
        out.update(flatten(inner, f"{prefix}.{key}" if prefix else str(key)))
    return out


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return str(value)


def write_csv(rows: list[Any]) -> None:
    """One line per item, a column per dotted path any item has (in order of first
    appearance); a single object is one line."""
    import csv

    flat = [flatten(row) for row in rows]
    columns: dict[str, None] = {}
    for row in flat:
        columns.update(dict.fromkeys(row))
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(list(columns))
    for row in flat:
        writer.writerow([_csv_cell(row.get(c)) for c in columns])


def write_yaml(value: Any) -> None:
    import importlib

    try:  # by name: PyYAML ships no type information, and only -o yaml needs it
        yaml = importlib.import_module("yaml")
    except ImportError:
        raise SystemExit("runai-admin: -o yaml needs PyYAML: pip install 'pyyaml>=6'") from None
    sys.stdout.write(yaml.safe_dump(value, sort_keys=False, allow_unicode=True))


def _object_table(value: dict[str, Any]) -> str:
    """One object as FIELD / VALUE lines, a line per dotted path."""
    rows = [
        {"FIELD": path, "VALUE": json.dumps(leaf) if isinstance(leaf, (dict, list)) else leaf}
        for path, leaf in flatten(value).items()
    ]
    return table(rows, columns=["FIELD", "VALUE"])


def emit(value: Any, output: Optional[str], kind: str = "") -> None:
    """Print a result: bytes and text (downloaded files) as they are, a path written with
    ``--to`` as its name, nothing for an empty answer, data in the chosen format."""
    if value is None:
        return
    if isinstance(value, bytes):
        sys.stdout.buffer.write(value)
        sys.stdout.buffer.flush()
        return
    if isinstance(value, Path):
        print(value)
        return
    if isinstance(value, str):
        sys.stdout.write(value if value.endswith("\n") or not value else value + "\n")
        return
    value = plain(value)
    output = output or default_format()
    if output == "json":
        print(json.dumps(value, indent=2, ensure_ascii=False, default=str))
    elif output == "yaml":
        write_yaml(value)
    elif output == "csv":
        write_csv(value if isinstance(value, list) else [value])
    elif isinstance(value, list):
        print(table(value, kind=kind))
    elif isinstance(value, dict):
        print(_object_table(value))
    else:
        print(value)
