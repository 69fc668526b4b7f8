"""Organisation sync at scale: how long ``plan`` and ``apply`` take for a large
organisation (``ra.org.sample_organisation``: 3 departments, 30 projects, 200 users,
400 access rules by default) on a fresh embedded fake control plane.

    python benches/org.py [--departments 3] [--projects 10] [--users 200]

Rows: the plan from nothing, its apply on the sync client and (on a second fresh fake) on
the async client with 8 steps in flight, and the plan of the same file afterwards (in sync:
nothing to do). The fake runs in this process, so the figures are the whole system's time,
not the client's alone.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

import runai_admin as ra
from runai_admin.testing import FakeControlPlane


def _timed(rows: list[dict[str, Any]], step: str, size: int, work: Any) -> Any:
    started = time.perf_counter()
    value = work()
    rows.append({"step": step, "changes": size, "ms": (time.perf_counter() - started) * 1000})
    return value


def measure(departments: int, projects: int, users: int) -> list[dict[str, Any]]:
    spec = ra.org.sample_organisation(departments, projects, users)
    rows: list[dict[str, Any]] = []
    with FakeControlPlane(projects_within_department_quota=True) as plane, plane.client() as c:
        plan = _timed(rows, "plan (from nothing)", 0, lambda: c.org.plan(spec))
        rows[-1]["changes"] = len(plan.changes)
        result = _timed(rows, "apply, Client", len(plan.changes), lambda: c.org.apply(plan))
        if not result.ok:
            raise SystemExit(f"apply failed: {result.summary()}")
        again = _timed(rows, "plan again (in sync)", 0, lambda: c.org.plan(spec))
        if not again.empty:
            raise SystemExit(f"a second plan is not empty: {again.summary()}")
    with FakeControlPlane(projects_within_department_quota=True) as plane:

        async def apply_async() -> Any:
            async with plane.async_client() as client:
                fresh = await client.org.plan(spec)
                return await client.org.apply(fresh, concurrency=8)

        result = _timed(
            rows,
            "plan + apply, AsyncClient (8 in flight)",
            len(plan.changes),
            lambda: asyncio.run(apply_async()),
        )
        if not result.ok:
            raise SystemExit(f"async apply failed: {result.summary()}")
    return rows


def table(rows: list[dict[str, Any]], departments: int, projects: int, users: int) -> str:
    size = f"{departments} departments, {departments * projects} projects, {users} users"
    lines = [f"| organisation sync ({size}) | changes | ms |", "|---|---|---|"]
    lines += [f"| {r['step']} | {r['changes']:,} | {r['ms']:,.0f} |" for r in rows]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--departments", type=int, default=3)
    parser.add_argument("--projects", type=int, default=10, help="projects per department")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--json", type=Path, help="also write the rows here (JSON)")
    a = parser.parse_args()
    rows = measure(a.departments, a.projects, a.users)
    print(table(rows, a.departments, a.projects, a.users))
    if a.json:
        a.json.write_text(json.dumps(rows), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
