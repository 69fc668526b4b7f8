"""One client shared by many threads or many asyncio tasks."""

from __future__ import annotations

import asyncio
import contextlib
from concurrent.futures import ThreadPoolExecutor

from .conftest import paths, resources


def test_threads_share_one_client(client, cp):
    def create(i: int) -> str:
        return client.projects.create(
            name=f"t{i}", cluster_id=cp.cluster_id, resources=resources(1)
        )["id"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = list(pool.map(create, range(40)))
    assert len(set(ids)) == 40
    assert client.projects.count()["count"] == 40
    assert client.token_requests == 1


async def test_tasks_share_one_client(aclient, cp):
    created = await asyncio.gather(
        *(
            aclient.projects.create(name=f"a{i}", cluster_id=cp.cluster_id, resources=resources(1))
            for i in range(40)
        )
    )
    assert len({p["id"] for p in created}) == 40
    fetched = await asyncio.gather(*(aclient.projects.get(p["id"]) for p in created))
    assert [f["name"] for f in fetched] == [p["name"] for p in created]
    assert aclient.token_requests == 1


async def test_cancelling_a_task_cancels_its_request(aclient, cp):
    await aclient.clusters.get(cp.cluster_id)
    cp.inject("/api/v1/clusters", delay=1.0)
    task = asyncio.ensure_future(aclient.clusters.list().to_list())
    await asyncio.sleep(0.2)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.wait_for(task, timeout=2)
    assert task.cancelled()
    # Had the request lived on, the fake would have answered it after its 1 s delay; the
    # connection closed instead, so it never did (status 0).
    await asyncio.sleep(1.3)
    assert [r["status"] for r in paths(cp, "/api/v1/clusters")] == [0]
    # The client is still usable afterwards.
    assert (await aclient.clusters.get(cp.cluster_id))["uuid"] == cp.cluster_id


def test_sync_calls_release_the_gil(client, cp):
    """While one thread waits on a slow answer, this one runs Python and calls freely."""
    import threading
    import time

    client.clusters.get(cp.cluster_id)
    cp.inject("/api/v1/clusters", delay=2.0)
    slow = threading.Thread(target=lambda: client.clusters.list().to_list())
    slow.start()
    time.sleep(0.2)
    started = time.monotonic()
    counted = 0
    while time.monotonic() - started < 0.3:
        counted += 1
    assert client.clusters.get(cp.cluster_id)["uuid"] == cp.cluster_id
    # All that happened while the slow call was still waiting for its answer.
    assert slow.is_alive()
    assert time.monotonic() - started < 1.5
    assert counted > 1000
    slow.join()
