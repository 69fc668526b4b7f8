"""The command-line tools on both clients: the administrator CLI's release archives and
their checksums, the researcher CLI's programs, installer scripts, install commands and
manual pages, and the researcher CLI's deprecated former paths, which warn and name
their replacement."""

from __future__ import annotations

import base64
import hashlib
import io
import re
import tarfile
from typing import Any

import pytest

import runai_admin as ra
from runai_admin.testing import FakeControlPlane

from .conftest import resolve


def crc32c(data: bytes) -> int:
    """CRC-32C (Castagnoli), written out here so that the fake's is checked by another."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def program_of(archive: bytes) -> str:
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        member = tar.getmember("runai-adm")
        assert member.isfile() and member.mode & 0o111, "an executable file"
        extracted = tar.extractfile(member)
        assert extracted is not None
        return extracted.read().decode()


async def test_admin_cli_releases_come_with_matching_checksums(api: Any) -> None:
    for system in ("linux", "darwin"):
        latest = await resolve(api.cli.admin_release(system))
        assert isinstance(latest, bytes)
        program = program_of(latest)
        found = re.search(r"runai-adm (v\d+\.\d+\.\d+) \((\w+)\)", program)
        assert found is not None and found.group(2) == system, program
        version = found.group(1)

        checksum = await resolve(api.cli.admin_release_checksum(system))
        assert checksum["md5Hash"] == base64.b64encode(hashlib.md5(latest).digest()).decode()
        assert checksum["crc32c"] == base64.b64encode(crc32c(latest).to_bytes(4, "big")).decode()
        assert version in checksum["description"]

        pinned = await resolve(api.cli.admin_release_by_version(version, system))
        assert pinned == latest
        pinned_sum = await resolve(api.cli.admin_release_by_version_checksum(version, system))
        assert pinned_sum == checksum

    older = await resolve(api.cli.admin_release_by_version("v2.19.0", "linux"))
    assert "v2.19.0" in program_of(older) and older != latest
    older_sum = await resolve(api.cli.admin_release_by_version_checksum("v2.19.0", "linux"))
    assert older_sum["md5Hash"] == base64.b64encode(hashlib.md5(older).digest()).decode()


async def test_unknown_admin_cli_releases_and_systems_are_refused(api: Any) -> None:
    with pytest.raises(ra.NotFoundError, match=r"v0\.0\.1"):
        await resolve(api.cli.admin_release_by_version("v0.0.1", "linux"))
    with pytest.raises(ra.NotFoundError):
        await resolve(api.cli.admin_release_by_version_checksum("v0.0.1", "darwin"))
    for call in (
        lambda: api.cli.admin_release("windows"),
        lambda: api.cli.admin_release_checksum("windows"),
    ):
        with pytest.raises(ra.BadRequestError, match="os"):
            await resolve(call())


async def test_researcher_cli_programs_per_system_and_architecture(api: Any) -> None:
    seen = set()
    for system in ("linux", "darwin", "windows"):
        for arch in ("amd64", "arm64"):
            program = await resolve(api.cli.binary(system, arch))
            assert isinstance(program, bytes) and len(program) == 256 * 1024
            assert await resolve(api.cli.binary(system, arch)) == program  # deterministic
            seen.add(hashlib.sha256(program).hexdigest())
    assert len(seen) == 6
    for system, arch in (("linux", "riscv64"), ("solaris", "amd64")):
        with pytest.raises(ra.NotFoundError, match=f"{system}/{arch}"):
            await resolve(api.cli.binary(system, arch))


async def test_installers_and_their_commands(api: Any, cp: FakeControlPlane) -> None:
    dist = f"{cp.url}/api/v1/cli-exposer/dist/"
    installers = (
        ("linux", "os=linux", api.cli.installer_linux, api.cli.installer_linux_commands),
        ("mac", "os=darwin", api.cli.installer_mac, api.cli.installer_mac_commands),
        ("unix", "os=$(uname", api.cli.installer_unix, api.cli.installer_unix_commands),
    )
    for name, system, installer, commands in installers:
        script = await resolve(installer())
        assert isinstance(script, str)
        assert script.startswith("#!/bin/sh\n") and system in script and dist in script
        command = await resolve(commands())
        assert command == {
            "command": f"curl -fsSL {cp.url}/api/v1/cli-exposer/installer/{name} | sh"
        }
    windows = await resolve(api.cli.installer_windows_commands())
    assert windows["command"].startswith("Invoke-WebRequest")
    assert dist + "windows" in windows["command"]


async def test_manual_documents(api: Any) -> None:
    page = await resolve(api.cli.manual_document("runai_login.md"))
    assert isinstance(page, str)
    assert page.startswith("<!DOCTYPE html>") and "<h1>runai login</h1>" in page
    with pytest.raises(ra.NotFoundError, match=r"nosuch\.md"):
        await resolve(api.cli.manual_document("nosuch.md"))


# The deprecated paths: each method, its replacement, its arguments, and how its answer
# relates to its replacement's (the same, or the same with the old path in the URLs it
# names).
DEPRECATED = [
    ("legacy_binary", "binary", ("linux", "arm64")),
    ("legacy_manual_document", "manual_document", ("runai.md",)),
    ("legacy_installer_linux", "installer_linux", ()),
    ("legacy_installer_linux_commands", "installer_linux_commands", ()),
    ("legacy_installer_mac", "installer_mac", ()),
    ("legacy_installer_mac_commands", "installer_mac_commands", ()),
    ("legacy_installer_unix", "installer_unix", ()),
    ("legacy_installer_unix_commands", "installer_unix_commands", ()),
    ("legacy_installer_windows_commands", "installer_windows_commands", ()),
]


@pytest.mark.parametrize(("old_name", "name", "args"), DEPRECATED, ids=[d[0] for d in DEPRECATED])
async def test_deprecated_paths_warn_and_answer_as_their_replacement(
    api: Any, old_name: str, name: str, args: tuple[str, ...]
) -> None:
    current = await resolve(getattr(api.cli, name)(*args))
    with pytest.warns(DeprecationWarning, match=rf"use cli\.{name}\(\) instead"):
        old = await resolve(getattr(api.cli, old_name)(*args))
    if isinstance(current, dict):
        current = {k: v.replace("/cli-exposer/", "/cli/") for k, v in current.items()}
    elif isinstance(current, str):
        current = current.replace("/cli-exposer/", "/cli/")
    assert old == current


def test_the_command_line_writes_files_as_they_are(
    monkeypatch: pytest.MonkeyPatch, cp: FakeControlPlane, capsysbinary: Any, tmp_path: Any
) -> None:
    from runai_admin.cli import main

    monkeypatch.setenv("RUNAI_BASE_URL", cp.url)
    monkeypatch.setenv("RUNAI_CLIENT_ID", cp.client_id)
    monkeypatch.setenv("RUNAI_CLIENT_SECRET", cp.client_secret)
    monkeypatch.delenv("RUNAI_TOKEN", raising=False)
    with cp.client() as client:
        program = client.cli.binary("darwin", "arm64")
    assert main(["cli", "binary", "darwin", "arm64"]) == 0
    assert capsysbinary.readouterr().out == program  # raw bytes, not a repr
    target = tmp_path / "runai"
    assert main(["cli", "binary", "darwin", "arm64", "--to", str(target)]) == 0
    assert capsysbinary.readouterr().out.decode().strip() == str(target)
    assert target.read_bytes() == program
