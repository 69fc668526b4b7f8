"""Network topologies on both clients: a cluster's ordered node-label levels, created,
listed, counted, read and deleted, checked against the spec's patterns and the clusters
that exist, and kept to the rights of the caller."""

from __future__ import annotations

import pytest

import runai_admin as ra
from runai_admin.testing import FakeControlPlane

from .conftest import collect, resolve
from .test_access_control import VIEWER, grant, signed_in_as, tenant

LEVELS = [
    "cloud.provider.com/topology-block",
    "cloud.provider.com/topology-rack",
    "kubernetes.io/hostname",
]


async def test_network_topology_lifecycle(api, cp: FakeControlPlane):
    made = await resolve(
        api.network_topologies.create(name="racks", cluster_id=cp.cluster_id, levels=LEVELS)
    )
    assert made["name"] == "racks" and made["clusterId"] == cp.cluster_id
    assert made["levels"] == LEVELS
    assert made["tenantId"] == 1001 and made["createdAt"] and made["createdBy"]
    # The seeded cluster is connected: it applies the topology at once.
    assert made["phase"] == made["status"] == "Ready"
    assert made["source"] == "Run.ai" and made["nodePools"] == []

    assert await resolve(api.network_topologies.get(made["id"])) == made
    listed = await resolve(api.network_topologies.list())
    assert listed == {"networkTopologies": [made]}
    assert await resolve(api.network_topologies.count()) == {"count": 1}

    assert await resolve(api.network_topologies.delete(made["id"])) is None
    with pytest.raises(ra.NotFoundError):
        await resolve(api.network_topologies.get(made["id"]))
    with pytest.raises(ra.NotFoundError):
        await resolve(api.network_topologies.delete(made["id"]))
    assert await resolve(api.network_topologies.list()) == {"networkTopologies": []}
    assert await resolve(api.network_topologies.count()) == {"count": 0}


async def test_topologies_filter_by_cluster_name_and_phase(api, cp: FakeControlPlane):
    # A cluster made through the API has not reported in yet: its topologies wait.
    other = await resolve(api.clusters.create(name="cluster-2"))
    for cluster_id in (cp.cluster_id, other["uuid"]):
        await resolve(
            api.network_topologies.create(name="racks", cluster_id=cluster_id, levels=["rack"])
        )
    await resolve(
        api.network_topologies.create(name="blocks", cluster_id=cp.cluster_id, levels=["block"])
    )

    def names(answer: dict) -> list[tuple[str, str]]:
        return sorted((t["name"], t["phase"]) for t in answer["networkTopologies"])

    mine = await resolve(api.network_topologies.list(filter_by=f"clusterId=={cp.cluster_id}"))
    assert names(mine) == [("blocks", "Ready"), ("racks", "Ready")]
    waiting = await resolve(api.network_topologies.list(filter_by=["phase==Creating"]))
    assert [t["clusterId"] for t in waiting["networkTopologies"]] == [other["uuid"]]
    assert await resolve(api.network_topologies.count(filter_by="name=^rac")) == {"count": 2}
    both = [f"clusterId=={cp.cluster_id}", "name==racks"]
    assert await resolve(api.network_topologies.count(filter_by=both)) == {"count": 1}
    assert await resolve(api.network_topologies.count(filter_by="source==Run.ai")) == {"count": 3}

    # A cluster's topologies go with it.
    await resolve(api.clusters.delete(other["uuid"], force=True))
    assert await resolve(api.network_topologies.count(filter_by="name==racks")) == {"count": 1}


@pytest.mark.parametrize(
    ("change", "error", "words"),
    [
        ({"name": "Racks"}, ra.BadRequestError, "body.name"),
        ({"name": "racks-"}, ra.BadRequestError, "body.name"),
        ({"name": "x" * 64}, ra.BadRequestError, "body.name"),
        ({"levels": []}, ra.BadRequestError, "body.levels"),
        ({"levels": ["rack", "node", "rack"]}, ra.BadRequestError, "body.levels[2]"),
        ({"levels": ["rack", "-bad"]}, ra.BadRequestError, "body.levels[1]"),
        ({"levels": ["Cloud.com/rack"]}, ra.BadRequestError, "body.levels[0]"),
        (
            {"cluster_id": "00000000-0000-4000-8000-000000000000"},
            ra.NotFoundError,
            "00000000-0000-4000-8000-000000000000",
        ),
        ({"cluster_id": "cluster-1"}, ra.BadRequestError, "body.clusterId"),
    ],
)
async def test_a_wrong_topology_names_what_is_wrong(
    api, cp: FakeControlPlane, change, error, words
):
    fields = {"name": "racks", "cluster_id": cp.cluster_id, "levels": ["rack"], **change}
    with pytest.raises(error) as caught:
        await resolve(api.network_topologies.create(**fields))
    assert words in caught.value.message
    assert await resolve(api.network_topologies.count()) == {"count": 0}


