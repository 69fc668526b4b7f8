"""Proxies on both clients: ``HTTPS_PROXY``/``HTTP_PROXY`` (and the lower-case forms),
``NO_PROXY``, ``proxy=`` and ``proxy=False``, a proxy that asks for credentials, one that
is not there, and the proxy's password kept out of reprs, errors and logs.

The proxy is a small one written here: threads on 127.0.0.1 that open CONNECT tunnels (for
``https://``) and forward absolute-form requests (for ``http://``), and record what they
forwarded. It can answer for a host name that is not this machine (``fake.runai.test``),
which it maps to the fake: the environment's proxies are never used for this machine."""

from __future__ import annotations

import asyncio
import base64
import logging
import select
import socket
import socketserver
import threading
import time
import traceback
import warnings
from collections.abc import Iterator
from typing import Any, Optional

import pytest

import runai_admin as ra
from runai_admin.testing import FakeControlPlane

KINDS = ["sync", "async"]
PROXY_VARIABLES = [
    f"{name}{suffix}" for name in ("http", "https", "all", "no") for suffix in ("_proxy", "_PROXY")
]
#: A name that is not this machine; the test proxy sends it to the fake.
FAKE_HOST = "fake.runai.test"
PASSWORD = "pr0xy-canary-pa55"


class CountingProxy:
    """An HTTP proxy on 127.0.0.1. ``forwarded`` lists ``(method, target)`` of what it let
    through: ``("CONNECT", "host:port")`` per tunnel, ``("GET", "http://...")`` per
    forwarded request; ``headers`` the headers of each forwarded request. With
    ``credentials=(user, password)`` it answers 407 to a request without them."""

    def __init__(self, credentials: Optional[tuple[str, str]] = None) -> None:
        self.forwarded: list[tuple[str, str]] = []
        self.headers: list[dict[str, str]] = []
        self.refused = 0
        self._lock = threading.Lock()
        self._expected = None
        if credentials is not None:
            token = base64.b64encode(":".join(credentials).encode()).decode()
            self._expected = f"Basic {token}"
        proxy = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                proxy._serve(self.connection, self.rfile)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def url(self, credentials: str = "") -> str:
        return f"http://{credentials}127.0.0.1:{self.port}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @staticmethod
    def _upstream(authority: str) -> tuple[str, int]:
        host, _, port = authority.rpartition(":")
        host = host.strip("[]")
        return ("127.0.0.1" if host == FAKE_HOST else host), int(port)

    def _serve(self, client: socket.socket, rfile: Any) -> None:
        request_line = rfile.readline(65537).decode("latin-1").strip()
        if not request_line:
            return
        method, target, _version = request_line.split(" ", 2)
        headers: dict[str, str] = {}
        while True:
            line = rfile.readline(65537).decode("latin-1")
            if line in ("\r\n", "\n", ""):
                break
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if self._expected is not None and headers.get("proxy-authorization") != self._expected:
            with self._lock:
                self.refused += 1
            client.sendall(
                b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                b'Proxy-Authenticate: Basic realm="test"\r\n'
                b"Content-Length: 0\r\nConnection: close\r\n\r\n"
            )
            return
        if method == "CONNECT":
            upstream = socket.create_connection(self._upstream(target))
            with self._lock:
                self.forwarded.append((method, target))
            # The client waits for this answer before it says anything in the tunnel.
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            self._pipe(client, upstream)
            return
        # An absolute-form request: forward it in origin form, one per connection.
        rest = target.split("://", 1)[1]
        authority, _, path = rest.partition("/")
        body = rfile.read(int(headers.get("content-length", "0")))
        with self._lock:
            self.forwarded.append((method, target))
            self.headers.append(dict(headers))
        kept = {
            k: v
            for k, v in headers.items()
            if k not in ("proxy-authorization", "proxy-connection", "connection")
        }
        head = f"{method} /{path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in kept.items())
        upstream = socket.create_connection(self._upstream(authority))
        upstream.sendall((head + "Connection: close\r\n\r\n").encode("latin-1") + body)
        while chunk := upstream.recv(65536):
            client.sendall(chunk)
        upstream.close()

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        sockets = [a, b]
        try:
            while True:
                readable, _, _ = select.select(sockets, [], [], 30)
                if not readable:
                    return
                for s in readable:
                    data = s.recv(65536)
                    if not data:
                        return
                    (b if s is a else a).sendall(data)
        except OSError:
            return
        finally:
            b.close()


@pytest.fixture(autouse=True)
def _no_proxy_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """The shell's own proxy settings must not decide these tests."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def proxy() -> Iterator[CountingProxy]:
    p = CountingProxy()
    yield p
    p.close()


@pytest.fixture
def guarded_proxy() -> Iterator[CountingProxy]:
    p = CountingProxy(credentials=("alice", PASSWORD))
    yield p
    p.close()


@pytest.fixture
def tls_cp() -> Iterator[FakeControlPlane]:
    with FakeControlPlane(tls=True) as plane:
        yield plane


def department_names(kind: str, **settings: Any) -> list[str]:
    """List the departments with a new client of `kind` made with `settings`; the
    client's repr is checked to hold no proxy password on the way."""
    if kind == "sync":
        with ra.Client(**settings) as client:
            assert PASSWORD not in repr(client)
            return [d["name"] for d in client.departments.list()]

    async def listed() -> list[str]:
        async with ra.AsyncClient(**settings) as client:
            assert PASSWORD not in repr(client)
            return [d["name"] async for d in client.departments.list()]

    return asyncio.run(listed())


