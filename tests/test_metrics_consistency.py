"""The fake's metrics of every kind tell one story, on both clients: for a week at hourly
resolution, what the nodes of a pool have allocated is what the projects of the pool hold,
no project holds more than its limit (the pool's capacity when it has none), a department
holds what its projects hold, a cluster what its pools and its nodes hold, no allocation is
above capacity and every utilisation lies within 0..100. The series are the same on every
call, and the value at an instant does not depend on the window that asks for it."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import collect, resolve

WEEK = {"start": "2026-01-05T00:00:00Z", "end": "2026-01-12T00:00:00Z", "number_of_samples": 169}
# The week's second day: samples 24 to 48 of the week's.
DAY = {"start": "2026-01-06T00:00:00Z", "end": "2026-01-07T00:00:00Z", "number_of_samples": 25}

# Department -> its GPU quota per pool, and project -> (deserved, limit or None) per pool.
ORG: dict[str, tuple[dict[str, float], dict[str, dict[str, tuple[float, float | None]]]]] = {
    "vision": (
        {"default": 6, "h100": 8},
        {
            "detect": {"default": (3, 5)},
            "segment": {"default": (2, None), "h100": (4, 6)},
        },
    ),
    "language": (
        {"default": 2, "h100": 8},
        {
            "pretrain": {"h100": (6, None)},
            "tune": {"default": (1, 2), "h100": (1, None)},
        },
    ),
}


def numbers(measurement: dict) -> list[float]:
    return [float(v["value"]) for v in measurement["values"]]


def only(answer: dict, kind: str) -> list[float]:
    (m,) = [m for m in answer["measurements"] if m["type"] == kind]
    return numbers(m)


def added(*series: list[float]) -> list[float]:
    return [sum(at) for at in zip(*series, strict=True)]


def resources(pools: dict[str, str], quota: dict[str, Any]) -> list[dict]:
    out = []
    for pool, value in quota.items():
        deserved, limit = value if isinstance(value, tuple) else (value, None)
        gpu: dict[str, float] = {"deserved": deserved}
        if limit is not None:
            gpu["limit"] = limit
        out.append({"nodePool": {"id": pools[pool]}, "gpu": gpu})
    return out


async def organise(api: Any, cluster_id: str) -> tuple[dict[str, str], dict[str, dict]]:
    """The ORG's departments and projects; the pools' ids by name, the projects by name."""
    pools = {p["name"]: p["id"] for p in await collect(api.node_pools.list())}
    projects = {}
    for department, (quota, members) in ORG.items():
        made = await resolve(
            api.departments.create(
                name=department, cluster_id=cluster_id, resources=resources(pools, quota)
            )
        )
        for name, own in members.items():
            projects[name] = await resolve(
                api.projects.create(
                    name=name,
                    cluster_id=cluster_id,
                    parent_id=made["id"],
                    resources=resources(pools, own),
                )
            )
    return pools, projects


async def test_every_kind_adds_up_over_a_week(api: Any, cp: Any) -> None:
    await organise(api, cp.cluster_id)
    kinds = ["TOTAL_GPU", "ALLOCATED_GPU", "UNALLOCATED_GPU", "GPU_UTILIZATION"]
    kinds += ["GPU_MEMORY_UTILIZATION", "CPU_UTILIZATION", "CPU_MEMORY_UTILIZATION"]
    cluster = await resolve(api.clusters.metrics(cp.cluster_id, metric_type=kinds, **WEEK))
    held, capacity = only(cluster, "ALLOCATED_GPU"), only(cluster, "TOTAL_GPU")
    assert len(held) == 169 and set(capacity) == {24.0}
    assert all(0 <= h <= c for h, c in zip(held, capacity, strict=True))
    assert max(held) > 0, "a week of an organised cluster allocates something"
    for kind in kinds[3:]:
        assert all(0 <= x <= 100 for x in only(cluster, kind)), kind

    # Cluster = the sum of its pools; a pool never above its capacity.
    by_pool = {}
    for pool in ("default", "h100"):
        answer = await resolve(
            api.node_pools.metrics(cp.cluster_id, pool, metric_type=kinds[:4], **WEEK)
        )
        by_pool[pool] = only(answer, "ALLOCATED_GPU")
        total = only(answer, "TOTAL_GPU")
        assert all(0 <= h <= c for h, c in zip(by_pool[pool], total, strict=True))
        assert added(by_pool[pool], only(answer, "UNALLOCATED_GPU")) == total
        assert all(0 <= x <= 100 for x in only(answer, "GPU_UTILIZATION"))
    assert added(*by_pool.values()) == held

    # Cluster = the sum of its nodes; a node never above its GPUs.
    per_node = []
    for node in await collect(api.nodes.list()):
        answer = await resolve(
            api.nodes.metrics(
                node["id"], metric_type=["GPU_ALLOCATION_PER_GPU", "GPU_UTILIZATION"], **WEEK
            )
        )
        gpus = [numbers(m) for m in answer["measurements"] if m["type"].endswith("_PER_GPU")]
        count = node["gpuInfo"]["gpuCount"] if node["gpuInfo"] else 0
        assert len(gpus) == count
        on_node = added(*gpus) if gpus else [0.0] * 169
        assert all(0 <= h <= count for h in on_node)
        assert all(0 <= x <= 100 for x in only(answer, "GPU_UTILIZATION"))
        per_node.append(on_node)
    assert added(*per_node) == held

    # A pool's allocation = its projects'; each within its limit there.
    for pool, gpus in (("default", 8), ("h100", 16)):
        in_pool = []
        for department, (_, members) in ORG.items():
            for name, own in members.items():
                project = await project_named(api, name)
                answer = await resolve(
                    api.projects.metrics(
                        project["id"],
                        metric_type=["GPU_ALLOCATION", "GPU_QUOTA", "GPU_MEMORY_UTILIZATION"],
                        nodepool_name=pool,
                        **WEEK,
                    )
                )
                mine = only(answer, "GPU_ALLOCATION")
                deserved, limit = own.get(pool, (0, 0))
                assert set(only(answer, "GPU_QUOTA")) == {deserved}, (department, name, pool)
                reach = gpus if limit is None else limit
                assert all(0 <= h <= reach for h in mine), (name, pool, max(mine), reach)
                assert all(0 <= x <= 100 for x in only(answer, "GPU_MEMORY_UTILIZATION"))
                in_pool.append(mine)
        assert added(*in_pool) == by_pool[pool], pool


async def project_named(api: Any, name: str) -> dict:
    (project,) = await collect(api.projects.list(filter_by=[f"name=={name}"]))
    return project


async def test_a_department_holds_what_its_projects_hold(api: Any, cp: Any) -> None:
    await organise(api, cp.cluster_id)
    departments = {d["name"]: d for d in await collect(api.departments.list())}
    kinds = ["GPU_ALLOCATION", "CPU_ALLOCATION_MILLICORES", "CPU_MEMORY_ALLOCATION_MB"]
    for department, (quota, members) in ORG.items():
        answer = await resolve(
            api.departments.metrics(
                departments[department]["id"], metric_type=[*kinds, "GPU_QUOTA"], **WEEK
            )
        )
        assert set(only(answer, "GPU_QUOTA")) == {sum(quota.values())}
        projects = [
            await resolve(
                api.projects.metrics(
                    (await project_named(api, name))["id"], metric_type=kinds, **WEEK
                )
            )
            for name in members
        ]
        for kind in kinds:
            assert only(answer, kind) == added(*(only(p, kind) for p in projects)), kind


async def test_series_repeat_and_a_window_is_a_slice_of_a_longer_one(api: Any, cp: Any) -> None:
    _, projects = await organise(api, cp.cluster_id)
    kinds = ["ALLOCATED_GPU", "GPU_UTILIZATION", "WORKLOADS_COUNT"]
    week = await resolve(api.clusters.metrics(cp.cluster_id, metric_type=kinds, **WEEK))
    assert await resolve(api.clusters.metrics(cp.cluster_id, metric_type=kinds, **WEEK)) == week
    day = await resolve(api.clusters.metrics(cp.cluster_id, metric_type=kinds, **DAY))
    for kind in kinds:
        assert only(day, kind) == only(week, kind)[24:49], kind
    project = projects["segment"]["id"]
    week = await resolve(api.projects.metrics(project, metric_type=["GPU_ALLOCATION"], **WEEK))
    day = await resolve(api.projects.metrics(project, metric_type=["GPU_ALLOCATION"], **DAY))
    assert only(day, "GPU_ALLOCATION") == only(week, "GPU_ALLOCATION")[24:49]


async def test_grouped_cluster_metrics_add_up_to_the_whole(api: Any, cp: Any) -> None:
    await organise(api, cp.cluster_id)
    whole = only(
        await resolve(api.clusters.metrics(cp.cluster_id, metric_type=["ALLOCATED_GPU"], **DAY)),
        "ALLOCATED_GPU",
    )
    for group_by in ("Nodepool", "Project", "Department"):
        answer = await resolve(
            api.clusters.metrics(
                cp.cluster_id, metric_type=["ALLOCATED_GPU"], group_by=group_by, **DAY
            )
        )
        assert all(m["groups"][0]["key"] == group_by for m in answer["measurements"])
        assert added(*(numbers(m) for m in answer["measurements"])) == whole, group_by


@pytest.mark.parametrize("kind", ["GPU_ALLOCATION", "GPU_QUOTA", "CPU_ALLOCATION"])
async def test_telemetry_of_departments_is_that_of_their_projects(
    api: Any, cp: Any, kind: str
) -> None:
    await organise(api, cp.cluster_id)
    # Telemetry is of this minute: compare answers of the same minute only.
    for _ in range(3):
        departments = await resolve(api.departments.telemetry(telemetry_type=kind))
        projects = await resolve(api.projects.telemetry(telemetry_type=kind, group_by=["ParentId"]))
        nodes = await resolve(api.nodes.telemetry(telemetry_type="ALLOCATED_GPUS"))
        if departments["timestamp"] == projects["timestamp"] == nodes["timestamp"]:
            break
    else:
        pytest.fail("three tries crossed a minute each")
    (whole,) = departments["values"]
    parts = [float(v["value"]) for v in projects["values"]]
    assert {v["groups"][0]["name"] for v in projects["values"]} == set(ORG)
    if kind == "GPU_QUOTA":
        # A department's quota is its own, not the sum of its projects'.
        assert float(whole["value"]) == sum(sum(q.values()) for q, _ in ORG.values())
        deserved = [d for _, m in ORG.values() for p in m.values() for d, _ in p.values()]
        assert sum(parts) == sum(deserved)
    else:
        assert float(whole["value"]) == sum(parts)
    if kind == "GPU_ALLOCATION":
        assert float(nodes["values"][0]["value"]) == sum(parts)