async def test_a_name_is_unique_in_its_cluster(api, cp: FakeControlPlane):
    await resolve(
        api.network_topologies.create(name="racks", cluster_id=cp.cluster_id, levels=["rack"])
    )
    with pytest.raises(ra.BadRequestError) as caught:
        await resolve(
            api.network_topologies.create(name="racks", cluster_id=cp.cluster_id, levels=["node"])
        )
    assert "already exists" in caught.value.message
    assert await resolve(api.network_topologies.count()) == {"count": 1}


async def test_a_cluster_viewer_sees_its_clusters_topologies_only(api, cp: FakeControlPlane):
    made = await tenant(api, cp)
    topology = await resolve(
        api.network_topologies.create(name="racks", cluster_id=cp.cluster_id, levels=["rack"])
    )
    other = await resolve(api.clusters.create(name="cluster-2"))
    elsewhere = await resolve(
        api.network_topologies.create(name="racks", cluster_id=other["uuid"], levels=["rack"])
    )
    await grant(api, made["user"], VIEWER, "cluster", cp.cluster_id)
    viewer = signed_in_as(api, cp, made["user"], made["password"])
    try:
        assert (await resolve(viewer.network_topologies.get(topology["id"])))["name"] == "racks"
        listed = await resolve(viewer.network_topologies.list())
        assert [t["id"] for t in listed["networkTopologies"]] == [topology["id"]]
        assert await resolve(viewer.network_topologies.count()) == {"count": 1}
        with pytest.raises(ra.PermissionDeniedError):
            await resolve(viewer.network_topologies.get(elsewhere["id"]))
        with pytest.raises(ra.PermissionDeniedError):
            await resolve(
                viewer.network_topologies.create(
                    name="blocks", cluster_id=cp.cluster_id, levels=["block"]
                )
            )
        with pytest.raises(ra.PermissionDeniedError):
            await resolve(viewer.network_topologies.delete(topology["id"]))
    finally:
        viewer.close()
    assert await resolve(api.network_topologies.count()) == {"count": 2}


async def test_node_pools_name_a_topology_of_their_cluster(api, cp: FakeControlPlane):
    """A pool's `networkTopologyId` names a topology of its own cluster (else 400 naming
    the field); the topology lists the pools that use it. The spec gives the topology's
    deletion no 400 or 409, so deleting one in use goes through and its pools are left
    with none."""
    racks = await resolve(
        api.network_topologies.create(name="racks", cluster_id=cp.cluster_id, levels=LEVELS)
    )
    other = await resolve(api.clusters.create(name="cluster-2"))
    foreign = await resolve(
        api.network_topologies.create(name="racks", cluster_id=other["uuid"], levels=["rack"])
    )
    label = {"label_key": "gpu", "label_value": "a100"}
    pool = await resolve(
        api.node_pools.create(
            name="a100", cluster_id=cp.cluster_id, network_topology_id=racks["id"], **label
        )
    )
    assert (pool["networkTopologyId"], pool["networkTopologyName"]) == (racks["id"], "racks")
    assert (await resolve(api.network_topologies.get(racks["id"])))["nodePools"] == ["a100"]
    listed = await collect(api.node_pools.list(filter_by=["networkTopologyName==racks"]))
    assert [p["name"] for p in listed] == ["a100"]

    for wrong, why in (
        (foreign["id"], "cluster"),
        ("123e4567-e89b-12d3-a456-426614174000", "no network topology"),
    ):
        with pytest.raises(ra.BadRequestError) as caught:
            await resolve(api.node_pools.patch(pool["id"], network_topology_id=wrong))
        assert "networkTopologyId" in caught.value.message and why in caught.value.message
        with pytest.raises(ra.BadRequestError, match="networkTopologyId"):
            await resolve(
                api.node_pools.create(
                    name="h200",
                    cluster_id=cp.cluster_id,
                    network_topology_id=wrong,
                    label_key="gpu",
                    label_value="h200",
                )
            )
    assert (await resolve(api.node_pools.get(pool["id"])))["networkTopologyId"] == racks["id"]

    await resolve(api.network_topologies.delete(racks["id"]))
    after = await resolve(api.node_pools.get(pool["id"]))
    assert (after["networkTopologyId"], after["networkTopologyName"]) == (None, None)
