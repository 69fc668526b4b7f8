"""Node pools on both clients: the seeded `default` and `h100` pools, pools that claim the
nodes their label selects, quotas that hold a pool, the seed-era /v1/k8s operations on the
same pools, and the pools' metrics."""

from __future__ import annotations

import json
from typing import Any

import pytest

import runai_admin as ra

from .conftest import collect, resolve
from .spec import catalogue

VIEWER = 8
A100 = {"label_key": "nvidia.com/gpu.product", "label_value": "NVIDIA-A100-SXM4-40GB"}
WINDOW = {"start": "2026-01-01T00:00:00Z", "end": "2026-01-01T12:00:00Z"}
# The spec's enum, as the catalogue holds it: a spec change flows through.
POOL_METRICS: list[str] = catalogue()["schemas"]["MetricsType"]["enum"]


async def pool_named(api: Any, name: str) -> dict:
    (pool,) = await collect(api.node_pools.list(filter_by=[f"name=={name}"]))
    return pool


def quota(pool: dict, gpus: float, **more: Any) -> list[dict]:
    return [{"nodePool": {"id": pool["id"]}, "gpu": {"deserved": gpus, **more}}]


async def test_the_seeded_cluster_has_a_default_and_an_h100_pool(api: Any, cp: Any) -> None:
    pools = await collect(api.node_pools.list(sort_by="name"))
    assert [p["name"] for p in pools] == ["default", "h100"]
    assert [p["isDefault"] for p in pools] == [True, False]
    assert all(p["clusterId"] == cp.cluster_id and p["phase"] == "Ready" for p in pools)
    assert (await resolve(api.node_pools.count()))["count"] == 2
    assert (await resolve(api.node_pools.count(filter_by=["name=@h1"])))["count"] == 1
    h100 = await resolve(api.node_pools.get(pools[1]["id"]))
    assert h100["labelKey"] == "nvidia.com/gpu.product"
    assert sorted(h100["status"]["nodes"]) == ["h100-node-1", "h100-node-2"]
    with pytest.raises(ra.NotFoundError):
        await resolve(api.node_pools.get("999"))


async def test_a_pool_claims_the_nodes_its_label_selects(api: Any, cp: Any) -> None:
    made = await resolve(api.node_pools.create(name="a100", cluster_id=cp.cluster_id, **A100))
    assert sorted(made["status"]["nodes"]) == ["a100-node-1", "a100-node-2"]
    assert (await pool_named(api, "default"))["status"]["nodes"] == ["cpu-node-1"]
    in_pool = await collect(api.nodes.list(filter_by=["nodePool==a100"]))
    assert sorted(n["name"] for n in in_pool) == ["a100-node-1", "a100-node-2"]
    # The same name, or the same label, again: refused by name.
    with pytest.raises(ra.BadRequestError, match="a100"):
        await resolve(api.node_pools.create(name="a100", cluster_id=cp.cluster_id, **A100))
    with pytest.raises(ra.BadRequestError, match="labelKey"):
        await resolve(api.node_pools.create(name="again", cluster_id=cp.cluster_id, **A100))

    # PUT sets the settings it sends; PATCH merges; a new label moves the nodes.
    placement = {"cpu": "spread", "gpu": "binpack"}
    updated = await resolve(api.node_pools.update(made["id"], placement_strategy=placement))
    assert updated["placementStrategy"] == placement
    swap = {"swapEnabled": True, "cpuSwapMemorySize": "50G"}
    patched = await resolve(api.node_pools.patch(made["id"], gpu_resource_optimization=swap))
    assert patched["placementStrategy"] == placement
    assert patched["gpuResourceOptimization"] == swap
    swapping = await collect(api.node_pools.list(filter_by=["swapEnabled==true"]))
    assert [p["name"] for p in swapping] == ["a100"]
    moved = await resolve(
        api.node_pools.patch(
            made["id"], label_key="kubernetes.io/hostname", label_value="cpu-node-1"
        )
    )
    assert moved["status"]["nodes"] == ["cpu-node-1"]
    default = await pool_named(api, "default")
    assert sorted(default["status"]["nodes"]) == ["a100-node-1", "a100-node-2"]
    with pytest.raises(ra.BadRequestError, match="default"):
        await resolve(api.node_pools.patch(default["id"], **A100))

    assert (await resolve(api.node_pools.delete(made["id"])))["code"] == 202
    assert len((await pool_named(api, "default"))["status"]["nodes"]) == 3
    with pytest.raises(ra.BadRequestError, match="default"):
        await resolve(api.node_pools.delete(default["id"]))


