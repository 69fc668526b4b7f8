"""HTTPS: the fake's certificate made at start, the default refusal and what it says,
``verify=`` with a CA, with a server's own certificate (CA-signed or self-signed),
``REQUESTS_CA_BUNDLE``/``SSL_CERT_FILE``, and ``verify=False`` warning once.

Certificates other than the fake's come from trustme (a CA and the leaves it signs) and
from ``cryptography`` (self-signed leaves, with and without the CA flag that
``openssl req -x509`` sets by default), served by a small ``ssl`` server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import json
import ssl
import threading
import time
import warnings
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

import runai_admin as ra
from runai_admin.testing import FakeControlPlane

KINDS = ["sync", "async"]
CA_VARIABLES = ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE")


@pytest.fixture(autouse=True)
def _no_ca_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """The shell's own CA settings must not decide these tests."""
    for name in CA_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def tls_cp() -> Iterator[FakeControlPlane]:
    with FakeControlPlane(tls=True) as plane:
        yield plane


def department_names(kind: str, **settings: Any) -> list[str]:
    """List the departments with a new client of `kind` made with `settings`."""
    if kind == "sync":
        with ra.Client(**settings) as client:
            return [d["name"] for d in client.departments.list()]

    async def listed() -> list[str]:
        async with ra.AsyncClient(**settings) as client:
            return [d["name"] async for d in client.departments.list()]

    return asyncio.run(listed())


def fake_settings(cp: FakeControlPlane, **more: Any) -> dict[str, Any]:
    return {
        "base_url": cp.url,
        "client_id": cp.client_id,
        "client_secret": cp.client_secret,
        **more,
    }


# The fake over HTTPS ------------------------------------------------------------------


def test_the_fake_serves_https_with_a_ca_file(tls_cp: FakeControlPlane) -> None:
    assert tls_cp.url.startswith("https://127.0.0.1:")
    pem = Path(tls_cp.ca_path).read_text()
    assert pem.startswith("-----BEGIN CERTIFICATE-----")
    with tls_cp.client() as client:  # the fake's own clients trust its CA
        assert [d["name"] for d in client.departments.list()]
    path = tls_cp.ca_path
    tls_cp.stop()
    assert not Path(path).exists()
    with FakeControlPlane() as plain, pytest.raises(RuntimeError, match="tls=True"):
        plain.ca_path  # noqa: B018


@pytest.mark.parametrize("kind", KINDS)
def test_default_verification_refuses_the_fake_as_a_certificate_problem(
    tls_cp: FakeControlPlane, kind: str
) -> None:
    started = time.monotonic()
    with pytest.raises(ra.APIConnectionError) as caught:
        department_names(kind, **fake_settings(tls_cp))
    # The kind comes from the error's type in the core, not from its words.
    assert type(caught.value) is ra.CertificateError
    message = str(caught.value)
    assert "TLS certificate problem" in message
    assert "verify=" in message and "SSL_CERT_FILE" in message
    assert tls_cp.client_secret not in message
    # A refused certificate is not tried again.
    assert time.monotonic() - started < 2.0
    assert tls_cp.requests == []


@pytest.mark.parametrize("kind", KINDS)
def test_verify_with_the_ca_path_accepts_the_fake(tls_cp: FakeControlPlane, kind: str) -> None:
    names = department_names(kind, **fake_settings(tls_cp, verify=tls_cp.ca_path))
    assert names, "the seeded department"


@pytest.mark.parametrize("variable", CA_VARIABLES)
@pytest.mark.parametrize("kind", KINDS)
def test_ca_bundle_variables_apply_when_verify_is_not_given(
    tls_cp: FakeControlPlane, kind: str, variable: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, tls_cp.ca_path)
    assert department_names(kind, **fake_settings(tls_cp))
    # verify= given wins: True is the system's store. SSL_CERT_FILE is also where
    # OpenSSL's convention (which the system store follows) looks for that store, so only
    # REQUESTS_CA_BUNDLE is then left aside.
    if variable == "REQUESTS_CA_BUNDLE":
        with pytest.raises(ra.APIConnectionError, match="certificate"):
            department_names(kind, **fake_settings(tls_cp, verify=True))


def test_requests_ca_bundle_comes_before_ssl_cert_file(
    tls_cp: FakeControlPlane, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other_ca = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other_ca))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", tls_cp.ca_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(other_ca))
    assert department_names("sync", **fake_settings(tls_cp))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(other_ca))
    monkeypatch.delenv("SSL_CERT_FILE")
    with pytest.raises(ra.APIConnectionError, match="certificate"):
        department_names("sync", **fake_settings(tls_cp))


@pytest.mark.parametrize("kind", KINDS)
def test_the_system_trust_store_is_the_default(
    tls_cp: FakeControlPlane, kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A CA installed on the machine is trusted with no setting of ours. The machine's
    store is not changed by a test: OpenSSL's SSL_CERT_DIR points the system store at a
    folder holding the fake's CA instead, as an installed company CA would be found."""
    store = tmp_path / "certs"
    store.mkdir()
    (store / "company-ca.pem").write_text(Path(tls_cp.ca_path).read_text())
    monkeypatch.setenv("SSL_CERT_DIR", str(store))
    assert department_names(kind, **fake_settings(tls_cp))


def test_a_ca_variable_naming_a_missing_file_is_a_configuration_error(
    tls_cp: FakeControlPlane, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "gone.pem"))
    with pytest.raises(ra.ConfigurationError, match="SSL_CERT_FILE"):
        ra.Client(**fake_settings(tls_cp))


