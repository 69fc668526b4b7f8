"""The deprecated Applications and User Applications operations on both clients: views of
the service accounts and access keys under their former names and shapes, so that what
one API makes the other sees, with the same secret semantics (shown on creation and
regeneration only, the old secret refused after regeneration, everything refused after
deletion). Every call warns with DeprecationWarning."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, Callable

import pytest

import runai_admin as ra
from runai_admin.testing import FakeControlPlane

from .conftest import collect, resolve
from .test_access_control import signed_in_as, tenant
from .test_service_accounts import token_v1, token_v2


async def old(make: Callable[[], Any], gather: Callable[[Any], Awaitable[Any]] = resolve) -> Any:
    """The result of a deprecated call, which must warn."""
    with pytest.warns(DeprecationWarning):
        return await gather(make())


def tokens_work(cp: FakeControlPlane, client_id: str, secret: str) -> bool:
    v1, v2 = token_v1(cp, client_id, secret), token_v2(cp, client_id, secret)
    assert v1[0] == v2[0], (v1, v2)
    return v1[0] == 200


async def test_application_lifecycle_is_a_service_account(api, cp):
    created = await old(lambda: api.applications.create(name="ci-pipeline"))
    assert created["name"] == created["clientId"] == "ci-pipeline"
    assert created["secret"] and created["id"] and "clientSecret" not in created

    # The same object, through the current API and the former one.
    accounts = await collect(api.service_accounts.list())
    assert [a["id"] for a in accounts] == [created["id"]]
    fetched = await old(lambda: api.applications.get(created["id"]))
    assert fetched == await resolve(api.service_accounts.get(created["id"]))
    assert fetched["enabled"] is True and "secret" not in fetched
    listed = await old(lambda: api.applications.list(), collect)
    assert [a["id"] for a in listed] == [created["id"]]
    with pytest.raises(ra.ConflictError):
        await old(lambda: api.applications.create(name="ci-pipeline"))
    with pytest.raises(ra.ConflictError):
        await resolve(api.service_accounts.create(name="ci-pipeline"))

    assert tokens_work(cp, created["clientId"], created["secret"])
    assert await old(lambda: api.applications.patch(created["id"], enabled=False)) is None
    assert (await resolve(api.service_accounts.get(created["id"])))["enabled"] is False
    assert not tokens_work(cp, created["clientId"], created["secret"])
    await old(lambda: api.applications.patch(created["id"], enabled=True))

    regenerated = await old(lambda: api.applications.regenerate_secret(created["id"]))
    assert set(regenerated) == {"secret"} and regenerated["secret"] != created["secret"]
    assert not tokens_work(cp, created["clientId"], created["secret"])
    assert tokens_work(cp, created["clientId"], regenerated["secret"])

    assert await old(lambda: api.applications.delete(created["id"])) is None
    assert not tokens_work(cp, created["clientId"], regenerated["secret"])
    assert await collect(api.service_accounts.list()) == []
    with pytest.raises(ra.NotFoundError):
        await old(lambda: api.applications.get(created["id"]))


async def test_a_service_account_is_an_application(api, cp):
    account = await resolve(api.service_accounts.create(name="nightly"))
    assert (await old(lambda: api.applications.get(account["id"])))["name"] == "nightly"
    secret = (await old(lambda: api.applications.regenerate_secret(account["id"])))["secret"]
    assert not tokens_work(cp, account["clientId"], account["clientSecret"])
    assert tokens_work(cp, account["clientId"], secret)
    await old(lambda: api.applications.delete(account["id"]))
    with pytest.raises(ra.NotFoundError):
        await resolve(api.service_accounts.get(account["id"]))
    assert not tokens_work(cp, account["clientId"], secret)


async def test_user_applications_are_access_keys(api, cp):
    made = await tenant(api, cp)
    user = signed_in_as(api, cp, made["user"], made["password"])
    try:
        app = await old(lambda: user.user_applications.create(name="laptop"))
        assert app["secret"] and app["clientId"] and app["createdAt"]
        assert "clientSecret" not in app
        keys = (await resolve(user.access_keys.list()))["accessKeys"]
        assert [k["id"] for k in keys] == [app["id"]]
        fetched = await old(lambda: user.user_applications.get(app["id"]))
        assert fetched == await resolve(user.access_keys.get(app["id"]))
        listed = await old(lambda: user.user_applications.list(), collect)
        assert [a["id"] for a in listed] == [app["id"]]
        with pytest.raises(ra.ConflictError):
            await old(lambda: user.user_applications.create(name="laptop"))
        # Another user's applications are not theirs to see.
        assert await old(lambda: api.user_applications.list(), collect) == []
        with pytest.raises(ra.NotFoundError):
            await old(lambda: api.user_applications.get(app["id"]))

        assert tokens_work(cp, app["clientId"], app["secret"])
        rotated = await old(lambda: user.user_applications.regenerate_secret(app["id"]))
        assert set(rotated) == {"clientSecret"}
        assert not tokens_work(cp, app["clientId"], app["secret"])
        assert tokens_work(cp, app["clientId"], rotated["clientSecret"])

        assert await old(lambda: user.user_applications.delete(app["id"])) is None
        assert not tokens_work(cp, app["clientId"], rotated["clientSecret"])
        assert (await resolve(user.access_keys.list()))["accessKeys"] == []
        with pytest.raises(ra.NotFoundError):
            await old(lambda: user.user_applications.get(app["id"]))
    finally:
        user.close()


async def test_administrators_see_and_delete_every_users_applications(api, cp):
    made = await tenant(api, cp)
    user = signed_in_as(api, cp, made["user"], made["password"])
    try:
        key = await resolve(user.access_keys.create(name="ci"))
    finally:
        user.close()
    every = await old(lambda: api.user_applications.list_as_admin(), collect)
    assert [(a["id"], a["createdBy"]) for a in every] == [(key["id"], made["user"])]
    assert "secret" not in every[0] and "clientSecret" not in every[0]
    picked = await old(
        lambda: api.user_applications.list_as_admin(client_id=key["clientId"]), collect
    )
    assert [a["id"] for a in picked] == [key["id"]]
    assert await old(lambda: api.user_applications.list_as_admin(created_by="x@y.z"), collect) == []

    assert tokens_work(cp, key["clientId"], key["clientSecret"])
    assert await old(lambda: api.user_applications.delete_as_admin(key["id"])) is None
    assert not tokens_work(cp, key["clientId"], key["clientSecret"])
    assert await old(lambda: api.user_applications.list_as_admin(), collect) == []
