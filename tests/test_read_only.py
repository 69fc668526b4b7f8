"""Read-only checks that run on the fake control plane and, with RUNAI_LIVE_* set, on a
real tenant (see conftest): every answer is checked against the API's schemas, so a
difference between the fake and the real control plane shows up as a failure here."""

from __future__ import annotations

from typing import Any

import pytest

import runai_admin as ra

from .conftest import collect, resolve
from .test_conformance import check_answer

pytestmark = pytest.mark.read_only


async def first_cluster(api: Any) -> dict:
    clusters = await collect(api.clusters.list())
    assert clusters, "the tenant has no cluster"
    for cluster in clusters:
        check_answer("get_clusters", [cluster])
    return clusters[0]


async def test_a_cluster_reads_back_as_listed(api):
    cluster = await first_cluster(api)
    again = await resolve(api.clusters.get(cluster["uuid"]))
    check_answer("get_cluster_by_uuid", again)
    assert (again["uuid"], again["name"]) == (cluster["uuid"], cluster["name"])


async def test_departments_list_count_and_read_back(api):
    departments = await collect(api.departments.list(max_items=20))
    count = await resolve(api.departments.count())
    check_answer("count_departments", count)
    assert count["count"] >= len(departments) >= 1
    department = await resolve(api.departments.get(departments[0]["id"]))
    check_answer("get_department", department)
    assert department["name"] == departments[0]["name"]


async def test_projects_page_without_repeating_an_item(api):
    first_page = await resolve(api.projects.list(page_size=2).page())
    check_answer("get_projects", {"projects": list(first_page)})
    walked = await collect(api.projects.list(page_size=2, max_items=6))
    ids = [p["id"] for p in walked]
    assert len(ids) == len(set(ids)) <= 6
    count = await resolve(api.projects.count())
    assert len(ids) == min(6, count["count"])


async def test_users_filter_as_the_spec_allows(api):
    users = await collect(api.users.list(max_items=5))
    assert users, "the tenant has no user"
    name = users[0]["username"]
    matching = await collect(api.users.list(filter_by=[f"username=={name}"]))
    assert [u["username"] for u in matching] == [name]


async def test_a_missing_project_is_not_found(api):
    with pytest.raises(ra.NotFoundError) as caught:
        await resolve(api.projects.get("999999999"))
    assert caught.value.status == 404
