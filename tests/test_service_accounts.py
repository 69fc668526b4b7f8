"""Service accounts on both clients: their lifecycle, their secret (shown on creation and
regeneration only) obtaining tokens at both token endpoints, rotation and revocation, and
an account with one access rule acting within it."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import pytest

import runai_admin as ra
from runai_admin.testing import FakeControlPlane

from .conftest import collect, raw_request, resolve
from .test_access_control import L1_RESEARCHER, tenant

MY_RULES = "/api/v1/authorization/me/access-rules"


def token_v1(cp: FakeControlPlane, client_id: str, secret: str) -> tuple[int, dict]:
    return raw_request(
        cp.url + "/api/v1/token",
        {"grantType": "client_credentials", "clientID": client_id, "clientSecret": secret},
    )


def token_v2(cp: FakeControlPlane, client_id: str, secret: str) -> tuple[int, dict]:
    """The OAuth2 form endpoint, without runai_admin."""
    form = urllib.parse.urlencode(
        {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    ).encode()
    request = urllib.request.Request(cp.url + "/api/v2/token", data=form)
    try:
        with urllib.request.urlopen(request) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as err:
        return err.code, {}


def client_of(api: Any, cp: FakeControlPlane, account: dict) -> Any:
    """A client of the same kind as `api` signed in with the account's credentials."""
    factory = ra.AsyncClient if isinstance(api, ra.AsyncClient) else ra.Client
    return factory(
        base_url=cp.url, client_id=account["clientId"], client_secret=account["clientSecret"]
    )


async def test_service_account_lifecycle(api):
    created = await resolve(api.service_accounts.create(name="ci-pipeline"))
    assert created["name"] == created["clientId"] == "ci-pipeline"
    assert created["clientSecret"] and created["id"]

    fetched = await resolve(api.service_accounts.get(created["id"]))
    assert "clientSecret" not in fetched
    assert fetched["enabled"] is True and fetched["lastLogin"] is None
    assert fetched["clientId"] == "ci-pipeline" and fetched["createdBy"]
    listed = await collect(api.service_accounts.list())
    assert [a["id"] for a in listed] == [created["id"]]
    assert all("clientSecret" not in a for a in listed)

    with pytest.raises(ra.ConflictError):
        await resolve(api.service_accounts.create(name="ci-pipeline"))

    assert await resolve(api.service_accounts.patch(created["id"], enabled=False)) is None
    assert (await resolve(api.service_accounts.get(created["id"])))["enabled"] is False

    regenerated = await resolve(api.service_accounts.regenerate_secret(created["id"]))
    assert set(regenerated) == {"clientSecret"}
    assert regenerated["clientSecret"] != created["clientSecret"]

    assert await resolve(api.service_accounts.delete(created["id"])) is None
    with pytest.raises(ra.NotFoundError):
        await resolve(api.service_accounts.get(created["id"]))
    for call in (
        lambda: api.service_accounts.delete(created["id"]),
        lambda: api.service_accounts.regenerate_secret(created["id"]),
        lambda: api.service_accounts.patch(created["id"], enabled=True),
    ):
        with pytest.raises(ra.NotFoundError):
            await resolve(call())
    assert await collect(api.service_accounts.list()) == []


