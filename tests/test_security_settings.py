"""Security settings on both clients: the seeded values, reading all or one by key, an
update kept by key, and values refused against the key's own schema."""

from __future__ import annotations

from typing import Any

import pytest

import runai_admin as ra
from runai_admin.testing import FakeControlPlane

from .conftest import resolve
from .test_access_control import DEPARTMENT_ADMINISTRATOR, VIEWER
from .test_service_accounts import client_of

SEEDED = {
    "autoRedirectSSO": {"enabled": False, "idpAlias": ""},
    "browserSessionTimeout": {"idleTimeout": 60},
    "logoutRedirectUri": {"uri": None},
}


async def test_seeded_settings(api: Any) -> None:
    assert await resolve(api.settings.get_all()) == SEEDED
    for key, value in SEEDED.items():
        assert await resolve(api.settings.get(key)) == value


async def test_update_is_kept_by_key(api: Any) -> None:
    await resolve(api.settings.update("browserSessionTimeout", body={"idleTimeout": 15}))
    await resolve(
        api.settings.update("logoutRedirectUri", body={"uri": "https://example.com/logout-success"})
    )
    # Only the fields the body names change; other keys' fields are ignored.
    await resolve(api.settings.update("autoRedirectSSO", body={"idpAlias": "oidc", "uri": "x"}))
    assert await resolve(api.settings.get("browserSessionTimeout")) == {"idleTimeout": 15}
    await resolve(api.settings.update("logoutRedirectUri", body={"uri": ""}))
    assert await resolve(api.settings.get("logoutRedirectUri")) == {"uri": None}
    await resolve(
        api.settings.update("logoutRedirectUri", body={"uri": "https://example.com/logout-success"})
    )
    assert await resolve(api.settings.get_all()) == {
        "autoRedirectSSO": {"enabled": False, "idpAlias": "oidc"},
        "browserSessionTimeout": {"idleTimeout": 15},
        "logoutRedirectUri": {"uri": "https://example.com/logout-success"},
    }


@pytest.mark.parametrize(
    ("key", "body"),
    [
        ("browserSessionTimeout", {"idleTimeout": 0}),
        ("browserSessionTimeout", {"idleTimeout": "soon"}),
        ("autoRedirectSSO", {"idpAlias": "Upper Case"}),
        ("autoRedirectSSO", {"enabled": "yes"}),
        ("logoutRedirectUri", {"uri": "ftp://example.com"}),
    ],
)
async def test_values_outside_the_key_schema_are_refused(
    api: Any, key: str, body: dict[str, Any]
) -> None:
    with pytest.raises(ra.BadRequestError):
        await resolve(api.settings.update(key, body=body))
    assert await resolve(api.settings.get(key)) == SEEDED[key]


async def test_settings_need_a_rule_on_the_whole_tenant(api: Any, cp: FakeControlPlane) -> None:
    """They carry no scope: a department administrator cannot read them, a viewer of the
    tenant reads but does not change them."""
    clients = {}
    for role, scope_type, scope_id in (
        (DEPARTMENT_ADMINISTRATOR, "department", "1"),
        (VIEWER, "tenant", "1001"),
    ):
        account = await resolve(api.service_accounts.create(name=f"role-{role}"))
        await resolve(
            api.access_rules.create(
                subject_id=account["clientId"],
                subject_type="service-account",
                role_id=role,
                scope_type=scope_type,
                scope_id=scope_id,
            )
        )
        clients[role] = client_of(api, cp, account)
    try:
        with pytest.raises(ra.PermissionDeniedError):
            await resolve(clients[DEPARTMENT_ADMINISTRATOR].settings.get_all())
        viewer = clients[VIEWER]
        assert await resolve(viewer.settings.get("browserSessionTimeout")) == {"idleTimeout": 60}
        with pytest.raises(ra.PermissionDeniedError):
            await resolve(viewer.settings.update("browserSessionTimeout", body={"idleTimeout": 5}))
    finally:
        for c in clients.values():
            c.close()
