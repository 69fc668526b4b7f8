"""Credentials stay private: never sent over plain HTTP to another machine, never shown."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import os
import socket
import subprocess
import sys
import threading
import traceback
import warnings
from collections.abc import Iterator
from typing import Any, Callable

import pytest

import runai_admin as ra
from runai_admin.testing import FakeControlPlane

from .conftest import collect, raw_token

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


# Secrets, end to end -------------------------------------------------------------------
#
# Two kinds of canary: values the fake refuses (a made-up client secret and token), so
# that errors are raised while they are in play, and the fake's real secret and a real
# token, so that calls succeed (and log) while they are in play.

CANARY_TOKEN = "canary-token-9d27ab"


def leaks(text: str, secrets: list[str]) -> list[str]:
    return [s for s in secrets if s in text]


def failure_report(call: Callable[[], Any]) -> tuple[BaseException, str]:
    """The error a call raises, with everything printed of it: str, repr, its attributes
    and the traceback with every frame's locals (what `pytest --showlocals` shows). This
    frame holds no secret of its own."""
    try:
        result = call()
        if inspect.isawaitable(result):
            asyncio.run(_awaited(result))
    except Exception as err:
        shown = traceback.TracebackException.from_exception(err, capture_locals=True)
        attributes = {k: repr(v) for k, v in vars(err).items()}
        return err, "\n".join([str(err), repr(err), repr(attributes), *shown.format()])
    raise AssertionError("the call did not fail")


async def _awaited(awaitable: Any) -> Any:
    return await awaitable


@pytest.fixture
def every_log_record() -> Iterator[list[logging.LogRecord]]:
    """Every record any logger emits at DEBUG and above, with the package's loggers on."""

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            self.format(record)  # renders the message and any exception text
            kept.append(record)

    kept: list[logging.LogRecord] = []
    handler = Keep(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root, package = logging.getLogger(), logging.getLogger("runai_admin")
    levels = (root.level, package.level)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    package.setLevel(logging.DEBUG)
    try:
        yield kept
    finally:
        root.removeHandler(handler)
        root.setLevel(levels[0])
        package.setLevel(levels[1])


def logged_text(records: list[logging.LogRecord]) -> str:
    parts = []
    for record in records:
        parts += [record.getMessage(), repr(record.args), record.exc_text or ""]
        parts += [repr(v) for k, v in vars(record).items() if k not in ("msg", "args")]
    return "\n".join(parts)


def make_client(kind: str, cp: FakeControlPlane, **credentials: Any) -> Any:
    factory = ra.Client if kind == "sync" else ra.AsyncClient
    return factory(base_url=cp.url, max_retries=0, timeout=10, **credentials)


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_refused_canary_credentials_show_nowhere(cp, kind, every_log_record):
    secrets = [CANARY_SECRET, CANARY_TOKEN]
    for credentials in (
        {"client_id": cp.client_id, "client_secret": CANARY_SECRET},
        {"auth": ra.auth.ClientCredentials(cp.client_id, CANARY_SECRET, endpoint="v2")},
        {"auth": ra.auth.KeycloakRealm("runai", cp.client_id, CANARY_SECRET)},
        {"token": CANARY_TOKEN},
    ):
        client = make_client(kind, cp, **credentials)
        try:
            assert not leaks(repr(client) + repr(credentials.get("auth")), secrets)
            err, report = failure_report(lambda c=client: collect_now(c.clusters.list()))
            assert isinstance(err, ra.APIStatusError) and err.status in (400, 401), report
            assert not leaks(report, secrets), report
            err, report = failure_report(lambda c=client: c.clusters.get(cp.cluster_id))
            assert not leaks(report, secrets), report
        finally:
            client.close()
    assert not leaks(logged_text(every_log_record), secrets)
    assert not leaks(repr(cp.requests), secrets)


def collect_now(pager: Any) -> Any:
    """Every item of a sync pager, or the awaitable of an async one's."""
    return pager.to_list()


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_working_secrets_show_nowhere_while_calls_succeed_and_fail(cp, kind, every_log_record):
    token = raw_token(cp)
    secrets = [cp.client_secret, token]
    for credentials in (
        {"client_id": cp.client_id, "client_secret": cp.client_secret},
        {"token": token},
    ):
        client = make_client(kind, cp, **credentials)
        try:
            listed = asyncio.run(_awaited(collect(client.clusters.list())))
            assert listed[0]["uuid"] == cp.cluster_id
            _, report = failure_report(lambda c=client: c.projects.get("999999"))
            assert "404" in report and not leaks(report, secrets), report
            _, report = failure_report(lambda c=client: c.projects.create(name="x", cluster_id=1))
            assert not leaks(report, secrets), report
            assert not leaks(repr(client) + repr(client.projects), secrets)
        finally:
            client.close()
    assert not leaks(logged_text(every_log_record), secrets)
    assert not leaks(repr(cp.requests), secrets)


def test_a_client_refused_at_creation_keeps_its_secret_out_of_the_traceback(cp):
    # pytest --showlocals prints the locals of the package's frames too.
    for make in (
        lambda: ra.Client(base_url="http://10.1.2.3", client_id="a", client_secret=CANARY_SECRET),
        lambda: ra.AsyncClient(base_url="http://10.1.2.3", token=CANARY_TOKEN),
        lambda: ra.Client(base_url=cp.url, token="bad token " + CANARY_TOKEN),
        lambda: cp.client(base_url="http://10.1.2.3", client_secret=CANARY_SECRET),
        lambda: cp.async_client(base_url="ftp://x", token=CANARY_TOKEN),
    ):
        err, report = failure_report(make)
        assert isinstance(err, ra.ConfigurationError), report
        assert not leaks(report, [CANARY_SECRET, CANARY_TOKEN]), report


def test_the_command_line_shows_no_secret(monkeypatch, capsys, cp, every_log_record):
    from runai_admin.cli import main

    token = raw_token(cp)
    secrets = [CANARY_SECRET, CANARY_TOKEN, cp.client_secret, token]
    monkeypatch.setenv("RUNAI_BASE_URL", cp.url)
    runs = [
        ({"RUNAI_CLIENT_ID": cp.client_id, "RUNAI_CLIENT_SECRET": CANARY_SECRET}, 1),
        ({"RUNAI_TOKEN": CANARY_TOKEN}, 1),
        ({"RUNAI_CLIENT_ID": cp.client_id, "RUNAI_CLIENT_SECRET": cp.client_secret}, 0),
        ({"RUNAI_TOKEN": token}, 0),
    ]
    for env, code in runs:
        for name in ("RUNAI_CLIENT_ID", "RUNAI_CLIENT_SECRET", "RUNAI_TOKEN"):
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        for output in ("table", "json"):
            assert main(["clusters", "list", "-o", output]) == code
            assert main(["projects", "get", "999999", "-o", output]) == 1
            printed = capsys.readouterr()
            assert not leaks(printed.out + printed.err, secrets), printed
    assert not leaks(logged_text(every_log_record), secrets)


def test_the_fake_servers_own_log_shows_no_client_secret(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUNAI_")}
    server = subprocess.Popen(
        [sys.executable, "-m", "runai_admin", "fake-server", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert server.stdout is not None
        settings = dict(
            server.stdout.readline().strip().removeprefix("export ").split("=", 1) for _ in range(3)
        )
        url, client_id = settings["RUNAI_BASE_URL"], settings["RUNAI_CLIENT_ID"]
        for refused in (
            ra.Client(base_url=url, client_id=client_id, client_secret=CANARY_SECRET),
            ra.Client(base_url=url, token=CANARY_TOKEN),
        ):
            with refused, pytest.raises(ra.AuthenticationError):
                refused.clusters.list().to_list()
        with ra.Client(
            base_url=url, client_id=client_id, client_secret=settings["RUNAI_CLIENT_SECRET"]
        ) as c:
            c.clusters.list().to_list()
        server.terminate()
        out, err = server.communicate(timeout=10)
    finally:
        server.kill()
    assert not leaks(out + err, [CANARY_SECRET, CANARY_TOKEN])
