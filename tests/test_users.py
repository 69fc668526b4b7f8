"""Every users operation, on the sync and the async client."""

from __future__ import annotations

import pytest

import runai_admin as ra

from .conftest import collect, raw_request, resolve


async def test_create_get_list_delete(api, cp):
    created = await resolve(api.users.create(email="ada@example.com", reset_password=True))
    assert created["username"] == "ada@example.com"
    assert created["tempPassword"]
    user = await resolve(api.users.get(created["id"]))
    assert user["username"] == "ada@example.com"
    usernames = [u["username"] for u in await collect(api.users.list())]
    assert "ada@example.com" in usernames
    assert (await resolve(api.users.count(filter_by=["username=@ada"])))["count"] == 1
    await resolve(api.users.delete(created["id"]))
    with pytest.raises(ra.NotFoundError):
        await resolve(api.users.get(created["id"]))


async def test_duplicate_email_is_a_conflict_and_bad_email_a_bad_request(api, cp):
    await resolve(api.users.create(email="bob@example.com"))
    with pytest.raises(ra.ConflictError):
        await resolve(api.users.create(email="bob@example.com"))
    with pytest.raises(ra.BadRequestError):
        await resolve(api.users.create(email="not-an-email"))


async def test_password_reset_and_logout(api, cp):
    created = await resolve(api.users.create(email="eve@example.com"))
    reset = await resolve(api.users.reset_password(created["id"]))
    assert reset["tempPassword"] and reset["tempPassword"] != created["tempPassword"]
    await resolve(api.users.logout(created["id"]))
    with pytest.raises(ra.NotFoundError):
        await resolve(api.users.logout("no-such-user"))


async def test_search_and_sort(api, cp):
    for email in ("c@example.com", "a@example.com", "b@example.com"):
        await resolve(api.users.create(email=email))
    names = [u["username"] for u in await collect(api.users.list(sort_by="username", search="@ex"))]
    assert names == sorted(names)
    assert {"a@example.com", "b@example.com", "c@example.com"} <= set(names)


async def test_the_deprecated_filter_picks_users_by_attribute(api, cp):
    await resolve(api.users.create(email="ann@example.com"))
    local = [u["username"] for u in await collect(api.users.list(filter="runai.is_local:true"))]
    assert sorted(local) == ["admin@example.com", "ann@example.com"]
    assert await collect(api.users.list(filter="runai.is_local:false")) == []
    narrowed = await collect(api.users.list(filter="runai.is_local:true", search="ann"))
    assert [u["username"] for u in narrowed] == ["ann@example.com"]
    with pytest.raises(ra.BadRequestError, match="filter"):
        await collect(api.users.list(filter="is_local"))


def password_token(cp, email: str, password: str) -> str:
    status, answer = raw_request(
        cp.url + "/api/v1/token",
        {"grantType": "password", "username": email, "password": password},
    )
    assert status == 200, answer
    return str(answer["accessToken"])


async def test_logout_and_deletion_end_the_users_sessions(api, cp):
    created = await resolve(api.users.create(email="mallory@example.com"))
    me = cp.url + "/api/v1/authorization/me/access-rules"
    token = password_token(cp, "mallory@example.com", created["tempPassword"])
    assert raw_request(me, token=token)[0] == 200
    await resolve(api.users.logout(created["id"]))
    assert raw_request(me, token=token)[0] == 401, "a logged-out session is refused"

    token = password_token(cp, "mallory@example.com", created["tempPassword"])
    await resolve(api.users.delete(created["id"]))
    await resolve(api.users.create(email="mallory@example.com"))
    assert raw_request(me, token=token)[0] == 401, "the old user's token dies with them"
