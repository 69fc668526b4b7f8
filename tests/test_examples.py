"""The scripts in examples/ run as they are (one also with `--legacy`), and the seed era's
companion script, plain `requests` calls, runs with only its address and credentials
changed against the embedded fake control plane."""

from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from runai_admin.testing import FakeControlPlane

EXAMPLE_DIR = Path(__file__).resolve().parent.parent / "examples"
# Scripts written for a control plane of their own: their address and credentials are set
# in their text (see test_the_seed_companion_script_runs_against_the_fake).
NEEDS_A_SERVER = {"seed_companion_requests.py"}
# Scripts that write a file: each has a test that gives it a place to write.
WRITES_A_FILE = {"gpu_quota_report.py"}
EXAMPLES = sorted(
    p for p in EXAMPLE_DIR.glob("*.py") if p.name not in NEEDS_A_SERVER | WRITES_A_FILE
)
RUNS = [(p, []) for p in EXAMPLES] + [(EXAMPLE_DIR / "create_user_and_project.py", ["--legacy"])]
# The seeded administrator of the fake control plane (see its seed).
ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "administrator"


def run(script: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUNAI_")}
    return subprocess.run(
        [sys.executable, str(script), *args], capture_output=True, text=True, env=env, timeout=60
    )


@pytest.mark.parametrize(
    ("script", "args"), RUNS, ids=lambda v: v.name if isinstance(v, Path) else " ".join(v)
)
def test_example_runs(script: Path, args: list[str]) -> None:
    result = run(script, *args)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()


def test_the_seed_companion_script_runs_against_the_fake(tmp_path: Path) -> None:
    source = (EXAMPLE_DIR / "seed_companion_requests.py").read_text()
    with FakeControlPlane() as cp:
        settings = {"BASE_URL": cp.url, "EMAIL": ADMIN_EMAIL, "PASSWORD": ADMIN_PASSWORD}
        changed = source
        for name, value in settings.items():
            changed, count = re.subn(
                rf"^{name} = .*$", f"{name} = {value!r}", changed, flags=re.MULTILINE
            )
            assert count == 1, name
        script = tmp_path / "seed_companion_requests.py"
        script.write_text(changed)
        result = run(script)
        assert result.returncode == 0, result.stderr
        assert "team-researcher" in result.stdout
        with cp.client() as client:
            user = next(
                u for u in client.legacy.users.list() if u["email"] == "researcher@example.com"
            )
            assert (user["roles"], user["permitAllClusters"]) == (["researcher", "viewer"], True)
            assert user["needToChangePassword"] is True
            project = next(p for p in client.projects.list() if p["name"] == "team-researcher")
            seen = client.legacy.projects.get(int(project["id"]))
            assert seen["permissions"]["users"] == [user["userId"]]
            assert seen["deservedGpus"] == 2
            # The permission is today's access rule: the user researches in the project.
            rules = client.access_rules.list(scope_type="project", scope_id=project["id"])
            assert [(r["subjectId"], r["roleName"]) for r in rules] == [
                ("researcher@example.com", "L1 researcher")
            ]
        # The password travelled to the login only, and the fake recorded it masked.
        logins = [r for r in cp.requests if r["path"] == "/v1/k8s/auth/login"]
        assert logins and all(ADMIN_PASSWORD.encode() not in r["body"] for r in logins)


def test_the_gpu_quota_report_draws_a_png(tmp_path: Path) -> None:
    output = tmp_path / "quota.png"
    result = run(EXAMPLE_DIR / "gpu_quota_report.py", str(output), "--end", "2026-01-12T00:00:00Z")
    assert result.returncode == 0, result.stderr
    # On the fake, the script's two departments have a week of allocation to draw.
    assert "research: quota 14 GPUs" in result.stdout and "product: quota 8 GPUs" in result.stdout
    data = output.read_bytes()
    # A PNG starts with its signature, then the IHDR chunk: width and height, big-endian.
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    assert struct.unpack(">II", data[16:24]) == (1200, 800)
