"""Org-unit priorities on both clients: the over-quota priorities a department's or a
project's node-pool resources name, lowest first, one of them the default."""

from __future__ import annotations

from typing import Any

from .conftest import resolve


async def test_priorities_are_ordered_with_one_default(api: Any) -> None:
    answer = await resolve(api.org_units.priorities())
    priorities = answer["priorities"]
    assert [p["name"] for p in priorities] == ["Lowest", "Low", "Normal", "High"]
    values = [p["value"] for p in priorities]
    assert values == sorted(values)
    assert [p["name"] for p in priorities if p["isDefault"]] == ["Normal"]
    # The spec's own example.
    assert {"name": "Low", "value": 100, "isDefault": False} in priorities