@pytest.mark.parametrize("kind", KINDS)
def test_verify_false_works_and_warns_once_per_client(tls_cp: FakeControlPlane, kind: str) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        names = department_names(kind, **fake_settings(tls_cp, verify=False))
        department_names(kind, **fake_settings(tls_cp, verify=False))
    assert names
    insecure = [w for w in caught if issubclass(w.category, ra.InsecureTLSWarning)]
    assert len(insecure) == 2, [str(w.message) for w in caught]  # one per client
    assert "verify=False" in str(insecure[0].message)
    assert issubclass(ra.InsecureTLSWarning, ra.ConfigurationWarning)


# Certificates the fake did not make ----------------------------------------------------


class _Departments(BaseHTTPRequestHandler):
    """Answers every GET with one page of one department: enough for a list call."""

    def do_GET(self) -> None:
        body = json.dumps({"departments": [{"name": "over-https"}], "next": None}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def serve_https(cert_chain: Path, key: Path) -> Iterator[str]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(cert_chain), str(key))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Departments)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def self_signed(tmp_path: Path, *, ca_flag: bool, host: str = "127.0.0.1") -> tuple[Path, Path]:
    """A self-signed server certificate for `host`; `ca_flag` marks it a CA as
    `openssl req -x509` does by default."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    try:
        san: x509.GeneralName = x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        san = x509.DNSName(host)
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([san]), critical=False)
        .add_extension(x509.BasicConstraints(ca=ca_flag, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = (
        tmp_path / f"cert-{ca_flag}-{host}.pem",
        tmp_path / f"key-{ca_flag}-{host}.pem",
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture(params=[False, True], ids=["leaf", "leaf-with-ca-flag"])
def self_signed_server(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[str, Path]]:
    cert, key = self_signed(tmp_path, ca_flag=request.param)
    for url in serve_https(cert, key):
        yield url, cert


@pytest.fixture
def ca_signed_server(tmp_path: Path) -> Iterator[tuple[str, Path, Path]]:
    ca = trustme.CA()
    leaf = ca.issue_cert("127.0.0.1", "localhost")
    ca_path, chain, key = tmp_path / "ca.pem", tmp_path / "chain.pem", tmp_path / "key.pem"
    ca.cert_pem.write_to_path(str(ca_path))
    chain.write_bytes(b"".join(blob.bytes() for blob in leaf.cert_chain_pems))
    leaf.private_key_pem.write_to_path(str(key))
    leaf_only = tmp_path / "leaf.pem"
    leaf.cert_chain_pems[0].write_to_path(str(leaf_only))
    for url in serve_https(chain, key):
        yield url, ca_path, leaf_only


@pytest.mark.parametrize("kind", KINDS)
def test_a_self_signed_server_certificate_given_to_verify_is_accepted(
    self_signed_server: tuple[str, Path], kind: str
) -> None:
    url, cert = self_signed_server
    assert department_names(kind, base_url=url, token="t0ken", verify=str(cert)) == ["over-https"]
    with pytest.raises(ra.APIConnectionError, match="TLS certificate problem"):
        department_names(kind, base_url=url, token="t0ken")


@pytest.mark.parametrize("kind", KINDS)
def test_a_pinned_self_signed_certificate_still_needs_the_host_name(
    tmp_path: Path, kind: str
) -> None:
    cert, key = self_signed(tmp_path, ca_flag=False, host="control-plane.example.com")
    for url in serve_https(cert, key):
        with pytest.raises(ra.APIConnectionError, match="TLS certificate problem"):
            department_names(kind, base_url=url, token="t0ken", verify=str(cert))


@pytest.mark.parametrize("kind", KINDS)
def test_a_ca_signed_server_certificate_is_accepted_by_its_ca_or_itself(
    ca_signed_server: tuple[str, Path, Path], kind: str
) -> None:
    url, ca_path, leaf_only = ca_signed_server
    assert department_names(kind, base_url=url, token="t0ken", verify=str(ca_path)) == [
        "over-https"
    ]
    assert department_names(kind, base_url=url, token="t0ken", verify=ca_path) == [
        "over-https"
    ]  # PathLike
    assert department_names(kind, base_url=url, token="t0ken", verify=str(leaf_only)) == [
        "over-https"
    ]
    with pytest.raises(ra.APIConnectionError, match="TLS certificate problem"):
        department_names(kind, base_url=url, token="t0ken")


def test_the_fake_server_command_serves_https_with_tls(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("RUNAI_")}
    env.pop("SSL_CERT_FILE", None)
    env.pop("REQUESTS_CA_BUNDLE", None)
    child = subprocess.Popen(
        [sys.executable, "-m", "runai_admin", "fake-server", "--port", "0", "--tls"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert child.stdout is not None
        settings = {}
        for _ in range(4):
            name, value = child.stdout.readline().strip().removeprefix("export ").split("=", 1)
            settings[name] = value
        assert settings["RUNAI_BASE_URL"].startswith("https://")
        credentials = {
            "base_url": settings["RUNAI_BASE_URL"],
            "client_id": settings["RUNAI_CLIENT_ID"],
            "client_secret": settings["RUNAI_CLIENT_SECRET"],
        }
        assert department_names("sync", **credentials, verify=settings["SSL_CERT_FILE"])
        with pytest.raises(ra.APIConnectionError, match="TLS certificate problem"):
            department_names("sync", **credentials)
        child.send_signal(signal.SIGINT)
        assert child.wait(timeout=10) == 0
        assert not Path(settings["SSL_CERT_FILE"]).exists()  # removed as it stopped
    finally:
        child.kill()
