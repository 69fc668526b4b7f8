"""Token refresh under load: many concurrent calls across a token expiry, and how many
token requests each client makes for them (one is right).

    python benches/tokens.py [--calls 1000] [--lifetime 4] [--only CLIENT]
    python benches/tokens.py --one CLIENT ...   # one client, in this process (run.py's way)

Each client runs in a process of its own with its own fake control plane
(``FakeControlPlane``, in that process, so that its request record can be read: the figure
is a count, not a speed). Tokens live ``--lifetime`` seconds. The client makes one call
(its token), waits until that token has expired, then makes ``--calls`` calls at once:
threads on a sync client, tasks on an async one. The token requests the fake received
meanwhile are counted, and every call must succeed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

#: Client name, mode, module it needs.
CLIENTS = [
    ("runai_admin.Client", "threads", "runai_admin"),
    ("runai_admin.AsyncClient", "tasks", "runai_admin"),
    ("runapy", "threads", "runai"),
    ("runapy.AsyncApiClient", "tasks", "runai"),
]


def _token_requests(plane: Any) -> int:
    return sum(1 for r in plane.requests if r["method"] == "POST" and "token" in r["path"])


def _after_expiry(plane: Any, lifetime: float) -> None:
    """Past the first token's life, with the record cleared."""
    time.sleep(lifetime + 0.5)
    plane.clear_requests()


def _threads(call: Callable[[], Any], calls: int) -> None:
    start = threading.Barrier(calls)

    def one(_: int) -> Any:
        start.wait()  # every thread calls at once
        return call()

    with ThreadPoolExecutor(max_workers=calls) as pool:
        list(pool.map(one, range(calls)))


def run_one(name: str, calls: int, lifetime: float) -> dict[str, Any]:
    """One client's row; a client other than runai_admin's that fails gets its error in
    the row (the table shows it) instead of failing the run."""
    try:
        return _run_one(name, calls, lifetime)
    except Exception as failure:
        if name.startswith("runai_admin"):
            raise
        message = str(failure)
        # urllib3 names the pool before the cause; the cause is what tells.
        message = message.split("(Caused by ", 1)[-1].removesuffix(")")
        return {"client": name, "calls": calls, "error": f"{type(failure).__name__}: {message}"}


def _run_one(name: str, calls: int, lifetime: float) -> dict[str, Any]:
    from runai_admin.testing import FakeControlPlane

    with FakeControlPlane(token_lifetime=lifetime) as plane:
        settings = {
            "base_url": plane.url,
            "client_id": plane.client_id,
            "client_secret": plane.client_secret,
        }
        cluster = plane.cluster_id
        if name == "runai_admin.Client":
            from runai_admin import Client

            with Client(**settings) as client:
                client.clusters.get(cluster)
                _after_expiry(plane, lifetime)
                _threads(lambda: client.clusters.get(cluster), calls)
        elif name == "runai_admin.AsyncClient":
            from runai_admin import AsyncClient

            async def main() -> None:
                async with AsyncClient(**settings) as client:
                    await client.clusters.get(cluster)
                    _after_expiry(plane, lifetime)
                    await asyncio.gather(*(client.clusters.get(cluster) for _ in range(calls)))

            asyncio.run(main())
        else:
            from runai.configuration import Configuration
            from runai.runai_client import RunaiClient

            config = Configuration(
                client_id=plane.client_id,
                client_secret=plane.client_secret,
                runai_base_url=plane.url,
                pool_maxsize=64,
            )
            if name == "runapy":
                from runai.api_client import ApiClient

                clusters = RunaiClient(ApiClient(config)).organizations.clusters
                clusters.get_clusters()
                _after_expiry(plane, lifetime)
                _threads(lambda: clusters.get_clusters(), calls)
            else:
                from runai.api_client import AsyncApiClient

                async def amain() -> None:
                    api = AsyncApiClient(config)
                    try:
                        aclusters = RunaiClient(api).organizations.clusters
                        await aclusters.get_clusters()
                        _after_expiry(plane, lifetime)
                        await asyncio.gather(*(aclusters.get_clusters() for _ in range(calls)))
                    finally:
                        await api.close()

                asyncio.run(amain())
        return {"client": name, "calls": calls, "token_requests": _token_requests(plane)}


def measure(python: str, calls: int, lifetime: float, only: list[str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for name, mode, module in CLIENTS:
        if only and name not in only:
            continue
        probe = subprocess.run([python, "-c", f"import {module}"], capture_output=True)
        if probe.returncode != 0:
            continue
        argv = [python, __file__, "--one", name, "--calls", str(calls)]
        done = subprocess.run([*argv, "--lifetime", str(lifetime)], capture_output=True, text=True)
        if done.returncode != 0:
            rows.append({"client": name, "mode": mode, "calls": calls, "failed": done.stderr})
            continue
        row = json.loads(done.stdout.strip().splitlines()[-1])
        row["mode"] = mode
        rows.append(row)
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| token refresh | concurrent calls across an expiry | token requests |",
        "|---|---|---|",
    ]
    for r in rows:
        if "failed" in r:
            got = "FAILED"
        elif "error" in r:
            got = f"fails: {r['error'][:90]}"
        else:
            got = str(r["token_requests"])
        lines.append(f"| {r['client']} | {r['calls']:,} {r['mode']} | {got} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--lifetime", type=float, default=4.0, help="token lifetime, seconds")
    parser.add_argument("--one", help="run this client here and print its JSON row")
    parser.add_argument("--only", action="append", default=[])
    parser.add_argument("--python", default=sys.executable)
    a = parser.parse_args()
    if a.one:
        print(json.dumps(run_one(a.one, a.calls, a.lifetime)))
        return 0
    rows = measure(a.python, a.calls, a.lifetime, a.only)
    print(table(rows))
    for r in rows:
        if "failed" in r:
            print(f"FAILED: {r['client']}: {r['failed'].strip()}", file=sys.stderr)
    return 1 if any("failed" in r for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
