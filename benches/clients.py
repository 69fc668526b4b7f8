"""One client of the benchmark, measured in its own process: ``benches/run.py`` starts one
of these per client and round, so each one's peak memory is its own.

    python benches/clients.py CLIENT --project ID --calls N --in-flight K --lists L

The fake's address and credentials come from ``RUNAI_BASE_URL``, ``RUNAI_CLIENT_ID`` and
``RUNAI_CLIENT_SECRET``. It prints one JSON line: per scenario the calls made, wall seconds
and CPU seconds (user + system, from ``resource.getrusage``) of the timed part only, and the
process's peak RSS at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sys
import time
from collections.abc import Awaitable, Iterator
from contextlib import contextmanager
from typing import Any, Callable

#: Calls made before the clock starts: connections opened, token fetched, caches warm.
WARM_UP = 50
#: The page size the hand-written clients walk the list with (runapy's usual choice).
PAGE = 500


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@contextmanager
def _timed(into: dict[str, Any]) -> Iterator[None]:
    cpu, wall = _cpu(), time.perf_counter()
    yield
    into["seconds"] = time.perf_counter() - wall
    into["cpu"] = _cpu() - cpu


def _sync_gets(get: Callable[[], Any], calls: int) -> dict[str, Any]:
    for _ in range(min(WARM_UP, calls)):
        get()
    out: dict[str, Any] = {"calls": calls}
    with _timed(out):
        for _ in range(calls):
            get()
    return out


def _sync_lists(list_all: Callable[[], int], lists: int, expected: int) -> dict[str, Any]:
    _check_count(list_all(), expected)
    out: dict[str, Any] = {"lists": lists}
    with _timed(out):
        for _ in range(lists):
            _check_count(list_all(), expected)
    return out


async def _async_gets(get: Callable[[], Awaitable[Any]], calls: int, in_flight: int) -> dict:
    async def run(n: int) -> None:
        left = n

        async def worker() -> None:
            nonlocal left
            while left > 0:
                left -= 1
                await get()

        await asyncio.gather(*(worker() for _ in range(min(in_flight, n))))

    await run(min(WARM_UP * 4, calls))
    out: dict[str, Any] = {"calls": calls}
    with _timed(out):
        await run(calls)
    return out


async def _async_lists(list_all: Callable[[], Awaitable[int]], lists: int, expected: int) -> dict:
    _check_count(await list_all(), expected)
    out: dict[str, Any] = {"lists": lists}
    with _timed(out):
        for _ in range(lists):
            _check_count(await list_all(), expected)
    return out


def _check_count(got: int, expected: int) -> None:
    if got != expected:
        raise SystemExit(f"listed {got} projects, expected {expected}")


def peak_rss_kb() -> int:
    """This process's peak RSS. Linux's ``VmHWM`` is this program's own; ``ru_maxrss``
    also counts the parent's memory at the fork that started it."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise SystemExit(f"{name} is not set")
    return value


