"""Credentials stay private: never sent over plain HTTP to another machine, never shown."""

from __future__ import annotations

import contextlib
import socket
import threading
import warnings
from collections.abc import Iterator

import pytest

import runai_admin as ra
from runai_admin.testing import FakeControlPlane

from .conftest import collect

CANARY_SECRET = "canary-secret-5f0c1e"


def outward_address() -> str:
    """This machine's address on its network (not loopback), or a skip."""
    candidates = set(socket.gethostbyname_ex(socket.gethostname())[2])
    for destination in ("203.0.113.1", "10.255.255.254"):
        probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        with contextlib.suppress(OSError):
            probe.connect((destination, 9))  # No packet is sent: this only picks a route.
            candidates.add(probe.getsockname()[0])
        probe.close()
    outward = sorted(a for a in candidates if not a.startswith(("127.", "0.")))
    if not outward:
        pytest.skip("this machine has no address besides loopback")
    return outward[0]


class Relay:
    """A TCP relay listening on this machine's network address and passing every
    connection on to the fake: the fake seen as another host over plain HTTP."""

    def __init__(self, address: str, target_port: int) -> None:
        self.connections = 0
        self._target = ("127.0.0.1", target_port)
        self._listener = socket.create_server((address, 0))
        self.url = f"http://{address}:{self._listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                inbound, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            outbound = socket.create_connection(self._target)
            for source, sink in ((inbound, outbound), (outbound, inbound)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def close(self) -> None:
        self._listener.close()


@pytest.fixture
def relay(cp: FakeControlPlane) -> Iterator[Relay]:
    r = Relay(outward_address(), cp.port)
    yield r
    r.close()


@pytest.fixture(params=["sync", "async"])
def client_kind(request: pytest.FixtureRequest) -> type:
    return ra.Client if request.param == "sync" else ra.AsyncClient


def test_credentials_are_not_sent_over_plain_http_to_another_host(cp, relay, client_kind):
    host = relay.url.split("//")[1].split(":")[0]
    for credentials in (
        {"client_id": cp.client_id, "client_secret": CANARY_SECRET},
        {"token": CANARY_SECRET},
        {"auth": ra.auth.Password("admin@example.com", CANARY_SECRET)},
    ):
        with pytest.raises(ra.ConfigurationError) as caught:
            client_kind(base_url=relay.url, **credentials)
        message = str(caught.value)
        assert host in message and "allow_insecure_http=True" in message
        assert CANARY_SECRET not in message and CANARY_SECRET not in repr(caught.value)
    # Refused while the client was made: nothing reached the network.
    assert relay.connections == 0


def test_the_environment_cannot_smuggle_credentials_over_plain_http(
    monkeypatch, cp, relay, client_kind
):
    monkeypatch.setenv("RUNAI_BASE_URL", relay.url)
    monkeypatch.setenv("RUNAI_TOKEN", CANARY_SECRET)
    with pytest.raises(ra.ConfigurationError, match="allow_insecure_http"):
        client_kind()
    assert relay.connections == 0


async def test_an_explicit_opt_in_sends_over_plain_http_and_warns(cp, relay, client_kind):
    with pytest.warns(ra.ConfigurationWarning, match="unencrypted"):
        client = client_kind(
            base_url=relay.url,
            client_id=cp.client_id,
            client_secret=cp.client_secret,
            allow_insecure_http=True,
        )
    try:
        clusters = await collect(client.clusters.list())
    finally:
        client.close()
    assert [c["uuid"] for c in clusters] == [cp.cluster_id]
    assert relay.connections >= 1


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:{port}", "http://localhost:{port}", "http://127.0.0.1:{port}/"]
)
async def test_loopback_over_plain_http_needs_no_opt_in(cp, client_kind, url):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        client = client_kind(
            base_url=url.format(port=cp.port),
            client_id=cp.client_id,
            client_secret=cp.client_secret,
        )
    try:
        assert [c["uuid"] for c in await collect(client.clusters.list())] == [cp.cluster_id]
    finally:
        client.close()


def test_the_command_line_refuses_plain_http_to_another_host_unless_told(
    monkeypatch, capsys, cp, relay
):
    from runai_admin.cli import main

    monkeypatch.setenv("RUNAI_BASE_URL", relay.url)
    monkeypatch.setenv("RUNAI_CLIENT_ID", cp.client_id)
    monkeypatch.setenv("RUNAI_CLIENT_SECRET", cp.client_secret)
    monkeypatch.delenv("RUNAI_TOKEN", raising=False)
    assert main(["clusters", "list", "-o", "json"]) == 1
    err = capsys.readouterr().err
    assert "--allow-insecure-http" in err and cp.client_secret not in err
    assert relay.connections == 0
    with pytest.warns(ra.ConfigurationWarning):
        assert main(["--allow-insecure-http", "clusters", "list", "-o", "json"]) == 0
    assert cp.cluster_id in capsys.readouterr().out
