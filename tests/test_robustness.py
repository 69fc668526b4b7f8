"""Inputs and situations that must end in a clear error, never a crash or a hang."""

from __future__ import annotations

import os
import threading
import time

import pytest

import runai_admin as ra
from runai_admin.testing import FakeControlPlane

from .conftest import collect, paths, resolve, resources


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX")
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_a_forked_child_works_and_the_parent_survives(cp):
    with cp.client() as client:
        client.clusters.list().to_list()
        pid = os.fork()
        if pid == 0:  # the child: exit code 0 means both clients worked
            code = 1
            try:
                with cp.client(timeout=10) as fresh:
                    fresh.clusters.list().to_list()
                client.clusters.get(cp.cluster_id, timeout=10)
                code = 0
            finally:
                os._exit(code)
        deadline = time.monotonic() + 30
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        if not done:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        assert done and os.waitstatus_to_exitcode(status) == 0
        assert client.clusters.get(cp.cluster_id)["uuid"] == cp.cluster_id


def test_self_containing_arguments_are_refused(client, cp):
    loop: dict = {}
    loop["again"] = loop
    with pytest.raises(ValueError, match="levels deep"):
        client.projects.create(name="p", cluster_id=cp.cluster_id, resources=[loop])


def test_dot_segments_cannot_redirect_a_call(client, cp):
    for dots in (".", ".."):
        with pytest.raises(ValueError, match=r"must not be '\.' or '\.\.'"):
            client.projects.delete(dots)


def test_path_parameters_may_be_named(client, cp):
    assert client.clusters.get(cluster_uuid=cp.cluster_id)["uuid"] == cp.cluster_id
    with pytest.raises(TypeError, match="multiple values"):
        client.clusters.get(cp.cluster_id, cluster_uuid=cp.cluster_id)


def test_conflicting_credentials_and_unsendable_tokens_are_configuration_errors(cp):
    with pytest.raises(ra.ConfigurationError, match="only one way"):
        ra.Client(base_url=cp.url, token="t", client_id="a", client_secret="b")
    with pytest.raises(ra.ConfigurationError, match="only one way"):
        ra.Client(base_url=cp.url, token="t", auth=ra.auth.BearerToken("u"))
    with pytest.raises(ra.ConfigurationError) as caught:
        ra.Client(base_url=cp.url, token="bad\nsecret-value")
    assert "secret-value" not in str(caught.value)


@pytest.mark.parametrize("timeout", [0, -1, float("nan"), 1e300])
def test_out_of_range_timeouts_are_value_errors(cp, timeout):
    with pytest.raises(ValueError, match="timeout"):
        ra.Client(base_url=cp.url, token="t", timeout=timeout)
    with cp.client() as client, pytest.raises(ValueError, match="timeout"):
        client.clusters.get(cp.cluster_id, timeout=timeout)


def test_a_call_waiting_for_someone_elses_token_keeps_its_own_timeout(cp):
    cp.inject("/api/v1/token", delay=3)
    with cp.client() as client:
        slow = threading.Thread(target=lambda: client.clusters.list().to_list())
        slow.start()
        time.sleep(0.2)  # the other thread is now fetching the token
        started = time.monotonic()
        with pytest.raises(ra.APITimeoutError):
            client.clusters.get(cp.cluster_id, timeout=0.5)
        assert time.monotonic() - started < 2
        slow.join()


def test_list_methods_check_arguments_at_once_and_refuse_limit(client, cp):
    with pytest.raises(TypeError, match="bogus"):
        client.projects.list(bogus=1)
    with pytest.raises(TypeError, match="limit"):
        client.projects.list(limit=2)  # the pager sends limit itself: page_size= says how many
    assert paths(cp, "/api/v1/org-unit/projects") == []


def test_offset_starts_the_walk_and_max_items_bounds_the_request(client, cp):
    for i in range(5):
        client.projects.create(name=f"p{i}", cluster_id=cp.cluster_id, resources=resources(1))
    cp.clear_requests()
    names = [p["name"] for p in client.projects.list(offset=3, sort_by="name")]
    assert names == ["p3", "p4"]
    assert client.projects.list(max_items=0).to_list() == []
    assert client.projects.list(max_items=1).to_list()[0]["name"] == "p0"
    queries = [r["query"] for r in paths(cp, "/api/v1/org-unit/projects")]
    assert len(queries) == 2 and "limit=1" in queries[-1]


def test_a_pager_of_a_closed_client_does_not_send(cp):
    client = cp.client()
    pager = client.projects.list()
    client.close()
    with pytest.raises(ra.ConfigurationError, match="closed"):
        pager.to_list()


def test_a_refused_post_is_sent_again_once_the_server_is_back():
    """The connection was refused, so the POST never reached a server: it is retried,
    and lands exactly once when the control plane is back on its port."""
    first = FakeControlPlane().start()
    port = first.port
    auth = ra.auth.Password("admin@example.com", "administrator")
    client = ra.Client(base_url=first.url, auth=auth, max_retries=20, timeout=30)
    client.clusters.list().to_list()  # holds a token of the first server now
    first.stop()
    second = FakeControlPlane(port=port)
    restart = threading.Timer(0.5, second.start)
    restart.start()
    try:
        created = client.users.create(email="late@example.com")
        statuses = [r["status"] for r in paths(second, "/api/v1/users", "POST")]
        # The old token is refused by the new server (401), refreshed, then the POST lands.
        assert statuses == [401, 201]
        assert created["username"] == "late@example.com"
    finally:
        restart.join()
        second.stop()
        client.close()


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_the_fake_keeps_the_latest_requests_up_to_its_record_limit(kind):
    with FakeControlPlane(record_limit=5) as plane:
        client = plane.client() if kind == "sync" else plane.async_client()
        try:
            for _ in range(8):
                await resolve(client.clusters.get(plane.cluster_id))
        finally:
            client.close()
        recorded = plane.requests
        # The token request and the first three calls are gone; the last five remain, in order.
        assert len(recorded) == 5
        assert all(r["path"] == f"/api/v1/clusters/{plane.cluster_id}" for r in recorded)
        assert [r["status"] for r in recorded] == [200] * 5
        plane.clear_requests()
        assert plane.requests == []


