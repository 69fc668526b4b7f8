"""Pooled connections a server closed while the sync client was not running: nobody
drives the sync client's runtime between calls, so before a call it first lets the runtime
read what came meanwhile, and a closed connection is dropped instead of sent a request.
It does so before every POST or PATCH (never sent twice) and after a pause of 50 ms or
more; in a quick loop of GETs it does not (a GET meeting a closed connection is simply
sent again)."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest

import runai_admin as ra

from .local_server import DEPARTMENTS_PAGE, LocalServer

TOKEN = "idle-canary-token"


def closing_server() -> LocalServer:
    """Pages of departments to GETs, 201 to POSTs; an idle connection closed at 20 ms."""

    def rule(method: str, path: str) -> tuple[int, Any, dict[str, str]]:
        return (200, DEPARTMENTS_PAGE, {}) if method == "GET" else (201, {"id": "1"}, {})

    return LocalServer(rule, idle_timeout=0.02)


@pytest.fixture
def server() -> Iterator[LocalServer]:
    s = closing_server()
    yield s
    s.close()


def retries(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "retrying" in r.getMessage()]


def test_a_get_after_a_pause_does_not_meet_the_closed_connection(
    server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="runai_admin")
    with ra.Client(base_url=server.url, token=TOKEN) as client:
        for _ in range(3):
            assert [d["name"] for d in client.departments.list()] == ["reached"]
            time.sleep(0.2)  # the server closes the idle connection meanwhile
    assert retries(caplog) == []
    assert server.methods == ["GET"] * 3
    assert server.connections == 3


def test_a_post_never_meets_a_connection_closed_just_before(
    server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="runai_admin")
    with ra.Client(base_url=server.url, token=TOKEN) as client:
        for _ in range(3):
            client.departments.list().to_list()
            # Longer than the server's idle timeout, shorter than the client's pause.
            time.sleep(0.035)
            client.departments.create(name="x", cluster_id="c", resources=[])
    # A POST that met a closed connection would not be sent again: an error, not a retry.
    assert retries(caplog) == []
    assert server.methods == ["GET", "POST"] * 3
