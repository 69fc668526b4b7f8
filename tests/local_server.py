"""A small HTTP server on 127.0.0.1 for tests that need answers the fake never gives
(redirects, connections closed while idle): it answers by a rule and records every
request it received."""

from __future__ import annotations

import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Optional

#: (method, path with query) -> (status, JSON body or None, extra headers)
Rule = Callable[[str, str], tuple[int, Any, dict[str, str]]]

#: One page of one department: enough for `client.departments.list()`.
DEPARTMENTS_PAGE = {"departments": [{"name": "reached"}], "next": None}


class LocalServer:
    """Answers by `rule`; ``seen`` holds ``(method, path, headers, body)`` of each request
    (header names in lower case); ``connections`` counts the connections accepted. Over
    HTTPS with `tls`; with `idle_timeout`, a kept-alive connection idle that long is
    closed without a word, as load balancers do."""

    def __init__(
        self,
        rule: Rule,
        tls: Optional[ssl.SSLContext] = None,
        idle_timeout: Optional[float] = None,
    ) -> None:
        self.seen: list[tuple[str, str, dict[str, str], bytes]] = []
        self.connections = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = idle_timeout

            def setup(self) -> None:
                super().setup()
                server.connections += 1

            def _answer(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                server.seen.append((self.command, self.path, headers, body))
                status, answer, extra = rule(self.command, self.path)
                payload = b"" if answer is None else json.dumps(answer).encode()
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_address[1]
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def methods(self) -> list[str]:
        return [method for method, _, _, _ in self.seen]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
