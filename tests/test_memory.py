"""Memory stays bounded: a pager walks a large tenant page by page, holding one page, and a
long loop of calls holds RSS flat (no leak across the FFI boundary).

The walk runs in a child process, so that its peak resident memory (RSS) is the client's
alone: the fake and its 100,000 users live in this process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator

import pytest

from runai_admin.testing import FakeControlPlane

USERS = 100_000
PAGE = 500
#: The growth allowed from the first page's peak to the end of the walk. A pager that kept
#: every user it walked grows by about 45 MB here, so the bound is well under that (the
#: walk's own growth measures 0).
MAX_GROWTH_MB = 10

WALK = textwrap.dedent(
    """
    import asyncio, json, os, resource, sys
    import runai_admin as ra

    def peak_mb():
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)

    settings = dict(
        base_url=os.environ["WALK_URL"],
        client_id=os.environ["WALK_CLIENT_ID"],
        client_secret=os.environ["WALK_CLIENT_SECRET"],
    )
    walked, in_order, warm = 0, 0, None

    def see(user):
        # Counted and checked as they pass, never kept: keeping them would be the leak.
        global walked, in_order, warm
        if user["username"] == f"user-{in_order}@example.com":
            in_order += 1
        walked += 1
        if walked == PAGE:
            warm = peak_mb()

    async def walk_async():
        async with ra.AsyncClient(**settings) as client:
            async for user in client.users.list(page_size=PAGE):
                see(user)

    PAGE = int(sys.argv[2])
    if sys.argv[1] == "sync":
        with ra.Client(**settings) as client:
            for user in client.users.list(page_size=PAGE):
                see(user)
    else:
        asyncio.run(walk_async())
    print(json.dumps({"walked": walked, "in_order": in_order, "warm": warm, "end": peak_mb()}))
    """
)


@pytest.fixture(scope="module")
def large_tenant() -> Iterator[FakeControlPlane]:
    with FakeControlPlane(record_limit=0) as plane:
        plane.add_users(f"user-{i}@example.com" for i in range(USERS))
        yield plane


@pytest.mark.skipif(sys.platform == "win32", reason="resource.getrusage is POSIX")
@pytest.mark.parametrize("kind", ["sync", "async"])
def test_walking_a_hundred_thousand_users_keeps_memory_bounded(large_tenant, kind):
    plane = large_tenant
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUNAI_")}
    env.update(
        WALK_URL=plane.url, WALK_CLIENT_ID=plane.client_id, WALK_CLIENT_SECRET=plane.client_secret
    )
    done = subprocess.run(
        [sys.executable, "-c", WALK, kind, str(PAGE)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    # Every user once, in the order the fake stores them (the seeded administrator first).
    assert seen["walked"] == USERS + 1
    assert seen["in_order"] == USERS
    growth = seen["end"] - seen["warm"]
    print(f"{kind}: peak RSS {seen['warm']:.1f} MB after one page, {seen['end']:.1f} MB at the end")
    assert growth < MAX_GROWTH_MB, seen


def test_the_fast_path_to_many_users_refuses_taken_emails(cp, client):
    cp.add_users(["a@example.com", "b@example.com"])
    with pytest.raises(ValueError, match="already exists"):
        cp.add_users(["c@example.com", "A@example.com"])
    with pytest.raises(ValueError, match="already exists"):
        cp.add_users(["d@example.com", "d@example.com"])
    names = [u["username"] for u in client.users.list()]
    assert names[-2:] == ["a@example.com", "b@example.com"]
    assert "c@example.com" not in names and "d@example.com" not in names
    assert client.users.count()["count"] == len(names)


def test_a_page_cut_from_the_store_is_the_page_a_filtered_listing_gives(cp, client):
    cp.add_users(f"page-{i}@example.com" for i in range(7))
    # Unfiltered pages are cut straight from the store; a filter that keeps every user
    # goes through the whole listing. Both walk the same users in the same pages.
    cut = [u["username"] for u in client.users.list(page_size=3)]
    filtered = client.users.list(page_size=3, filter_by=["username=@example.com"])
    assert cut == [u["username"] for u in filtered]
    assert cut[-7:] == [f"page-{i}@example.com" for i in range(7)]
    assert (
        client.users.list(offset=5, max_items=2).to_list()
        == client.users.list(filter_by=["username=@example.com"], offset=5, max_items=2).to_list()
    )


# No leak across the FFI boundary: a long loop of calls, each crossing into the core and
# back (arguments converted, an answer decoded into Python objects, an asyncio future made
# and resolved), holds the process's RSS flat once warm. The calls run in a child process,
# against a fake in this one, so that the RSS is the client's alone.

CALLS = 100_000
#: Calls before the first reading: connections, the token, the decoder's key cache, the
#: allocator's arenas.
WARM_UP = 10_000
#: Growth allowed over CALLS after warm-up. Measured in the debug build: 0.2 MB async
#: (64 in flight) and none sync; a leak of one small object per call (100 bytes) would
#: be 10 MB.
MAX_CALL_GROWTH_MB = 3

LOOP = textwrap.dedent(
    """
    import asyncio, json, os, sys
    import runai_admin as ra

    def rss_mb():
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS")

    settings = dict(
        base_url=os.environ["LOOP_URL"],
        client_id=os.environ["LOOP_CLIENT_ID"],
        client_secret=os.environ["LOOP_CLIENT_SECRET"],
    )
    cluster = os.environ["LOOP_CLUSTER"]
    kind, warm_up, calls = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    readings = {}

    if kind == "sync":
        with ra.Client(**settings) as client:
            for _ in range(warm_up):
                client.clusters.get(cluster)
            readings["warm"] = rss_mb()
            for _ in range(calls):
                client.clusters.get(cluster)
            readings["end"] = rss_mb()
    else:
        async def main():
            async with ra.AsyncClient(**settings) as client:
                async def run(n):
                    left = n
                    async def worker():
                        nonlocal left
                        while left > 0:
                            left -= 1
                            await client.clusters.get(cluster)
                    await asyncio.gather(*(worker() for _ in range(64)))
                await run(warm_up)
                readings["warm"] = rss_mb()
                await run(calls)
                readings["end"] = rss_mb()
        asyncio.run(main())
    print(json.dumps(readings))
    """
)


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_hundred_thousand_calls_hold_memory_flat(kind):
    with FakeControlPlane(record_limit=0) as plane:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RUNAI_")}
        env.update(
            LOOP_URL=plane.url,
            LOOP_CLIENT_ID=plane.client_id,
            LOOP_CLIENT_SECRET=plane.client_secret,
            LOOP_CLUSTER=plane.cluster_id,
        )
        done = subprocess.run(
            [sys.executable, "-c", LOOP, kind, str(WARM_UP), str(CALLS)],
            capture_output=True,
            text=True,
            env=env,
            timeout=1800,
        )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    growth = seen["end"] - seen["warm"]
    print(f"{kind}: RSS {seen['warm']:.1f} MB after {WARM_UP} calls, {seen['end']:.1f} MB after")
    assert growth < MAX_CALL_GROWTH_MB, seen


def test_making_a_client_sends_nothing(cp):
    import runai_admin as ra

    settings = dict(base_url=cp.url, client_id=cp.client_id, client_secret=cp.client_secret)
    clients = [ra.Client(**settings), ra.AsyncClient(**settings)]
    assert cp.requests == []  # the token too waits for the first call
    for client in clients:
        client.close()
