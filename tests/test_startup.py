"""What ``import runai_admin`` loads: none of the standard library the package only needs on
use (`benches/startup.py` measures the time; these checks say why it stays low), and the
``runai_admin`` logger still has its NullHandler before any record, whenever the program
imports and configures ``logging``."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

#: Imported on first use, never by ``import runai_admin``: each costs milliseconds that a
#: program which never reaches that use should not pay at start-up.
ON_USE = [
    "asyncio",  # the async client's first call
    "base64",  # a file argument, a CLI session's tokens
    "dataclasses",
    "html",  # a notebook's table, an HTML error page's excerpt
    "inspect",
    "ipaddress",  # with pathlib (urllib.parse)
    "json",  # an error answer, a CLI session's files, frames
    "logging",  # before the first request, unless the program imported it already
    "pathlib",  # a CLI session's files
    "tempfile",
    "typing_extensions",  # the TypedDicts of runai_admin.types, for type checkers only
    "urllib.parse",
    "runai_admin.cli",
    "runai_admin.org",
    "runai_admin.testing",
    "runai_admin.types",
]


def run(script: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_import_loads_nothing_needed_only_on_use() -> None:
    loaded = run(
        """
        import json, sys
        before = set(sys.modules)
        import runai_admin
        print(json.dumps(sorted(set(sys.modules) - before)))
        """
    )
    new = set(json.loads(loaded.splitlines()[-1]))
    assert "runai_admin._namespaces" in new  # the import did happen
    assert sorted(new & set(ON_USE)) == []


def test_the_logger_has_its_handler_at_import_when_logging_came_first() -> None:
    shown = run(
        """
        import logging
        import runai_admin
        print([type(h).__name__ for h in logging.getLogger("runai_admin").handlers])
        """
    )
    assert shown.strip() == "['NullHandler']"


def test_logging_configured_after_import_gets_the_records_and_one_handler() -> None:
    # The program imports and configures logging after the package: the logger gets its
    # NullHandler before the first request, once, and the configured root shows records.
    script = """
        import runai_admin as ra
        from runai_admin.testing import FakeControlPlane
        assert "logging" not in __import__("sys").modules
        import logging
        logging.basicConfig(level=logging.DEBUG)
        with FakeControlPlane() as cp, cp.client() as c:
            cp.inject("/api/v1/org-unit/projects", method="GET", status=503, times=1,
                      retry_after=0.01)
            c.projects.list().to_list()
            c.projects.list().to_list()
        print([type(h).__name__ for h in logging.getLogger("runai_admin").handlers])
        """
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['NullHandler']"
    assert "WARNING:runai_admin:GET /api/v1/org-unit/projects: HTTP 503 on attempt 1" in (
        done.stderr
    )
