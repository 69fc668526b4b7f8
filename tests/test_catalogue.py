"""The catalogue: fresh from its generator, true to the official operation list, named by
the project's rules, self-contained, and the methods built from it."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
import subprocess
import sys
import warnings

import pytest

import runai_admin as ra

from .spec import ROOT, SCHEMA_PREFIX, catalogue, reference_file

GENERATOR = ROOT / "scripts" / "gen_catalogue.py"
TABLE = ROOT / "scripts" / "operations.tsv"
CATALOGUE = ROOT / "crates" / "core" / "src" / "api" / "catalogue.json"

# The namespaces of the public contract (the same on both clients).
NAMESPACES = {
    "clusters",
    "departments",
    "projects",
    "node_pools",
    "nodes",
    "users",
    "access_rules",
    "roles",
    "permissions",
    "service_accounts",
    "applications",
    "user_applications",
    "access_keys",
    "idps",
    "settings",
    "tenant_settings",
    "reports",
    "audit_logs",
    "network_topologies",
    "org_units",
    "me",
    "logo",
    "cli",
    "tokens",
    "legacy.clusters",
    "legacy.projects",
    "legacy.departments",
    "legacy.users",
    "legacy.node_types",
}
PROSE = {"description", "example", "examples", "title", "externalDocs", "summary", "xml"}


def spec_operations() -> list[dict]:
    return [op for op in catalogue()["operations"] if op["tag"] != "Legacy"]


def table_rows() -> list[dict]:
    with open(TABLE, newline="") as fh:
        lines = [line for line in fh if line.strip() and not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def run_generator(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(GENERATOR), *args], capture_output=True, text=True, timeout=300
    )


def test_checked_in_catalogue_is_not_stale():
    spec = reference_file("openapi.json")
    result = run_generator("--check", "--spec", str(spec))
    assert result.returncode == 0, result.stderr


def test_another_document_is_refused_unless_the_pin_moves_on_purpose(tmp_path):
    other = tmp_path / "openapi.json"
    shutil.copyfile(reference_file("openapi.json"), other)
    with open(other, "a") as fh:
        fh.write("\n")
    out = tmp_path / "catalogue.json"
    shutil.copyfile(CATALOGUE, out)
    for args in ([], ["--check"], ["--check", "--accept-spec"]):
        result = run_generator("--spec", str(other), "--out", str(out), *args)
        assert result.returncode == 1, args
        assert "--accept-spec" in result.stderr
    assert out.read_bytes() == CATALOGUE.read_bytes()

    moved = run_generator("--spec", str(other), "--out", str(out), "--accept-spec")
    assert moved.returncode == 0, moved.stderr
    again = run_generator("--spec", str(other), "--out", str(out), "--check")
    assert again.returncode == 0, again.stderr
    pinned, previous = json.loads(out.read_text()), json.loads(CATALOGUE.read_text())
    assert pinned["source"]["sha256"] == hashlib.sha256(other.read_bytes()).hexdigest()
    assert pinned["operations"] == previous["operations"]


def test_names_table_matches_the_official_operation_list():
    with open(reference_file("admin-operations.tsv"), newline="") as fh:
        reference = list(csv.DictReader(fh, delimiter="\t"))
    assert len(reference) == 161
    ours = {r["operation_id"]: r for r in table_rows()}
    assert len(ours) == len(table_rows()) == 161
    assert set(ours) == {r["operationId"] for r in reference}
    ops = {op["id"]: op for op in spec_operations()}
    for row in reference:
        mine, op = ours[row["operationId"]], ops[row["operationId"]]
        assert (mine["method"], mine["path"]) == (row["method"], row["path"])
        assert op["tag"] == row["tag"] and op["group"] == row["group"]
        assert op["deprecated"] == (row["deprecated"] == "deprecated")
        assert [q["name"] for q in op["query"]] == [q for q in row["query"].split(",") if q]


def test_the_catalogue_follows_the_names_table():
    ops = {op["id"]: op for op in spec_operations()}
    assert len(ops) == 161
    for row in table_rows():
        op = ops[row["operation_id"]]
        assert (op["method"], op["path"]) == (row["method"], row["path"])
        assert (op["namespace"], op["name"]) == (row["namespace"], row["name"])
        assert op.get("replacement") == (row["replacement"] or None)


def test_names_follow_the_verb_rules():
    methods = {(op["namespace"], op["name"]) for op in catalogue()["operations"]}
    assert len(methods) == len(catalogue()["operations"]), "a name is used twice"
    for op in catalogue()["operations"]:
        assert op["namespace"] in NAMESPACES, op["id"]
        assert re.fullmatch(r"[a-z][a-z0-9_]*", op["name"]), op["id"]
        if op["deprecated"]:
            namespace, _, name = op["replacement"].rpartition(".")
            assert (namespace, name) in methods, op["id"]
            if op["path"].startswith("/v1/k8s/"):
                assert op["name"].startswith("legacy_"), op["id"]
        else:
            assert "replacement" not in op, op["id"]
            assert not op["name"].startswith("legacy_"), op["id"]
        if op["name"] == "count":
            assert op["method"] == "GET" and op["path"].endswith("/count"), op["id"]
        verb = {"update": "PUT", "patch": "PATCH", "delete": "DELETE"}.get(op["name"])
        assert verb in (None, op["method"]), op["id"]


def test_exposure_is_listed_once():
    cat = catalogue()
    tags = {op["tag"] for op in cat["operations"]}
    assert set(cat["exposed_tags"]) <= tags, "every exposed tag names operations"
    assert len(set(cat["exposed_tags"])) == len(cat["exposed_tags"])
    for op in cat["operations"]:
        assert op["exposed"] == (op["tag"] in cat["exposed_tags"]), op["id"]


def test_every_operation_carries_its_facts():
    cat = catalogue()
    assert set(cat["source"]) == {"title", "version", "sha256"}
    assert re.fullmatch(r"[0-9a-f]{64}", cat["source"]["sha256"])
    for op in cat["operations"]:
        assert op["summary"] and "\n" not in op["summary"], op["id"]
        assert op["errors"] == sorted(set(op["errors"])), op["id"]
        assert all(isinstance(s, int) and not 200 <= s < 300 for s in op["errors"]), op["id"]
        result = op["result"] or {}
        array_read = op["method"] == "GET" and result.get("type") == "array"
        assert op["returns_list"] == (op["pagination"] is not None or array_read), op["id"]
        fields = (op["body"] or {}).get("fields", [])
        for value in op["path_params"] + op["query"] + fields:
            assert value["type"] in {
                "string",
                "integer",
                "number",
                "boolean",
                "array",
                "object",
                "any",
            }, (op["id"], value["name"])
            assert "schema" in value, (op["id"], value["name"])
        paging = op["pagination"]
        if paging:
            by_name = {q["name"]: q for q in op["query"]}
            assert paging["offset"] in by_name and paging["limit"] in by_name, op["id"]
            assert "max_page_size" not in paging, "stated once, on the limit parameter"


def test_pagination_is_read_from_the_schemas():
    ops = {op["id"]: op for op in catalogue()["operations"]}
    assert ops["get_projects"]["pagination"] == {
        "items": ["projects"],
        "offset": "offset",
        "limit": "limit",
        "next": "next",
    }
    limit = next(q for q in ops["get_projects"]["query"] if q["name"] == "limit")
    assert (limit["maximum"], limit["default"]) == (500, 50)
    assert ops["get_users"]["pagination"]["items"] == []
    audit = ops["getAuditLogs"]["pagination"]
    assert (audit["limit"], audit["items"], audit["next"]) == (
        "numberOfSamples",
        ["audit_logs"],
        "next",
    )
    assert ops["get_clusters"]["returns_list"] and ops["get_clusters"]["pagination"] is None
    assert not ops["get_project"]["returns_list"]
    # An array echoed by a change is the change's answer, not a list to walk again.
    assert not ops["update_project_resources"]["returns_list"]


def _walk(node, schema: bool = True):
    """Every schema object under node (property maps are names, not schemas)."""
    if isinstance(node, dict):
        if schema:
            yield node
        for key, value in node.items():
            if key == "properties":
                for sub in value.values():
                    yield from _walk(sub)
            elif key in ("enum", "default", "required", "discriminator"):
                continue
            else:
                yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def test_schemas_are_structure_only_and_self_contained():
    cat = catalogue()
    inline = [
        part["inline"]
        for op in cat["operations"]
        for part in (op["body"], op["result"])
        if part and part.get("inline")
    ]
    values = [
        v["schema"]
        for op in cat["operations"]
        for v in op["path_params"] + op["query"] + (op["body"] or {}).get("fields", [])
    ]
    for node in _walk([*cat["schemas"].values(), *inline, *values]):
        prose = {k for k in node if k in PROSE or k.startswith("x-")}
        assert not prose, prose
        ref = node.get("$ref")
        if ref is not None:
            assert ref.startswith(SCHEMA_PREFIX) and ref[len(SCHEMA_PREFIX) :] in cat["schemas"]
    for op in cat["operations"]:
        for part in (op["body"], op["result"]):
            if part and part.get("schema"):
                assert part["schema"] in cat["schemas"], op["id"]


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
    exposed_tags = set(catalogue()["exposed_tags"]) - {"Legacy"}
    seen = set()
    for op in catalogue()["operations"]:
        if op["tag"] not in exposed_tags:
            continue
        key = (op["namespace"], op["name"])
        assert key not in seen
        seen.add(key)
        for client in (sync, asynchronous):
            method = getattr(getattr(client, op["namespace"]), op["name"])
            assert op["id"] in method.__doc__
    # Clusters 9, Departments 14, Projects 17, Users 8, Access rules 7, Roles 2,
    # Permissions 2, Me 2, Service Accounts 6, Access Keys 7, AuditLogs 2, Applications 6,
    # User Applications 7, Settings 3, Org unit 1, Idps 7, Tokens 3, Reports 7, Network
    # Topologies 5, Tenant 3, NodePools 13, Nodes 6, Administrator Command Line Interface 4,
    # Researcher Command Line Interface 9 (and 9 deprecated), Logo 2: the whole list.
    assert len(seen) == 161


def test_deprecated_methods_warn_and_name_their_replacement(client):
    with pytest.warns(DeprecationWarning, match=r"use projects\.list\(\) instead"):
        client.projects.legacy_list("cluster-id")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        client.projects.list()
