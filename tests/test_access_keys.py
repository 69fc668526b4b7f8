"""Access keys on both clients: a user's own keys (the secret shown on creation and
regeneration only), their tokens acting as the user within the user's rules, rotation
and deletion, and the administrators' view of every user's keys."""

from __future__ import annotations

from typing import Any

import pytest

import runai_admin as ra
from runai_admin.testing import FakeControlPlane

from .conftest import collect, raw_request, resolve
from .test_access_control import L1_RESEARCHER, grant, signed_in_as, tenant
from .test_service_accounts import MY_RULES, token_v1, token_v2


def client_of(api: Any, cp: FakeControlPlane, key: dict) -> Any:
    """A client of the same kind as `api` signed in with the key's credentials."""
    factory = ra.AsyncClient if isinstance(api, ra.AsyncClient) else ra.Client
    return factory(base_url=cp.url, client_id=key["clientId"], client_secret=key["clientSecret"])


async def test_a_users_own_keys(api, cp):
    made = await tenant(api, cp)
    user = signed_in_as(api, cp, made["user"], made["password"])
    try:
        key = await resolve(user.access_keys.create(name="laptop"))
        assert key["name"] == "laptop" and key["clientSecret"] and key["createdAt"]
        fetched = await resolve(user.access_keys.get(key["id"]))
        assert fetched["clientId"] == key["clientId"] and "clientSecret" not in fetched
        assert fetched["lastLogin"] is None
        listed = (await resolve(user.access_keys.list()))["accessKeys"]
        assert [k["id"] for k in listed] == [key["id"]]
        with pytest.raises(ra.ConflictError):
            await resolve(user.access_keys.create(name="laptop"))

        # Another user's keys are not theirs to see: the administrator has none.
        assert (await resolve(api.access_keys.list()))["accessKeys"] == []
        with pytest.raises(ra.NotFoundError):
            await resolve(api.access_keys.get(key["id"]))

        secret = (await resolve(user.access_keys.regenerate_secret(key["id"])))["clientSecret"]
        assert secret != key["clientSecret"]
        assert await resolve(user.access_keys.delete(key["id"])) is None
        with pytest.raises(ra.NotFoundError):
            await resolve(user.access_keys.get(key["id"]))
        assert (await resolve(user.access_keys.list()))["accessKeys"] == []
    finally:
        user.close()


async def test_a_key_acts_as_its_owner_until_rotated_or_deleted(api, cp):
    made = await tenant(api, cp)
    await grant(api, made["user"], L1_RESEARCHER, "project", made["proj_a"])
    user = signed_in_as(api, cp, made["user"], made["password"])
    try:
        key = await resolve(user.access_keys.create(name="ci"))
    finally:
        user.close()
    client_id, first = key["clientId"], key["clientSecret"]
    assert token_v1(cp, client_id, first)[0] == 200
    assert token_v2(cp, client_id, first)[0] == 200

    robot = client_of(api, cp, key)
    try:
        assert (await resolve(robot.projects.get(made["proj_a"])))["name"] == "proj-a"
        mine = await collect(robot.me.list_access_rules())
        assert [r["subjectId"] for r in mine] == [made["user"]]
        with pytest.raises(ra.PermissionDeniedError):
            await resolve(robot.projects.get(made["proj_b"]))
        # A key's token manages its owner's keys, not anyone else's.
        assert [k["id"] for k in (await resolve(robot.access_keys.list()))["accessKeys"]] == [
            key["id"]
        ]

        second = (await resolve(robot.access_keys.regenerate_secret(key["id"])))["clientSecret"]
        assert token_v1(cp, client_id, first)[0] == 401
        status, tokens = token_v1(cp, client_id, second)
        assert status == 200

        await resolve(api.access_keys.delete_as_admin(key["id"]))
        assert token_v1(cp, client_id, second)[0] == 401
        assert raw_request(cp.url + MY_RULES, token=tokens["accessToken"])[0] == 401
        with pytest.raises(ra.AuthenticationError) as refused:
            await resolve(robot.projects.get(made["proj_a"]))
        assert second not in str(refused.value)
    finally:
        robot.close()

    # The owner's own sign-in is untouched.
    user = signed_in_as(api, cp, made["user"], made["password"])
    try:
        assert (await resolve(user.projects.get(made["proj_a"])))["name"] == "proj-a"
    finally:
        user.close()
    recorded = repr(cp.requests)
    assert first not in recorded and second not in recorded


async def test_administrators_see_and_delete_every_users_keys(api, cp):
    made = await tenant(api, cp)
    user = signed_in_as(api, cp, made["user"], made["password"])
    try:
        laptop = await resolve(user.access_keys.create(name="laptop"))
        desktop = await resolve(user.access_keys.create(name="desktop"))
        with pytest.raises(ra.PermissionDeniedError):
            await resolve(user.access_keys.list_as_admin())
    finally:
        user.close()
    every = (await resolve(api.access_keys.list_as_admin()))["accessKeys"]
    assert sorted(k["name"] for k in every) == ["desktop", "laptop"]
    assert {k["createdBy"] for k in every} == {made["user"]}
    assert all("clientSecret" not in k for k in every)
    picked = await resolve(api.access_keys.list_as_admin(client_id=laptop["clientId"]))
    assert [k["id"] for k in picked["accessKeys"]] == [laptop["id"]]
    nobody = await resolve(api.access_keys.list_as_admin(created_by="nobody@example.com"))
    assert nobody["accessKeys"] == []

    await resolve(api.access_keys.delete_as_admin(laptop["id"]))
    with pytest.raises(ra.NotFoundError):
        await resolve(api.access_keys.delete_as_admin(laptop["id"]))

    # A deleted user's keys go with them, and so do the tokens they obtained.
    status, tokens = token_v1(cp, desktop["clientId"], desktop["clientSecret"])
    assert status == 200
    users = await collect(api.users.list())
    user_id = next(u["id"] for u in users if u["username"] == made["user"])
    await resolve(api.users.delete(user_id))
    assert (await resolve(api.access_keys.list_as_admin()))["accessKeys"] == []
    assert token_v1(cp, desktop["clientId"], desktop["clientSecret"])[0] == 401
    assert raw_request(cp.url + MY_RULES, token=tokens["accessToken"])[0] == 401


async def test_service_accounts_have_no_access_keys(api):
    assert (await resolve(api.access_keys.list()))["accessKeys"] == []
    with pytest.raises(ra.PermissionDeniedError):
        await resolve(api.access_keys.create(name="mine"))