def settings(cp: FakeControlPlane, host: Optional[str] = None, **more: Any) -> dict[str, Any]:
    """A client of the fake, under `host` instead of 127.0.0.1 when given."""
    url = cp.url if host is None else cp.url.replace("127.0.0.1", host)
    return {
        "base_url": url,
        "client_id": cp.client_id,
        "client_secret": cp.client_secret,
        **more,
    }


def remote_http(cp: FakeControlPlane, **more: Any) -> dict[str, Any]:
    """The fake as a host that is not this machine, over http:// (so opted in)."""
    return settings(cp, FAKE_HOST, allow_insecure_http=True, **more)


def quietly(call: Any) -> Any:
    """Run `call` with the opt-in warnings (insecure http, verify=False) silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ra.ConfigurationWarning)
        return call()


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY"])
@pytest.mark.parametrize("kind", KINDS)
def test_the_http_proxy_variable_carries_http_requests(
    cp: FakeControlPlane,
    proxy: CountingProxy,
    kind: str,
    variable: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(variable, proxy.url())
    assert quietly(lambda: department_names(kind, **remote_http(cp)))
    targets = [target for _, target in proxy.forwarded]
    prefix = f"http://{FAKE_HOST}:{cp.port}"
    assert f"{prefix}/api/v1/token" in targets
    assert any(t.startswith(f"{prefix}/api/v1/org-unit/departments") for t in targets)
    # Every request the fake saw came through the proxy.
    assert len(cp.requests) == len(proxy.forwarded)
    # The bearer token crossed to the server; the proxy had no credentials to pass on.
    listing = proxy.headers[targets.index(next(t for t in targets if "departments" in t))]
    assert listing["authorization"].startswith("Bearer ")


@pytest.mark.parametrize("variable", ["HTTPS_PROXY", "https_proxy"])
@pytest.mark.parametrize("kind", KINDS)
def test_the_https_proxy_variable_tunnels_https(
    tls_cp: FakeControlPlane,
    proxy: CountingProxy,
    kind: str,
    variable: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(variable, proxy.url())
    # An HTTP_PROXY is not for https:// base URLs.
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    # The fake's certificate names 127.0.0.1 and localhost, not the name used here.
    names = quietly(lambda: department_names(kind, **settings(tls_cp, FAKE_HOST, verify=False)))
    assert names
    assert proxy.forwarded and {m for m, _ in proxy.forwarded} == {"CONNECT"}
    assert {t for _, t in proxy.forwarded} == {f"{FAKE_HOST}:{tls_cp.port}"}
    assert tls_cp.requests


@pytest.mark.parametrize("kind", KINDS)
def test_this_machine_is_reached_directly_whatever_the_variables_say(
    cp: FakeControlPlane, proxy: CountingProxy, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.setenv(name, proxy.url())
    assert department_names(kind, **settings(cp))
    assert department_names(kind, **settings(cp, "localhost"))
    assert proxy.forwarded == []


@pytest.mark.parametrize("no_proxy", [FAKE_HOST, ".runai.test", "runai.test", "*"])
@pytest.mark.parametrize("kind", KINDS)
def test_no_proxy_names_hosts_reached_directly(
    cp: FakeControlPlane,
    proxy: CountingProxy,
    kind: str,
    no_proxy: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url())
    monkeypatch.setenv("NO_PROXY", f"example.org, {no_proxy}")
    # Reached directly, the name does not resolve: the client tried without the proxy.
    with pytest.raises(ra.APIConnectionError) as caught:
        quietly(lambda: department_names(kind, **remote_http(cp, max_retries=0)))
    assert not isinstance(caught.value, ra.ProxyError)
    assert proxy.forwarded == []
    monkeypatch.setenv("no_proxy", "example.org")  # lower case first, as curl reads them
    assert quietly(lambda: department_names(kind, **remote_http(cp)))
    assert proxy.forwarded


@pytest.mark.parametrize("kind", KINDS)
def test_the_proxy_argument_wins_over_the_variables(
    tls_cp: FakeControlPlane, proxy: CountingProxy, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    unused = CountingProxy()
    try:
        monkeypatch.setenv("HTTPS_PROXY", unused.url())
        monkeypatch.setenv("NO_PROXY", "*")
        # Given, it serves this machine too: the fake by its own name, its CA checked.
        names = department_names(kind, **settings(tls_cp, verify=tls_cp.ca_path, proxy=proxy.url()))
        assert names
        assert {t for _, t in proxy.forwarded} == {f"127.0.0.1:{tls_cp.port}"}
        assert unused.forwarded == []
    finally:
        unused.close()


@pytest.mark.parametrize("kind", KINDS)
def test_proxy_false_ignores_the_variables(
    cp: FakeControlPlane, proxy: CountingProxy, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url())
    with pytest.raises(ra.APIConnectionError) as caught:
        quietly(lambda: department_names(kind, **remote_http(cp, proxy=False, max_retries=0)))
    assert not isinstance(caught.value, ra.ProxyError)
    assert proxy.forwarded == []
    with pytest.raises(ValueError, match="proxy=True"):
        ra.Client(**settings(cp, proxy=True))
    with pytest.raises(TypeError, match="proxy must be"):
        ra.Client(**settings(cp, proxy=3128))


@pytest.mark.parametrize("scheme", ["http", "https"])
@pytest.mark.parametrize("kind", KINDS)
def test_a_proxy_that_asks_for_credentials(
    cp: FakeControlPlane,
    tls_cp: FakeControlPlane,
    guarded_proxy: CountingProxy,
    kind: str,
    scheme: str,
) -> None:
    target = settings(cp) if scheme == "http" else settings(tls_cp, verify=tls_cp.ca_path)
    started = time.monotonic()
    with pytest.raises(ra.ProxyError) as caught:
        department_names(kind, **target, proxy=guarded_proxy.url())
    message = str(caught.value)
    assert f"127.0.0.1:{guarded_proxy.port}" in message
    if scheme == "http":
        # The forwarding proxy's own 407: named so, and not asked again.
        assert "407" in message and "credentials" in message
        assert guarded_proxy.refused == 1
    assert time.monotonic() - started < 5
    assert guarded_proxy.forwarded == []

    with_password = guarded_proxy.url(f"alice:{PASSWORD}@")
    assert department_names(kind, **target, proxy=with_password)
    assert guarded_proxy.forwarded
    expected = "Basic " + base64.b64encode(f"alice:{PASSWORD}".encode()).decode()
    if scheme == "http":
        # Each forwarded request carries them to the proxy (which drops them on the way).
        assert all(h["proxy-authorization"] == expected for h in guarded_proxy.headers)
        assert cp.requests
    else:
        # Only the CONNECT carries them: the requests inside the tunnel reach the server
        # without them.
        assert tls_cp.requests
        assert all("proxy-authorization" not in dict(r["headers"]) for r in tls_cp.requests)


@pytest.mark.parametrize("kind", KINDS)
def test_an_unreachable_proxy_is_named_without_its_password(
    cp: FakeControlPlane, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    # A port nothing listens on.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://alice:{PASSWORD}@127.0.0.1:{port}"
    caplog.set_level(logging.DEBUG, logger="runai_admin")
    with pytest.raises(ra.ProxyError) as caught:
        department_names(kind, **settings(cp, proxy=url, max_retries=1))
    err = caught.value
    assert isinstance(err, ra.APIConnectionError)
    message = str(err)
    assert f"the proxy http://***@127.0.0.1:{port} (proxy=)" in message
    # The package's frames, with their locals (this test's own hold the URL, of course).
    stack = traceback.TracebackException.from_exception(err, capture_locals=True).stack
    package = [f for f in stack if "runai_admin" in f.filename and "tests" not in f.filename]
    assert package
    shown = "".join(f"{f.name} {f.locals}" for f in package)
    for text in (message, repr(err), shown, caplog.text):
        assert PASSWORD not in text
        assert "alice" not in text
    assert cp.requests == []


def test_the_repr_names_the_proxy_without_its_password(
    cp: FakeControlPlane, proxy: CountingProxy
) -> None:
    with ra.Client(**settings(cp, proxy=proxy.url(f"alice:{PASSWORD}@"))) as client:
        assert f"proxy=http://***@127.0.0.1:{proxy.port}" in repr(client)
        assert PASSWORD not in repr(client)
    with ra.Client(**settings(cp)) as client:
        assert "proxy" not in repr(client)


@pytest.mark.parametrize("value", ["socks5://alice:{}@127.0.0.1:1080", "http://alice:{}@"])
def test_a_proxy_url_that_cannot_work_is_refused_without_its_password(
    cp: FakeControlPlane, value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = value.format(PASSWORD)
    with pytest.raises(ra.ConfigurationError) as caught:
        ra.Client(**settings(cp, proxy=url))
    assert "proxy=" in str(caught.value) and PASSWORD not in str(caught.value)
    monkeypatch.setenv("HTTPS_PROXY", url)
    with pytest.raises(ra.ConfigurationError) as caught:
        ra.Client(**settings(cp, base_url="https://acme.run.ai.test"))
    assert "HTTPS_PROXY" in str(caught.value) and PASSWORD not in str(caught.value)


def test_plain_http_is_judged_by_the_target_not_the_proxy(
    cp: FakeControlPlane, proxy: CountingProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A proxy on this machine does not make a remote http:// target safe.
    with pytest.raises(ra.ConfigurationError, match="allow_insecure_http"):
        ra.Client(**settings(cp, FAKE_HOST, proxy=proxy.url()))
    monkeypatch.setenv("HTTP_PROXY", proxy.url())
    with pytest.raises(ra.ConfigurationError, match="allow_insecure_http"):
        ra.Client(**settings(cp, FAKE_HOST))
