"""The organisation file: loading (YAML, dicts, bulk CSV), the shipped JSON Schema and its
checker, refusals with line and field, and the ``org`` command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

import runai_admin as ra
from runai_admin.cli import build_parser
from runai_admin.cli import main as cli_main
from runai_admin.org import SpecError

EXAMPLE = Path(__file__).parent.parent / "examples" / "org.yaml"
PYTHON = Path(__file__).parent.parent / "python"


def test_the_organisation_sync_and_yaml_are_imported_on_first_use():
    code = (
        "import sys, runai_admin; print('runai_admin.org' in sys.modules); "
        "runai_admin.org.Organisation(); print('yaml' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(PYTHON)},
    )
    assert out.stdout.split() == ["False", "False"]


def test_the_example_loads_into_the_model():
    org = ra.org.load(EXAMPLE)
    physics = org.clusters[0].departments[0]
    assert physics.name == "physics" and physics.prune
    assert physics.quota == {"default": {"gpu": 8, "gpuOverQuotaWeight": 2}, "h100": {"gpu": 8}}
    assert [p.name for p in physics.projects] == ["lattice-qcd", "cosmology", "materials"]
    assert physics.projects[2].scheduling_rules == {"interactiveJobTimeLimitSeconds": 28800}
    assert ra.org.AccessRule("group", "ml-researchers", "Viewer", "tenant") in org.access_rules
    assert ra.org.AccessRule("service-account", "ci-runner", "L1 researcher", "platform/ci") in (
        org.access_rules
    )
    assert [(s.name, s.enabled) for s in org.service_accounts] == [
        ("ci-runner", None),
        ("nightly-reports", False),
    ]
    # The dict form round-trips, through YAML text too.
    assert ra.org.from_dict(org.to_dict()) == org
    assert ra.org.loads(ra.org.dump(org)) == org


def test_the_shipped_schema_is_valid_and_agrees_with_the_checker():
    schema = ra.org.schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    good = ra.org.load(EXAMPLE).to_dict()
    assert list(validator.iter_errors(good)) == []
    bad_documents = [
        {"clusters": [{"departments": []}]},
        {"clusters": [{"name": "c", "departments": [{"name": "Physics"}]}]},
        {"clusters": [{"name": "c", "departments": [{"name": "p", "quota": {"x": {"gpu": -1}}}]}]},
        {"clusters": [{"name": "c", "departments": [{"name": "p", "quota": {"x": {"gpus": 1}}}]}]},
        {"users": [{"email": "not-an-address"}]},
        {"accessRules": [{"user": "a@b.c", "role": "Viewer", "scope": "a/b/c"}]},
        {"accessRules": [{"user": "a@b.c", "role": "Viewer"}]},
        {"serviceAccounts": [{"name": "robot", "enabled": "yes"}]},
        {"prune": {"users": 1}},
        {"departments": []},
    ]
    for document in bad_documents:
        assert list(validator.iter_errors(document)), document
        with pytest.raises(SpecError):
            ra.org.from_dict(document)


def test_the_schema_file_is_in_the_package():
    path = Path(ra.org.__file__).parent / "schema.json"
    assert json.loads(path.read_text()) == ra.org.schema()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "clusters:\n  - name: c\n    departments:\n      - name: a\n      - name: a\n",
            "x.yaml:5: clusters[0].departments[1].name: names a department already listed",
        ),
        (
            "accessRules:\n  - {role: Viewer, scope: tenant}\n",
            "x.yaml:2: accessRules[0]: needs exactly one subject",
        ),
        (
            "clusters: [{name: a}, {name: b}]\n"
            "accessRules:\n  - {user: u@x, role: Viewer, scope: physics}\n",
            "x.yaml:3: accessRules[0].scope: name the cluster (`cluster:path`): the file has 2",
        ),
        (
            "clusters: [{name: a}]\n"
            "accessRules:\n  - {user: u@x, role: Viewer, scope: 'b:physics'}\n",
            "x.yaml:3: accessRules[0].scope: no cluster 'b' in the file",
        ),
        ("users:\n  - email: a@b.c\n  - email: A@b.c\n", "x.yaml:3: users[1].email: names a user"),
        ("clusters: [\n", "x.yaml:2: not YAML"),
        (
            "clusters:\n  - name: c\n    departments:\n      - {name: cluster}\n",
            "x.yaml:4: clusters[0].departments[0].name: 'cluster' is a scope word",
        ),
    ],
)
def test_a_wrong_file_names_the_line_and_the_field(text, expected):
    with pytest.raises(SpecError) as refused:
        ra.org.loads(text, source="x.yaml")
    assert expected in str(refused.value)


def test_an_empty_file_is_an_empty_organisation():
    assert ra.org.loads("") == ra.org.Organisation()


def test_bulk_csv_files_load_into_the_same_model(tmp_path):
    projects = tmp_path / "projects.csv"
    projects.write_text(
        "department,project,default.gpu,h100.gpu,h100.gpuLimit\n"
        "physics,lattice,2,4,6\n"
        "physics,cosmology,1,,\n"
        "biology,genomics,3,,\n"
    )
    users = tmp_path / "users.csv"
    users.write_text("email\nada@example.com\ngrace@example.com\n")
    rules = tmp_path / "rules.csv"
    rules.write_text(
        "subjectType,subject,role,scope\n"
        "user,ada@example.com,L1 researcher,physics/lattice\n"
        "serviceAccount,robot,Viewer,tenant\n"
    )
    base = ra.org.from_dict(
        {"clusters": [{"name": "cluster-1", "departments": [{"name": "physics", "prune": True}]}]}
    )
    org = ra.org.load_csv(projects=projects, users=users, access_rules=rules, into=base)
    physics, biology = org.clusters[0].departments
    assert physics.prune and [p.name for p in physics.projects] == ["lattice", "cosmology"]
    assert physics.projects[0].quota == {"default": {"gpu": 2}, "h100": {"gpu": 4, "gpuLimit": 6}}
    assert physics.projects[1].quota == {"default": {"gpu": 1}}
    assert biology.projects[0].name == "genomics"
    assert [u.email for u in org.users] == ["ada@example.com", "grace@example.com"]
    assert org.access_rules == [
        ra.org.AccessRule("user", "ada@example.com", "L1 researcher", "physics/lattice"),
        ra.org.AccessRule("service-account", "robot", "Viewer", "tenant"),
    ]


def test_a_wrong_csv_cell_names_its_file_and_row(tmp_path):
    projects = tmp_path / "projects.csv"
    projects.write_text("cluster,department,project,default.gpu\nc,physics,lattice,two\n")
    with pytest.raises(SpecError, match=r"projects.csv:2: default.gpu: 'two' is not a number"):
        ra.org.load_csv(projects=projects)
    projects.write_text("cluster,department,project\nc,physics,Lattice\n")
    with pytest.raises(SpecError, match=r"projects.csv:2: clusters\[0\].departments\[0\].projects"):
        ra.org.load_csv(projects=projects)
    rules = tmp_path / "rules.csv"
    rules.write_text("subjectType,subject,role,scope\nrobot,r,Viewer,tenant\n")
    with pytest.raises(SpecError, match=r"rules.csv:2: subjectType: 'robot' is not"):
        ra.org.load_csv(access_rules=rules)
    users = tmp_path / "users.csv"
    users.write_text("mail\nada@example.com\n")
    with pytest.raises(SpecError, match=r"users.csv:1: missing column\(s\) email"):
        ra.org.load_csv(users=users)


# The command line ------------------------------------------------------------------------


def test_the_commands_register_on_a_parser_with_handlers():
    parser = build_parser(["org"])
    args = parser.parse_args(["org", "plan", "org.yaml", "--exit-code", "-o", "markdown"])
    assert args.exit_code and args.output == "markdown" and callable(args.handler)
    args = parser.parse_args(["org", "apply", "org.yaml", "--atomic", "--yes"])
    assert args.atomic and args.yes and callable(args.handler)
    assert parser.parse_args(["org", "apply", "f", "--concurrency", "8"]).concurrency == 8
    with pytest.raises(SystemExit):
        parser.parse_args(["org", "apply", "f", "--concurrency", "0"])
    args = parser.parse_args(["org", "export", "-o", "out.yaml"])
    assert args.output == "out.yaml" and callable(args.handler)


def test_cli_plan_exit_codes_apply_and_export(capsys, tmp_path):
    assert cli_main(["org", "plan", str(EXAMPLE), "--fake"]) == 0
    assert "Plan: 26 to create" in capsys.readouterr().out
    assert cli_main(["org", "plan", str(EXAMPLE), "--fake", "--exit-code"]) == 2
    capsys.readouterr()
    assert cli_main(["org", "plan", str(EXAMPLE), "--fake", "-o", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["summary"]["create"] == 26
    # Not a terminal and no --yes: nothing is applied.
    assert cli_main(["org", "apply", str(EXAMPLE), "--fake"]) == 1
    assert "pass --yes" in capsys.readouterr().err
    assert cli_main(["org", "apply", str(EXAMPLE), "--fake", "--yes"]) == 0
    shown = capsys.readouterr()
    assert "Apply complete: 26 created" in shown.out
    assert "secrets were issued for" in shown.err and "service-account ci-runner" in shown.err
    secrets = tmp_path / "secrets.json"
    assert (
        cli_main(["org", "apply", str(EXAMPLE), "--fake", "--yes", "--secrets-file", str(secrets)])
        == 0
    )
    kept = json.loads(secrets.read_text())
    assert set(kept) >= {"service-account ci-runner", "user ada@example.com"}
    assert secrets.stat().st_mode & 0o077 == 0
    assert kept["service-account ci-runner"] not in capsys.readouterr().out
    out = tmp_path / "org.yaml"
    assert cli_main(["org", "export", "--fake", "-o", str(out)]) == 0
    assert ra.org.load(out).clusters[0].departments[0].name == "default"
    assert cli_main(["org", "export", "--fake"]) == 0
    assert capsys.readouterr().out.startswith("clusters:")


def test_cli_refuses_a_bad_file_with_one_message(capsys, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("users:\n  - {email: 3}\n")
    assert cli_main(["org", "plan", str(bad), "--fake", "--exit-code"]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:2: users[0].email: must be a string, not 3" in err
    assert "Traceback" not in err


def test_cli_on_a_control_plane_from_the_settings(capsys, monkeypatch, cp):
    monkeypatch.setenv("RUNAI_BASE_URL", cp.url)
    monkeypatch.setenv("RUNAI_CLIENT_ID", cp.client_id)
    monkeypatch.setenv("RUNAI_CLIENT_SECRET", cp.client_secret)
    assert cli_main(["org", "plan", str(EXAMPLE), "--exit-code"]) == 2
    assert (
        cli_main(["org", "apply", str(EXAMPLE), "--yes", "-o", "json", "--concurrency", "4"]) == 0
    )
    capsys.readouterr()
    # In sync now: the drift check passes.
    assert cli_main(["org", "plan", str(EXAMPLE), "--exit-code"]) == 0
    assert "No changes" in capsys.readouterr().out
    with cp.client() as client:
        client.projects.delete(
            next(p["id"] for p in client.projects.list() if p["name"] == "materials")
        )
    assert cli_main(["org", "plan", str(EXAMPLE), "--exit-code", "-o", "markdown"]) == 2
    assert "| project | `cluster-1/physics/materials` |" in capsys.readouterr().out
