"""Nodes on both clients: the tenant's and one cluster's, listed and counted with the spec's
filters, sorting and paging; their metrics and the nodes' telemetry."""

from __future__ import annotations

from typing import Any

import pytest

import runai_admin as ra
from runai_admin.testing import FakeControlPlane

from .conftest import collect, resolve
from .spec import catalogue

WINDOW = {"start": "2026-01-01T00:00:00Z", "end": "2026-01-02T00:00:00Z"}
# The spec's enum, as the catalogue holds it: a spec change flows through.
NODE_METRICS: list[str] = catalogue()["schemas"]["NodeMetricType"]["enum"]
GIB = 1 << 30


async def node_named(api: Any, name: str) -> dict:
    (node,) = await collect(api.nodes.list(filter_by=[f"name=={name}"]))
    return node


async def test_the_tenant_nodes_filter_sort_and_page(api: Any, cp: Any) -> None:
    nodes = await collect(api.nodes.list(sort_by="name"))
    assert [n["name"] for n in nodes] == [
        "a100-node-1",
        "a100-node-2",
        "cpu-node-1",
        "h100-node-1",
        "h100-node-2",
    ]
    assert all(n["clusterUuid"] == cp.cluster_id and n["status"] == "Ready" for n in nodes)
    h100 = await collect(api.nodes.list(filter_by=["nodePool==h100"], sort_order="desc"))
    assert [n["name"] for n in h100] == ["h100-node-2", "h100-node-1"]
    assert h100[0]["gpuInfo"] == {"gpuType": "NVIDIA-H100-80GB-HBM3", "gpuCount": 8}
    assert (await node_named(api, "cpu-node-1"))["gpuInfo"] is None
    by_gpu = await collect(api.nodes.list(sort_by="gpuType", filter_by=["gpuType=@NVIDIA"]))
    assert [n["gpuInfo"]["gpuType"][:11] for n in by_gpu] == ["NVIDIA-A100"] * 2 + [
        "NVIDIA-H100"
    ] * 2
    page = await collect(api.nodes.list(sort_by="name", page_size=2, max_items=3))
    assert [n["name"] for n in page] == ["a100-node-1", "a100-node-2", "cpu-node-1"]
    assert (await resolve(api.nodes.count()))["count"] == 5
    assert (await resolve(api.nodes.count(search="h100")))["count"] == 2
    assert (await resolve(api.nodes.count(filter_by=["status!=Ready"])))["count"] == 0


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
async def test_one_clusters_nodes(api: Any, cp: Any) -> None:
    listed = await collect(api.nodes.list_in_cluster(cp.cluster_id, filter_by=["nodePool==h100"]))
    assert sorted(n["name"] for n in listed) == ["h100-node-1", "h100-node-2"]
    (one,) = await collect(api.nodes.list_in_cluster(cp.cluster_id, node_name="cpu-node-1"))
    assert one["nodePool"] == "default"
    with pytest.raises(ra.BadRequestError, match="nodeName"):
        await collect(api.nodes.list_in_cluster(cp.cluster_id, node_name="x", search="y"))
    assert (await resolve(api.nodes.count_in_cluster(cp.cluster_id)))["count"] == 5
    counted = await resolve(api.nodes.count_in_cluster(cp.cluster_id, filter_by=["gpuType=@A100"]))
    assert counted["count"] == 2
    missing = "00000000-0000-4000-8000-000000000000"
    with pytest.raises(ra.NotFoundError):
        await resolve(api.nodes.count_in_cluster(missing))


@pytest.mark.filterwarnings("error::DeprecationWarning")
def test_listing_one_clusters_nodes_warns_with_its_replacement(client: Any, cp: Any) -> None:
    with pytest.warns(DeprecationWarning, match=r"use nodes\.list\(\)"):
        client.nodes.list_in_cluster(cp.cluster_id).to_list()


def series(answer: dict, kind: str) -> list[dict]:
    return [m for m in answer["measurements"] if m["type"] == kind]


