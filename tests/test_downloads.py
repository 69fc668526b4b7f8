"""Downloads, on both clients: operations whose answer is a file return ``bytes`` (binary)
or ``str`` (text), or with ``to=`` stream it into that file and return its ``Path``. The
file appears whole or not at all: a failed, stalled or interrupted download leaves no file
(and an existing one untouched). Retries happen only before the body starts. A large
download streams with bounded memory, in the client and in the fake alike."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

import runai_admin as ra
from runai_admin.testing import FakeControlPlane

from .conftest import paths, resolve
from .spec import catalogue

BINARY = "/api/v1/cli-exposer/dist/linux/amd64/runai"
SIZE = 256 * 1024  # the fake's researcher CLI program, by default


def test_the_catalogue_knows_each_result_by_its_media() -> None:
    """From the spec's success content types: JSON whenever offered (the metrics also offer
    CSV), text for text/*, bytes for the rest."""
    kinds = {op["id"]: (op["result"] or {}).get("kind") for op in catalogue()["operations"]}
    assert kinds["getAdminCLIRelease"] == "binary"  # application/x-tar
    assert kinds["getAdminCLIReleaseChecksum"] == "json"
    assert kinds["get_binary"] == kinds["downloadAuditLogs"] == "binary"  # octet-stream
    assert kinds["get_installer_linux"] == kinds["get_manual_document"] == "text"
    assert kinds["download_report_by_id"] == "text"  # text/csv
    assert kinds["get_project_metrics"] == kinds["get_installer_linux_commands"] == "json"
    assert kinds["upload_tenant_logo"] is None  # no content


def entries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


async def test_binary_as_bytes_and_text_as_str(api: Any, cp: FakeControlPlane) -> None:
    program = await resolve(api.cli.binary("linux", "amd64"))
    assert isinstance(program, bytes) and len(program) == SIZE
    assert paths(cp, BINARY)[-1]["status"] == 200
    script = await resolve(api.cli.installer_linux())
    assert isinstance(script, str) and script.startswith("#!/bin/sh")


async def test_to_streams_into_the_file_and_returns_its_path(api: Any, tmp_path: Path) -> None:
    program = await resolve(api.cli.binary("linux", "amd64"))
    written = await resolve(api.cli.binary("linux", "amd64", to=tmp_path / "runai"))
    assert isinstance(written, Path) and written == tmp_path / "runai"
    assert written.read_bytes() == program

    # A str names a path too; text is written as the exact bytes served.
    script = await resolve(api.cli.installer_linux())
    as_text = await resolve(api.cli.installer_linux(to=str(tmp_path / "install.sh")))
    assert as_text == tmp_path / "install.sh" and as_text.read_text() == script

    # An existing file is replaced, and nothing else is left in the folder.
    replaced = await resolve(api.cli.binary("linux", "arm64", to=tmp_path / "runai"))
    assert replaced.read_bytes() != program and len(replaced.read_bytes()) == SIZE
    assert entries(tmp_path) == ["install.sh", "runai"]


async def test_the_audit_log_downloads_as_bytes_or_into_a_file(
    api: Any, cp: FakeControlPlane, tmp_path: Path
) -> None:
    await resolve(api.logo.upload(logo=b"\x89PNG\r\n\x1a\n"))  # a change to log
    window = {"start": "2000-01-01T00:00:00Z", "end": "2100-01-01T00:00:00Z"}
    log = await resolve(api.audit_logs.download(**window))
    assert isinstance(log, bytes)
    rows = log.decode().splitlines()
    assert rows[0].startswith("id,timestamp,") and "/api/v1/logo" in rows[-1]
    written = await resolve(api.audit_logs.download(**window, to=tmp_path / "audit.csv"))
    assert written == tmp_path / "audit.csv" and written.read_bytes() == log


async def test_a_failed_download_leaves_no_file(
    api: Any, cp: FakeControlPlane, tmp_path: Path
) -> None:
    target = tmp_path / "runai"
    with pytest.raises(ra.NotFoundError):
        await resolve(api.cli.binary("linux", "riscv64", to=target))
    assert entries(tmp_path) == []

    # The body breaks off midway: an error, no retry (the body had started), no file.
    cp.inject(BINARY, cut_body_after=100_000)
    cp.clear_requests()
    with pytest.raises(ra.APIConnectionError, match="broke off"):
        await resolve(api.cli.binary("linux", "amd64", to=target, max_retries=3))
    assert entries(tmp_path) == []
    assert len(paths(cp, BINARY)) == 1

    # A file already there stays as it was.
    target.write_bytes(b"the old program")
    cp.inject(BINARY, cut_body_after=100_000)
    with pytest.raises(ra.APIConnectionError):
        await resolve(api.cli.binary("linux", "amd64", to=target))
    assert entries(tmp_path) == ["runai"] and target.read_bytes() == b"the old program"

    # Into memory, the same break is the same error.
    cp.inject(BINARY, cut_body_after=10)
    with pytest.raises(ra.APIConnectionError):
        await resolve(api.cli.binary("linux", "amd64"))


async def test_the_timeout_bounds_each_wait_not_the_whole_transfer(
    api: Any, cp: FakeControlPlane, tmp_path: Path
) -> None:
    # Slow to answer: the timeout bounds the wait for the head.
    cp.inject(BINARY, delay=2)
    with pytest.raises(ra.APITimeoutError):
        await resolve(api.cli.binary("linux", "amd64", to=tmp_path / "a", timeout=0.5))
    # A body that stalls after its first chunk: the timeout bounds the gap.
    cp.inject(BINARY, cut_body_after=65_536, delay=2)
    started = time.monotonic()
    with pytest.raises(ra.APITimeoutError):
        await resolve(api.cli.binary("linux", "amd64", to=tmp_path / "b", timeout=0.5))
    assert time.monotonic() - started < 1.8
    assert entries(tmp_path) == []


async def test_retries_happen_before_the_body_starts(
    api: Any, cp: FakeControlPlane, tmp_path: Path
) -> None:
    cp.inject(BINARY, status=503, times=2)
    cp.clear_requests()
    written = await resolve(api.cli.binary("linux", "amd64", to=tmp_path / "runai"))
    assert [r["status"] for r in paths(cp, BINARY)] == [503, 503, 200]
    assert len(written.read_bytes()) == SIZE


async def test_where_a_file_cannot_go_nothing_is_sent(
    api: Any, cp: FakeControlPlane, tmp_path: Path
) -> None:
    cp.clear_requests()
    with pytest.raises(IsADirectoryError) as folder:
        await resolve(api.cli.binary("linux", "amd64", to=tmp_path))
    assert folder.value.filename == str(tmp_path)
    with pytest.raises(FileNotFoundError):
        await resolve(api.cli.binary("linux", "amd64", to=tmp_path / "no" / "runai"))
    with pytest.raises(TypeError, match="to must be a path"):
        await resolve(api.cli.binary("linux", "amd64", to=42))
    assert paths(cp, BINARY) == [] and entries(tmp_path) == []


async def test_cancelling_an_async_download_removes_its_partial_file(
    cp: FakeControlPlane, tmp_path: Path
) -> None:
    cp.inject(BINARY, cut_body_after=65_536, delay=30)
    async with cp.async_client() as client:
        task = asyncio.ensure_future(client.cli.binary("linux", "amd64", to=tmp_path / "runai"))
        deadline = time.monotonic() + 10
        while not any(p.stat().st_size for p in tmp_path.iterdir()):
            assert time.monotonic() < deadline, "the download never started"
            await asyncio.sleep(0.01)
        assert entries(tmp_path)[0].endswith(".part")
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    deadline = time.monotonic() + 5
    while entries(tmp_path) and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    assert entries(tmp_path) == []


CTRL_C = textwrap.dedent(
    """
    import os, signal, sys
    from runai_admin.testing import FakeControlPlane
    signal.signal(signal.SIGINT, signal.default_int_handler)
    folder = sys.argv[1]
    with FakeControlPlane() as cp, cp.client() as client:
        cp.inject("/api/v1/cli-exposer/dist/**", cut_body_after=65536, delay=30)
        print("downloading", flush=True)
        try:
            client.cli.binary("linux", "amd64", to=os.path.join(folder, "runai"))
        except KeyboardInterrupt:
            print("left:", sorted(os.listdir(folder)), flush=True)
            sys.exit(0)
    sys.exit(3)
    """
)


@pytest.mark.skipif(os.name != "posix", reason="SIGINT delivery to a child is POSIX")
def test_ctrl_c_stops_a_download_and_removes_its_partial_file(tmp_path: Path) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", CTRL_C, str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "downloading"
        deadline = time.monotonic() + 20
        while not any(p.stat().st_size for p in tmp_path.iterdir()):
            assert time.monotonic() < deadline, "the download never started"
            time.sleep(0.01)
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=10)
    finally:
        child.kill()
    assert child.returncode == 0, err
    assert out.strip() == "left: []"


LARGE = textwrap.dedent(
    """
    import hashlib, resource, sys
    from pathlib import Path
    from runai_admin.testing import FakeControlPlane
    size, target = int(sys.argv[1]), Path(sys.argv[2])
    with FakeControlPlane(cli_binary_size=size) as cp, cp.client() as client:
        client.cli.installer_linux()  # the client, its pool and its runtime at work
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        written = client.cli.binary("linux", "amd64", to=target)
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux counts ru_maxrss in KiB, macOS in bytes.
    unit = 1 if sys.platform == "darwin" else 1024
    print((after - before) * unit, written.stat().st_size, flush=True)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="peak memory is read with resource")
def test_a_large_download_streams_with_bounded_memory(tmp_path: Path) -> None:
    size = 256 * 1024 * 1024
    target = tmp_path / "runai"
    done = subprocess.run(
        [sys.executable, "-c", LARGE, str(size), str(target)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    growth, written = (int(n) for n in done.stdout.split())
    assert written == size
    # The peak memory of the process that ran both the client and the fake grew by far
    # less than the file: neither held it whole.
    assert growth < 64 * 1024 * 1024, f"peak memory grew by {growth / 2**20:.1f} MiB"
    # The same bytes as a small program of the same system begins with: deterministic.
    with FakeControlPlane() as cp, cp.client() as client:
        small = client.cli.binary("linux", "amd64")
    with target.open("rb") as large:
        assert large.read(len(small)) == small
