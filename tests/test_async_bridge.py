"""How async results reach asyncio: in batches through one bridge per event loop, on any
loop (uvloop, a loop without add_reader), with errors and cancellation carried through."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import sys
from typing import Any

import pytest

import runai_admin as ra
from runai_admin.testing import FakeControlPlane

from .conftest import paths


async def _many_gets(cp: FakeControlPlane, n: int = 200) -> None:
    """n gets at once (answers come back in batches), then one that fails."""
    async with cp.async_client() as client:
        clusters = await asyncio.gather(*(client.clusters.get(cp.cluster_id) for _ in range(n)))
        assert {c["uuid"] for c in clusters} == {cp.cluster_id}
        with pytest.raises(ra.NotFoundError):
            await client.projects.get("123456")


async def _cancel_one(cp: FakeControlPlane) -> None:
    async with cp.async_client() as client:
        await client.clusters.get(cp.cluster_id)
        cp.inject("/api/v1/clusters", delay=1.0)
        task = asyncio.ensure_future(client.clusters.list().to_list())
        await asyncio.sleep(0.2)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        assert task.cancelled()
        # The request was dropped with its task: the fake never answered it.
        await asyncio.sleep(1.2)
        assert [r["status"] for r in paths(cp, "/api/v1/clusters")] == [0]
        assert (await client.clusters.get(cp.cluster_id))["uuid"] == cp.cluster_id


def test_many_calls_in_flight_each_get_their_own_answer(cp: FakeControlPlane) -> None:
    asyncio.run(_many_gets(cp, 500))


class _NoReaderLoop(asyncio.SelectorEventLoop):
    """A loop that cannot watch a file descriptor (as on Windows' proactor loop)."""

    def add_reader(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError


def test_a_loop_without_add_reader_is_woken_thread_safely(cp: FakeControlPlane) -> None:
    loop = _NoReaderLoop()
    try:
        loop.run_until_complete(_many_gets(cp))
        loop.run_until_complete(_cancel_one(cp))
    finally:
        loop.close()


def test_uvloop(cp: FakeControlPlane) -> None:
    uvloop = pytest.importorskip("uvloop")
    loop = uvloop.new_event_loop()
    try:
        loop.run_until_complete(_many_gets(cp))
        loop.run_until_complete(_cancel_one(cp))
    finally:
        loop.close()


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts open files in /proc")
def test_a_closed_loop_leaves_nothing_open(cp: FakeControlPlane) -> None:
    """Each loop gets its bridge (a socket pair); closing the loop closes it."""

    def open_files() -> int:
        gc.collect()
        return len(os.listdir("/proc/self/fd"))

    asyncio.run(_many_gets(cp, 5))
    before = open_files()
    for _ in range(20):
        asyncio.run(_many_gets(cp, 5))
    # A few descriptors may come and go (the client's pool); twenty bridges did not stay.
    assert open_files() - before < 5


def test_a_loop_running_in_another_thread_has_its_own_bridge(cp: FakeControlPlane) -> None:
    import threading

    errors: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(_many_gets(cp, 50))
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []


@pytest.mark.skipif(sys.platform == "win32", reason="no fork")
def test_a_forked_child_gets_a_bridge_of_its_own(cp: FakeControlPlane) -> None:
    asyncio.run(_many_gets(cp, 5))
    pid = os.fork()
    if pid == 0:  # the child: its own runtime and bridge, or exit 1
        code = 1
        try:
            asyncio.run(_many_gets(cp, 5))
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
