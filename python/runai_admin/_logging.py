"""The ``runai_admin`` logger: one DEBUG record per HTTP request and one WARNING per retry.

The compiled core reports its requests to ``_report`` (set once, at import). Retries are
always reported (they are rare and wait anyway); every request only while this logger is
enabled for DEBUG, which ``sync_level`` checks at each call, so a program that does not
log pays no GIL round trip per request. Records carry the method, the path without its
query, the status, the milliseconds and the attempt: never a header, a query or a body.
Nothing is shown until the program configures logging (a NullHandler stands in).
"""

from __future__ import annotations

import logging
from typing import Optional

from . import _core

logger = logging.getLogger("runai_admin")
logger.addHandler(logging.NullHandler())

_every_attempt = False


def sync_level() -> None:
    """Ask the core for every request while DEBUG records would go somewhere."""
    global _every_attempt
    wanted = logger.isEnabledFor(logging.DEBUG)
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
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug(
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
        logger.warning(
            "%s %s: %s on attempt %d; retrying in %.2f s",
            method,
            path,
            reason,
            attempt,
            retry_in,
            extra=fields,
        )


_core.set_request_observer(_report)
