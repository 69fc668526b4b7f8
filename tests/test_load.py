"""Load on the fake control plane: many concurrent calls through one client end with
exactly the state they asked for, without an error, and with a single token request.

The heavy ones carry the `slow` marker: `make test-slow` runs them (CI does)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from runai_admin.testing import FakeControlPlane

from .conftest import resources

IN_FLIGHT = 256
TOKEN_PATHS = ("/api/v1/token", "/api/v2/token")


def token_requests(cp: FakeControlPlane) -> int:
    return sum(r["path"] in TOKEN_PATHS for r in cp.requests)


async def bounded(calls: Any, limit: int = IN_FLIGHT) -> list[Any]:
    """Await every coroutine of `calls` with at most `limit` in flight."""
    gate = asyncio.Semaphore(limit)

    async def one(call: Any) -> Any:
        async with gate:
            return await call

    return await asyncio.gather(*(one(c) for c in calls))


@pytest.mark.slow
async def test_5000_concurrent_creates_make_5000_distinct_projects() -> None:
    with FakeControlPlane(record_limit=20_000) as cp:
        async with cp.async_client() as client:
            created = await bounded(
                client.projects.create(
                    name=f"load-{i}", cluster_id=cp.cluster_id, resources=resources(0)
                )
                for i in range(5_000)
            )
            ids = {p["id"] for p in created}
            assert len(ids) == 5_000
            assert {p["name"] for p in created} == {f"load-{i}" for i in range(5_000)}
            assert (await client.projects.count())["count"] == 5_000
            listed = await client.projects.list().to_list()
            assert {p["id"] for p in listed} == ids
            creates = [
                r
                for r in cp.requests
                if r["method"] == "POST" and r["path"] == "/api/v1/org-unit/projects"
            ]
            # Each sent once: no retry re-sent a create.
            assert len(creates) == 5_000 and {r["status"] for r in creates} == {201}
        assert token_requests(cp) == 1


@pytest.mark.slow
async def test_50000_mixed_requests_at_256_in_flight_finish_without_an_error() -> None:
    # Every request of the run stays in the record, the token request first among them:
    # 40,000 single calls and 10,000 lists of 64 projects in pages of 10 (each list about
    # 8 requests: the pages, overlapping by one item, and the count), after the setup.
    with FakeControlPlane(record_limit=250_000) as cp:
        async with cp.async_client() as client:
            department = (await client.departments.list().to_list())[0]
            projects = await bounded(
                client.projects.create(
                    name=f"mix-{i}", cluster_id=cp.cluster_id, resources=resources(0)
                )
                for i in range(64)
            )
            ids = [p["id"] for p in projects]

            async def call(i: int) -> bool:
                kind = i % 5
                if kind == 0:
                    project = await client.projects.get(ids[i % len(ids)])
                    return project["id"] == ids[i % len(ids)]
                if kind == 1:
                    return (await client.projects.count())["count"] == len(ids)
                if kind == 2:
                    return (await client.clusters.get(cp.cluster_id))["uuid"] == cp.cluster_id
                if kind == 3:
                    got = await client.departments.get(department["id"])
                    return got["id"] == department["id"]
                page = await client.projects.list(page_size=10).to_list()
                return len(page) == len(ids)

            total = 50_000
            results = await bounded(call(i) for i in range(total))
            assert results == [True] * total
        served = cp.requests
        assert all(200 <= r["status"] < 300 for r in served)
        assert token_requests(cp) == 1


@pytest.mark.slow
def test_32_threads_share_one_client_with_one_token_request() -> None:
    threads, calls_each = 32, 200
    with FakeControlPlane(record_limit=20_000) as cp, cp.client() as client:

        def worker(t: int) -> list[bool]:
            mine: list[str] = []
            outcomes = []
            for i in range(calls_each):
                kind = i % 4
                if kind == 0 or not mine:
                    project = client.projects.create(
                        name=f"th{t}-{i}", cluster_id=cp.cluster_id, resources=resources(0)
                    )
                    mine.append(project["id"])
                    outcomes.append(project["name"] == f"th{t}-{i}")
                elif kind == 1:
                    outcomes.append(client.projects.get(mine[-1])["id"] == mine[-1])
                elif kind == 2:
                    outcomes.append(client.clusters.get(cp.cluster_id)["uuid"] == cp.cluster_id)
                else:
                    got = client.projects.get(mine[0])
                    outcomes.append((got["id"], got["name"]) == (mine[0], f"th{t}-0"))
            return outcomes

        with ThreadPoolExecutor(max_workers=threads) as pool:
            outcomes = [o for result in pool.map(worker, range(threads)) for o in result]
        assert len(outcomes) == threads * calls_each and all(outcomes)
        assert client.projects.count()["count"] == threads * calls_each // 4
        assert client.token_requests == 1
        assert token_requests(cp) == 1
