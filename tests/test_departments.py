"""Every departments operation, on the sync and the async client."""

from __future__ import annotations

import pytest

import runai_admin as ra

from .conftest import collect, resolve, resources


async def test_the_seeded_tenant_has_a_default_department(api, cp):
    departments = await collect(api.departments.list())
    assert [d["name"] for d in departments] == ["default"]
    assert departments[0]["clusterId"] == cp.cluster_id


async def test_create_get_update_delete_round_trip(api, cp):
    dept = await resolve(
        api.departments.create(name="physics", cluster_id=cp.cluster_id, resources=resources(8))
    )
    assert dept["name"] == "physics"
    assert (await resolve(api.departments.get(dept["id"])))["id"] == dept["id"]
    updated = await resolve(
        api.departments.update(dept["id"], description="labs", resources=resources(6))
    )
    assert updated["description"] == "labs"
    assert updated["resources"][0]["gpu"]["deserved"] == 6
    await resolve(api.departments.delete(dept["id"]))
    with pytest.raises(ra.NotFoundError):
        await resolve(api.departments.get(dept["id"]))


async def test_projects_live_under_their_department(api, cp):
    dept = await resolve(
        api.departments.create(name="chem", cluster_id=cp.cluster_id, resources=resources(4))
    )
    project = await resolve(
        api.projects.create(
            name="lab", cluster_id=cp.cluster_id, parent_id=dept["id"], resources=resources(2)
        )
    )
    assert project["parentId"] == dept["id"]
    in_dept = await collect(api.projects.list(filter_by=[f"parentId=={dept['id']}"]))
    assert [p["name"] for p in in_dept] == ["lab"]


async def test_resources_replace_and_patch(api, cp):
    dept = await resolve(
        api.departments.create(name="bio", cluster_id=cp.cluster_id, resources=resources(1))
    )
    assert (await resolve(api.departments.update_resources(dept["id"], body=resources(2))))[0][
        "gpu"
    ]["deserved"] == 2
    assert (await resolve(api.departments.patch_resources(dept["id"], body=resources(3))))[0][
        "gpu"
    ]["deserved"] == 3


async def test_count_sort_and_filter(api, cp):
    for name in ("zeta", "eta"):
        await resolve(
            api.departments.create(name=name, cluster_id=cp.cluster_id, resources=resources(1))
        )
    assert (await resolve(api.departments.count()))["count"] == 3
    names = [d["name"] for d in await collect(api.departments.list(sort_by="name"))]
    assert names == ["default", "eta", "zeta"]
    assert (await resolve(api.departments.count(filter_by=["name=$ta"])))["count"] == 2


async def test_duplicate_and_unknown(api, cp):
    with pytest.raises(ra.ConflictError):
        await resolve(
            api.departments.create(name="default", cluster_id=cp.cluster_id, resources=resources(1))
        )
    with pytest.raises(ra.NotFoundError):
        await resolve(api.departments.update_resources("999999", body=resources(1)))


async def test_metrics_and_telemetry_answer(api, cp):
    departments = await collect(api.departments.list())
    metrics = await resolve(
        api.departments.metrics(
            departments[0]["id"],
            metric_type=["GPU_QUOTA"],
            start="2026-01-01T00:00:00Z",
            end="2026-01-02T00:00:00Z",
        )
    )
    # A quota holds over the window: one value, twenty times.
    (series,) = metrics["measurements"]
    assert series["type"] == "GPU_QUOTA" and len(series["values"]) == 20
    assert len({v["value"] for v in series["values"]}) == 1
    telemetry = await resolve(api.departments.telemetry(telemetry_type="GPU_QUOTA"))
    assert telemetry["type"] == "GPU_QUOTA"
    (now,) = telemetry["values"]
    assert float(now["value"]) == sum(
        r["gpu"]["deserved"] for d in departments for r in d["resources"]
    )
