"""Clusters, and the seed-era cluster list."""

from __future__ import annotations

import pytest

import runai_admin as ra

from .conftest import collect, resolve


async def test_the_seeded_cluster_is_listed_and_fetched(api, cp):
    clusters = await collect(api.clusters.list())
    assert [c["uuid"] for c in clusters] == [cp.cluster_id]
    cluster = await resolve(api.clusters.get(cp.cluster_id))
    assert cluster["uuid"] == cp.cluster_id and cluster["name"]


async def test_create_update_delete(api, cp):
    cluster = await resolve(api.clusters.create(name="edge", version="2.21.0"))
    assert cluster["name"] == "edge"
    assert await resolve(api.clusters.update(cluster["uuid"], name="edge-2")) is None
    assert (await resolve(api.clusters.get(cluster["uuid"])))["name"] == "edge-2"
    assert await resolve(api.clusters.delete(cluster["uuid"], force=True)) is None
    uuids = [c["uuid"] for c in await collect(api.clusters.list())]
    assert cluster["uuid"] not in uuids
    with pytest.raises(ra.NotFoundError):
        await resolve(api.clusters.get(cluster["uuid"]))


async def test_delete_without_force_only_requests_the_deletion(api, cp):
    uuid = (await resolve(api.clusters.create(name="edge", version="2.21.0")))["uuid"]
    accepted = await resolve(api.clusters.delete(uuid))
    assert accepted["code"] == 202 and isinstance(accepted["message"], str)
    marked = await resolve(api.clusters.get(uuid))
    assert marked["deleteRequestedAt"]
    assert [c["uuid"] for c in await collect(api.clusters.list())] == [cp.cluster_id]
    everything = await collect(api.clusters.list(include_requested_for_delete=True))
    assert [c["uuid"] for c in everything] == [cp.cluster_id, uuid]
    assert await resolve(api.clusters.delete(uuid, force=True)) is None
    with pytest.raises(ra.NotFoundError):
        await resolve(api.clusters.get(uuid))


async def test_clusters_before_2_20_are_deleted_at_once(api, cp):
    uuid = (await resolve(api.clusters.create(name="old", version="2.19.0")))["uuid"]
    assert await resolve(api.clusters.delete(uuid)) is None
    with pytest.raises(ra.NotFoundError):
        await resolve(api.clusters.get(uuid))


async def test_install_info_and_metrics(api, cp):
    info = await resolve(api.clusters.install_info(cp.cluster_id, version="2.21.0"))
    assert isinstance(info, dict)
    metrics = await resolve(
        api.clusters.metrics(
            cp.cluster_id,
            metric_type=["GPU_UTILIZATION"],
            start="2026-01-01T00:00:00Z",
            end="2026-01-02T00:00:00Z",
        )
    )
    # Twenty samples by default; a new fake has no projects, so none of its GPUs is busy.
    (series,) = metrics["measurements"]
    assert series["type"] == "GPU_UTILIZATION" and len(series["values"]) == 20
    assert {v["value"] for v in series["values"]} == {"0"}


async def test_an_unknown_metric_type_is_a_bad_request(api, cp):
    with pytest.raises(ra.BadRequestError) as raised:
        await resolve(
            api.clusters.metrics(
                cp.cluster_id,
                metric_type=["GPU_UTILIZATION", "NOT_A_METRIC"],
                start="2026-01-01T00:00:00Z",
                end="2026-01-02T00:00:00Z",
            )
        )
    assert "metricType" in raised.value.message and "NOT_A_METRIC" in raised.value.message
    assert "GPU_UTILIZATION" in str(raised.value.details)


async def test_legacy_cluster_list_speaks_the_seed_era_shape(api, cp):
    legacy = await collect(api.legacy.clusters.list())
    assert [c["clusterUuid"] for c in legacy] == [cp.cluster_id]
    assert {"name", "clusterUuid", "tenantId", "createdAt"} <= set(legacy[0])
    assert cp.requests[-1]["path"] == "/v1/k8s/clusters"