def _token() -> str:
    """A bearer token for the clients written by hand (urllib: no client's code involved)."""
    import urllib.request

    body = json.dumps(
        {
            "grantType": "client_credentials",
            "clientId": _env("RUNAI_CLIENT_ID"),
            "clientSecret": _env("RUNAI_CLIENT_SECRET"),
        }
    ).encode()
    request = urllib.request.Request(
        _env("RUNAI_BASE_URL") + "/api/v1/token",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as answer:
        return str(json.load(answer)["accessToken"])


def _pages(fetch: Callable[[int], list[Any]]) -> int:
    """Walk pages of PAGE until a short one, every item kept in one list (what
    ``to_list()`` gives: the whole list in memory, which the garbage collector walks
    as it grows); the number of items."""
    items: list[Any] = []
    while True:
        page = fetch(len(items))
        items.extend(page)
        if len(page) < PAGE:
            return len(items)


async def _apages(fetch: Callable[[int], Awaitable[list[Any]]]) -> int:
    items: list[Any] = []
    while True:
        page = await fetch(len(items))
        items.extend(page)
        if len(page) < PAGE:
            return len(items)


# --- the clients -------------------------------------------------------------------------


def runai_admin_sync(a: argparse.Namespace) -> dict[str, Any]:
    from runai_admin import Client

    with Client() as client:
        return {
            "get": _sync_gets(lambda: client.projects.get(a.project), a.calls),
            "list": _sync_lists(lambda: len(client.projects.list().to_list()), a.lists, a.expect),
        }


def _runai_admin_async(a: argparse.Namespace) -> dict[str, Any]:
    from runai_admin import AsyncClient

    async def main() -> dict[str, Any]:
        async with AsyncClient() as client:

            async def list_all() -> int:
                return len(await client.projects.list().to_list())

            return {
                "get": await _async_gets(
                    lambda: client.projects.get(a.project), a.calls, a.in_flight
                ),
                "list": await _async_lists(list_all, a.lists, a.expect),
            }

    return asyncio.run(main())


def runai_admin_async(a: argparse.Namespace) -> dict[str, Any]:
    return _runai_admin_async(a)


def runai_admin_async_uvloop(a: argparse.Namespace) -> dict[str, Any]:
    import uvloop

    uvloop.install()
    return _runai_admin_async(a)


def requests_sync(a: argparse.Namespace) -> dict[str, Any]:
    import requests

    base = _env("RUNAI_BASE_URL")
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {_token()}"
    url = f"{base}/api/v1/org-unit/projects/{a.project}"

    def get() -> Any:
        answer = session.get(url)
        answer.raise_for_status()
        return answer.json()

    def page(offset: int) -> list[Any]:
        answer = session.get(
            f"{base}/api/v1/org-unit/projects", params={"offset": offset, "limit": PAGE}
        )
        answer.raise_for_status()
        return list(answer.json()["projects"])

    return {
        "get": _sync_gets(get, a.calls),
        "list": _sync_lists(lambda: _pages(page), a.lists, a.expect),
    }


def _runapy_config(pool: int) -> Any:
    from runai.configuration import Configuration

    return Configuration(
        client_id=_env("RUNAI_CLIENT_ID"),
        client_secret=_env("RUNAI_CLIENT_SECRET"),
        runai_base_url=_env("RUNAI_BASE_URL"),
        pool_maxsize=pool,
    )


def runapy_sync(a: argparse.Namespace) -> dict[str, Any]:
    from runai.api_client import ApiClient
    from runai.runai_client import RunaiClient

    projects = RunaiClient(ApiClient(_runapy_config(4))).organizations.projects

    def page(offset: int) -> list[Any]:
        return list(projects.get_projects(offset=offset, limit=PAGE).data["projects"])

    return {
        "get": _sync_gets(lambda: projects.get_project(a.project).data, a.calls),
        "list": _sync_lists(lambda: _pages(page), a.lists, a.expect),
    }


def runapy_async(a: argparse.Namespace) -> dict[str, Any]:
    from runai.api_client import AsyncApiClient
    from runai.runai_client import RunaiClient

    async def main() -> dict[str, Any]:
        # One connection per task in flight, as the other async clients may open.
        api = AsyncApiClient(_runapy_config(a.in_flight))
        projects = RunaiClient(api).organizations.projects

        async def get() -> Any:
            return (await projects.get_project(a.project)).data

        async def page(offset: int) -> list[Any]:
            return list((await projects.get_projects(offset=offset, limit=PAGE)).data["projects"])

        try:
            return {
                "get": await _async_gets(get, a.calls, a.in_flight),
                "list": await _async_lists(lambda: _apages(page), a.lists, a.expect),
            }
        finally:
            await api.close()

    return asyncio.run(main())


def _pyreqwest_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {_token()}", "Accept": "application/json"}


def pyreqwest_sync(a: argparse.Namespace) -> dict[str, Any]:
    import orjson
    from pyreqwest.client import SyncClientBuilder

    base = _env("RUNAI_BASE_URL")
    client = (
        SyncClientBuilder().default_headers(_pyreqwest_headers()).error_for_status(True).build()
    )
    url = f"{base}/api/v1/org-unit/projects/{a.project}"

    def get() -> Any:
        return orjson.loads(memoryview(client.get(url).build().send().bytes()))

    def page(offset: int) -> list[Any]:
        answer = client.get(f"{base}/api/v1/org-unit/projects?offset={offset}&limit={PAGE}")
        return list(orjson.loads(memoryview(answer.build().send().bytes()))["projects"])

    return {
        "get": _sync_gets(get, a.calls),
        "list": _sync_lists(lambda: _pages(page), a.lists, a.expect),
    }


def pyreqwest_async(a: argparse.Namespace) -> dict[str, Any]:
    import orjson
    from pyreqwest.client import ClientBuilder

    base = _env("RUNAI_BASE_URL")
    url = f"{base}/api/v1/org-unit/projects/{a.project}"

    async def main() -> dict[str, Any]:
        builder = ClientBuilder().default_headers(_pyreqwest_headers()).error_for_status(True)
        async with builder.build() as client:

            async def get() -> Any:
                answer = await client.get(url).build().send()
                return orjson.loads(memoryview(await answer.bytes()))

            async def page(offset: int) -> list[Any]:
                answer = (
                    await client.get(
                        f"{base}/api/v1/org-unit/projects?offset={offset}&limit={PAGE}"
                    )
                    .build()
                    .send()
                )
                return list(orjson.loads(memoryview(await answer.bytes()))["projects"])

            return {
                "get": await _async_gets(get, a.calls, a.in_flight),
                "list": await _async_lists(lambda: _apages(page), a.lists, a.expect),
            }

    return asyncio.run(main())


CLIENTS: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "runai_admin.Client": runai_admin_sync,
    "runai_admin.AsyncClient": runai_admin_async,
    "runai_admin.AsyncClient+uvloop": runai_admin_async_uvloop,
    "requests": requests_sync,
    "runapy": runapy_sync,
    "runapy.AsyncApiClient": runapy_async,
    "pyreqwest+orjson": pyreqwest_sync,
    "pyreqwest+orjson async": pyreqwest_async,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("client", choices=sorted(CLIENTS))
    parser.add_argument("--project", required=True, help="the project id to get")
    parser.add_argument("--calls", type=int, required=True)
    parser.add_argument("--in-flight", type=int, default=64)
    parser.add_argument("--lists", type=int, required=True)
    parser.add_argument("--expect", type=int, required=True, help="projects in the list")
    args = parser.parse_args()
    report = CLIENTS[args.client](args)
    report["maxrss_kb"] = peak_rss_kb()
    print(json.dumps(report), flush=True)
    if args.client.startswith("pyreqwest"):
        # pyreqwest 0.15 aborts in interpreter shutdown once its async client has run
        # ("PyGILState_Release: thread state ... must be current"): its report is out, so
        # leave without the shutdown.
        os._exit(0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
