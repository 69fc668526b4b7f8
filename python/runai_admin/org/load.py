"""Reading the organisation file (YAML, JSON or a dict), the bulk CSV files, and writing
the file back. PyYAML is imported here, on first use, never at ``import runai_admin``."""

from __future__ import annotations

import csv
import importlib
import io
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Optional, Union

from .model import QUOTA_KEYS, SUBJECT_KEYS, Organisation, SpecError, from_dict

__all__ = ["dump", "load", "load_csv", "loads"]

PathLike = Union[str, "os.PathLike[str]"]


def _yaml() -> Any:
    try:
        return importlib.import_module("yaml")
    except ImportError:  # pragma: no cover - pyyaml is a dependency
        raise ImportError("reading organisation files needs PyYAML: pip install pyyaml") from None


def load(source: Union[PathLike, Mapping[str, Any]]) -> Organisation:
    """The organisation of a YAML (or JSON) file, or of a dict in the file's form.

    A file that breaks the schema raises :class:`SpecError`, naming each wrong field with
    its line, before anything is asked of a control plane."""
    if isinstance(source, Mapping):
        return from_dict(source)
    path = Path(source)
    return loads(path.read_text(encoding="utf-8"), source=str(path))


def loads(text: str, *, source: str = "<string>") -> Organisation:
    """The organisation of YAML (or JSON) text."""
    yaml = _yaml()
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error)
        raise SpecError([f"{source}{line}: not YAML: {problem}"]) from None
    if data is None:
        data = {}
    marks: dict[tuple[Any, ...], int] = {}
    if node is not None:
        _marks(node, (), marks)
    return from_dict(data, source=source, marks=marks)


def _marks(node: Any, where: tuple[Any, ...], marks: dict[tuple[Any, ...], int]) -> None:
    """Path → line of every node of a composed YAML document."""
    marks[where] = node.start_mark.line + 1
    value = node.value
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, tuple):  # a mapping's (key node, value node)
                key_node, value_node = item
                path = (*where, key_node.value)
                _marks(value_node, path, marks)
                marks[path] = key_node.start_mark.line + 1
            else:
                _marks(item, (*where, index), marks)


def dump(org: Organisation) -> str:
    """The organisation as YAML text, in the file's form."""
    text: str = _yaml().safe_dump(org.to_dict(), sort_keys=False, allow_unicode=True)
    return text


# Bulk CSV -----------------------------------------------------------------------------


def _number(text: str, where: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise SpecError([f"{where}: {text!r} is not a number"]) from None


def load_csv(
    *,
    projects: Optional[PathLike] = None,
    users: Optional[PathLike] = None,
    access_rules: Optional[PathLike] = None,
    into: Optional[Organisation] = None,
    cluster: Optional[str] = None,
) -> Organisation:
    """The organisation of bulk CSV files, added to ``into`` (or to an empty one).

    - ``projects``: one row per project: ``department``, ``project``, optional ``cluster``
      (else ``cluster=``, else the only cluster of ``into``) and ``description``, and quota
      columns ``<node pool>.<key>`` such as ``default.gpu`` or ``h100.gpuLimit``.
    - ``users``: one row per user: ``email``.
    - ``access_rules``: one row per rule: ``subjectType`` (user, group, serviceAccount,
      app), ``subject``, ``role``, ``scope``.

    The result is checked as a file would be; a wrong cell is named by file, row and column.
    """
    data: dict[str, Any] = (into or Organisation()).to_dict()
    marks: dict[tuple[Any, ...], int] = {}
    if projects is not None:
        _projects_rows(projects, data, marks, cluster)
    if users is not None:
        for line, row in _rows(users, ("email",)):
            data.setdefault("users", []).append({"email": row["email"]})
            marks[("users", len(data["users"]) - 1)] = line
    if access_rules is not None:
        for line, row in _rows(access_rules, ("subjectType", "subject", "role", "scope")):
            kind = row["subjectType"]
            if kind not in SUBJECT_KEYS:
                known = ", ".join(SUBJECT_KEYS)
                raise SpecError([f"{access_rules}:{line}: subjectType: {kind!r} is not {known}"])
            rules = data.setdefault("accessRules", [])
            rules.append({kind: row["subject"], "role": row["role"], "scope": row["scope"]})
            marks[("accessRules", len(rules) - 1)] = line
    sources = [str(s) for s in (projects, users, access_rules) if s is not None]
    return from_dict(data, source=" + ".join(sources) or "<csv>", marks=marks)


def _rows(source: PathLike, required: Iterable[str]) -> list[tuple[int, dict[str, str]]]:
    with open(source, newline="", encoding="utf-8-sig") as file:
        reader = csv.DictReader(io.StringIO(file.read()))
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise SpecError([f"{source}:1: missing column(s) {', '.join(missing)}"])
        rows = []
        for row in reader:
            cleaned = {k.strip(): (v or "").strip() for k, v in row.items() if k}
            if any(cleaned.values()):
                rows.append((reader.line_num, cleaned))
        return rows


def _projects_rows(
    source: PathLike,
    data: dict[str, Any],
    marks: dict[tuple[Any, ...], int],
    default_cluster: Optional[str],
) -> None:
    clusters: list[dict[str, Any]] = data.setdefault("clusters", [])
    for line, row in _rows(source, ("department", "project")):
        name = row.get("cluster") or default_cluster
        if not name:
            if len(clusters) != 1:
                raise SpecError(
                    [f"{source}:{line}: cluster: name the cluster (column or cluster=)"]
                )
            name = clusters[0]["name"]
        cluster: Optional[dict[str, Any]] = next((c for c in clusters if c["name"] == name), None)
        if cluster is None:
            cluster = {"name": name}
            clusters.append(cluster)
        departments: list[dict[str, Any]] = cluster.setdefault("departments", [])
        dept: Optional[dict[str, Any]] = next(
            (d for d in departments if d["name"] == row["department"]), None
        )
        if dept is None:
            dept = {"name": row["department"]}
            departments.append(dept)
        quota: dict[str, dict[str, float]] = {}
        for column, cell in row.items():
            if "." not in column or not cell:
                continue
            pool, key = column.rsplit(".", 1)
            if key not in QUOTA_KEYS:
                raise SpecError([f"{source}:1: column {column!r}: {key!r} is not a quota key"])
            quota.setdefault(pool, {})[key] = _number(cell, f"{source}:{line}: {column}")
        project: dict[str, Any] = {"name": row["project"]}
        if row.get("description"):
            project["description"] = row["description"]
        if quota:
            project["quota"] = quota
        projects: list[dict[str, Any]] = dept.setdefault("projects", [])
        projects.append(project)
        where = (
            "clusters",
            clusters.index(cluster),
            "departments",
            departments.index(dept),
            "projects",
            len(projects) - 1,
        )
        marks[where] = line
