"""Decoding one list page into Python objects: the core's decoder against ``orjson.loads``
and ``json.loads`` on the same bytes.

    python benches/decode.py [--items 500] [--repeat 200]

The bytes are a real page of the fake control plane (``GET /api/v1/org-unit/projects``
with ``limit=ITEMS``), fetched once from an in-process ``FakeControlPlane`` holding that
many projects. Each decoder runs ``--repeat`` times, in alternation, and the median is
kept.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any, Callable, Optional


def page_bytes(items: int) -> bytes:
    from runai_admin import Client
    from runai_admin.testing import FakeControlPlane

    with FakeControlPlane(record_limit=0) as plane:
        with Client(
            base_url=plane.url, client_id=plane.client_id, client_secret=plane.client_secret
        ) as client:
            for i in range(items):
                client.projects.create(
                    name=f"decode-{i}",
                    cluster_id=plane.cluster_id,
                    resources=[{"gpu": {"deserved": 1}, "cpu": {"deserved": 1000}}],
                )
        token = _token(plane)
        request = urllib.request.Request(
            f"{plane.url}/api/v1/org-unit/projects?offset=0&limit={items}",
            headers={"Authorization": f"Bearer {token}"},
        )
        with urllib.request.urlopen(request) as answer:
            return bytes(answer.read())


def _token(plane: Any) -> str:
    body = json.dumps(
        {
            "grantType": "client_credentials",
            "clientId": plane.client_id,
            "clientSecret": plane.client_secret,
        }
    ).encode()
    request = urllib.request.Request(
        f"{plane.url}/api/v1/token", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request) as answer:
        return str(json.load(answer)["accessToken"])


def decoders() -> dict[str, Callable[[bytes], Any]]:
    from runai_admin import _core

    found: dict[str, Callable[[bytes], Any]] = {"runai_admin": _core.decode_json}
    try:
        import orjson

        found["orjson"] = orjson.loads
    except ImportError:
        pass
    found["json"] = json.loads
    return found


def measure(items: int, repeat: int) -> list[dict[str, Any]]:
    data = page_bytes(items)
    found = decoders()
    expected = json.loads(data)
    for name, decode in found.items():
        if decode(data) != expected:
            raise SystemExit(f"{name} decodes the page differently")
    times: dict[str, list[float]] = {name: [] for name in found}
    for _ in range(repeat):
        for name, decode in found.items():
            started = time.perf_counter()
            decode(data)
            times[name].append(time.perf_counter() - started)
    orjson_ms: Optional[float] = (
        statistics.median(times["orjson"]) * 1000 if "orjson" in times else None
    )
    rows = []
    for name, taken in times.items():
        ms = statistics.median(taken) * 1000
        rows.append(
            {
                "decoder": name,
                "items": items,
                "bytes": len(data),
                "ms": ms,
                "x_orjson": None if orjson_ms is None else orjson_ms / ms,
            }
        )
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| decode one page | items | bytes | ms (median) | speed against orjson |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        share = "—" if r["x_orjson"] is None else f"{r['x_orjson']:.2f}"
        lines.append(
            f"| {r['decoder']} | {r['items']} | {r['bytes']:,} | {r['ms']:.3f} | {share} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--json", type=Path, help="also write the rows here (JSON)")
    a = parser.parse_args()
    rows = measure(a.items, a.repeat)
    print(table(rows))
    if a.json:
        a.json.write_text(json.dumps(rows), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
