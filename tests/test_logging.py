"""The runai_admin logger: a DEBUG record per request, a WARNING per retry, nothing secret,
nothing shown unless logging is configured, and no callback per request while DEBUG is off."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap

from runai_admin import _core, _logging

from .conftest import resolve

LIST = "/api/v1/org-unit/projects"


def records(caplog, level: int) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "runai_admin" and r.levelno == level]


async def test_each_request_gets_a_debug_record(api, cp, caplog):
    caplog.set_level(logging.DEBUG, logger="runai_admin")
    await resolve(api.projects.list().to_list())

    debug = records(caplog, logging.DEBUG)
    token, listing = debug[0], debug[-1]
    assert (token.method, token.status, token.attempt) == ("POST", 200, 1)
    assert (listing.method, listing.path, listing.status) == ("GET", LIST, 200)
    assert listing.attempt == 1 and 0 < listing.millis < 10_000
    assert listing.getMessage().startswith(f"GET {LIST} -> 200 in ")
    assert listing.getMessage().endswith(" ms (attempt 1)")
    assert records(caplog, logging.WARNING) == []


async def test_each_retry_gets_a_warning_with_the_reason_and_the_wait(api, cp, caplog):
    caplog.set_level(logging.DEBUG, logger="runai_admin")
    await resolve(api.projects.list().to_list())  # signed in
    caplog.clear()
    cp.inject(LIST, method="GET", status=503, times=2, retry_after=0.05)
    await resolve(api.projects.list().to_list())

    (first, second) = records(caplog, logging.WARNING)
    assert first.getMessage() == f"GET {LIST}: HTTP 503 on attempt 1; retrying in 0.05 s"
    assert second.getMessage() == f"GET {LIST}: HTTP 503 on attempt 2; retrying in 0.05 s"
    assert first.retry_in == 0.05 and first.status == 503
    attempts = [(r.attempt, r.status) for r in records(caplog, logging.DEBUG)]
    assert attempts == [(1, 503), (2, 503), (3, 200)]


async def test_retries_are_logged_even_without_debug(api, cp, caplog):
    caplog.set_level(logging.WARNING, logger="runai_admin")
    cp.inject(LIST, method="GET", drop_connection=True, times=1)
    await resolve(api.projects.list().to_list())
    (warning,) = records(caplog, logging.WARNING)
    assert warning.failure in ("connection broken", "connection failed")
    assert "on attempt 1; retrying in" in warning.getMessage()
    assert records(caplog, logging.DEBUG) == []


async def test_no_secret_reaches_a_record(api, cp, caplog):
    caplog.set_level(logging.DEBUG, logger="runai_admin")
    cp.inject("/api/v1/token", method="POST", status=503, times=1, retry_after=0.01)
    await resolve(api.projects.list(search="hunter2-query-secret").to_list())
    seen = [(r.getMessage(), sorted(vars(r).items(), key=str)) for r in caplog.records]
    text = repr(seen)
    assert "/api/v1/token" in text  # the token request is logged ...
    for secret in (cp.client_secret, "hunter2-query-secret", "Bearer", "authorization"):
        assert secret not in text  # ... but not its body, a query or a header


def test_the_core_calls_back_per_request_only_while_debug_is_on(cp):
    calls: list[tuple] = []
    _core.set_request_observer(lambda *event: calls.append(event))
    logger = logging.getLogger("runai_admin")
    try:
        with cp.client() as client:
            logger.setLevel(logging.INFO)
            client.projects.list().to_list()
            assert calls == []
            logger.setLevel(logging.DEBUG)
            client.projects.list().to_list()
            assert [c[:3] for c in calls] == [("GET", LIST, 200)]
    finally:
        logger.setLevel(logging.NOTSET)
        _core.set_request_observer(_logging._report)
        _logging.sync_level()


def test_nothing_is_printed_unless_logging_is_configured(cp):
    script = textwrap.dedent(
        f"""
        import runai_admin as ra
        from runai_admin.testing import FakeControlPlane
        with FakeControlPlane() as cp, cp.client() as c:
            cp.inject("{LIST}", method="GET", status=503, times=1, retry_after=0.01)
            c.projects.list().to_list()
            print("done")
        """
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert (run.returncode, run.stdout, run.stderr) == (0, "done\n", "")

    configured = "import logging; logging.basicConfig(level=logging.DEBUG)\n" + script
    run = subprocess.run([sys.executable, "-c", configured], capture_output=True, text=True)
    assert f"DEBUG:runai_admin:GET {LIST} -> 503" in run.stderr
    assert f"WARNING:runai_admin:GET {LIST}: HTTP 503 on attempt 1" in run.stderr
