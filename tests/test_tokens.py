"""The token operations as methods (`client.tokens`) on both clients: the JSON grant, the
OAuth2 form grant and the deprecated application token; what they obtain works as a
bearer token; their secrets never reach an error, a repr or a recording; every grant,
given or refused, is a sign-in in the audit log."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

import runai_admin as ra
from runai_admin.testing import FakeControlPlane

from .conftest import collect, paths, resolve

WRONG_SECRET = "not-the-secret-0123456789"


async def sign_ins(api: Any, since: datetime) -> list[dict]:
    until = datetime.now(timezone.utc) + timedelta(seconds=1)
    entries = await collect(api.audit_logs.list(start=since.isoformat(), end=until.isoformat()))
    return [e for e in entries if e["action"] == "sign-in"]


def works_as_bearer(cp: FakeControlPlane, token: str) -> bool:
    with ra.Client(base_url=cp.url, token=token) as client:
        return client.clusters.get(cp.cluster_id)["uuid"] == cp.cluster_id


async def test_grant_with_client_credentials(api: Any, cp: FakeControlPlane) -> None:
    answer = await resolve(
        api.tokens.grant(
            grant_type="client_credentials", client_id=cp.client_id, client_secret=cp.client_secret
        )
    )
    assert answer["expiresIn"] > 0 and answer["refreshToken"]
    assert works_as_bearer(cp, answer["accessToken"])
    refreshed = await resolve(
        api.tokens.grant(grant_type="refresh_token", refresh_token=answer["refreshToken"])
    )
    assert works_as_bearer(cp, refreshed["accessToken"])
    recorded = paths(cp, "/api/v1/token", "POST")[-2]["body"]
    assert b'"clientSecret":"***"' in recorded and cp.client_secret.encode() not in recorded


async def test_grant_v2_sends_the_form_the_spec_asks_for(api: Any, cp: FakeControlPlane) -> None:
    cp.clear_requests()
    answer = await resolve(
        api.tokens.grant_v2(
            grant_type="client_credentials", client_id=cp.client_id, client_secret=cp.client_secret
        )
    )
    assert answer["token_type"] == "Bearer" and answer["expires_in"] > 0
    assert works_as_bearer(cp, answer["access_token"])
    sent = [r for r in paths(cp, "/api/v2/token") if b"client_id=" in r["body"]]
    headers = dict(sent[-1]["headers"])
    assert headers["content-type"] == "application/x-www-form-urlencoded"
    assert b"grant_type=client_credentials" in sent[-1]["body"]
    assert cp.client_secret.encode() not in sent[-1]["body"]
    password = await resolve(
        api.tokens.grant_v2(
            grant_type="password", username="admin@example.com", password="administrator"
        )
    )
    assert works_as_bearer(cp, password["access_token"])


async def test_refused_grants_keep_their_secrets_out_of_errors(api: Any) -> None:
    for call in (
        lambda: api.tokens.grant(
            grant_type="client_credentials", client_id="nobody", client_secret=WRONG_SECRET
        ),
        lambda: api.tokens.grant_v2(
            grant_type="client_credentials", client_id="nobody", client_secret=WRONG_SECRET
        ),
        lambda: api.tokens.grant_v2(
            grant_type="password", username="admin@example.com", password=WRONG_SECRET
        ),
    ):
        with pytest.raises(ra.AuthenticationError) as caught:
            await resolve(call())
        err = caught.value
        for text in (str(err), repr(err), repr(err.body), str(err.details)):
            assert WRONG_SECRET not in text
    # A value that is no form field is refused before sending, naming the field only.
    with pytest.raises(TypeError, match="client_secret") as caught_type:
        await resolve(api.tokens.grant_v2(grant_type="client_credentials", client_secret=[{}]))
    assert WRONG_SECRET not in str(caught_type.value)
    with pytest.raises(ValueError, match="grant_type"):
        await resolve(api.tokens.grant_v2(grant_type="magic"))


async def test_the_deprecated_app_token(api: Any, cp: FakeControlPlane) -> None:
    with pytest.warns(DeprecationWarning, match=r"tokens\.grant\(\)"):
        answer = await resolve(
            api.tokens.legacy_app_token(id=cp.client_id, name="fake-app", secret=cp.client_secret)
        )
    assert answer["id_token"]
    assert works_as_bearer(cp, answer["access_token"])
    # A service account's application token, by its id.
    account = await resolve(api.service_accounts.create(name="robot"))
    with pytest.warns(DeprecationWarning):
        robot = await resolve(
            api.tokens.legacy_app_token(
                id=account["id"], name="robot", secret=account["clientSecret"]
            )
        )
    # Accepted as the account, which holds no access rule yet: a 403, not a 401.
    with pytest.raises(ra.PermissionDeniedError, match="robot"):
        works_as_bearer(cp, robot["access_token"])
    with pytest.warns(DeprecationWarning), pytest.raises(ra.AuthenticationError) as caught:
        await resolve(
            api.tokens.legacy_app_token(id=cp.client_id, name="fake-app", secret=WRONG_SECRET)
        )
    assert WRONG_SECRET not in repr(caught.value)


async def test_sign_ins_are_in_the_audit_log(api: Any, cp: FakeControlPlane) -> None:
    since = datetime.now(timezone.utc) - timedelta(seconds=1)
    await resolve(
        api.tokens.grant_v2(
            grant_type="password", username="admin@example.com", password="administrator"
        )
    )
    with pytest.raises(ra.AuthenticationError):
        await resolve(
            api.tokens.grant(
                grant_type="password", username="ghost@example.com", password=WRONG_SECRET
            )
        )
    entries = await sign_ins(api, since)
    outcomes = {(e["subject"], e["subject_type"], e["result"]) for e in entries}
    assert ("admin@example.com", "User", "Succeeded") in outcomes
    assert ("ghost@example.com", "User", "Failed") in outcomes
    # The client's own token request signs the application in.
    assert (cp.client_id, "App", "Succeeded") in outcomes
    failed = next(e for e in entries if e["subject"] == "ghost@example.com")
    assert failed["http_status_code"] == 401 and failed["url"].endswith("/api/v1/token")
    assert all(WRONG_SECRET not in str(e) for e in entries)


def test_grants_go_without_a_token_and_a_refusal_is_sent_once(cp: FakeControlPlane) -> None:
    # The client's own credentials are wrong: the grants do not need them.
    with cp.client(client_secret=WRONG_SECRET) as client:
        cp.clear_requests()
        answer = client.tokens.grant(
            grant_type="client_credentials", client_id=cp.client_id, client_secret=cp.client_secret
        )
        assert works_as_bearer(cp, answer["accessToken"])
        with pytest.raises(ra.AuthenticationError):
            client.tokens.grant_v2(
                grant_type="password", username="admin@example.com", password=WRONG_SECRET
            )
        assert client.token_requests == 0
    for path in ("/api/v1/token", "/api/v2/token"):
        [sent] = paths(cp, path)
        assert "authorization" not in dict(sent["headers"])
