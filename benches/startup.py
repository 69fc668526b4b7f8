"""Start-up: what ``import`` of a client package costs against a bare interpreter.

    python benches/startup.py [--runs 20] [--json]

For each module (``runai_admin``, and ``runai`` (runapy) when installed) it starts a fresh
interpreter ``--runs`` times, alternating with a bare ``python -c pass`` so that a busy
moment of the machine falls on both, and reports medians of: wall time of the whole
process, the import's own cumulative time from ``python -X importtime``, and the
process's peak RSS (Linux's ``VmHWM``, which the program reads at its end). The bytecode
cache is written first (one untimed import), as an installed package has it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any, Optional

#: What each row imports, and the package that must be installed for it.
MODULES = [("runai_admin", "runai_admin"), ("runapy", "runai")]


#: Appended to each program: its own peak RSS in KiB. (The child's ``ru_maxrss`` would
#: count this parent's memory at the fork; Linux's ``VmHWM`` is the program's own.)
PEAK = (
    "\nimport resource, sys\n"
    "try:\n"
    "    hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM:')]\n"
    "    print(hwm[0].split()[1])\n"
    "except (OSError, IndexError):\n"
    "    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
)


def _run(argv: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Wall seconds, peak RSS (KiB) and stderr of one process (``argv`` ends with the
    program, to which PEAK is added)."""
    argv = [*argv[:-1], argv[-1] + PEAK]
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: {done.stderr.strip()}")
    return wall, int(done.stdout.split()[-1]), done.stderr


def _import_ms(importtime: str, module: str) -> Optional[float]:
    """The module's cumulative import time (ms) from ``-X importtime``'s report."""
    for line in importtime.splitlines():
        parts = [p.strip() for p in line.split("|")]
        if len(parts) == 3 and parts[2] == module:
            return int(parts[1]) / 1000
    return None


def measure(python: str, runs: int) -> list[dict[str, Any]]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    rows: list[dict[str, Any]] = []
    bare_wall: list[float] = []
    bare_rss: list[int] = []
    for label, module in MODULES:
        code = f"import {module}"
        try:
            _run([python, "-c", code], env)  # the bytecode cache, untimed
        except RuntimeError:
            continue  # not installed
        walls: list[float] = []
        rss: list[int] = []
        imports: list[float] = []
        for _ in range(runs):
            wall, peak, _err = _run([python, "-c", "pass"], env)  # (plus reading its peak)
            bare_wall.append(wall)
            bare_rss.append(peak)
            wall, peak, _err = _run([python, "-c", code], env)
            walls.append(wall)
            rss.append(peak)
            _wall, _peak, err = _run([python, "-X", "importtime", "-c", code], env)
            took = _import_ms(err, module)
            if took is not None:
                imports.append(took)
        rows.append(
            {
                "label": label,
                "wall_ms": statistics.median(walls) * 1000,
                "import_ms": statistics.median(imports) if imports else None,
                "peak_rss_mb": statistics.median(rss) / 1024,
            }
        )
    bare = statistics.median(bare_wall) * 1000
    for row in rows:
        row["above_bare_ms"] = row["wall_ms"] - bare
    rows.insert(
        0,
        {
            "label": "python -c pass",
            "wall_ms": bare,
            "import_ms": None,
            "peak_rss_mb": statistics.median(bare_rss) / 1024,
            "above_bare_ms": 0.0,
        },
    )
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    def fmt(value: Optional[float], spec: str) -> str:
        return "—" if value is None else format(value, spec)

    runapy = next((r["peak_rss_mb"] for r in rows if r["label"] == "runapy"), None)
    lines = [
        "| start-up | wall ms | above bare ms | import ms (-X importtime) | peak RSS MB "
        "| RSS / runapy's |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        share = r["peak_rss_mb"] / runapy if runapy else None
        lines.append(
            f"| {r['label']} | {fmt(r['wall_ms'], '.1f')} | {fmt(r['above_bare_ms'], '.1f')} "
            f"| {fmt(r['import_ms'], '.1f')} | {fmt(r['peak_rss_mb'], '.1f')} "
            f"| {fmt(share, '.2f')} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    a = parser.parse_args()
    rows = measure(a.python, a.runs)
    print(json.dumps(rows) if a.json else table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
