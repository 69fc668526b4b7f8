"""Every way to authenticate, token refresh, and the single-flight token cache."""

from __future__ import annotations

import asyncio
import threading

import pytest

import runai_admin as ra
from runai_admin.testing import FakeControlPlane

from .conftest import paths, raw_request, raw_token

ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "administrator"


def token_requests(cp: FakeControlPlane) -> list[dict]:
    token_paths = {
        "/api/v1/token",
        "/api/v2/token",
        "/v1/k8s/auth/login",
        "/auth/realms/runai/protocol/openid-connect/token",
    }
    return [r for r in cp.requests if r["path"] in token_paths]


@pytest.mark.parametrize(
    ("make_auth", "token_path"),
    [
        (lambda cp: ra.auth.ClientCredentials(cp.client_id, cp.client_secret), "/api/v1/token"),
        (
            lambda cp: ra.auth.ClientCredentials(cp.client_id, cp.client_secret, endpoint="v2"),
            "/api/v2/token",
        ),
        (
            lambda cp: ra.auth.KeycloakRealm("runai", cp.client_id, cp.client_secret),
            "/auth/realms/runai/protocol/openid-connect/token",
        ),
        (lambda cp: ra.auth.Password(ADMIN_EMAIL, ADMIN_PASSWORD), "/api/v1/token"),
        (
            lambda cp: ra.auth.Password(ADMIN_EMAIL, ADMIN_PASSWORD, legacy=True),
            "/v1/k8s/auth/login",
        ),
    ],
    ids=["client-credentials-v1", "client-credentials-v2", "keycloak", "password", "legacy-login"],
)
def test_each_flow_obtains_a_token_and_calls(cp, make_auth, token_path):
    with cp.client(auth=make_auth(cp)) as client:
        assert client.clusters.list().to_list()
    assert [r["path"] for r in token_requests(cp)] == [token_path]
    call = paths(cp, "/api/v1/clusters")[0]
    assert dict(call["headers"])["authorization"] == "Bearer ***"


def test_v1_token_request_is_json_with_the_spec_field_names(cp):
    with cp.client() as client:
        client.clusters.list().to_list()
    body = token_requests(cp)[0]["body"]
    assert b'"grantType":"client_credentials"' in body
    assert b'"clientID"' in body and cp.client_secret.encode() not in body


def test_a_ready_bearer_token_is_used_as_is(cp):
    token = raw_token(cp)
    cp.clear_requests()
    with cp.client(token=token) as client:
        assert client.clusters.get(cp.cluster_id)["uuid"] == cp.cluster_id
        assert client.token_requests == 0
    assert token_requests(cp) == []
    cp.expire_tokens()
    with cp.client(token=token) as client, pytest.raises(ra.AuthenticationError):
        client.clusters.get(cp.cluster_id)


def test_wrong_secret_is_an_authentication_error_without_the_secret(cp):
    secret = "not-the-secret-0123456789"
    with cp.client(client_secret=secret) as client, pytest.raises(ra.AuthenticationError) as caught:
        client.clusters.list().to_list()
    err = caught.value
    assert err.status == 401
    for text in (str(err), repr(err), repr(err.body), str(err.details)):
        assert secret not in text
    assert len(token_requests(cp)) == 1, "a refused credential is not retried"


def test_token_is_refreshed_before_it_expires(cp):
    cp.set_token_lifetime(1)
    with cp.client() as client:
        client.clusters.list().to_list()
        import time

        time.sleep(1.1)
        client.clusters.list().to_list()
        assert client.token_requests == 2
    assert [r["status"] for r in paths(cp, "/api/v1/clusters")] == [200, 200]


def test_a_revoked_token_is_refreshed_once_on_401(cp):
    with cp.client() as client:
        client.clusters.list().to_list()
        cp.expire_tokens()
        assert client.clusters.get(cp.cluster_id)["uuid"] == cp.cluster_id
        assert client.token_requests == 2
    statuses = [r["status"] for r in paths(cp, f"/api/v1/clusters/{cp.cluster_id}")]
    assert statuses == [401, 200]


