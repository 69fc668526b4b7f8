"""Redirects on both clients. Only 307 and 308 within the base URL's origin are followed,
at most 10 in a row; any other redirect (another host, port or scheme, https to http
included, or a 301/302/303 that would turn the request into a GET) raises RedirectError
and sends nothing to where it points: neither the bearer token nor, on a token request,
the client secret in the body.

Two small servers on 127.0.0.1 play the parts: the first answers by a rule (a redirect,
or one page of departments), the second records whatever reaches it."""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable, Optional

import pytest
import trustme

import runai_admin as ra
from runai_admin.testing import FakeControlPlane

from .local_server import DEPARTMENTS_PAGE, LocalServer, Rule

KINDS = ["sync", "async"]
TOKEN = "redirect-canary-token"
DEPARTMENTS = "/api/v1/org-unit/departments"


@pytest.fixture
def servers() -> Iterator[Callable[..., LocalServer]]:
    made: list[LocalServer] = []

    def make(rule: Rule, tls: Optional[ssl.SSLContext] = None) -> LocalServer:
        made.append(LocalServer(rule, tls))
        return made[-1]

    yield make
    for s in made:
        s.close()


def recorder() -> Rule:
    return lambda method, path: (200, DEPARTMENTS_PAGE, {})


def always(status: int, location: str) -> Rule:
    return lambda method, path: (status, None, {"Location": location})


def department_names(kind: str, **settings: Any) -> list[str]:
    """List the departments with a new client of `kind` made with `settings`."""
    if kind == "sync":
        with ra.Client(**settings) as client:
            return [d["name"] for d in client.departments.list()]

    async def listed() -> list[str]:
        async with ra.AsyncClient(**settings) as client:
            return [d["name"] async for d in client.departments.list()]

    return asyncio.run(listed())


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("elsewhere", ["localhost", "127.0.0.1"])
@pytest.mark.parametrize("kind", KINDS)
def test_a_redirect_to_another_host_or_port_is_not_followed(
    servers: Callable[..., LocalServer], kind: str, elsewhere: str, status: int
) -> None:
    second = servers(recorder())
    target = f"http://{elsewhere}:{second.port}{DEPARTMENTS}?where=elsewhere"
    first = servers(always(status, target))
    with pytest.raises(ra.RedirectError) as caught:
        department_names(kind, base_url=first.url, token=TOKEN)
    err = caught.value
    assert isinstance(err, ra.APIStatusError) and err.status == status
    message = str(err)
    # Where it pointed (without its query), and why not.
    assert f"http://{elsewhere}:{second.port}{DEPARTMENTS}" in message
    assert "where=elsewhere" not in message
    assert "another host, port or scheme" in message
    assert TOKEN not in message and TOKEN not in repr(err)
    # The first server got the token (it is the base URL); the second got nothing at all.
    assert len(first.seen) == 1
    assert first.seen[0][2]["authorization"] == f"Bearer {TOKEN}"
    assert second.seen == []


@pytest.mark.parametrize("status", [302, 307])
@pytest.mark.parametrize("kind", KINDS)
def test_a_redirected_token_request_sends_the_secret_nowhere_else(
    cp: FakeControlPlane, servers: Callable[..., LocalServer], kind: str, status: int
) -> None:
    # The token request points at the fake's: a 307 would repeat the body with the
    # client secret there, which header stripping alone would not prevent.
    first = servers(always(status, cp.url + "/api/v1/token"))
    with pytest.raises(ra.RedirectError):
        department_names(
            kind, base_url=first.url, client_id=cp.client_id, client_secret=cp.client_secret
        )
    assert [(m, p) for m, p, _, _ in first.seen] == [("POST", "/api/v1/token")]
    assert cp.client_secret.encode() in first.seen[0][3]
    assert cp.requests == []


@pytest.fixture
def https_context(tmp_path: Path) -> tuple[ssl.SSLContext, str]:
    ca = trustme.CA()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    ca_path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_path))
    return context, str(ca_path)


@pytest.mark.parametrize("status", [307, 308])
@pytest.mark.parametrize("kind", KINDS)
def test_https_to_http_is_never_followed(
    servers: Callable[..., LocalServer],
    https_context: tuple[ssl.SSLContext, str],
    kind: str,
    status: int,
) -> None:
    context, ca_path = https_context
    plain = servers(recorder())
    first = servers(always(status, f"http://127.0.0.1:{plain.port}{DEPARTMENTS}"), tls=context)
    with pytest.raises(ra.RedirectError, match="another host, port or scheme"):
        department_names(kind, base_url=first.url, token=TOKEN, verify=ca_path)
    assert len(first.seen) == 1
    assert plain.seen == []


@pytest.mark.parametrize("status", [307, 308])
@pytest.mark.parametrize("kind", KINDS)
def test_307_and_308_within_the_origin_are_followed_with_the_token(
    servers: Callable[..., LocalServer], kind: str, status: int
) -> None:
    def moved(method: str, path: str) -> tuple[int, Any, dict[str, str]]:
        if path.startswith("/moved/"):
            return 200, DEPARTMENTS_PAGE, {}
        return status, None, {"Location": "/moved" + path}

    first = servers(moved)
    assert department_names(kind, base_url=first.url, token=TOKEN) == ["reached"]
    assert [p.split("?")[0] for _, p, _, _ in first.seen] == [DEPARTMENTS, "/moved" + DEPARTMENTS]
    # The same server: the token goes with the request, and the query too.
    assert all(h["authorization"] == f"Bearer {TOKEN}" for _, _, h, _ in first.seen)
    assert first.seen[1][1].split("?")[1] == first.seen[0][1].split("?")[1]


@pytest.mark.parametrize("status", [301, 302, 303])
@pytest.mark.parametrize("kind", KINDS)
def test_a_redirect_that_would_turn_the_request_into_a_get_is_not_followed(
    servers: Callable[..., LocalServer], kind: str, status: int
) -> None:
    first = servers(always(status, "/elsewhere"))
    with pytest.raises(ra.RedirectError, match="into a GET") as caught:
        department_names(kind, base_url=first.url, token=TOKEN)
    assert caught.value.status == status
    assert len(first.seen) == 1


@pytest.mark.parametrize("kind", KINDS)
def test_a_redirect_loop_ends_after_ten_in_a_typed_error(
    servers: Callable[..., LocalServer], kind: str
) -> None:
    first = servers(lambda method, path: (307, None, {"Location": path}))
    started = time.monotonic()
    with pytest.raises(ra.RedirectError, match="more than 10 redirects") as caught:
        department_names(kind, base_url=first.url, token=TOKEN, timeout=20)
    assert caught.value.status == 307
    # The first request and ten redirects; not retried, and at once.
    assert len(first.seen) == 11
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("kind", KINDS)
def test_a_redirect_without_a_location_is_an_error_too(
    servers: Callable[..., LocalServer], kind: str
) -> None:
    first = servers(lambda method, path: (302, None, {}))
    with pytest.raises(ra.RedirectError, match="without a usable Location"):
        department_names(kind, base_url=first.url, token=TOKEN)