async def test_quotas_hold_a_pool_until_they_are_removed(api: Any, cp: Any) -> None:
    pool = await resolve(api.node_pools.create(name="a100", cluster_id=cp.cluster_id, **A100))
    assert len(pool["status"]["nodes"]) == 2
    # Over-quota settings round-trip with the quota.
    dept = await resolve(
        api.departments.create(
            name="physics",
            cluster_id=cp.cluster_id,
            resources=quota(pool, 8, limit=12, overQuotaWeight=2),
        )
    )
    got = await resolve(api.departments.get(dept["id"]))
    assert got["resources"][0]["gpu"] == {"deserved": 8, "limit": 12, "overQuotaWeight": 2}
    teams = [
        await resolve(
            api.projects.create(
                name=f"team-{n}",
                cluster_id=cp.cluster_id,
                parent_id=dept["id"],
                resources=[
                    {**quota(pool, 4)[0], "priority": "High"},
                ],
            )
        )
        for n in ("a", "b")
    ]
    assert (await resolve(api.projects.get(teams[0]["id"])))["resources"][0]["priority"] == "High"
    metrics = await resolve(
        api.node_pools.metrics(cp.cluster_id, "a100", metric_type="GPU_QUOTA", **WINDOW)
    )
    assert {v["value"] for v in metrics["measurements"][0]["values"]} == {"8"}
    # The spec only recommends keeping projects within their department, and the tenant
    # does not ask for it: a ninth GPU is allowed.
    over = await resolve(api.projects.patch_resources(teams[1]["id"], body=quota(pool, 5)))
    assert over[0]["gpu"]["deserved"] == 5

    # A quota in a pool that does not exist is refused, naming the field.
    with pytest.raises(ra.BadRequestError, match=r"nodePool\.id"):
        await resolve(
            api.projects.create(
                name="ghost",
                cluster_id=cp.cluster_id,
                resources=[{"nodePool": {"id": "999"}, "gpu": {"deserved": 1}}],
            )
        )

    with pytest.raises(ra.BadRequestError) as refused:
        await resolve(api.node_pools.delete(pool["id"]))
    for user in ('department "physics"', 'project "team-a"', 'project "team-b"'):
        assert user in refused.value.message
    for team in teams:
        await resolve(api.projects.patch_resources(team["id"], body=quota(pool, 0)))
    await resolve(api.departments.patch_resources(dept["id"], body=quota(pool, 0)))
    await resolve(api.node_pools.delete(pool["id"]))
    left = await resolve(api.departments.get(dept["id"]))
    assert all(r["nodePool"]["id"] != pool["id"] for r in left["resources"])
    assert "a100" not in [p["name"] for p in await collect(api.node_pools.list())]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
async def test_seed_era_operations_act_on_the_same_pools(api: Any, cp: Any) -> None:
    listed = await collect(api.node_pools.legacy_list(cp.cluster_id))
    assert sorted(p["name"] for p in listed) == ["default", "h100"]
    h100 = next(p for p in listed if p["name"] == "h100")
    assert isinstance(h100["id"], int) and h100["status"] == "Ready"
    assert sorted(json.loads(h100["nodes"])) == ["h100-node-1", "h100-node-2"]

    assert await resolve(api.node_pools.legacy_create(cp.cluster_id, name="a100", **A100)) is None
    with pytest.raises(ra.ConflictError):
        await resolve(api.node_pools.legacy_create(cp.cluster_id, name="a100", **A100))
    modern = await pool_named(api, "a100")
    legacy_id = int(modern["id"])
    await resolve(
        api.node_pools.legacy_update(
            cp.cluster_id, legacy_id, placement_strategy={"cpu": "spread", "gpu": "spread"}
        )
    )
    assert (await pool_named(api, "a100"))["placementStrategy"]["gpu"] == "spread"
    await resolve(
        api.node_pools.legacy_update_labels(
            cp.cluster_id, legacy_id, label_key="kubernetes.io/hostname", label_value="a100-node-1"
        )
    )
    assert (await pool_named(api, "a100"))["status"]["nodes"] == ["a100-node-1"]
    await resolve(api.node_pools.legacy_delete(cp.cluster_id, legacy_id))
    assert [p["name"] for p in await collect(api.node_pools.list())] == ["default", "h100"]
    with pytest.raises(ra.NotFoundError):
        await resolve(api.node_pools.legacy_delete(cp.cluster_id, legacy_id))


