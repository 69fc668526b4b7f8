"""The catalogue against the official operation list, and the methods built from it."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import warnings

import pytest

import runai_admin as ra
from runai_admin import _core

from .spec import ROOT, spec_dir

EXPOSED_TAGS = {"Clusters", "Departments", "Projects", "Users"}


def catalogue() -> dict:
    return json.loads(_core.catalogue_json())


def test_catalogue_matches_the_official_operation_list():
    with open(spec_dir() / "admin-operations.tsv", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    assert len(rows) == 161
    ops = {(o["method"], o["path"]): o for o in catalogue()["operations"] if o["tag"] != "Legacy"}
    assert set(ops) == {(r["method"], r["path"]) for r in rows}
    for row in rows:
        op = ops[(row["method"], row["path"])]
        assert op["id"] == row["operationId"]
        assert op["deprecated"] == (row["deprecated"] == "deprecated")
        assert [q["name"] for q in op["query"]] == [q for q in row["query"].split(",") if q]


def test_checked_in_catalogue_is_not_stale():
    spec = spec_dir()
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "gen_catalogue.py"),
            "--check",
            "--spec-dir",
            str(spec),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_checked_in_python_face_is_not_stale():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_python.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_importing_the_package_reads_no_catalogue_and_no_typeddicts():
    code = (
        "import sys\n"
        "from runai_admin import _core\n"
        "def refuse(): raise AssertionError('the catalogue was read at import')\n"
        "_core.catalogue_json = refuse\n"
        "import runai_admin\n"
        "runai_admin.Client(base_url='acme.run.ai', token='t').projects.list()\n"
        "assert 'runai_admin.types' not in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_every_operation_of_the_exposed_tags_has_one_method_on_both_clients():
    sync = ra.Client(base_url="acme.run.ai", token="t")
    asynchronous = ra.AsyncClient(base_url="acme.run.ai", token="t")
    seen = set()
    for op in catalogue()["operations"]:
        if op["tag"] not in EXPOSED_TAGS:
            continue
        key = (op["namespace"], op["name"])
        assert key not in seen
        seen.add(key)
        for client in (sync, asynchronous):
            method = getattr(getattr(client, op["namespace"]), op["name"])
            assert op["id"] in method.__doc__
    # Clusters 9, Departments 14, Projects 17, Users 8 in the official operation list.
    assert len(seen) == 48


def test_deprecated_methods_warn_and_name_their_replacement(client):
    with pytest.warns(DeprecationWarning, match=r"use projects\.list\(\) instead"):
        client.projects.legacy_list("cluster-id")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        client.projects.list()