def test_a_second_401_reaches_the_caller(cp):
    with cp.client() as client:
        client.clusters.list().to_list()
        cp.inject("/api/v1/clusters/*", status=401, times=2)
        with pytest.raises(ra.AuthenticationError):
            client.clusters.get(cp.cluster_id)
        assert client.token_requests == 2


def test_threads_waiting_on_an_expired_token_share_one_refresh(cp):
    with cp.client() as client:
        client.clusters.list().to_list()
        cp.expire_tokens()
        # Slow the refresh down so that every thread is waiting while it is in flight.
        cp.inject("/api/v1/token", delay=0.3)
        barrier = threading.Barrier(16)
        errors: list[BaseException] = []

        def work() -> None:
            try:
                barrier.wait()
                client.clusters.get(cp.cluster_id)
            except BaseException as exc:  # collected and asserted below
                errors.append(exc)

        threads = [threading.Thread(target=work) for _ in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert client.token_requests == 2
    assert len(token_requests(cp)) == 2


async def test_tasks_waiting_on_a_token_share_one_request(cp):
    cp.inject("/api/v1/token", delay=0.2)
    async with cp.async_client() as client:
        results = await asyncio.gather(*(client.clusters.get(cp.cluster_id) for _ in range(20)))
        assert {r["uuid"] for r in results} == {cp.cluster_id}
        assert client.token_requests == 1
    assert len(token_requests(cp)) == 1


def test_requests_without_a_token_are_refused_by_the_fake(cp):
    import urllib.error
    import urllib.request

    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(cp.url + "/api/v1/clusters")
    assert caught.value.code == 401


def test_a_user_changes_their_own_password(cp):
    with cp.client(auth=ra.auth.Password(ADMIN_EMAIL, ADMIN_PASSWORD)) as client:
        client.users.change_password(current_password=ADMIN_PASSWORD, new_password="n3w-Passw0rd!")
    with cp.client(auth=ra.auth.Password(ADMIN_EMAIL, "n3w-Passw0rd!")) as client:
        assert client.clusters.list().to_list()
    with (
        cp.client(auth=ra.auth.Password(ADMIN_EMAIL, ADMIN_PASSWORD)) as client,
        pytest.raises(ra.AuthenticationError),
    ):
        client.clusters.list().to_list()
    recorded = [r["body"] for r in cp.requests if r["path"] == "/api/v1/me/password"]
    assert recorded and b"n3w-Passw0rd!" not in recorded[0]


def test_the_fake_matches_token_fields_case_insensitively(cp):
    # The official Python SDK sends AppId/AppSecret where the spec says appID/appSecret.
    status, answer = raw_request(
        cp.url + "/api/v1/token",
        {"grantType": "app_token", "AppId": cp.client_id, "AppSecret": cp.client_secret},
    )
    assert status == 200 and answer["accessToken"] and answer["expiresIn"] > 0
    status, answer = raw_request(
        cp.url + "/api/v1/token",
        {"GRANTTYPE": "client_credentials", "clientid": cp.client_id, "CLIENTSECRET": "wrong"},
    )
    assert status == 401 and answer["code"] == 401


def test_threads_waiting_on_a_refused_token_share_its_error(cp):
    cp.inject("/api/v1/token", delay=0.3)
    errors: list[BaseException] = []
    with cp.client(client_secret="wrong-secret-value") as client:
        barrier = threading.Barrier(8)

        def work() -> None:
            barrier.wait()
            try:
                client.clusters.get(cp.cluster_id)
            except ra.AuthenticationError as exc:
                errors.append(exc)

        threads = [threading.Thread(target=work) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert len(errors) == 8
    assert len(token_requests(cp)) == 1