@pytest.mark.filterwarnings("error::DeprecationWarning")
def test_each_deprecated_node_pool_method_warns_with_its_replacement(client: Any, cp: Any) -> None:
    with pytest.warns(DeprecationWarning, match=r"use node_pools\.list\(\)"):
        client.node_pools.legacy_list(cp.cluster_id).to_list()
    with pytest.warns(DeprecationWarning, match=r"use node_pools\.create\(\)"):
        client.node_pools.legacy_create(cp.cluster_id, name="a100", **A100)
    legacy_id = int(next(p for p in client.node_pools.list() if p["name"] == "a100")["id"])
    with pytest.warns(DeprecationWarning, match=r"use node_pools\.patch\(\)"):
        client.node_pools.legacy_update(cp.cluster_id, legacy_id, over_provisioning_ratio=2)
    with pytest.warns(DeprecationWarning, match=r"use node_pools\.patch\(\)"):
        client.node_pools.legacy_update_labels(cp.cluster_id, legacy_id, **A100)
    with pytest.warns(DeprecationWarning, match=r"use node_pools\.delete\(\)"):
        client.node_pools.legacy_delete(cp.cluster_id, legacy_id)


def values(answer: dict, kind: str) -> list[float]:
    (m,) = [m for m in answer["measurements"] if m["type"] == kind]
    return [float(v["value"]) for v in m["values"]]


async def test_pool_metrics_are_consistent_and_repeat(api: Any, cp: Any) -> None:
    ask = dict(metric_type=POOL_METRICS, number_of_samples=25, **WINDOW)
    answer = await resolve(api.node_pools.metrics(cp.cluster_id, "h100", **ask))
    assert await resolve(api.node_pools.metrics(cp.cluster_id, "h100", **ask)) == answer
    assert {m["type"] for m in answer["measurements"]} == set(POOL_METRICS)
    total, allocated = values(answer, "TOTAL_GPU"), values(answer, "ALLOCATED_GPU")
    assert set(total) == {16.0} and len(total) == 25
    assert set(values(answer, "TOTAL_GPU_NODES")) == {2.0}
    unallocated = values(answer, "UNALLOCATED_GPU")
    for held, capacity, left in zip(allocated, total, unallocated, strict=True):
        assert 0 <= held <= capacity and held + left == capacity
    for kind in ("GPU_UTILIZATION", "GPU_MEMORY_UTILIZATION", "CPU_UTILIZATION"):
        assert all(0 <= x <= 100 for x in values(answer, kind)), kind
    buckets = [m for m in answer["measurements"] if m["type"] == "GPU_UTILIZATION_DISTRIBUTION"]
    assert [b["labels"]["range"] for b in buckets] == ["0-25", "25-50", "50-75", "75-100"]
    for i in range(25):
        assert sum(float(b["values"][i]["value"]) for b in buckets) == 16
    with pytest.raises(ra.NotFoundError):
        await resolve(
            api.node_pools.metrics(cp.cluster_id, "nope", metric_type="TOTAL_GPU", **WINDOW)
        )


async def test_unknown_pool_metric_types_are_refused(api: Any, cp: Any) -> None:
    # A node's metric is no pool's.
    for wrong in ("GPU_SM_ACTIVITY_PER_GPU", "NOT_A_METRIC"):
        with pytest.raises(ra.BadRequestError) as refused:
            await resolve(
                api.node_pools.metrics(
                    cp.cluster_id, "h100", metric_type=["TOTAL_GPU", wrong], **WINDOW
                )
            )
        assert "metricType" in refused.value.message and wrong in refused.value.message


