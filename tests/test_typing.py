"""The typed face as type checkers see it: tests/typing/check_namespaces.py passes mypy
--strict and basedpyright, and each of its rejection lines is rejected by both."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .spec import ROOT

CHECK_FILE = ROOT / "tests" / "typing" / "check_namespaces.py"
IGNORE = re.compile(r"\s*# type: ignore\[[\w-]+\]$")


def rejection_lines() -> list[int]:
    lines = CHECK_FILE.read_text().splitlines()
    return [n for n, line in enumerate(lines, 1) if IGNORE.search(line)]


def without_ignores(tmp_path: Path) -> Path:
    """The check file with its ignore comments taken off: every such line must now fail."""
    lines = [IGNORE.sub("", line) for line in CHECK_FILE.read_text().splitlines()]
    copy = tmp_path / "bare_namespaces.py"
    copy.write_text("\n".join(lines) + "\n")
    return copy


def mypy(*files: Path) -> subprocess.CompletedProcess[str]:
    pytest.importorskip("mypy", reason="mypy comes with the dev extra")
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"), "--"]
        + [str(f) for f in files],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def basedpyright(*files: Path) -> subprocess.CompletedProcess[str]:
    tool = shutil.which("basedpyright", path=str(Path(sys.executable).parent))
    if tool is None:
        pytest.skip("basedpyright comes with the dev extra")
    return subprocess.run(
        [tool, "--project", str(ROOT / "pyproject.toml"), *map(str, files)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )


def error_lines(output: str, path: Path) -> set[int]:
    """Line numbers of the errors reported in `path` (mypy's and pyright's formats)."""
    pattern = re.compile(re.escape(path.name) + r":(\d+)(?::\d+)?:? -? ?error")
    return {int(m.group(1)) for m in pattern.finditer(output)}


def test_there_are_rejection_lines_to_prove():
    assert len(rejection_lines()) >= 10


def test_mypy_strict_accepts_the_check_file():
    result = mypy(CHECK_FILE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_rejects_every_rejection_line(tmp_path):
    bare = without_ignores(tmp_path)
    result = mypy(bare)
    assert result.returncode == 1
    assert error_lines(result.stdout, bare) == set(rejection_lines()), result.stdout


def test_mypy_fails_on_an_ignore_that_silences_nothing(tmp_path):
    sample = tmp_path / "needless_ignore.py"
    sample.write_text("import runai_admin as ra\n\nra.Client()  # type: ignore[call-arg]\n")
    result = mypy(sample)
    assert result.returncode == 1 and 'Unused "type: ignore"' in result.stdout, result.stdout


def test_basedpyright_accepts_the_check_file():
    result = basedpyright(CHECK_FILE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_basedpyright_rejects_every_rejection_line(tmp_path):
    bare = without_ignores(tmp_path)
    result = basedpyright(bare)
    assert result.returncode == 1
    assert set(rejection_lines()) <= error_lines(result.stdout, bare), result.stdout


def test_basedpyright_fails_on_an_ignore_that_silences_nothing(tmp_path):
    sample = tmp_path / "needless_ignore.py"
    sample.write_text("import runai_admin as ra\n\nra.Client()  # type: ignore[call-arg]\n")
    result = basedpyright(sample)
    assert result.returncode == 1 and "Unnecessary" in result.stdout, result.stdout
