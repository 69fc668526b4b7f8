"""Signing in with the session `runai login` left (`ra.auth.CLIProfile`): read from a
temporary HOME holding a CLI profile of the fake control plane, on both clients; the
fallback of `Client()` with nothing else configured; the refresh of an expired session;
the clear errors naming the file; no token in any repr."""

from __future__ import annotations

import base64
import json
import os
import stat
import time
from pathlib import Path
from typing import Any, Optional

import pytest

import runai_admin as ra
from runai_admin.testing import FakeControlPlane

from .conftest import resolve

ADMIN_EMAIL, ADMIN_PASSWORD = "admin@example.com", "administrator"
KINDS = [ra.Client, ra.AsyncClient]


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty HOME, and none of the settings that would take precedence."""
    monkeypatch.setenv("HOME", str(tmp_path))
    # Nor the profile `runai-admin login` stores (under HOME's .config without this).
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    for name in list(os.environ):
        if name.startswith("RUNAI_"):
            monkeypatch.delenv(name)
    return tmp_path


def wrap(token: str) -> str:
    """A token as the CLI stores it: base64 of its text."""
    return base64.b64encode(token.encode()).decode()


def sign_in(cp: FakeControlPlane) -> dict[str, Any]:
    with cp.client() as client:
        return dict(
            client.tokens.grant(
                grant_type="password", username=ADMIN_EMAIL, password=ADMIN_PASSWORD
            )
        )


def write_profile(
    home: Path, url: str, cluster_id: str, access: str, refresh: Optional[str]
) -> Path:
    directory = home / ".runai"
    directory.mkdir(exist_ok=True)
    config = {
        "control_plane": {"url": url},
        "cluster": {"uuid": cluster_id},
        "authentication": {"file": "authentication.json"},
    }
    (directory / "config.json").write_text(json.dumps(config))
    tokens = {"accessToken": wrap(access)}
    if refresh is not None:
        tokens["refreshToken"] = wrap(refresh)
    auth_file = directory / "authentication.json"
    auth_file.write_text(json.dumps(tokens))
    return auth_file


def expired_jwt() -> str:
    """A token whose `exp` passed an hour ago (never sent: it is refused before)."""

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'HS256'})}.{part({'exp': int(time.time()) - 3600})}.c2ln"


async def works(client: Any, cp: FakeControlPlane) -> bool:
    cluster = await resolve(client.clusters.get(cp.cluster_id))
    return bool(cluster["uuid"] == cp.cluster_id)


@pytest.mark.parametrize("kind", KINDS, ids=["sync", "async"])
async def test_client_with_nothing_configured_uses_the_runai_login_session(
    kind: type, home: Path, cp: FakeControlPlane
) -> None:
    tokens = sign_in(cp)
    write_profile(home, cp.url, cp.cluster_id, tokens["accessToken"], tokens["refreshToken"])
    client = kind()
    assert client.base_url == cp.url
    shown = repr(client)
    assert f"source=runai-login:{home / '.runai' / 'config.json'}" in shown
    assert tokens["accessToken"] not in shown and tokens["refreshToken"] not in shown
    assert await works(client, cp)
    profile = ra.auth.CLIProfile()
    assert profile.cluster_id == cp.cluster_id and profile.base_url == cp.url
    for secret in (tokens["accessToken"], tokens["refreshToken"]):
        assert secret not in repr(profile) and wrap(secret) not in repr(profile)


@pytest.mark.parametrize("kind", KINDS, ids=["sync", "async"])
async def test_an_expired_session_is_refreshed_and_written_back(
    kind: type, home: Path, cp: FakeControlPlane
) -> None:
    cp.set_token_lifetime(5)  # within the minute ahead that counts as expired
    tokens = sign_in(cp)
    cp.set_token_lifetime(3600)
    auth_file = write_profile(
        home, cp.url, cp.cluster_id, tokens["accessToken"], tokens["refreshToken"]
    )
    cp.clear_requests()
    client = kind(auth=ra.auth.CLIProfile())
    refreshes = [r for r in cp.requests if r["path"] == "/api/v1/token"]
    assert len(refreshes) == 1 and b'"grantType":"refresh_token"' in refreshes[0]["body"]
    assert tokens["refreshToken"].encode() not in refreshes[0]["body"]  # recorded redacted
    assert await works(client, cp)
    stored = json.loads(auth_file.read_text())
    renewed = base64.b64decode(stored["accessToken"]).decode()
    assert renewed != tokens["accessToken"] and renewed.count(".") == 2
    assert stat.S_IMODE(auth_file.stat().st_mode) == 0o600
    # The written session is the current one: the next client needs no refresh.
    cp.clear_requests()
    assert await works(kind(), cp)
    assert not [r for r in cp.requests if r["path"] == "/api/v1/token"]


def test_a_missing_file_is_named(home: Path) -> None:
    with pytest.raises(ra.ConfigurationError, match=r"config\.json does not exist"):
        ra.auth.CLIProfile()
    (home / ".runai").mkdir()
    (home / ".runai" / "config.json").write_text(json.dumps({"control_plane": {"url": "x.ai"}}))
    with pytest.raises(ra.ConfigurationError) as caught:
        ra.auth.CLIProfile()
    assert str(home / ".runai" / "authentication.json") in str(caught.value)
    assert "runai login" in str(caught.value)


@pytest.mark.parametrize("kind", KINDS, ids=["sync", "async"])
def test_an_expired_session_without_refresh_token_is_a_clear_error(kind: type, home: Path) -> None:
    auth_file = write_profile(home, "https://acme.run.ai", "c1", expired_jwt(), None)
    with pytest.raises(ra.ConfigurationError, match="expired") as caught:
        kind()
    assert str(auth_file) in str(caught.value) and "runai login" in str(caught.value)
    with pytest.raises(ra.ConfigurationError, match="expired"):
        ra.auth.CLIProfile()


def test_a_refused_refresh_is_a_clear_error(home: Path, cp: FakeControlPlane) -> None:
    auth_file = write_profile(home, cp.url, cp.cluster_id, expired_jwt(), "not-a-grant")
    with pytest.raises(ra.ConfigurationError, match="refresh was refused") as caught:
        ra.Client()
    assert str(auth_file) in str(caught.value) and "not-a-grant" not in str(caught.value)


def test_environment_and_arguments_win_over_the_profile(
    home: Path, cp: FakeControlPlane, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_profile(home, "https://acme.run.ai", "c1", expired_jwt(), None)
    monkeypatch.setenv("RUNAI_BASE_URL", cp.url)
    monkeypatch.setenv("RUNAI_CLIENT_ID", cp.client_id)
    monkeypatch.setenv("RUNAI_CLIENT_SECRET", cp.client_secret)
    with ra.Client() as client:
        assert "source=" not in repr(client) and client.clusters.list().to_list()
    monkeypatch.delenv("RUNAI_CLIENT_ID")
    monkeypatch.delenv("RUNAI_CLIENT_SECRET")
    # Another control plane than the profile's: its token is not sent there.
    with pytest.raises(ra.ConfigurationError, match="no credentials"):
        ra.Client()
    with ra.Client(token="t") as client:
        assert "source=" not in repr(client)


def test_the_config_directory_and_file_follow_the_cli_variables(
    home: Path, cp: FakeControlPlane, monkeypatch: pytest.MonkeyPatch
) -> None:
    tokens = sign_in(cp)
    write_profile(home, cp.url, cp.cluster_id, tokens["accessToken"], None)
    moved = home / "elsewhere"
    (home / ".runai").rename(moved)
    (moved / "config.json").rename(moved / "work.json")
    monkeypatch.setenv("RUNAI_CLI_CONFIG_PATH", str(moved))
    monkeypatch.setenv("RUNAI_CLI_CONFIG_FILE", "work.json")
    with ra.Client() as client:
        assert str(moved / "work.json") in repr(client)
        assert client.clusters.get(cp.cluster_id)["uuid"] == cp.cluster_id
