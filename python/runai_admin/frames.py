"""Results as pandas DataFrames. pandas is the optional ``pandas`` extra, imported on use.

``items_frame`` flattens nested fields into dotted columns (``status.phase``) and turns
timestamps into datetimes: a column is one when its last name is a field the spec marks
``format: date-time`` somewhere (``createdAt``, ``lastLogin``, ``timestamp``...; read
from the catalogue) and all its values read as ISO 8601. ``metrics_frame`` turns a metrics
or telemetry answer into a frame indexed by time.

    df = client.projects.list().to_pandas()          # items_frame of every item
    ra.metrics_frame(client.node_pools.metrics(cluster_id, "default",
                     metric_type=["ALLOCATED_GPU"], start=start, end=end))
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from . import _core

__all__ = ["items_frame", "metrics_frame", "require_pandas"]

DataFrame = Any
"""``pandas.DataFrame``: pandas is optional and ships no type information, so type
checkers see Any."""


def require_pandas() -> Any:
    """The pandas module, or an ImportError saying which extra brings it."""
    import importlib

    try:  # by name: pandas ships no type information
        return importlib.import_module("pandas")
    except ImportError:
        raise ImportError(
            "to_pandas() and metrics_frame() need pandas: pip install 'runai-admin[pandas]'"
        ) from None


@lru_cache(maxsize=1)
def timestamp_fields() -> frozenset[str]:
    """Every property name the spec's schemas mark ``format: date-time``."""
    import json  # on use, not with the package

    names: set[str] = set()
    stack: list[Any] = [json.loads(_core.catalogue_json())["schemas"]]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for name, field in (node.get("properties") or {}).items():
                if isinstance(field, dict) and field.get("format") == "date-time":
                    names.add(name)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return frozenset(names)


def _as_datetimes(pd: Any, frame: DataFrame) -> DataFrame:
    known = timestamp_fields()
    for column in frame.columns:
        if str(column).rsplit(".", 1)[-1] not in known:
            continue
        values = frame[column]
        present = values.dropna()
        if present.empty or not all(isinstance(v, str) for v in present):
            continue
        try:
            frame[column] = pd.to_datetime(values, utc=True, format="ISO8601")
        except (ValueError, TypeError):  # not all ISO 8601: left as text
            continue
    return frame


def items_frame(items: list[Any]) -> DataFrame:
    """A list of results as a DataFrame (dotted columns for nested fields)."""
    pd = require_pandas()
    if not all(isinstance(item, dict) for item in items):
        return pd.DataFrame({"value": items})
    frame = pd.json_normalize(items, sep=".") if items else pd.DataFrame()
    return _as_datetimes(pd, frame)


def _number(value: Any) -> Any:
    """The API sends metric values as strings; a number reads as a float."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


def _series_name(kind: str, labels: dict[str, Any]) -> str:
    if not labels:
        return kind
    inner = ",".join(f"{k}={v}" for k, v in sorted(labels.items()))
    return f"{kind}{{{inner}}}"


def metrics_frame(result: Any) -> DataFrame:
    """A metrics answer (``measurements``: one series per type and labels) as a frame
    indexed by timestamp with a float column per series (``GPU_QUOTA``, or
    ``GPU_ALLOCATION{nodepool=default}`` when labelled); a telemetry answer (one
    ``timestamp``, ``values`` split by groups) as one row per value at that timestamp,
    with a column per group key (and ``<key>.name`` where groups are named) and
    ``value``."""
    pd = require_pandas()
    if not isinstance(result, dict):
        raise TypeError(f"metrics_frame() takes a metrics or telemetry answer, not {result!r}")
    if "measurements" in result:
        columns: dict[str, Any] = {}
        for measurement in result["measurements"] or []:
            name = _series_name(measurement.get("type", ""), measurement.get("labels") or {})
            points = measurement.get("values") or []
            stamps = pd.to_datetime([p.get("timestamp") for p in points], utc=True)
            columns[name] = pd.Series([_number(p.get("value")) for p in points], index=stamps)
        frame = pd.DataFrame(columns)
        if not columns:  # no series: still a frame indexed by time
            frame = pd.DataFrame(index=pd.DatetimeIndex([], tz="UTC"))
        frame.index.name = "timestamp"
        return frame.sort_index()
    if "values" in result and "timestamp" in result:
        rows = []
        for value in result["values"] or []:
            row: dict[str, Any] = {}
            for group in value.get("groups") or []:
                row[group.get("key", "")] = group.get("value")
                if group.get("name") is not None:
                    row[f"{group.get('key', '')}.name"] = group["name"]
            row["value"] = _number(value.get("value"))
            rows.append(row)
        stamp = pd.to_datetime(result["timestamp"], utc=True)
        index = pd.DatetimeIndex([stamp] * len(rows), name="timestamp")
        frame = pd.DataFrame(rows, index=index)
        frame.attrs["type"] = result.get("type")
        return frame
    raise ValueError(
        "metrics_frame() takes a metrics answer (with 'measurements') or a telemetry"
        " answer (with 'timestamp' and 'values')"
    )
