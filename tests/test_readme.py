"""Every Python example of README.md and docs/*.md runs, in order, against the embedded
fake control plane, and the newcomer's two commands stay as CI and newcomers use them.

The README signs in to a tenant with readable placeholders (``"https://acme.run.ai"``,
``"my-client-id"``, ...): each is replaced by the fake's own value before a block runs, as
tests/test_examples.py does for the seed companion script. The environment is what the
README tells a reader to set: ``RUNAI_*`` naming the fake, and a ``runai login`` session
of the fake where ``RUNAI_CLI_CONFIG_PATH`` points. A block that defines a ``test_...``
function taking ``fake_control_plane`` is a pytest test: it is called with a fresh fake.
"""

from __future__ import annotations

import base64
import inspect
import json
import logging
import os
import re
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable

import pytest

from runai_admin.testing import FakeControlPlane

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# The seeded administrator of the fake control plane (see its seed).
ADMIN_EMAIL, ADMIN_PASSWORD = "admin@example.com", "administrator"
# The newcomer's commands, exactly: CI runs the first (.ci/run) and README promises both.
NEWCOMER_COMMANDS = [
    "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/runai-admin demo",
    "make test",
]


def placeholders(cp: FakeControlPlane, token: str) -> dict[str, str]:
    """The README's placeholder values, as quoted in its code, and the fake's own."""
    return {
        "https://acme.run.ai": cp.url,
        "my-client-id": cp.client_id,
        "my-client-secret": cp.client_secret,
        "admin@acme.com": ADMIN_EMAIL,
        "my-password": ADMIN_PASSWORD,
        "my-token": token,
    }


def python_blocks(document: Path) -> list[tuple[int, str]]:
    """The ```python blocks of a Markdown file: (line of the block's first code line, code)."""
    blocks = []
    lines = document.read_text(encoding="utf-8").splitlines()
    start = None
    for number, line in enumerate(lines, start=1):
        if start is None and line.strip() == "```python":
            start = number
        elif start is not None and line.strip() == "```":
            blocks.append((start + 1, "\n".join(lines[start : number - 1]) + "\n"))
            start = None
    assert start is None, f"{document.name}: a ```python block opened at line {start} never ends"
    return blocks


def png() -> bytes:
    """A 1x1 PNG: the README uploads logo.png."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


def login_session(directory: Path, cp: FakeControlPlane, token: str) -> None:
    """What `runai login` leaves behind, for the fake (base64 tokens, as the CLI writes)."""
    directory.mkdir()
    config = {"control_plane": {"url": cp.url}, "cluster": {"uuid": cp.cluster_id}}
    (directory / "config.json").write_text(json.dumps(config))
    wrapped = base64.b64encode(token.encode()).decode()
    (directory / "authentication.json").write_text(json.dumps({"accessToken": wrapped}))


@pytest.fixture
def logging_restored() -> Iterator[None]:
    """The README configures logging: the test suite's own is put back afterwards."""
    root, ours = logging.getLogger(), logging.getLogger("runai_admin")
    handlers, level, our_level = root.handlers[:], root.level, ours.level
    yield
    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)
    ours.setLevel(our_level)


def run_tests_defined(namespace: dict[str, Any], before: set[str]) -> list[str]:
    """Call the pytest tests a block defined, each with a fresh fake; answer their names."""
    ran = []
    for name, value in list(namespace.items()):
        if name in before or not name.startswith("test_") or not callable(value):
            continue
        test: Callable[..., Any] = value
        assert list(inspect.signature(test).parameters) == ["fake_control_plane"], name
        with FakeControlPlane() as cp:
            test(cp)
        ran.append(name)
    return ran


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_the_python_examples_run_on_the_fake(
    document: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    logging_restored: None,
) -> None:
    blocks = python_blocks(document)
    assert blocks, f"{document.name} has no python example"
    with FakeControlPlane() as cp:
        with cp.client() as admin:
            token = admin.tokens.grant(
                grant_type="client_credentials",
                client_id=cp.client_id,
                client_secret=cp.client_secret,
            )["accessToken"]
        values = placeholders(cp, token)
        for name in [n for n in os.environ if n.startswith("RUNAI_")]:
            monkeypatch.delenv(name)
        monkeypatch.setenv("RUNAI_BASE_URL", cp.url)
        monkeypatch.setenv("RUNAI_CLIENT_ID", cp.client_id)
        monkeypatch.setenv("RUNAI_CLIENT_SECRET", cp.client_secret)
        login_session(tmp_path / "runai-cli", cp, token)
        monkeypatch.setenv("RUNAI_CLI_CONFIG_PATH", str(tmp_path / "runai-cli"))
        work = tmp_path / "work"
        work.mkdir()
        (work / "logo.png").write_bytes(png())
        (work / "org.yaml").write_bytes((ROOT / "examples" / "org.yaml").read_bytes())
        monkeypatch.chdir(work)
        namespace: dict[str, Any] = {"__name__": "readme"}
        tests_ran = []
        for line, code in blocks:
            for placeholder, value in values.items():
                code = code.replace(json.dumps(placeholder), json.dumps(value))
            # Compiled so that a traceback names the document and its line.
            compiled = compile("\n" * (line - 1) + code, str(document), "exec")
            before = set(namespace)
            exec(compiled, namespace)
            tests_ran += run_tests_defined(namespace, before)
    out = capsys.readouterr().out
    if document.name == "README.md":
        assert tests_ran == ["test_my_automation_survives_an_outage"]
        assert "404" in out and "allow_insecure_http" in out  # the errors and TLS examples
        assert "team-a" in out  # the quick start's listing


def test_every_placeholder_appears_in_the_readme() -> None:
    """A placeholder the README no longer uses is a stale row of the table above."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    with FakeControlPlane() as cp:
        names = placeholders(cp, "token")
    missing = [n for n in names if json.dumps(n) not in readme]
    assert missing == []


def test_the_newcomer_commands_are_the_first_commands_of_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shell_blocks = re.findall(r"```sh\n(.*?)```", readme, flags=re.DOTALL)
    assert [block.strip() for block in shell_blocks[:2]] == NEWCOMER_COMMANDS
