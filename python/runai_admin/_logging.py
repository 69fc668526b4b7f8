"""The ``runai_admin`` logger: one DEBUG record per HTTP request and one WARNING per retry.

The compiled core reports its requests to ``_report`` (set once, at import). Retries are
always reported (they are rare and wait anyway); every request only while this logger is
enabled for DEBUG, which ``sync_level`` checks at each call, so a program that does not
log pays no GIL round trip per request. Records carry the method, the path without its
query, the status, the milliseconds and the attempt: never a header, a query or a body.
Nothing is shown until the program configures logging (a NullHandler stands in).

The logger and its NullHandler are set up at import when the program has imported
``logging`` already (a program that configures logging imports it first), else before the
first request or record: importing ``logging`` (with traceback, threading and string)
costs about 8 ms, which a program that never logs nor sends a request need not pay.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Optional

from . import _core

if TYPE_CHECKING:
    import logging

#: ``logging.DEBUG``, without importing logging to read it.
_DEBUG = 10

_logger: Optional[logging.Logger] = None
_every_attempt = False


def logger() -> logging.Logger:
    """The ``runai_admin`` logger, given its NullHandler the first time."""
    global _logger
    if _logger is None:
        import logging  # here, not at import: see the module's docstring

        _logger = logging.getLogger("runai_admin")
        _logger.addHandler(logging.NullHandler())
    return _logger


def sync_level() -> None:
    """Ask the core for every request while DEBUG records would go somewhere."""
    global _every_attempt
    wanted = logger().isEnabledFor(_DEBUG)
    if wanted is not _every_attempt:
        _every_attempt = wanted
        _core.report_every_attempt(wanted)


def _report(
    method: str,
    path: str,
    status: Optional[int],
    failure: Optional[str],
    millis: float,
    attempt: int,
    retry_in: Optional[float],
) -> None:
    outcome = str(status) if status is not None else failure or "no answer"
    fields = {
        "method": method,
        "path": path,
        "status": status,
        "failure": failure,
        "millis": round(millis, 3),
        "attempt": attempt,
        "retry_in": retry_in,
    }
    log = logger()
    if log.isEnabledFor(_DEBUG):
        log.debug(
            "%s %s -> %s in %.1f ms (attempt %d)",
            method,
            path,
            outcome,
            millis,
            attempt,
            extra=fields,
        )
    if retry_in is not None:
        reason = f"HTTP {status}" if status is not None else failure
        log.warning(
            "%s %s: %s on attempt %d; retrying in %.2f s",
            method,
            path,
            reason,
            attempt,
            retry_in,
            extra=fields,
        )


_core.set_request_observer(_report)
if "logging" in sys.modules:
    logger()
