"""GPU allocation against quota, per department, over a week, drawn as a PNG.

For every department of the first cluster, one panel: its hourly GPU allocation stacked by
node pool, and its GPU quota (over all pools) as a dashed line. Reads node pools,
departments and their metrics; changes nothing on a real tenant.

Runs against the tenant named by RUNAI_BASE_URL / RUNAI_CLIENT_ID / RUNAI_CLIENT_SECRET,
or against the embedded fake control plane when they are not set. A new fake has no
projects, so nothing is allocated on it: there the script first creates a few departments
and projects with quotas, and the fake's usage model gives them a week of allocation.

Needs matplotlib (`pip install runai-admin[plot]`). Usage:

    python examples/gpu_quota_report.py [OUTPUT.png] [--end 2026-01-12T00:00:00Z]
"""

from __future__ import annotations

import argparse
import math
import os
from contextlib import ExitStack
from datetime import datetime, timedelta, timezone
from typing import Any, Optional

import matplotlib

matplotlib.use("Agg")  # Files only: no display is needed, or opened.
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import runai_admin as ra
from runai_admin.testing import FakeControlPlane
from runai_admin.types import NonNullResource, ResourcesNullable

DESCRIPTION = "Draw a week of GPU allocation against quota per department as a PNG."

HOURS = 7 * 24
# The figure's size: 12 x 8 inches at 100 dots an inch, whatever the number of panels.
SIZE_INCHES, DPI = (12.0, 8.0), 100
# Department -> its GPU quota per pool, and project -> its GPU quota per pool (deserved,
# limit or None): what the script creates on a fake control plane.
DEMO: dict[str, tuple[dict[str, float], dict[str, dict[str, tuple[float, Optional[float]]]]]] = {
    "research": (
        {"default": 4, "h100": 10},
        {
            "vision": {"default": (2, 4), "h100": (4, None)},
            "language": {"h100": (6, 12)},
        },
    ),
    "product": (
        {"default": 4, "h100": 4},
        {
            "search": {"default": (2, None), "h100": (2, 4)},
            "ranking": {"default": (2, 3), "h100": (1, None)},
        },
    ),
}


def connect(stack: ExitStack) -> tuple[ra.Client, bool]:
    """A client, and whether it is of a fake control plane."""
    if os.environ.get("RUNAI_BASE_URL"):
        return stack.enter_context(ra.Client()), False
    plane = stack.enter_context(FakeControlPlane())
    return stack.enter_context(plane.client()), True


def quota(pool_ids: dict[str, str], per_pool: dict[str, Any]) -> list[ResourcesNullable]:
    entries: list[ResourcesNullable] = []
    for pool, value in per_pool.items():
        deserved, limit = value if isinstance(value, tuple) else (value, None)
        gpu: NonNullResource = {"deserved": deserved}
        if limit is not None:
            gpu["limit"] = limit
        entries.append({"nodePool": {"id": pool_ids[pool]}, "gpu": gpu})
    return entries


def create_demo(client: ra.Client, cluster_id: str) -> None:
    pool_ids = {p["name"]: p["id"] for p in client.node_pools.list()}
    for department, (own, projects) in DEMO.items():
        made = client.departments.create(
            name=department, cluster_id=cluster_id, resources=quota(pool_ids, own)
        )
        for name, per_pool in projects.items():
            client.projects.create(
                name=name,
                cluster_id=cluster_id,
                parent_id=made["id"],
                resources=quota(pool_ids, per_pool),
            )


def stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def series(answer: Any, kind: str) -> list[float]:
    for m in answer["measurements"]:
        if m["type"] == kind:
            return [float(v["value"]) for v in m["values"] or []]
    return []


def draw(
    panels: list[tuple[str, list[tuple[str, list[float]]], list[float]]],
    times: list[datetime],
    output: str,
) -> None:
    figure = Figure(figsize=SIZE_INCHES, dpi=DPI)
    FigureCanvasAgg(figure)
    # Hours since the window's start, with a tick at each day's start.
    x = [(t - times[0]).total_seconds() / 3600 for t in times]
    days = list(range(0, len(times), 24))
    day_names = [times[d].strftime("%a %d %b") for d in days]
    columns = 1 if len(panels) < 3 else 2
    rows = max(1, math.ceil(len(panels) / columns))
    for i, (name, by_pool, quota_line) in enumerate(panels, start=1):
        axes = figure.add_subplot(rows, columns, i)
        if by_pool:
            # Allocation holds for an hour at a time: steps, not slopes.
            axes.stackplot(
                x,
                *[values for _, values in by_pool],
                labels=[pool for pool, _ in by_pool],
                step="post",
            )
        axes.plot(x, quota_line, "k--", drawstyle="steps-post", label="quota")
        axes.set_xticks(days, labels=day_names, fontsize="small")
        axes.set_xlim(0, x[-1])
        axes.set_title(name)
        axes.set_ylabel("GPUs")
        axes.set_ylim(bottom=0)
        axes.legend(loc="upper left", fontsize="small")
    figure.suptitle("GPU allocation against quota, by department")
    figure.tight_layout()
    figure.savefig(output, format="png", dpi=DPI)


def main() -> None:
    parser = argparse.ArgumentParser(description=DESCRIPTION)
    parser.add_argument("output", nargs="?", default="gpu_quota_report.png")
    parser.add_argument("--end", help="the week's end (RFC 3339); the current hour if not set")
    args = parser.parse_args()
    end = (
        datetime.fromisoformat(args.end.replace("Z", "+00:00"))
        if args.end
        else datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
    )
    start = end - timedelta(hours=HOURS)
    times = [start + timedelta(hours=h) for h in range(HOURS + 1)]
    first, last, samples = stamp(start), stamp(end), HOURS + 1
    with ExitStack() as stack:
        client, fake = connect(stack)
        cluster = client.clusters.list().to_list()[0]
        if fake:
            create_demo(client, cluster["uuid"])
        pools = [p["name"] for p in client.node_pools.list() if p["clusterId"] == cluster["uuid"]]
        panels = []
        for department in client.departments.list():
            if department["clusterId"] != cluster["uuid"]:
                continue
            # Allocation and quota pool by pool; the department's quota is their sum.
            by_pool, quotas = [], []
            for pool in pools:
                answer = client.departments.metrics(
                    department["id"],
                    metric_type=["GPU_ALLOCATION", "GPU_QUOTA"],
                    nodepool_name=pool,
                    start=first,
                    end=last,
                    number_of_samples=samples,
                )
                by_pool.append((pool, series(answer, "GPU_ALLOCATION")))
                quotas.append(series(answer, "GPU_QUOTA"))
            quota_line = [sum(at) for at in zip(*quotas)]
            peak = max((sum(at) for at in zip(*(v for _, v in by_pool))), default=0.0)
            if peak == 0 and not any(quota_line):
                print(f"{department['name']}: no quota and nothing allocated, left out")
                continue
            panels.append((department["name"], by_pool, quota_line))
            print(f"{department['name']}: quota {max(quota_line):g} GPUs, peak allocation {peak:g}")
        draw(panels, times, args.output)
        print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
