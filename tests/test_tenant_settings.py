"""The seed-era tenant settings (`/v1/k8s/setting`) on both clients: what a new tenant
has, whether a setting is on, and updates checked against each setting's type."""

from __future__ import annotations

import pytest

import runai_admin as ra
from runai_admin.testing import FakeControlPlane

from .conftest import collect, resolve
from .test_access_control import VIEWER, grant, signed_in_as, tenant


def by_key(settings: list[dict]) -> dict[str, dict]:
    return {s["key"]: s for s in settings}


async def test_a_new_tenant_has_typed_settings(api):
    settings = by_key(await collect(api.tenant_settings.list()))
    department = settings["department.use"]
    assert department == {
        "key": "department.use",
        "type": "Boolean",
        "category": "Department",
        "label": "Show departments",
        "description": department["description"],
        "source": "Tenant",
        "stage": "GA",
        "active": True,
        "value": "true",
    }
    assert {s["type"] for s in settings.values()} == {"Boolean", "Number", "String"}
    # The wire carries every value as text, whatever the setting's type.
    assert all(isinstance(s["value"], str) for s in settings.values())
    assert settings["consumption_report.gpu_hour_price"]["value"] == "0"


async def test_a_setting_reads_as_whether_it_is_on(api):
    assert await resolve(api.tenant_settings.get("department.use")) is True
    assert await resolve(api.tenant_settings.get("gpu.memory_swap")) is False
    # Another type is on while it is active; the Alpha switch is not active.
    assert await resolve(api.tenant_settings.get("support.contact_email")) is True
    assert await resolve(api.tenant_settings.get("network_topology.use")) is False
    # No error answer exists for this read: an unknown key is simply not on.
    assert await resolve(api.tenant_settings.get("no.such.setting")) is False


async def test_updates_round_trip(api):
    done = await resolve(api.tenant_settings.update(key="gpu.memory_swap", value=True))
    assert done == {"msg": "done"}
    assert await resolve(api.tenant_settings.get("gpu.memory_swap")) is True
    # The text the listing shows can be sent back as it is.
    await resolve(api.tenant_settings.update(key="department.use", value="false"))
    await resolve(api.tenant_settings.update(key="consumption_report.gpu_hour_price", value=2.5))
    await resolve(
        api.tenant_settings.update(
            body={"key": "support.contact_email", "value": "help@example.com"}
        )
    )
    settings = by_key(await collect(api.tenant_settings.list()))
    assert settings["gpu.memory_swap"]["value"] == "true"
    assert settings["department.use"]["value"] == "false"
    assert settings["consumption_report.gpu_hour_price"]["value"] == "2.5"
    assert settings["support.contact_email"]["value"] == "help@example.com"
    assert await resolve(api.tenant_settings.get("department.use")) is False


@pytest.mark.parametrize(
    ("change", "error", "words"),
    [
        ({"key": "no.such.setting", "value": True}, ra.NotFoundError, "no.such.setting"),
        ({"key": "department.use", "value": "yes"}, ra.BadRequestError, "department.use"),
        ({"key": "department.use", "value": 1}, ra.BadRequestError, "Boolean"),
        (
            {"key": "consumption_report.gpu_hour_price", "value": "cheap"},
            ra.BadRequestError,
            "consumption_report.gpu_hour_price",
        ),
        ({"key": "support.contact_email", "value": 7}, ra.BadRequestError, "String"),
        ({"value": True}, ra.BadRequestError, "body.key"),
        ({"key": "department.use"}, ra.BadRequestError, "body.value"),
    ],
)
async def test_a_wrong_update_names_what_is_wrong(api, change, error, words):
    with pytest.raises(error) as caught:
        await resolve(api.tenant_settings.update(**change))
    assert words in caught.value.message
    # Nothing changed.
    settings = by_key(await collect(api.tenant_settings.list()))
    assert settings["department.use"]["value"] == "true"
    assert settings["consumption_report.gpu_hour_price"]["value"] == "0"


async def test_a_viewer_reads_settings_and_changes_none(api, cp: FakeControlPlane):
    made = await tenant(api, cp)
    await grant(api, made["user"], VIEWER, "tenant", "1001")
    viewer = signed_in_as(api, cp, made["user"], made["password"])
    try:
        assert await resolve(viewer.tenant_settings.get("department.use")) is True
        assert len(await collect(viewer.tenant_settings.list())) == 10
        with pytest.raises(ra.PermissionDeniedError):
            await resolve(viewer.tenant_settings.update(key="department.use", value=False))
    finally:
        viewer.close()
    assert await resolve(api.tenant_settings.get("department.use")) is True


def test_no_setting_keeps_projects_within_their_department_and_the_fake_has_a_keyword():
    """The spec only recommends that a department's projects deserve no more than it does,
    and names no tenant setting for it: none of the settings is about quotas. The fake
    enforces it when started with `projects_within_department_quota=True`."""

    def quota(pool: dict, gpus: float) -> list[dict]:
        return [{"nodePool": {"id": pool["id"]}, "gpu": {"deserved": gpus}}]

    def attempts(cp: FakeControlPlane) -> list[bool]:
        """Whether each of: a project that overfills its department, then a department
        quota below its projects', is accepted."""
        with cp.client() as client:
            keys = [s["key"] for s in client.tenant_settings.list().to_list()]
            assert not [key for key in keys if "quota" in key]
            pool = next(p for p in client.node_pools.list() if p["name"] == "h100")
            dept = client.departments.create(
                name="physics", cluster_id=cp.cluster_id, resources=quota(pool, 2)
            )
            client.projects.create(
                name="fits",
                cluster_id=cp.cluster_id,
                parent_id=dept["id"],
                resources=quota(pool, 2),
            )
            accepted = []
            for change in (
                lambda: client.projects.create(
                    name="over",
                    cluster_id=cp.cluster_id,
                    parent_id=dept["id"],
                    resources=quota(pool, 1),
                ),
                lambda: client.departments.update_resources(dept["id"], body=quota(pool, 1)),
            ):
                try:
                    change()
                    accepted.append(True)
                except ra.BadRequestError as refused:
                    assert "body.resources" in refused.message and "physics" in refused.message
                    accepted.append(False)
            return accepted

    with FakeControlPlane() as cp:
        assert attempts(cp) == [True, True]
    with FakeControlPlane(projects_within_department_quota=True) as cp:
        assert attempts(cp) == [False, False]
