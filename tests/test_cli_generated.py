"""`runai-admin <namespace> <verb>`: a command for every operation of the catalogue, with
its help, typed flags, bodies, output formats and exit statuses."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from typing import Any

import pytest
import yaml

from runai_admin import _core
from runai_admin.cli import COMMANDS, build_parser, main
from runai_admin.cli.operations import kebab
from runai_admin.testing import FakeControlPlane

CATALOGUE = [op for op in json.loads(_core.catalogue_json())["operations"] if op["exposed"]]


def words_of(namespace: str) -> list[str]:
    return [kebab(part) for part in namespace.split(".")]


NAMESPACES = sorted({op["namespace"] for op in CATALOGUE})
# Every level of a nested namespace has its own help (`legacy`, then `legacy clusters`).
GROUPS = sorted(
    {" ".join(words_of(ns)[: i + 1]) for ns in NAMESPACES for i in range(ns.count(".") + 1)}
)


@pytest.fixture
def env_for(monkeypatch: pytest.MonkeyPatch, cp: FakeControlPlane, tmp_path: Any) -> Any:
    monkeypatch.setenv("RUNAI_BASE_URL", cp.url)
    monkeypatch.setenv("RUNAI_CLIENT_ID", cp.client_id)
    monkeypatch.setenv("RUNAI_CLIENT_SECRET", cp.client_secret)
    monkeypatch.delenv("RUNAI_TOKEN", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return cp


def run(capsys: Any, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    printed = capsys.readouterr()
    return code, printed.out, printed.err


# Help at every level ---------------------------------------------------------------------


def test_the_top_level_help_lists_every_namespace_and_command(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0
    listed = {line.split()[0] for line in out.splitlines() if line.startswith("    ")}
    tops = {words_of(ns)[0] for ns in NAMESPACES}
    assert tops | {c.name for c in COMMANDS} <= listed
    # One line of summary each: what the namespace is and how many verbs it has.
    projects = next(line for line in out.splitlines() if line.split()[:1] == ["projects"])
    count = sum(op["namespace"] == "projects" for op in CATALOGUE)
    assert f"({count})" in projects and "list" in projects  # on one line


@pytest.mark.parametrize("group", GROUPS)
def test_every_namespace_lists_its_verbs_with_their_summaries(capsys, group):
    code, out, _ = run(capsys, *group.split(), "--help")
    assert code == 0
    for op in CATALOGUE:
        words = words_of(op["namespace"])
        if " ".join(words) == group:
            line = next(x for x in out.splitlines() if x.split()[:1] == [kebab(op["name"])])
            summary = " ".join(op["summary"].split()).rstrip(".")
            assert summary[:20] in " ".join(out.split()), (op["id"], line)
        elif " ".join(words).startswith(group + " "):
            assert words[group.count(" ") + 1] in out  # a namespace under this group


@pytest.mark.parametrize("op", CATALOGUE, ids=[op["id"] for op in CATALOGUE])
def test_every_verb_lists_its_flags_with_their_types_and_its_http_call(capsys, op):
    code, out, _ = run(capsys, *words_of(op["namespace"]), kebab(op["name"]), "--help")
    assert code == 0
    text = " ".join(out.split())
    assert f"{op['method']} {op['path']}" in text
    paging = op["pagination"] or {}
    for p in op["path_params"]:
        assert p["py"].upper() in out and f"--{kebab(p['py'])}" in out
    for q in op["query"]:
        if q["name"] in (paging.get("offset"), paging.get("limit")):
            continue
        assert f"--{kebab(q['py'])}" in out and f"query parameter {q['name']}" in text
    for f in (op["body"] or {}).get("fields", []):
        assert f"--{kebab(f['py'])}" in out and f"body field {f['name']}" in text
    if op["body"]:
        assert "--body" in out
    if op["returns_list"]:
        assert "--max-items" in out
    if paging:
        assert "--page-size" in out and "--offset" in out
    if (op["result"] or {}).get("kind", "json") != "json":
        assert "--to PATH" in out


def test_flags_carry_the_wire_types(capsys):
    _, out, _ = run(capsys, "projects", "list", "--help")
    assert "--sort-order {asc,desc}" in out  # an enum: its choices
    assert "--filter-by TEXT" in out and "repeat the flag" in out  # an array: repeated
    _, out, _ = run(capsys, "departments", "create", "--help")
    assert "--resources JSON" in out  # an array of objects: JSON
    _, out, _ = run(capsys, "clusters", "list", "--help")
    assert "--include-requested-for-delete" in out and "--no-include-requested-for-delete" in out
    _, out, _ = run(capsys, "audit-logs", "list", "--help")
    assert "--page-size INT" in out


def test_the_parser_has_one_command_per_operation_and_no_clash():
    """Building every parser at once (as completion does) proves no flag of any
    operation clashes with another or with the common options."""
    from runai_admin.cli.completion import nodes

    verbs = {node.path for node in nodes(build_parser(None)) if not node.commands}
    expected = {" ".join([*words_of(op["namespace"]), kebab(op["name"])]) for op in CATALOGUE}
    handwritten = {c.name for c in COMMANDS}
    assert {verb for verb in verbs if verb.split()[0] not in handwritten} == expected
    assert len(expected) == len(CATALOGUE)


def test_no_namespace_takes_the_name_of_a_hand_written_command():
    namespaces = {words_of(ns)[0] for ns in NAMESPACES}
    assert "org" in {c.name for c in COMMANDS}
    assert not {c.name for c in COMMANDS} & namespaces


# Calls -----------------------------------------------------------------------------------


def test_a_department_round_trip_with_bodies_from_files(env_for, capsys, tmp_path):
    cp = env_for
    created_body = tmp_path / "department.json"
    created_body.write_text(
        json.dumps(
            {"name": "bio", "clusterId": cp.cluster_id, "resources": [{"gpu": {"deserved": 1}}]}
        )
    )
    code, out, _ = run(capsys, "departments", "create", "--body", f"@{created_body}", "-o", "json")
    assert code == 0
    created = json.loads(out)
    assert created["name"] == "bio"
    department_id = created["id"]

    code, out, _ = run(capsys, "departments", "get", department_id, "-o", "json")
    assert code == 0 and json.loads(out)["id"] == department_id
    # The path parameter as a flag says the same.
    code, out, _ = run(capsys, "departments", "get", "--department-id", department_id, "-o", "json")
    assert code == 0 and json.loads(out)["name"] == "bio"

    code, out, _ = run(capsys, "departments", "list", "--filter-by", "name==bio", "-o", "json")
    assert code == 0 and [d["id"] for d in json.loads(out)] == [department_id]

    updated_body = tmp_path / "update.json"
    updated_body.write_text(json.dumps({"resources": [{"gpu": {"deserved": 3}}]}))
    code, out, _ = run(
        capsys, "departments", "update", department_id, "--body", f"@{updated_body}", "-o", "json"
    )
    assert code == 0, out
    with cp.client() as client:
        assert client.departments.get(department_id)["totalResources"]["gpuQuota"] == 3

    code, out, _ = run(capsys, "departments", "delete", department_id)
    assert code == 0
    code, out, err = run(capsys, "departments", "get", department_id)
    assert code == 1 and out == ""
    assert "404" in err and department_id in err and "Traceback" not in err


def test_field_flags_are_merged_over_the_body_and_stdin_gives_one(env_for, capsys, monkeypatch):
    cp = env_for
    body = {"name": "from-body", "clusterId": cp.cluster_id, "resources": []}
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(body)))
    code, out, _ = run(
        capsys, "departments", "create", "--body", "-", "--name", "flag", "-o", "json"
    )
    assert code == 0 and json.loads(out)["name"] == "flag"
    inline = json.dumps({**body, "name": "inline"})
    code, out, _ = run(capsys, "departments", "create", "--body", inline, "-o", "json")
    assert code == 0 and json.loads(out)["name"] == "inline"


def test_every_output_format_parses_back(env_for, capsys):
    cp = env_for
    with cp.client() as client:
        expected = client.departments.list().to_list()
    _, out, _ = run(capsys, "departments", "list", "-o", "json")
    assert json.loads(out) == expected
    _, out, _ = run(capsys, "departments", "list", "-o", "yaml")
    assert yaml.safe_load(out) == expected
    _, out, _ = run(capsys, "departments", "list", "-o", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["name"] for r in rows] == [d["name"] for d in expected]
    # Nested fields as dotted columns; lists as JSON in their cell.
    assert rows[0]["totalResources.gpuQuota"] == str(expected[0]["totalResources"]["gpuQuota"])
    assert json.loads(rows[0]["resources"]) == expected[0]["resources"]
    _, out, _ = run(capsys, "departments", "list", "-o", "table")
    head, rule, *lines = out.splitlines()
    assert head.split()[:2] == ["ID", "NAME"] and set(rule) <= {"-", " "}
    assert [line.split()[1] for line in lines] == [d["name"] for d in expected]
    # One object: a line per dotted field.
    _, out, _ = run(capsys, "departments", "get", expected[0]["id"], "-o", "table")
    assert any(line.split() == ["name", expected[0]["name"]] for line in out.splitlines())
    assert any(line.startswith("totalResources.gpuQuota") for line in out.splitlines())
    _, out, _ = run(capsys, "departments", "get", expected[0]["id"], "-o", "csv")
    assert next(csv.DictReader(io.StringIO(out)))["id"] == expected[0]["id"]


def test_the_default_format_is_json_when_piped(env_for, capsys):
    code, out, _ = run(capsys, "clusters", "list")  # captured: not a terminal
    assert code == 0 and json.loads(out)[0]["uuid"] == env_for.cluster_id


def test_pager_options_and_nested_namespaces(env_for, capsys):
    cp = env_for
    cp.add_users([f"u{i}@example.com" for i in range(7)])
    code, out, _ = run(
        capsys, "users", "list", "--page-size", "2", "--max-items", "5", "-o", "json"
    )
    assert code == 0 and len(json.loads(out)) == 5
    # Two new items a page, each page after the first starting on the last item of the one
    # before (the walk's check that nothing moved): the fifth item is on the third page,
    # and no page is asked for after it.
    pages = [r["query"] for r in cp.requests if r["path"] == "/api/v1/users"]
    assert pages == ["offset=0&limit=2", "offset=1&limit=3", "offset=3&limit=2"]
    code, out, _ = run(capsys, "legacy", "clusters", "list", "-o", "json")
    assert code == 0 and json.loads(out)[0]["clusterUuid"] == cp.cluster_id
    # The Python face's spelling of a namespace is taken too.
    code, out, _ = run(capsys, "node_pools", "list", "-o", "json")
    assert code == 0 and {p["name"] for p in json.loads(out)} >= {"default"}


def test_deprecated_operations_name_their_successor(env_for, capsys):
    code, out, err = run(capsys, "cli", "legacy-installer-linux-commands", "-o", "json")
    assert code == 0 and "command" in json.loads(out)
    assert "deprecated" in err and "runai-admin cli installer-linux-commands" in err


def test_usage_errors_exit_2_before_anything_is_sent(env_for, capsys, tmp_path):
    cp = env_for
    cp.clear_requests()
    cases = [
        (["projects", "get"], "PROJECT_ID"),  # a path parameter missing
        (["projects", "list", "--sort-order", "sideways"], "invalid choice"),
        (["users", "list", "--max-items", "many"], "invalid int"),
        (["departments", "create", "--name", "x"], "--cluster-id"),  # required body fields
        (["departments", "create", "--body", "{not json"], "not JSON"),
        (["departments", "create", "--body", f"@{tmp_path / 'none.json'}"], "cannot read"),
        (["projects", "frobnicate"], "invalid choice"),
        (["projects", "create", "--colour", "red"], "colour"),
        (["projects", "get", "1", "--project-id", "2"], "differ"),
        (["departments", "update-resources", "1"], "--body"),  # an array body is required
    ]
    for argv, expected in cases:
        code, _, err = run(capsys, *argv)
        assert code == 2, argv
        assert expected in err, (argv, err)
    required = next(
        op
        for op in CATALOGUE
        if any(q.get("required") for q in op["query"]) and not op["path_params"]
    )
    flag = next(kebab(q["py"]) for q in required["query"] if q.get("required"))
    code, _, err = run(capsys, *words_of(required["namespace"]), kebab(required["name"]))
    assert code == 2 and f"--{flag}" in err
    assert not [r for r in cp.requests if not r["path"].startswith("/api/v1/token")]


def test_no_credentials_is_an_error_not_a_traceback(monkeypatch, capsys, tmp_path):
    for name in ("RUNAI_BASE_URL", "RUNAI_CLIENT_ID", "RUNAI_CLIENT_SECRET", "RUNAI_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setenv("RUNAI_CLI_CONFIG_PATH", str(tmp_path / "no-runai-cli"))
    code, out, err = run(capsys, "clusters", "list")
    assert code == 1 and out == "" and "Traceback" not in err and err.startswith("runai-admin: ")


# As a program ----------------------------------------------------------------------------


def program(
    args: list[str], env: dict[str, str], stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "runai_admin", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def program_env(cp: FakeControlPlane, tmp_path: Any, credentials: bool = True) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUNAI_")}
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    env["RUNAI_CLI_CONFIG_PATH"] = str(tmp_path / "no-runai-cli")
    if credentials:
        env.update(
            RUNAI_BASE_URL=cp.url,
            RUNAI_CLIENT_ID=cp.client_id,
            RUNAI_CLIENT_SECRET=cp.client_secret,
        )
    return env


def test_exit_statuses_of_the_program(cp, tmp_path):
    env = program_env(cp, tmp_path)
    done = program(["clusters", "list", "-o", "json"], env)
    assert done.returncode == 0 and json.loads(done.stdout)[0]["uuid"] == cp.cluster_id
    missing = program(["projects", "get", "999999"], env)
    assert missing.returncode == 1 and missing.stdout == ""
    assert "404" in missing.stderr and "999999" in missing.stderr
    assert "Traceback" not in missing.stderr and cp.client_secret not in missing.stderr
    wrong = program(["projects", "list", "--sort-order", "sideways"], env)
    assert wrong.returncode == 2 and "invalid choice" in wrong.stderr
    for argv in (["--help"], ["legacy", "--help"], ["projects", "get", "--help"]):
        helped = program(argv, env)
        assert helped.returncode == 0 and helped.stdout.startswith("usage: runai-admin")
    yaml_out = program(["departments", "list", "-o", "yaml"], env)
    assert yaml.safe_load(yaml_out.stdout)[0]["name"] == "default"


def test_help_loads_neither_pandas_nor_yaml(tmp_path):
    probe = (
        "import sys\n"
        "from runai_admin.cli import main\n"
        "code = main(['--help'])\n"
        "print(code, sorted(m for m in ('pandas', 'yaml', 'tqdm') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.splitlines()[-1] == "0 []"


@pytest.mark.skipif(os.name != "posix", reason="SIGINT delivery to a child is POSIX")
def test_ctrl_c_stops_a_command_with_status_130(cp, tmp_path):
    # The child sets the handler a terminal gives: a test run in the background ignores
    # SIGINT and its children inherit that.
    child_code = (
        "import signal, sys\n"
        "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        "from runai_admin.cli import main\n"
        "sys.exit(main(['clusters', 'list', '-o', 'json']))\n"
    )
    cp.inject("/api/v1/clusters", delay=30)
    child = subprocess.Popen(
        [sys.executable, "-c", child_code],
        env=program_env(cp, tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not any(r["path"] == "/api/v1/token" for r in cp.requests):
            assert time.monotonic() < deadline and child.poll() is None
            time.sleep(0.05)
        time.sleep(0.5)  # the list is sent and waits on the delay
        child.send_signal(signal.SIGINT)
        started = time.monotonic()
        out, err = child.communicate(timeout=10)
    finally:
        child.kill()
    assert child.returncode == 130, err
    assert time.monotonic() - started < 5
    assert out == "" and "interrupted" in err and "Traceback" not in err