async def test_who_may_read_and_change_node_pools(api: Any, cp: Any) -> None:
    made = await resolve(api.users.create(email="ada@example.com"))
    await resolve(
        api.access_rules.create(
            subject_id=made["username"],
            subject_type="user",
            role_id=VIEWER,
            scope_id="1001",  # the fake's tenant
            scope_type="tenant",
        )
    )
    auth = ra.auth.Password(made["username"], made["tempPassword"])
    viewer = cp.async_client(auth=auth) if isinstance(api, ra.AsyncClient) else cp.client(auth=auth)
    try:
        pools = await collect(viewer.node_pools.list())
        assert [p["name"] for p in pools] == ["default", "h100"]
        assert (await resolve(viewer.nodes.count()))["count"] == 5
        for change in (
            lambda: viewer.node_pools.create(name="a100", cluster_id=cp.cluster_id, **A100),
            lambda: viewer.node_pools.patch(pools[1]["id"], over_provisioning_ratio=2),
            lambda: viewer.node_pools.delete(pools[1]["id"]),
        ):
            with pytest.raises(ra.PermissionDeniedError, match="nodepools"):
                await resolve(change())
    finally:
        closing = viewer.close()
        if closing is not None:
            await closing


async def test_node_pools_and_nodes_live_in_their_cluster_for_access(api: Any, cp: Any) -> None:
    """A rule on a cluster reaches its pools and nodes and no other cluster's; a rule on a
    project reads the pools of its project's cluster (the role grants reading pools, not
    nodes) and changes none."""
    from .test_access_control import (
        L1_RESEARCHER,
        SYSTEM_ADMINISTRATOR,
        grant,
        signed_in_as,
        tenant,
    )

    made = await tenant(api, cp)
    other = await resolve(api.clusters.create(name="cluster-2"))
    elsewhere = await resolve(api.node_pools.create(name="a100", cluster_id=other["uuid"], **A100))
    mine = [p for p in await collect(api.node_pools.list()) if p["clusterId"] == cp.cluster_id]
    await grant(api, made["user"], SYSTEM_ADMINISTRATOR, "cluster", cp.cluster_id)
    admin = signed_in_as(api, cp, made["user"], made["password"])
    try:
        listed = await collect(admin.node_pools.list())
        assert sorted(p["id"] for p in listed) == sorted(p["id"] for p in mine)
        assert (await resolve(admin.node_pools.count()))["count"] == len(mine)
        nodes = await collect(admin.nodes.list())
        assert nodes and {n["clusterUuid"] for n in nodes} == {cp.cluster_id}
        pool = await resolve(admin.node_pools.create(name="a100", cluster_id=cp.cluster_id, **A100))
        await resolve(admin.node_pools.patch(pool["id"], over_provisioning_ratio=2))
        await resolve(admin.node_pools.delete(pool["id"]))
        for refused in (
            lambda: admin.node_pools.get(elsewhere["id"]),
            lambda: admin.node_pools.delete(elsewhere["id"]),
            lambda: admin.node_pools.create(name="b", cluster_id=other["uuid"], **A100),
            lambda: admin.node_pools.patch(elsewhere["id"], over_provisioning_ratio=2),
        ):
            with pytest.raises(ra.PermissionDeniedError, match="nodepools"):
                await resolve(refused())
    finally:
        closing = admin.close()
        if closing is not None:
            await closing

    researcher_email = "grace@example.com"
    researcher = await resolve(api.users.create(email=researcher_email))
    await grant(api, researcher["username"], L1_RESEARCHER, "project", made["proj_a"])
    l1 = signed_in_as(api, cp, researcher["username"], researcher["tempPassword"])
    try:
        listed = await collect(l1.node_pools.list())
        assert sorted(p["id"] for p in listed) == sorted(p["id"] for p in mine)
        assert (await resolve(l1.node_pools.get(mine[0]["id"])))["clusterId"] == cp.cluster_id
        for refused in (
            lambda: l1.node_pools.get(elsewhere["id"]),
            lambda: l1.node_pools.patch(mine[0]["id"], over_provisioning_ratio=2),
            lambda: l1.node_pools.create(name="c", cluster_id=cp.cluster_id, **A100),
            lambda: l1.nodes.count(),
        ):
            with pytest.raises(ra.PermissionDeniedError):
                await resolve(refused())
    finally:
        closing = l1.close()
        if closing is not None:
            await closing