def test_a_fake_may_record_nothing_and_refuses_a_negative_limit():
    with FakeControlPlane(record_limit=0) as plane, plane.client() as client:
        client.clusters.list().to_list()
        assert plane.requests == []
    with pytest.raises(ValueError, match="record_limit"):
        FakeControlPlane(record_limit=-1)


# The fault matrix: each fault ends in success after retries where the call may be
# retried, else in its typed error, within the call's time budget; sync and async alike.

PROXY_PAGE = (
    b"<html><head><title>502 Bad Gateway</title><style>body{margin:0}</style></head>"
    b"<body><center><h1>502 Bad Gateway</h1></center><p>" + b"upstream trouble " * 400 + b"</p>"
    b"<hr><center>nginx</center></body></html>"
)


@pytest.fixture(params=["sync", "async"])
def warm_client(request, cp):
    """A client of either kind that already holds a token, the fake's record then cleared."""
    c = cp.client(timeout=5) if request.param == "sync" else cp.async_client(timeout=5)
    yield c
    c.close()


async def fresh(cp, client):
    await resolve(client.clusters.get(cp.cluster_id))
    cp.clear_requests()
    return client


def statuses(cp, path):
    return [r["status"] for r in paths(cp, path)]


async def test_a_proxys_html_error_page_is_retried_then_shown_as_a_short_excerpt(cp, warm_client):
    client = await fresh(cp, warm_client)
    cp.inject("/api/v1/clusters", status=502, body=PROXY_PAGE, content_type="text/html")
    assert [c["uuid"] for c in await collect(client.clusters.list())] == [cp.cluster_id]
    assert statuses(cp, "/api/v1/clusters") == [502, 200]
    cp.inject("/api/v1/clusters", status=502, body=PROXY_PAGE, content_type="text/html", times=9)
    with pytest.raises(ra.InternalServerError) as caught:
        await collect(client.clusters.list(max_retries=2))
    err = caught.value
    assert (err.status, err.message) == (502, "502 Bad Gateway")
    assert len(str(err)) < 200 and "upstream trouble" not in str(err) + repr(err)
    assert "upstream trouble" in err.body  # the whole page stays at hand


async def test_malformed_json_in_a_success_is_a_decode_error(cp, warm_client):
    client = await fresh(cp, warm_client)
    cp.inject(
        "/api/v1/clusters", status=200, body=b'{"uuid": "c", "na', content_type="application/json"
    )
    with pytest.raises(ra.APIDecodeError) as caught:
        await collect(client.clusters.list())
    assert caught.value.url == f"{cp.url}/api/v1/clusters"
    assert statuses(cp, "/api/v1/clusters") == [200]


async def test_a_success_of_the_wrong_shape_is_a_decode_error(cp, warm_client):
    client = await fresh(cp, warm_client)
    cp.inject("/api/v1/org-unit/projects", method="GET", status=200, body={"items": []})
    with pytest.raises(ra.APIDecodeError, match="projects"):
        await collect(client.projects.list())


async def test_a_truncated_body_is_read_again_for_a_get_but_a_create_is_never_sent_twice(
    cp, warm_client
):
    client = await fresh(cp, warm_client)
    cp.inject("/api/v1/clusters", method="GET", cut_body_after=10)
    assert [c["uuid"] for c in await collect(client.clusters.list())] == [cp.cluster_id]
    assert statuses(cp, "/api/v1/clusters") == [200, 200]
    cp.inject("/api/v1/org-unit/projects", method="POST", cut_body_after=10)
    with pytest.raises(ra.APIConnectionError):
        await resolve(
            client.projects.create(name="once", cluster_id=cp.cluster_id, resources=resources(1))
        )
    assert len(paths(cp, "/api/v1/org-unit/projects", "POST")) == 1
    # The control plane made it; the store holds it once.
    made = await collect(client.projects.list(filter_by=["name==once"]))
    assert len(made) == 1


async def test_an_answer_slower_than_the_timeout_ends_within_the_budget(cp, warm_client):
    client = await fresh(cp, warm_client)
    cp.inject("/api/v1/clusters", delay=10)
    started = time.monotonic()
    with pytest.raises(ra.APITimeoutError):
        await collect(client.clusters.list(timeout=0.8))
    assert time.monotonic() - started < 1.6
    # Once the slow answer is spent, the next call goes through.
    assert await collect(client.clusters.list())


async def test_revoked_tokens_with_a_failing_refresh_end_in_an_authentication_error(
    cp, warm_client
):
    client = await fresh(cp, warm_client)
    cp.expire_tokens()
    cp.inject("/api/v1/token", status=401)
    started = time.monotonic()
    with pytest.raises(ra.AuthenticationError) as caught:
        await collect(client.clusters.list())
    assert time.monotonic() - started < 5
    assert caught.value.url == f"{cp.url}/api/v1/token"
    assert [(r["path"], r["status"]) for r in cp.requests] == [
        ("/api/v1/clusters", 401),
        ("/api/v1/token", 401),
    ]
    # A refresh that fails for a moment (503) is retried, and the call goes through.
    cp.expire_tokens()
    cp.inject("/api/v1/token", status=503, retry_after=0)
    assert await collect(client.clusters.list())
    assert statuses(cp, "/api/v1/token")[-2:] == [503, 200]