async def test_node_metrics_are_consistent_and_repeat(api: Any) -> None:
    node = await node_named(api, "h100-node-1")
    ask = dict(metric_type=NODE_METRICS, number_of_samples=49, **WINDOW)
    answer = await resolve(api.nodes.metrics(node["id"], **ask))
    assert await resolve(api.nodes.metrics(node["id"], **ask)) == answer
    assert {m["type"] for m in answer["measurements"]} == set(NODE_METRICS)
    for m in answer["measurements"]:
        per_gpu = m["type"].endswith("_PER_GPU")
        assert (m["labels"] is not None) == per_gpu
        assert len(series(answer, m["type"])) == (8 if per_gpu else 1)
        numbers = [float(v["value"]) for v in m["values"]]
        assert len(numbers) == 49 and min(numbers) >= 0, m["type"]
        if any(word in m["type"] for word in ("UTILIZATION", "ACTIVITY", "OCCUPANCY")):
            assert max(numbers) <= 100, m["type"]
    # Allocation never above capacity, usage never above what is allocated.
    allocation = series(answer, "GPU_ALLOCATION_PER_GPU")
    usage = series(answer, "GPU_MEMORY_USAGE_BYTES_PER_GPU")
    utilisation = series(answer, "GPU_UTILIZATION_PER_GPU")
    for gpu in range(8):
        for at in range(49):
            held = float(allocation[gpu]["values"][at]["value"])
            assert held in (0.0, 1.0)
            assert float(usage[gpu]["values"][at]["value"]) <= held * 80 * GIB
            if held == 0:
                assert float(utilisation[gpu]["values"][at]["value"]) == 0
    total = [float(v["value"]) for v in series(answer, "GPU_MEMORY_USAGE_BYTES")[0]["values"]]
    for at, whole in enumerate(total):
        assert whole == pytest.approx(sum(float(u["values"][at]["value"]) for u in usage), abs=8)
    cores = [float(v["value"]) for v in series(answer, "CPU_USAGE_CORES")[0]["values"]]
    assert max(cores) <= 224

    cpu_node = await node_named(api, "cpu-node-1")
    plain = await resolve(api.nodes.metrics(cpu_node["id"], **ask))
    assert series(plain, "GPU_UTILIZATION_PER_GPU") == []


async def test_node_metrics_refuse_what_they_do_not_know(api: Any) -> None:
    node = await node_named(api, "a100-node-1")
    with pytest.raises(ra.BadRequestError, match="metricType"):
        await resolve(api.nodes.metrics(node["id"], metric_type=["TOTAL_GPU"], **WINDOW))
    with pytest.raises(ra.NotFoundError):
        await resolve(
            api.nodes.metrics(
                "00000000-0000-4000-8000-000000000000", metric_type="GPU_UTILIZATION", **WINDOW
            )
        )
    with pytest.raises(ra.BadRequestError, match="start"):
        await resolve(
            api.nodes.metrics(
                node["id"], metric_type="GPU_UTILIZATION", start=WINDOW["end"], end=WINDOW["start"]
            )
        )


async def test_telemetry_adds_up_what_the_nodes_have(api: Any, cp: Any) -> None:
    nodes = await collect(api.nodes.list())
    gpus = sum(n["gpuInfo"]["gpuCount"] for n in nodes if n["gpuInfo"])
    total = await resolve(api.nodes.telemetry(telemetry_type="TOTAL_GPUS"))
    assert total["type"] == "TOTAL_GPUS" and total["values"] == [{"value": str(gpus)}]
    by_pool = await resolve(
        api.nodes.telemetry(telemetry_type="TOTAL_GPU_NODES", group_by=["ClusterId", "Nodepool"])
    )
    counted = {v["groups"][1]["value"]: v["value"] for v in by_pool["values"]}
    assert counted == {"default": "2", "h100": "2"}
    assert {v["groups"][0]["name"] for v in by_pool["values"]} == {"cluster-1"}
    free = await resolve(api.nodes.telemetry(telemetry_type="FREE_GPUS", nodepool_name="h100"))
    held = await resolve(api.nodes.telemetry(telemetry_type="ALLOCATED_GPUS", nodepool_name="h100"))
    if free["timestamp"] == held["timestamp"]:
        assert int(free["values"][0]["value"]) + int(held["values"][0]["value"]) == 16
    per_node = await resolve(
        api.nodes.telemetry(
            telemetry_type="USED_CPU_CORES", cluster_id=cp.cluster_id, group_by=["Node"]
        )
    )
    assert len(per_node["values"]) == 5
    with pytest.raises(ra.NotFoundError):
        await resolve(api.nodes.telemetry(telemetry_type="TOTAL_GPUS", nodepool_name="nope"))


def test_another_fake_gives_the_same_series(client: Any) -> None:
    ask = dict(metric_type=["GPU_UTILIZATION", "CPU_USAGE_CORES"], **WINDOW)
    node = next(n for n in client.nodes.list() if n["name"] == "a100-node-2")
    with FakeControlPlane() as other, other.client() as again:
        same = next(n for n in again.nodes.list() if n["name"] == "a100-node-2")
        assert same["id"] == node["id"]
        assert again.nodes.metrics(same["id"], **ask) == client.nodes.metrics(node["id"], **ask)
