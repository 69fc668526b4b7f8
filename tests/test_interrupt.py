"""Ctrl-C stops a slow sync call at once (run in a child process that gets SIGINT)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

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


@pytest.mark.skipif(os.name != "posix", reason="SIGINT delivery to a child is POSIX")
def test_ctrl_c_interrupts_a_waiting_call():
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
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