async def test_the_secret_obtains_tokens_until_rotated_or_deleted(api, cp):
    account = await resolve(api.service_accounts.create(name="robot"))
    client_id, first = account["clientId"], account["clientSecret"]

    status, v1 = token_v1(cp, client_id, first)
    assert status == 200
    assert token_v2(cp, client_id, first)[0] == 200
    assert raw_request(cp.url + MY_RULES, token=v1["accessToken"])[0] == 200
    assert (await resolve(api.service_accounts.get(account["id"])))["lastLogin"]

    second = (await resolve(api.service_accounts.regenerate_secret(account["id"])))["clientSecret"]
    assert token_v1(cp, client_id, first)[0] == 401
    assert token_v2(cp, client_id, first)[0] == 401
    status, v1_again = token_v1(cp, client_id, second)
    assert status == 200
    # What the old secret obtained is cut off with it; the new secret's token works.
    assert raw_request(cp.url + MY_RULES, token=v1["accessToken"])[0] == 401
    assert raw_request(cp.url + MY_RULES, token=v1_again["accessToken"])[0] == 200

    await resolve(api.service_accounts.patch(account["id"], enabled=False))
    assert token_v1(cp, client_id, second)[0] == 401
    await resolve(api.service_accounts.patch(account["id"], enabled=True))
    # Disabling revoked what was issued before; enabling again does not bring it back.
    assert raw_request(cp.url + MY_RULES, token=v1_again["accessToken"])[0] == 401
    status, v1_last = token_v1(cp, client_id, second)
    assert status == 200

    await resolve(api.service_accounts.delete(account["id"]))
    assert token_v1(cp, client_id, second)[0] == 401
    assert token_v2(cp, client_id, second)[0] == 401
    status, refused = raw_request(cp.url + MY_RULES, token=v1_last["accessToken"])
    assert status == 401 and refused["code"] == 401
    refresh = {"grantType": "refresh_token", "refreshToken": v1_last["refreshToken"]}
    assert raw_request(cp.url + "/api/v1/token", refresh)[0] == 401

    # Re-created under the same name, it is a new account: the old tokens stay dead.
    again = await resolve(api.service_accounts.create(name="robot"))
    assert again["clientId"] == client_id
    assert raw_request(cp.url + MY_RULES, token=v1_last["accessToken"])[0] == 401

    recorded = repr(cp.requests)
    for secret in (first, second, again["clientSecret"]):
        assert secret not in recorded


async def test_a_client_with_the_accounts_credentials_works_until_it_is_deleted(api, cp):
    account = await resolve(api.service_accounts.create(name="notebook"))
    robot = client_of(api, cp, account)
    try:
        assert await collect(robot.me.list_access_rules()) == []
        assert account["clientSecret"] not in repr(robot)
        await resolve(api.service_accounts.delete(account["id"]))
        with pytest.raises(ra.AuthenticationError) as refused:
            await collect(robot.me.list_access_rules())
        assert account["clientSecret"] not in str(refused.value)
    finally:
        robot.close()


@pytest.mark.parametrize("named_by", ["clientId", "id"])
async def test_a_scoped_service_account_reads_its_project_and_nothing_else(api, cp, named_by):
    made = await tenant(api, cp)
    account = await resolve(api.service_accounts.create(name="reader"))
    rule = await resolve(
        api.access_rules.create(
            subject_id=account[named_by],
            subject_type="service-account",
            role_id=L1_RESEARCHER,
            scope_type="project",
            scope_id=made["proj_a"],
        )
    )
    assert rule["subjectType"] == "service-account"
    robot = client_of(api, cp, account)
    try:
        assert (await resolve(robot.projects.get(made["proj_a"])))["name"] == "proj-a"
        assert [p["id"] for p in await collect(robot.projects.list())] == [made["proj_a"]]
        mine = await collect(robot.me.list_access_rules())
        assert [r["id"] for r in mine] == [rule["id"]]
        for refused_call in (
            lambda: robot.projects.get(made["proj_b"]),
            lambda: robot.departments.get(made["dept_a"]),
            lambda: robot.clusters.get(cp.cluster_id),
            lambda: robot.service_accounts.get(account["id"]),
        ):
            with pytest.raises(ra.PermissionDeniedError) as refused:
                await resolve(refused_call())
            assert refused.value.status == 403
    finally:
        robot.close()

    await resolve(api.service_accounts.delete(account["id"]))
    left = await collect(api.access_rules.list(subject_ids=[account[named_by]]))
    assert left == []
    with pytest.raises(ra.NotFoundError):
        await resolve(api.access_rules.get(rule["id"]))


async def test_rules_need_a_service_account_that_exists(api):
    with pytest.raises(ra.NotFoundError) as refused:
        await resolve(
            api.access_rules.create(
                subject_id="ghost",
                subject_type="service-account",
                role_id=L1_RESEARCHER,
                scope_type="tenant",
                scope_id="1001",
            )
        )
    assert "body.subjectId" in refused.value.message
