"""Pooled connections a server closed while the sync client was not running: nobody
drives the sync client's runtime between calls, so before a call it first lets the runtime
read what came meanwhile, and a closed connection is dropped instead of sent a request.
It does so before every POST or PATCH (never sent twice) and after a pause of 50 ms or
more; in a quick loop of GETs it does not (a GET meeting a closed connection is simply
sent again)."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

import runai_admin as ra

TOKEN = "idle-canary-token"


class IdleClosingServer:
    """Answers every request with one page of departments (or an empty object to a POST),
    keeps connections alive, and closes one idle for `idle_timeout` seconds without a word
    (as load balancers do)."""

    def __init__(self, idle_timeout: float) -> None:
        self.seen: list[str] = []
        self.connections = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = idle_timeout

            def setup(self) -> None:
                super().setup()
                server.connections += 1

            def _answer(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                server.seen.append(self.command)
                page = {"departments": [{"name": "d"}], "next": None}
                body = json.dumps(page if self.command == "GET" else {"id": "1"}).encode()
                self.send_response(200 if self.command == "GET" else 201)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def server() -> Iterator[IdleClosingServer]:
    s = IdleClosingServer(idle_timeout=0.02)
    yield s
    s.close()


def retries(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "retrying" in r.getMessage()]


def test_a_get_after_a_pause_does_not_meet_the_closed_connection(
    server: IdleClosingServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="runai_admin")
    with ra.Client(base_url=server.url, token=TOKEN) as client:
        for _ in range(3):
            assert [d["name"] for d in client.departments.list()] == ["d"]
            time.sleep(0.2)  # the server closes the idle connection meanwhile
    assert retries(caplog) == []
    assert server.seen == ["GET"] * 3
    assert server.connections == 3


def test_a_post_never_meets_a_connection_closed_just_before(
    server: IdleClosingServer, caplog: pytest.LogCaptureFixture
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
    assert server.seen == ["GET", "POST"] * 3
