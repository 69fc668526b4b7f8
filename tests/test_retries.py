"""The retry rules: what is sent again, how often, and what is never repeated."""

from __future__ import annotations

import time

import pytest

import runai_admin as ra

from .conftest import paths, resources


@pytest.fixture
def warm(client, cp):
    """A client that already holds a token, so request counts are about the call alone."""
    client.clusters.get(cp.cluster_id)
    cp.clear_requests()
    return client


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_get_is_retried_on_transient_statuses(warm, cp, status):
    cp.inject("/api/v1/org-unit/projects", method="GET", status=status, times=2, retry_after=0)
    assert warm.projects.list().to_list() == []
    assert [r["status"] for r in paths(cp, "/api/v1/org-unit/projects")] == [status, status, 200]


def test_retry_after_is_honoured(warm, cp):
    cp.inject("/api/v1/clusters", status=429, retry_after=0.6)
    started = time.monotonic()
    warm.clusters.list().to_list()
    assert time.monotonic() - started >= 0.6
    assert len(paths(cp, "/api/v1/clusters")) == 2


def test_retries_stop_at_max_retries(cp):
    with cp.client(max_retries=2) as client:
        client.clusters.get(cp.cluster_id)
        cp.clear_requests()
        cp.inject("/api/v1/clusters", status=503, times=10, retry_after=0)
        with pytest.raises(ra.InternalServerError):
            client.clusters.list().to_list()
    assert len(paths(cp, "/api/v1/clusters")) == 3


def test_put_and_delete_are_retried(warm, cp):
    project = warm.projects.create(name="p", cluster_id=cp.cluster_id, resources=resources(1))
    cp.inject("/api/v1/org-unit/projects/*", method="PUT", status=503, retry_after=0)
    warm.projects.update(project["id"], resources=resources(2))
    cp.inject("/api/v1/org-unit/projects/*", method="DELETE", status=502, retry_after=0)
    warm.projects.delete(project["id"])
    statuses = [
        (r["method"], r["status"]) for r in paths(cp, f"/api/v1/org-unit/projects/{project['id']}")
    ]
    assert statuses == [("PUT", 503), ("PUT", 200), ("DELETE", 502), ("DELETE", 202)]


def test_post_is_not_repeated_after_a_server_error(warm, cp):
    cp.inject("/api/v1/org-unit/projects", method="POST", status=503, retry_after=0)
    with pytest.raises(ra.InternalServerError):
        warm.projects.create(name="once", cluster_id=cp.cluster_id, resources=resources(1))
    assert len(paths(cp, "/api/v1/org-unit/projects", "POST")) == 1


def test_post_is_not_repeated_when_the_connection_drops(warm, cp):
    cp.inject("/api/v1/org-unit/projects", method="POST", drop_connection=True)
    with pytest.raises(ra.APIConnectionError):
        warm.projects.create(name="once", cluster_id=cp.cluster_id, resources=resources(1))
    assert len(paths(cp, "/api/v1/org-unit/projects", "POST")) == 1


def test_patch_is_not_repeated(warm, cp):
    project = warm.projects.create(name="p", cluster_id=cp.cluster_id, resources=resources(1))
    cp.inject("/api/v1/org-unit/projects/*/resources", method="PATCH", status=429, retry_after=0)
    with pytest.raises(ra.RateLimitError):
        warm.projects.patch_resources(project["id"], body=resources(2))
    assert len(paths(cp, f"/api/v1/org-unit/projects/{project['id']}/resources", "PATCH")) == 1


def test_get_is_retried_when_the_connection_drops(warm, cp):
    cp.inject("/api/v1/clusters", drop_connection=True)
    assert warm.clusters.list().to_list()
    assert [r["status"] for r in paths(cp, "/api/v1/clusters")] == [0, 200]


def test_post_is_retried_when_it_provably_never_left(cp):
    # Nothing listens on the port at first: the connection is refused, so the request
    # never reached a server and sending it again is safe.
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = ra.Client(base_url=f"http://127.0.0.1:{port}", token="t", max_retries=2, timeout=5)
    started = time.monotonic()
    with pytest.raises(ra.APIConnectionError):
        client.projects.create(name="p", cluster_id="c", resources=[])
    # Three attempts with back-off in between took some time, yet less than the budget.
    assert 0 < time.monotonic() - started < 5


def test_token_requests_are_retried_on_transient_statuses(cp):
    cp.inject("/api/v1/token", status=503, retry_after=0)
    with cp.client() as client:
        assert client.clusters.list().to_list()
    assert [r["status"] for r in paths(cp, "/api/v1/token")] == [503, 200]
