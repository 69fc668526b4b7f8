"""Every projects operation, on the sync and the async client."""

from __future__ import annotations

import pytest

import runai_admin as ra

from .conftest import collect, resolve, resources


async def create(api, cp, name: str, gpus: float = 2, **extra):
    return await resolve(
        api.projects.create(name=name, cluster_id=cp.cluster_id, resources=resources(gpus), **extra)
    )


async def test_create_get_update_delete_round_trip(api, cp):
    project = await create(api, cp, "team-a")
    assert project["name"] == "team-a"
    assert project["clusterId"] == cp.cluster_id
    assert project["resources"][0]["gpu"]["deserved"] == 2

    fetched = await resolve(api.projects.get(project["id"]))
    assert fetched["id"] == project["id"] and fetched["name"] == "team-a"

    updated = await resolve(
        api.projects.update(project["id"], description="vision", resources=resources(3))
    )
    assert updated["description"] == "vision"
    assert (await resolve(api.projects.get(project["id"])))["resources"][0]["gpu"]["deserved"] == 3

    await resolve(api.projects.delete(project["id"]))
    with pytest.raises(ra.NotFoundError) as caught:
        await resolve(api.projects.get(project["id"]))
    assert caught.value.status == 404


async def test_resources_can_be_replaced_and_patched(api, cp):
    project = await create(api, cp, "res")
    replaced = await resolve(api.projects.update_resources(project["id"], body=resources(4)))
    assert replaced[0]["gpu"]["deserved"] == 4
    patched = await resolve(api.projects.patch_resources(project["id"], body=resources(5)))
    assert patched[0]["gpu"]["deserved"] == 5
    assert (await resolve(api.projects.get(project["id"])))["resources"][0]["gpu"]["deserved"] == 5


async def test_list_filters_sorts_searches_and_counts(api, cp):
    for name in ("alpha", "beta", "gamma"):
        await create(api, cp, name)
    names = [p["name"] for p in await collect(api.projects.list(sort_by="name", sort_order="desc"))]
    assert names == ["gamma", "beta", "alpha"]
    found = await collect(api.projects.list(filter_by=["name=@mm"]))
    assert [p["name"] for p in found] == ["gamma"]
    searched = await collect(api.projects.list(search="ALP"))
    assert [p["name"] for p in searched] == ["alpha"]
    assert (await resolve(api.projects.count()))["count"] == 3
    assert (await resolve(api.projects.count(filter_by="name=^b")))["count"] == 1


async def test_duplicate_name_is_a_conflict(api, cp):
    await create(api, cp, "twice")
    with pytest.raises(ra.ConflictError) as caught:
        await create(api, cp, "twice")
    assert caught.value.status == 409
    assert caught.value.message


async def test_invalid_body_is_a_bad_request_naming_the_field(api, cp):
    with pytest.raises(ra.BadRequestError) as caught:
        await resolve(
            api.projects.create(
                name="bad", cluster_id=cp.cluster_id, resources=[{"gpu": {"deserved": "two"}}]
            )
        )
    err = caught.value
    assert err.status == 400 and err.code == 400
    assert "deserved" in f"{err.message} {err.details}"


async def test_metrics_and_telemetry_answer(api, cp):
    project = await create(api, cp, "observed")
    metrics = await resolve(
        api.projects.metrics(
            project["id"],
            metric_type=["GPU_ALLOCATION"],
            start="2026-01-01T00:00:00Z",
            end="2026-01-02T00:00:00Z",
        )
    )
    # Whole GPUs, within the default pool's eight (the project sets no limit).
    (series,) = metrics["measurements"]
    held = [float(v["value"]) for v in series["values"]]
    assert series["type"] == "GPU_ALLOCATION" and len(held) == 20
    assert all(0 <= h <= 8 and h == int(h) for h in held)
    telemetry = await resolve(api.projects.telemetry(telemetry_type="GPU_QUOTA"))
    assert telemetry["type"] == "GPU_QUOTA" and telemetry["values"] == [{"value": "2"}]
