"""The runai-admin command."""

from __future__ import annotations

import getpass
import io
import json
import os
import re
import shutil
import stat
import subprocess
import sys

import pytest

import runai_admin as ra
from runai_admin.cli import COMMANDS, main
from runai_admin.cli.operations import tree
from runai_admin.testing import FakeControlPlane

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


# login and logout ------------------------------------------------------------------------


@pytest.fixture
def config_home(monkeypatch, tmp_path):
    """A config directory of this test's own, no RUNAI_* settings and no runai login session."""
    for name in ("RUNAI_BASE_URL", "RUNAI_CLIENT_ID", "RUNAI_CLIENT_SECRET", "RUNAI_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RUNAI_CLI_CONFIG_PATH", str(tmp_path / "no-runai-cli"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path / "config" / "runai-admin"


def login(monkeypatch, cp, secret, *extra):
    monkeypatch.setattr(sys, "stdin", io.StringIO(secret + "\n"))
    argv = ["login", "--base-url", cp.url, "--client-id", cp.client_id, "--client-secret-stdin"]
    return main([*argv, *extra])


def test_login_stores_a_profile_only_its_owner_reads_and_commands_use_it(
    config_home, monkeypatch, capsys, cp
):

    # Even under a umask that would let anyone read new files.
    os.umask(0)
    try:
        assert login(monkeypatch, cp, cp.client_secret) == 0
    finally:
        os.umask(0o022)
    printed = capsys.readouterr()
    assert cp.client_secret not in printed.out + printed.err
    profile = config_home / "profile.json"
    assert stat.S_IMODE(profile.stat().st_mode) == 0o600
    assert stat.S_IMODE(config_home.stat().st_mode) == 0o700
    assert json.loads(profile.read_text()) == {
        "base_url": cp.url,
        "client_id": cp.client_id,
        "client_secret": cp.client_secret,
    }
    assert [p.name for p in config_home.iterdir()] == ["profile.json"]  # no temporary left

    assert main(["clusters", "list", "-o", "json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["uuid"] == cp.cluster_id
    with ra.Client() as client:
        assert f"source=runai-admin-login:{profile}" in repr(client)
        assert cp.client_secret not in repr(client)
    # Another control plane named by RUNAI_BASE_URL never gets this secret.
    with FakeControlPlane() as other:
        monkeypatch.setenv("RUNAI_BASE_URL", other.url)
        assert main(["clusters", "list"]) == 1
        assert other.requests == []
    monkeypatch.delenv("RUNAI_BASE_URL")

    assert main(["logout"]) == 0
    assert not profile.exists()
    assert main(["logout"]) == 0  # nothing to remove is no error
    assert main(["clusters", "list"]) == 1
    assert "Traceback" not in capsys.readouterr().err


def test_the_profile_is_never_readable_by_others_while_written(config_home, monkeypatch, cp):

    seen = []
    replace = os.replace

    def watching(source, target):
        seen.append(stat.S_IMODE(os.stat(source).st_mode))
        replace(source, target)

    monkeypatch.setattr(os, "replace", watching)
    assert login(monkeypatch, cp, cp.client_secret) == 0
    assert seen == [0o600]


def test_login_refuses_credentials_the_control_plane_refuses(config_home, monkeypatch, capsys, cp):
    assert login(monkeypatch, cp, "not-the-secret") == 1
    printed = capsys.readouterr()
    assert "401" in printed.err and "not-the-secret" not in printed.out + printed.err
    assert not (config_home / "profile.json").exists()
    # --no-check stores them all the same (for a control plane out of reach now).
    assert login(monkeypatch, cp, "not-the-secret", "--no-check") == 0
    assert (config_home / "profile.json").exists()


def test_login_needs_a_terminal_or_stdin_for_the_secret(config_home, monkeypatch, capsys, cp):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # not a terminal
    argv = ["login", "--base-url", cp.url, "--client-id", cp.client_id]
    assert main(argv) == 2
    assert "--client-secret-stdin" in capsys.readouterr().err
    assert login(monkeypatch, cp, "") == 2  # an empty secret


def test_login_asks_for_the_secret_without_echo(config_home, monkeypatch, capsys, cp):
    asked = []

    def ask(prompt="Password: ", stream=None):
        asked.append(prompt)
        return cp.client_secret

    monkeypatch.setattr(getpass, "getpass", ask)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    assert main(["login", "--base-url", cp.url, "--client-id", cp.client_id]) == 0
    assert asked and cp.client_id in asked[0]
    assert cp.client_secret not in capsys.readouterr().err


def test_a_profile_others_may_read_is_refused(config_home, monkeypatch, capsys, cp):
    assert login(monkeypatch, cp, cp.client_secret) == 0
    profile = config_home / "profile.json"
    profile.chmod(0o644)
    capsys.readouterr()
    assert main(["clusters", "list"]) == 1
    err = capsys.readouterr().err
    assert str(profile) in err and "chmod 600" in err and cp.client_secret not in err


def test_the_stored_profile_comes_before_the_runai_login_session(config_home, monkeypatch, cp):
    """A `runai login` session of the same control plane is there too: the profile made
    for this tool on purpose signs in."""

    session = config_home.parent.parent / "runai-cli"
    session.mkdir()
    (session / "config.json").write_text(json.dumps({"control_plane": {"url": cp.url}}))
    (session / "authentication.json").write_text(json.dumps({"accessToken": "a-session-token"}))
    monkeypatch.setenv("RUNAI_CLI_CONFIG_PATH", str(session))
    with ra.Client() as client:
        assert "source=runai-login:" in repr(client)
    assert login(monkeypatch, cp, cp.client_secret) == 0
    with ra.Client() as client:
        assert "source=runai-admin-login:" in repr(client)
        assert client.clusters.list().to_list()


def test_login_and_a_later_command_as_programs(cp, tmp_path):

    env = {k: v for k, v in os.environ.items() if not k.startswith("RUNAI_")}
    env.update(XDG_CONFIG_HOME=str(tmp_path), RUNAI_CLI_CONFIG_PATH=str(tmp_path / "none"))

    def program(*args, stdin=""):
        return subprocess.run(
            [sys.executable, "-m", "runai_admin", *args],
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
        )

    args = ["login", "--base-url", cp.url, "--client-id", cp.client_id, "--client-secret-stdin"]
    done = program(*args, stdin=cp.client_secret + "\n")
    assert done.returncode == 0, done.stderr
    assert cp.client_secret not in done.stdout + done.stderr
    listed = program("projects", "list", "-o", "json")
    assert listed.returncode == 0 and json.loads(listed.stdout) == []


# Completion ------------------------------------------------------------------------------


def completion_script(capsys, shell):
    assert main(["completion", shell]) == 0
    return capsys.readouterr().out


def top_level_words():
    return [*tree().groups, *(c.name for c in COMMANDS)]


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_completion_scripts_name_every_command_and_parse(capsys, tmp_path, shell):

    script = completion_script(capsys, shell)
    for word in top_level_words():
        assert re.search(rf"(^|[ '(]){re.escape(word)}[: ']", script), word
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed: the script's syntax is not checked")
    path = tmp_path / f"runai-admin.{shell}"
    path.write_text(script)
    checked = subprocess.run([shell, "-n", str(path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def test_bash_completion_completes_namespaces_verbs_flags_and_choices(capsys, tmp_path):

    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    path = tmp_path / "runai-admin.bash"
    path.write_text(completion_script(capsys, "bash"))
    cases = {
        "runai-admin pro": "projects",
        "runai-admin legacy clu": "clusters",
        "runai-admin legacy clusters ": "list create get delete install-file",
        "runai-admin projects list --sort-o": "--sort-order",
        "runai-admin projects list --sort-order ": "asc desc",
        "runai-admin departments get -o ": "table json yaml csv",
        "runai-admin completion ": "bash zsh",
        "runai-admin nodes list-": "list-in-cluster",
    }
    lines = [f"source {path}"]
    for line in cases:
        words = line.split(" ")
        quoted = " ".join(f"'{w}'" for w in words)
        lines += [
            f"COMP_WORDS=({quoted}); COMP_CWORD={len(words) - 1}; COMPREPLY=()",
            '_runai_admin; echo "${COMPREPLY[*]}"',
        ]
    done = subprocess.run(["bash", "-c", "\n".join(lines)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    answers = done.stdout.splitlines()
    assert len(answers) == len(cases)
    for (line, expected), answer in zip(cases.items(), answers):
        assert set(expected.split()) <= set(answer.split()), (line, answer)


def test_zsh_completion_completes_namespaces_verbs_flags_and_choices(capsys, tmp_path):
    """The completion function run with the completion system's builtins stood in for:
    what it would offer for each command line."""
    if shutil.which("zsh") is None:
        pytest.skip("zsh is not installed")
    path = tmp_path / "_runai-admin"
    path.write_text(completion_script(capsys, "zsh"))
    cases = {
        "runai-admin leg": "describe: .*legacy:Seed era",
        "runai-admin legacy clusters ": "describe: list:.* install-file:",
        "runai-admin projects list --sort-order ": "compadd: asc desc$",
        "runai-admin projects list --sort-o": "compadd: .*--sort-order",
        "runai-admin projects update --body ": "files",
        "runai-admin completion ": "compadd: bash zsh",
    }
    lines = [
        "compdef() { :; }",
        f"source {path}",
        'compadd() { print -r -- "compadd: ${(P)2}"; }',
        '_describe() { print -r -- "describe: ${(P)4}"; }',
        '_files() { print -r -- "files"; }',
    ]
    for line in cases:
        words = " ".join(f"'{w}'" for w in line.split(" "))
        lines.append(f"words=({words}); CURRENT=$#words; _runai_admin")
    done = subprocess.run(["zsh", "-f", "-c", "\n".join(lines)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    answers = done.stdout.splitlines()
    assert len(answers) == len(cases), answers
    for (line, expected), answer in zip(cases.items(), answers):
        assert re.search(expected, answer), (line, answer)
