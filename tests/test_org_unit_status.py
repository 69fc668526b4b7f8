"""A department's or project's `status`, on both clients, is what the fake's usage model
says it holds at the moment of the request: the same figures as its metrics at the
current hour (GPUs, CPU millicores, memory in MB), per node pool and in total; a
department shows the sum of its projects; nothing is above a limit, the non-preemptible
part is within the allocation, and what is requested is at least what is allocated. The
listings sort and filter on the same figures, and the seed-era project shows them too."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from typing import Any, TypeVar

import pytest

from .conftest import collect, resolve
from .test_metrics_consistency import ORG, only, organise, resources

T = TypeVar("T")
KINDS = {
    "gpu": "GPU_ALLOCATION",
    "cpu": "CPU_ALLOCATION_MILLICORES",
    "memory": "CPU_MEMORY_ALLOCATION_MB",
}
FIGURES = ("allocated", "allocatedNonPreemptible", "requested")
MIB_PER_MB = 1e6 / 1_048_576
# GPUs per node pool of the fake's cluster.
CAPACITY = {"default": 8, "h100": 16}


def this_hour() -> str:
    hour = int(time.time()) // 3600 * 3600
    return datetime.fromtimestamp(hour, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


async def within_one_hour(read: Callable[[str], Awaitable[T]]) -> T:
    """`read(hour)` run where the hour does not change under it (allocation holds an hour)."""
    for _ in range(3):
        hour = this_hour()
        answer = await read(hour)
        if this_hour() == hour:
            return answer
    pytest.fail("three tries crossed an hour each")


def total(statuses: list[dict], figure: str, kind: str) -> float:
    return sum(s[figure][kind] for s in statuses)


async def org_with_an_idle_project(api: Any, cluster_id: str) -> tuple[dict, dict, dict]:
    """ORG, and a project with no quota anywhere (deserved 0, limit 0) in `language`."""
    pools, projects = await organise(api, cluster_id)
    departments = {d["name"]: d for d in await collect(api.departments.list())}
    idle = {"default": (0, 0), "h100": (0, 0)}
    projects["idle"] = await resolve(
        api.projects.create(
            name="idle",
            cluster_id=cluster_id,
            parent_id=departments["language"]["id"],
            resources=resources(pools, idle),
        )
    )
    return pools, projects, departments


async def metrics_now(api: Any, kind: str, unit_id: str, hour: str, pool: str | None) -> dict:
    namespace = api.projects if kind == "project" else api.departments
    answer = await resolve(
        namespace.metrics(
            unit_id,
            metric_type=list(KINDS.values()),
            start=hour,
            end=hour,
            number_of_samples=1,
            nodepool_name=pool,
        )
    )
    return {field: only(answer, metric)[0] for field, metric in KINDS.items()}


async def test_a_project_shows_what_its_metrics_say_it_holds_now(api: Any, cp: Any) -> None:
    _, projects, _ = await org_with_an_idle_project(api, cp.cluster_id)
    quotas = {name: own for _, members in ORG.values() for name, own in members.items()}
    for name, made in projects.items():

        async def read(hour: str, project_id: str = made["id"]) -> tuple[dict, dict, dict]:
            project = await resolve(api.projects.get(project_id))
            whole = await metrics_now(api, "project", project_id, hour, None)
            pools = {}
            for status in project["status"]["nodePoolQuotaStatuses"]:
                pool = status["nodePoolName"]
                pools[pool] = await metrics_now(api, "project", project_id, hour, pool)
            return project, whole, pools

        project, whole, per_pool = await within_one_hour(read)
        status = project["status"]
        assert status["quotaStatus"]["allocated"] == whole, name
        statuses = status["nodePoolQuotaStatuses"]
        assert {s["nodePoolId"] for s in statuses} == {
            r["nodePool"]["id"] for r in project["resources"]
        }
        for pool_status in statuses:
            pool = pool_status["nodePoolName"]
            assert pool_status["allocated"] == per_pool[pool], (name, pool)
            allocated = pool_status["allocated"]["gpu"]
            deserved, limit = quotas.get(name, {}).get(pool, (0, 0))
            assert allocated <= (CAPACITY[pool] if limit is None else limit), (name, pool)
            assert pool_status["allocatedNonPreemptible"]["gpu"] <= min(allocated, deserved)
            for kind in KINDS:
                assert (
                    pool_status["allocatedNonPreemptible"][kind] <= pool_status["allocated"][kind]
                )
                assert pool_status["requested"][kind] >= pool_status["allocated"][kind]
        for figure in FIGURES:
            for kind in KINDS:
                assert status["quotaStatus"][figure][kind] == total(statuses, figure, kind)


async def test_a_project_without_quota_holds_nothing(api: Any, cp: Any) -> None:
    _, projects, _ = await org_with_an_idle_project(api, cp.cluster_id)
    idle = await resolve(api.projects.get(projects["idle"]["id"]))
    nothing = {"gpu": 0, "cpu": 0, "memory": 0}
    assert idle["status"]["quotaStatus"] == {figure: nothing for figure in FIGURES}
    for status in idle["status"]["nodePoolQuotaStatuses"]:
        assert {figure: status[figure] for figure in FIGURES} == {f: nothing for f in FIGURES}


async def test_a_department_shows_the_sum_of_its_projects(api: Any, cp: Any) -> None:
    _, _, departments = await org_with_an_idle_project(api, cp.cluster_id)
    for name, department in departments.items():
        if name not in ORG:
            continue

        async def read(hour: str, unit_id: str = department["id"], name: str = name) -> tuple:
            got = await resolve(api.departments.get(unit_id))
            (listed,) = await collect(api.departments.list(filter_by=[f"name=={name}"]))
            members = [await resolve(api.projects.get(c["id"])) for c in got["children"]]
            return got, listed, members, await metrics_now(api, "department", unit_id, hour, None)

        got, listed, members, whole = await within_one_hour(read)
        assert got["status"]["quotaStatus"]["allocated"] == whole, name
        assert listed["status"]["quotaStatus"] == got["status"]["quotaStatus"]
        for figure in FIGURES:
            for kind in KINDS:
                summed = sum(p["status"]["quotaStatus"][figure][kind] for p in members)
                assert got["status"]["quotaStatus"][figure][kind] == summed, (name, figure)
        for pool_status in got["status"]["nodePoolQuotaStatuses"]:
            in_pool = [
                s
                for p in members
                for s in p["status"]["nodePoolQuotaStatuses"]
                if s["nodePoolId"] == pool_status["nodePoolId"]
            ]
            for figure in FIGURES:
                for kind in KINDS:
                    assert pool_status[figure][kind] == total(in_pool, figure, kind)


async def test_listings_sort_and_filter_on_what_is_allocated(api: Any, cp: Any) -> None:
    await org_with_an_idle_project(api, cp.cluster_id)

    async def read(_hour: str) -> tuple[list[dict], list[dict]]:
        ordered = await collect(api.projects.list(sort_by="gpuAllocated", sort_order="desc"))
        busy = await collect(api.projects.list(filter_by=["gpuAllocated>=1"]))
        return ordered, busy

    ordered, busy = await within_one_hour(read)
    held = [p["status"]["quotaStatus"]["allocated"]["gpu"] for p in ordered]
    assert held == sorted(held, reverse=True)
    assert {p["name"] for p in busy} == {
        p["name"] for p in ordered if p["status"]["quotaStatus"]["allocated"]["gpu"] >= 1
    }
    assert "idle" not in {p["name"] for p in busy}


async def test_the_seed_era_project_shows_the_same_figures(api: Any, cp: Any) -> None:
    _, projects, _ = await org_with_an_idle_project(api, cp.cluster_id)
    for name, made in projects.items():

        async def read(_hour: str, project_id: str = made["id"]) -> tuple[dict, dict]:
            modern = await resolve(api.projects.get(project_id))
            return modern, await resolve(api.legacy.projects.get(int(project_id)))

        modern, seed = await within_one_hour(read)
        by_pool = {s["nodePoolName"]: s for s in modern["status"]["nodePoolQuotaStatuses"]}
        seen = seed["status"]["quotaStatuses"]
        assert {s["nodePoolName"] for s in seen} == set(by_pool), name
        for status in seen:
            current = by_pool[status["nodePoolName"]]
            for figure in FIGURES:
                assert status[figure]["gpu"] == current[figure]["gpu"]
                assert status[figure]["cpu"] == current[figure]["cpu"]
                # The seed era states memory in MiB.
                mib = current[figure]["memory"] * MIB_PER_MB
                assert status[figure]["memory"] == pytest.approx(mib, abs=1e-3), name
