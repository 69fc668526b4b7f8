"""Ctrl-C stops a slow sync call at once (run in a child process that gets SIGINT).

A test run started in the background (`make test &`, `nohup`) ignores SIGINT, and its
children inherit that; every child here is started both ways, so the suite proves that the
children set the handler they rely on however it was started."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from typing import Any

import pytest

CHILD = textwrap.dedent(
    """
    import signal, sys, time
    from runai_admin.testing import FakeControlPlane
    # This child relies on Ctrl-C; a test run started in the background ignores SIGINT.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    with FakeControlPlane() as cp, cp.client() as client:
        client.clusters.get(cp.cluster_id)
        cp.inject("/api/v1/clusters", delay=30)
        print("waiting", flush=True)
        started = time.monotonic()
        try:
            client.clusters.list().to_list()
        except KeyboardInterrupt:
            print(f"interrupted after {time.monotonic() - started:.2f}", flush=True)
            sys.exit(0)
    sys.exit(3)
    """
)

#: How the test run itself may have been started: in a terminal, or as a background job.
SIGINT_AT_START = pytest.mark.parametrize("sigint", ["default", "ignored"])


@contextlib.contextmanager
def sigint_inherited(disposition: str) -> Iterator[None]:
    """Children started inside inherit SIGINT ignored when `disposition` is "ignored", as
    they do from a shell that runs the tests as a background job."""
    if disposition == "default":
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def start_child(sigint: str, args: list[str], **kwargs: Any) -> subprocess.Popen[str]:
    with sigint_inherited(sigint):
        return subprocess.Popen(args, text=True, **kwargs)


@pytest.mark.skipif(os.name != "posix", reason="SIGINT delivery to a child is POSIX")
@SIGINT_AT_START
def test_ctrl_c_interrupts_a_waiting_call(sigint: str) -> None:
    child = start_child(
        sigint, [sys.executable, "-c", CHILD], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "waiting"
        time.sleep(0.3)
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=10)
    finally:
        child.kill()
    assert child.returncode == 0, err
    seconds = float(out.split()[-1])
    assert seconds < 5, out
