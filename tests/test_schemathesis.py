"""Conformance checked by a tool nobody here wrote: schemathesis generates requests from the
official OpenAPI document for every operation the fake serves (the catalogue's exposed
operations but the seed era's, whose `Legacy` tag the document does not have), sends them
to the fake and checks each answer against the document. Two passes run at once, each on
its own fresh fake: one with the identifiers schemathesis makes up (unknown objects,
malformed values), one (the deletions left out) with the identifiers of objects that
exist, in the path and mostly in the bodies too, so that real answers are checked as well.

What it reports is compared with tests/schemathesis-baseline.toml, one entry per
(operation, check) with the reason the answer differs from the document: a failure not
in the baseline fails this test, and so does an entry that no longer fails, so the
baseline cannot rot. The run is reproducible: a fixed seed, a bounded number of examples
per operation, one worker, no example database.

The official document lives outside the repository (see tests/spec.py): without it this
test skips. schemathesis needs Python 3.11 or newer: on older Pythons it skips too.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from runai_admin.testing import FakeControlPlane

from .spec import catalogue, reference_file

BASELINE = Path(__file__).with_name("schemathesis-baseline.toml")
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "positive_data_acceptance",
)
SEED = 20261128
MAX_EXAMPLES = 10
# The stateful phase is left out: it chains operations by links it infers and runs them in
# threads, so what it reaches is not a fixed function of the seed.
PHASES = "examples,coverage,fuzzing"


def served_operations() -> dict[str, str]:
    """The operations the fake serves, by their `METHOD /path` label: operation id."""
    return {
        f"{op['method']} {op['path']}": op["id"]
        for op in catalogue()["operations"]
        if op["exposed"] and op["tag"] != "Legacy"
    }


def fresh_token(cp: FakeControlPlane) -> str:
    body = {"grantType": "client_credentials", "clientID": cp.client_id}
    body["clientSecret"] = cp.client_secret
    request = urllib.request.Request(
        cp.url + "/api/v1/token",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        token: str = json.load(answer)["accessToken"]
    return token


def load_baseline(labels: dict[str, str]) -> dict[tuple[str, str], str]:
    """(operation id, check): reason, each entry checked for shape."""
    import tomllib

    known: dict[tuple[str, str], str] = {}
    ids = set(labels.values())
    for entry in tomllib.loads(BASELINE.read_text(encoding="utf-8"))["known"]:
        key = (entry["operation"], entry["check"])
        assert entry["operation"] in ids, f"baseline: {key} names no served operation"
        assert entry["check"] in CHECKS, f"baseline: {key} names a check this run does not make"
        assert entry.get("reason", "").strip(), f"baseline: {key} gives no reason"
        assert key not in known, f"baseline: {key} is listed twice"
        known[key] = entry["reason"]
    return known


def existing_objects(cp: FakeControlPlane) -> dict[str, str]:
    """Path parameters naming objects that exist: a project made for the run, the seed's
    cluster, default department and administrator. The project also gets an access rule,
    so that rule lists show one scoped below the tenant. (Rule and role ids are small
    integers that schemathesis reaches on its own; fixed ones would override the
    malformed ids of its negative cases.)"""
    with cp.client() as client:
        project = client.projects.create(
            name="conformance", cluster_id=cp.cluster_id, resources=[{"gpu": {"deserved": 1}}]
        )
        admin = client.users.list().to_list()[0]
        department = client.departments.list().to_list()[0]["id"]
        role = client.roles.list().to_list()[0]["id"]
        client.access_rules.create(
            subject_id=admin["username"],
            subject_type="user",
            role_id=role,
            scope_id=str(project["id"]),
            scope_type="project",
        )
    cluster = cp.cluster_id
    return {
        "clusterUuid": cluster,
        "cluster_uuid": cluster,
        "clusterId": cluster,
        "departmentId": str(department),
        "department-id": str(department),
        "projectId": str(project["id"]),
        "id": str(project["id"]),
        "userId": admin["id"],
    }


def start_pass(
    spec: Path, cp: FakeControlPlane, op_ids: list[str], ids: dict[str, str], out: Path
) -> subprocess.Popen[str]:
    """One schemathesis run in the background, its events in `out`/events.ndjson."""
    out.mkdir()
    # The token travels in the environment, not on a command line, through the header
    # the configuration file names; an explicit file, so that no other one is found.
    lines = ["[headers]", 'Authorization = "Bearer ${RUNAI_ADMIN_ST_TOKEN}"']
    if ids:
        lines += ["[parameters]", *(f'"path.{name}" = "{value}"' for name, value in ids.items())]
        # Bodies name the cluster and department that exist, most of the time.
        for field, key in (("clusterId", "clusterId"), ("parentId", "departmentId")):
            lines.append(f'"body.{field}" = {{ dictionary = "{key}", probability = 0.9 }}')
        for key in ("clusterId", "departmentId"):
            lines += [f"[dictionaries.{key}]", f'values = ["{ids[key]}"]']
    config = out / "schemathesis.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(config),
        "run",
        str(spec),
        "--url",
        cp.url,
        "--checks",
        ",".join(CHECKS),
        "--phases",
        PHASES,
        "--seed",
        str(SEED),
        "--max-examples",
        str(MAX_EXAMPLES),
        "--workers",
        "1",
        "--generation-database",
        "none",
        # The one health check that measures time: a busy machine must not fail the run.
        "--suppress-health-check",
        "too_slow",
        "--report",
        "ndjson",
        "--report-ndjson-path",
        str(out / "events.ndjson"),
        "--no-color",
        *(f"--include-operation-id={op_id}" for op_id in sorted(op_ids)),
    ]
    env = {**os.environ, "RUNAI_ADMIN_ST_TOKEN": fresh_token(cp)}
    return subprocess.Popen(
        command, cwd=out, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def finish_pass(run: subprocess.Popen[str], out: Path) -> Path:
    output, _ = run.communicate(timeout=300)
    events = out / "events.ndjson"
    # 0: no failure, 1: failures (compared below); anything else is the run's own trouble.
    assert run.returncode in (0, 1) and events.is_file(), (
        f"schemathesis exited {run.returncode}\n{output[-6000:]}"
    )
    return events


def describe(exchange: dict[str, Any]) -> str:
    """`GET /path?query -> 400 {...}`: what was sent and answered, shortly."""
    request, response = exchange["request"], exchange.get("response") or {}
    uri = request["uri"].split("/", 3)[-1]
    body = base64.b64decode(response.get("content", {}).get("$base64", "")).decode(
        "utf-8", "replace"
    )
    return f"{request['method']} /{uri} -> {response.get('status_code')} {body[:300]}"


def read_events(events: Path) -> tuple[dict[str, Any], dict[tuple[str, str], str], list[str]]:
    """The loading statistic, every failure by (label, check) with one message, and errors."""
    statistic: dict[str, Any] = {}
    failures: dict[tuple[str, str], str] = {}
    errors: list[str] = []
    finished = False
    with events.open(encoding="utf-8") as lines:
        for line in lines:
            event = json.loads(line)
            if "LoadingFinished" in event:
                statistic = event["LoadingFinished"]["statistic"]
            elif "EngineFinished" in event:
                finished = True
            elif "NonFatalError" in event or "FatalError" in event:
                errors.append(json.dumps(event)[:1000])
            elif "ScenarioFinished" in event:
                recorder = event["ScenarioFinished"]["recorder"]
                interactions = recorder.get("interactions") or {}
                for case_id, checks in (recorder.get("checks") or {}).items():
                    for check in checks:
                        if check["status"] != "failure":
                            continue
                        failure = check["failure_info"]["failure"]
                        key = (failure["operation"], check["name"])
                        message = f"{failure['title']}: {failure['message']}"
                        exchange = interactions.get(case_id)
                        if exchange is not None:
                            message += "\n  " + describe(exchange)
                        failures.setdefault(key, message)
    assert finished, "the schemathesis run did not finish"
    return statistic, failures, errors


def test_schemathesis_conformance(tmp_path: Path) -> None:
    spec = reference_file("openapi.json")
    if sys.version_info < (3, 11):
        pytest.skip("schemathesis needs Python 3.11 or newer")
    pytest.importorskip("schemathesis", reason="the `test` extra installs schemathesis")
    labels = served_operations()
    known = load_baseline(labels)

    # Two passes, at once, each on its own fake: every operation with the identifiers
    # schemathesis makes up (mostly unknown objects: 404s, bad values), and every
    # operation but the deletions with identifiers of objects that exist (their answers).
    all_ops = list(labels.values())
    kept = [op_id for label, op_id in labels.items() if not label.startswith("DELETE ")]
    passes: list[tuple[subprocess.Popen[str], str, list[str]]] = []
    with FakeControlPlane() as made_up, FakeControlPlane() as existing:
        try:
            run = start_pass(spec, made_up, all_ops, {}, tmp_path / "made-up")
            passes.append((run, "made-up", all_ops))
            ids = existing_objects(existing)
            run = start_pass(spec, existing, kept, ids, tmp_path / "existing")
            passes.append((run, "existing", kept))
            results = [(finish_pass(run, tmp_path / name), ops) for run, name, ops in passes]
        finally:
            for run, _, _ in passes:
                if run.poll() is None:
                    run.kill()
                    run.wait()
        # The made-up pass deletes access rules by small integer ids: had it deleted the
        # built-in application's own rule, every later call would have passed on a 403.
        for plane in (made_up, existing):
            with plane.client() as client:
                mine = client.me.list_access_rules().to_list()
            assert [r["roleName"] for r in mine] == ["System administrator"], mine

    found: dict[tuple[str, str], str] = {}
    for events, ops in results:
        statistic, failures, errors = read_events(events)
        assert not errors, "schemathesis errors:\n" + "\n".join(errors)
        assert statistic["operations"]["selected"] == len(ops), (
            f"schemathesis selected {statistic['operations']['selected']} operations of {len(ops)}"
        )
        for (label, check), message in failures.items():
            assert label in labels, f"a failure of an operation not under test: {label}"
            found.setdefault((labels[label], check), message)

    report = verdict(found, known)
    assert not report, "\n".join(report)


def verdict(found: dict[tuple[str, str], str], known: dict[tuple[str, str], str]) -> list[str]:
    """What is wrong, both ways: a failure the baseline does not list, an entry that no
    longer fails."""
    new = sorted(set(found) - set(known))
    stale = sorted(set(known) - set(found))
    report = [f"new failure {op} / {check}: {found[(op, check)][:300]}" for op, check in new]
    report += [f"baseline entry no longer fails, remove it: {op} / {check}" for op, check in stale]
    return report


def test_the_baseline_is_held_both_ways() -> None:
    known = {("get_clusters", "status_code_conformance"): "a reason"}
    assert verdict({("get_clusters", "status_code_conformance"): "400"}, known) == []
    assert verdict({}, known) == [
        "baseline entry no longer fails, remove it: get_clusters / status_code_conformance"
    ]
    found = {
        ("get_clusters", "status_code_conformance"): "400",
        ("get_clusters", "not_a_server_error"): "500",
    }
    assert verdict(found, known) == ["new failure get_clusters / not_a_server_error: 500"]
