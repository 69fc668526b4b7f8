"""Shared fixtures: a fresh fake control plane per test, and one client of each kind.

Most API tests are written once and run against both clients: the `api` fixture is a
sync or an async client, and `resolve`/`collect` await what needs awaiting.

Tests marked `read_only` change nothing and need nothing of the fake but the API, so
they also run against a real tenant when `RUNAI_LIVE_BASE_URL` and its credentials
(`RUNAI_LIVE_CLIENT_ID` and `RUNAI_LIVE_CLIENT_SECRET`, or `RUNAI_LIVE_TOKEN`) are set:
that is how anyone with a tenant checks the fake against the real thing.
"""

from __future__ import annotations

import inspect
import json
import os
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

import runai_admin as ra
from runai_admin.testing import FakeControlPlane


@pytest.fixture
def cp() -> Iterator[FakeControlPlane]:
    with FakeControlPlane() as plane:
        yield plane


@pytest.fixture
def client(cp: FakeControlPlane) -> Iterator[ra.Client]:
    with cp.client() as c:
        yield c


@pytest.fixture
async def aclient(cp: FakeControlPlane) -> AsyncIterator[ra.AsyncClient]:
    async with cp.async_client() as c:
        yield c


LIVE_KINDS = ("live-sync", "live-async")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "read_only: changes nothing; also runs on a real tenant (RUNAI_LIVE_*)"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "api" in metafunc.fixturenames:
        kinds = ["sync", "async"]
        if metafunc.definition.get_closest_marker("read_only"):
            kinds += LIVE_KINDS
        metafunc.parametrize("api", kinds, indirect=True)


def live_client(kind: str) -> Any:
    """A client of the tenant named by the RUNAI_LIVE_* variables, or a skip. Its
    credentials are passed explicitly, so that none of the RUNAI_* settings of another
    tenant can travel to this one."""
    env = os.environ
    url, token = env.get("RUNAI_LIVE_BASE_URL"), env.get("RUNAI_LIVE_TOKEN")
    client_id, secret = env.get("RUNAI_LIVE_CLIENT_ID"), env.get("RUNAI_LIVE_CLIENT_SECRET")
    if not url or not (token or (client_id and secret)):
        pytest.skip(
            "no tenant: set RUNAI_LIVE_BASE_URL with RUNAI_LIVE_TOKEN, or with "
            "RUNAI_LIVE_CLIENT_ID and RUNAI_LIVE_CLIENT_SECRET, to run on one"
        )
    factory = ra.Client if kind == "live-sync" else ra.AsyncClient
    if token:
        return factory(base_url=url, token=token)
    return factory(base_url=url, client_id=client_id, client_secret=secret)


@pytest.fixture
def api(request: pytest.FixtureRequest) -> Iterator[Any]:
    """A sync or async client of a fresh fake control plane, or of a real tenant."""
    if request.param in LIVE_KINDS:
        c = live_client(request.param)
    else:
        cp: FakeControlPlane = request.getfixturevalue("cp")
        c = cp.client() if request.param == "sync" else cp.async_client()
    yield c
    c.close()


async def resolve(value: Any) -> Any:
    """The result of a sync call as is; the result of an async call awaited."""
    return await value if inspect.isawaitable(value) else value


async def collect(pager: Any) -> list:
    """Every item of a sync or async pager."""
    if isinstance(pager, ra.AsyncPager):
        return await pager.to_list()
    return pager.to_list()


def resources(gpus: float) -> list[dict]:
    return [{"gpu": {"deserved": gpus}}]


def paths(cp: FakeControlPlane, path: str, method: str | None = None) -> list[dict]:
    """The requests the fake received on one path (and method)."""
    return [
        r for r in cp.requests if r["path"] == path and (method is None or r["method"] == method)
    ]


def raw_request(url: str, payload: dict | None = None, token: str | None = None):
    """A request made without runai_admin, to see the fake as any HTTP client does.
    Returns (status, decoded JSON body)."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as err:
        return err.code, json.load(err)


def raw_token(cp: FakeControlPlane) -> str:
    """A token from the fake's v1 endpoint, obtained without runai_admin."""
    status, answer = raw_request(
        cp.url + "/api/v1/token",
        {
            "grantType": "client_credentials",
            "clientID": cp.client_id,
            "clientSecret": cp.client_secret,
        },
    )
    assert status == 200, answer
    return answer["accessToken"]
