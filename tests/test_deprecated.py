"""The deprecated /v1/k8s operations of clusters, departments and projects: they still
work, warn, and name what replaces them."""

from __future__ import annotations

import json

import pytest

import runai_admin as ra

from .conftest import collect, resolve

WINDOW = {"start": "2026-01-01T00:00:00Z", "end": "2026-01-02T00:00:00Z"}

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


async def test_seed_era_project_life_cycle(api, cp):
    departments = await collect(api.departments.legacy_list(cp.cluster_id))
    department_id = departments[0]["id"]
    created = await resolve(
        api.projects.legacy_create(
            cp.cluster_id, name="seed", department_id=department_id, deserved_gpus=2
        )
    )
    assert created["name"] == "seed" and created["deservedGpus"] == 2
    project_id = str(created["id"])
    modern = await resolve(api.projects.get(project_id))
    assert modern["resources"][0]["gpu"]["deserved"] == 2
    assert (await resolve(api.projects.legacy_get(cp.cluster_id, project_id)))["name"] == "seed"
    listed = await collect(api.projects.legacy_list(cp.cluster_id))
    assert "seed" in [p["name"] for p in listed]
    updated = await resolve(api.projects.legacy_update(cp.cluster_id, project_id, deserved_gpus=3))
    assert updated["deservedGpus"] == 3
    await resolve(api.projects.legacy_delete(cp.cluster_id, project_id))
    with pytest.raises(ra.NotFoundError):
        await resolve(api.projects.get(project_id))


async def test_seed_era_metrics(api, cp):
    assert isinstance(await resolve(api.clusters.legacy_metrics(cp.cluster_id, **WINDOW)), dict)
    assert "data" in await resolve(api.projects.legacy_list_metrics(cp.cluster_id))
    assert "data" in await resolve(api.departments.legacy_list_metrics(cp.cluster_id))
    department = (await collect(api.departments.list()))[0]
    metrics = await resolve(api.departments.legacy_metrics(cp.cluster_id, department["id"]))
    assert isinstance(metrics, dict)
    project = await resolve(
        api.projects.create(
            name="m", cluster_id=cp.cluster_id, resources=[{"gpu": {"deserved": 1}}]
        )
    )
    assert isinstance(
        await resolve(api.projects.legacy_metrics(cp.cluster_id, project["id"])), dict
    )


async def test_department_admins_are_stored(api, cp):
    department = (await collect(api.departments.list()))[0]
    answer = await resolve(
        api.departments.legacy_update_access_control(
            cp.cluster_id, department["id"], department_admins=["admin@example.com"]
        )
    )
    assert answer["departmentAdmins"] == ["admin@example.com"]
    listed = await collect(api.departments.legacy_list(cp.cluster_id))
    assert listed[0]["departmentAdmins"] == ["admin@example.com"]


async def test_install_file_is_text(api, cp):
    text = await resolve(api.clusters.install_file(cp.cluster_id, cloud="op"))
    assert isinstance(text, str) and cp.cluster_id in text
    as_json = await resolve(api.clusters.install_file(cp.cluster_id, format="json"))
    assert json.loads(as_json)["cluster"]["uid"] == cp.cluster_id


@pytest.mark.filterwarnings("error::DeprecationWarning")
def test_each_deprecated_method_warns_with_its_replacement(client, cp):
    with pytest.warns(DeprecationWarning, match=r"use clusters\.metrics\(\)"):
        client.clusters.legacy_metrics(cp.cluster_id, **WINDOW)
    with pytest.warns(DeprecationWarning, match=r"use departments\.list\(\)"):
        client.departments.legacy_list(cp.cluster_id).to_list()
    with (
        pytest.warns(DeprecationWarning, match=r"use projects\.create\(\)"),
        pytest.raises(TypeError),
    ):
        client.projects.legacy_create(cp.cluster_id)
