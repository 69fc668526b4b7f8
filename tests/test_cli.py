"""The runai-admin command."""

from __future__ import annotations

import json
import re

import pytest

from runai_admin.cli import main

from .test_interrupt import SIGINT_AT_START, start_child


@pytest.fixture
def no_credentials(monkeypatch):
    for name in ("RUNAI_BASE_URL", "RUNAI_CLIENT_ID", "RUNAI_CLIENT_SECRET", "RUNAI_TOKEN"):
        monkeypatch.delenv(name, raising=False)


def test_demo_runs_on_the_embedded_fake(no_credentials, capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    for expected in ("Clusters", "cluster-1", "physics", "team-a", "researcher@example.com"):
        assert expected in out
    # The researcher holds the L1 researcher role on the project.
    rule = next(line for line in out.splitlines() if "L1 researcher" in line)
    assert re.split(r"\s{2,}", rule.strip())[1:] == [
        "researcher@example.com",
        "L1 researcher",
        "project",
        "team-a",
    ]
    # The project's row shows its department and its 2-GPU quota in their columns.
    row = next(line for line in out.splitlines() if " team-a " in f" {line} ")
    assert re.split(r"\s{2,}", row.strip())[1:4] == ["team-a", "physics", "2.0"]


def test_demo_json_output_parses(no_credentials, capsys):
    assert main(["demo", "-o", "json"]) == 0
    chunks = capsys.readouterr().out.strip().split("\n]\n")
    assert json.loads(chunks[0] + "\n]")[0]["name"] == "cluster-1"


@pytest.fixture
def env_for(monkeypatch, cp):
    monkeypatch.setenv("RUNAI_BASE_URL", cp.url)
    monkeypatch.setenv("RUNAI_CLIENT_ID", cp.client_id)
    monkeypatch.setenv("RUNAI_CLIENT_SECRET", cp.client_secret)
    monkeypatch.delenv("RUNAI_TOKEN", raising=False)
    return cp


def test_namespace_verb_calls_the_operation(env_for, capsys):
    cp = env_for
    args = ["departments", "create", "--name", "bio", "--cluster-id", cp.cluster_id]
    assert main([*args, "--resources", '[{"gpu": {"deserved": 1}}]', "-o", "json"]) == 0
    created = json.loads(capsys.readouterr().out)
    assert created["name"] == "bio"
    assert main(["departments", "get", created["id"]]) == 0
    assert "bio" in capsys.readouterr().out
    assert main(["departments", "list", "--filter-by", "name==bio", "-o", "json"]) == 0
    assert [d["name"] for d in json.loads(capsys.readouterr().out)] == ["bio"]


def test_errors_are_reported_not_raised(env_for, capsys):
    assert main(["projects", "get", "999999"]) == 1
    assert "404" in capsys.readouterr().err
    assert main(["projects", "create", "--colour", "red"]) == 2
    assert "colour" in capsys.readouterr().err


@SIGINT_AT_START
def test_fake_server_command_serves_until_interrupted(sigint):
    import os
    import signal
    import subprocess
    import sys

    import runai_admin as ra

    env = {k: v for k, v in os.environ.items() if not k.startswith("RUNAI_")}
    # Ctrl-C stops it even when started from a shell that ignores SIGINT (`nohup ... &`).
    child = start_child(
        sigint,
        [sys.executable, "-m", "runai_admin", "fake-server", "--port", "0"],
        stdout=subprocess.PIPE,
        env=env,
    )
    try:
        assert child.stdout is not None
        settings = {}
        for _ in range(3):
            name, value = child.stdout.readline().strip().removeprefix("export ").split("=", 1)
            settings[name] = value
        with ra.Client(
            base_url=settings["RUNAI_BASE_URL"],
            client_id=settings["RUNAI_CLIENT_ID"],
            client_secret=settings["RUNAI_CLIENT_SECRET"],
        ) as client:
            assert client.clusters.list().to_list()
        child.send_signal(signal.SIGINT)
        assert child.wait(timeout=10) == 0
    finally:
        child.kill()


def test_flags_take_their_wire_type_from_the_catalogue(env_for, capsys):
    cp = env_for
    # A string field stays text even when it reads as JSON; an array is parsed.
    args = ["departments", "create", "--name", "42", "--cluster-id", cp.cluster_id]
    assert main([*args, "--resources", '[{"gpu": {"deserved": 1}}]', "-o", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["name"] == "42"


def test_fake_server_takes_a_record_limit(capsys):
    from runai_admin.cli import build_parser

    parser = build_parser()
    assert parser.parse_args(["fake-server", "--record-limit", "50"]).record_limit == 50
    assert parser.parse_args(["fake-server"]).record_limit is None
    with pytest.raises(SystemExit):
        parser.parse_args(["fake-server", "--record-limit", "-1"])
    assert "0 or more" in capsys.readouterr().err
