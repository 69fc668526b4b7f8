"""Exceptions raised by runai_admin. Every one derives from :class:`RunaiError`.

- :class:`APIError` and its subclasses: a call that did not succeed.
  :class:`APIStatusError` when the control plane answered with an error status (one
  subclass per common status: :class:`NotFoundError` for 404, ...),
  :class:`APIConnectionError` when no answer came (:class:`APITimeoutError` when the
  call's time ran out), :class:`APIDecodeError` when a success cannot be read.
- :class:`ConfigurationError`: settings that cannot work, raised before anything is sent.
- :class:`ConfigurationWarning` and :class:`InsecureTLSWarning`: warnings, not errors.

Wrong or unknown arguments of a method raise ``TypeError`` or ``ValueError`` naming the
argument, before anything is sent. Messages, reprs and attributes never carry a token, a
client secret or a password.

    try:
        client.projects.get(project_id)
    except ra.NotFoundError:
        ...                                  # it is gone
    except ra.APIStatusError as e:
        print(e.status, e.code, e.message)   # any other error answer
"""

from __future__ import annotations

from typing import Any, Optional

__all__ = [
    "APIConnectionError",
    "APIDecodeError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "CertificateError",
    "ConfigurationError",
    "ConfigurationWarning",
    "ConflictError",
    "InsecureTLSWarning",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "ProxyError",
    "RateLimitError",
    "RedirectError",
    "RunaiError",
    "UnprocessableEntityError",
]


class RunaiError(Exception):
    """Base of every error runai_admin raises (not of ``TypeError``/``ValueError`` for a
    wrong argument, nor of the ``ImportError`` that names a missing optional extra)."""


class ConfigurationError(RunaiError):
    """Settings that cannot work: no base URL, missing credentials, an unreadable CA
    bundle, plain ``http://`` to another machine without ``allow_insecure_http=True``, a
    missing or expired ``runai login`` session, a call on a closed client."""


class ConfigurationWarning(UserWarning):
    """Settings that work but deserve a look: a trimmed base URL, ``verify=False``."""


class InsecureTLSWarning(ConfigurationWarning):
    """``verify=False``: the server's certificate is not checked, so anyone on the path
    could pose as the control plane. Given once per client, when it is made; silence it
    with ``warnings.filterwarnings("ignore", category=InsecureTLSWarning)``."""


class APIError(RunaiError):
    """A call that did not succeed.

    ``str(error)`` reads ``404 project p-1 not found (GET https://...)``: the status,
    the message, the details when there are any, and the request.
    """

    status: Optional[int] = None
    """The HTTP status of the answer; ``None`` when no answer came."""
    message: str
    """The control plane's ``message`` (or OAuth2's ``error_description``); else the
    status's reason phrase, or what went wrong with the connection."""
    code: Optional[Any]
    """The control plane's error ``code`` (or OAuth2's ``error``), when it sent one."""
    details: Optional[Any]
    """The control plane's error ``details``, when it sent any."""
    method: Optional[str]
    """The request's HTTP method."""
    url: Optional[str]
    """The request's URL."""
    body: Optional[Any]
    """The whole error body: decoded JSON, or text (an HTML page from a proxy, say)."""

    def __init__(
        self,
        message: str,
        *,
        status: Optional[int] = None,
        code: Optional[Any] = None,
        details: Optional[Any] = None,
        method: Optional[str] = None,
        url: Optional[str] = None,
        body: Optional[Any] = None,
    ) -> None:
        self.message = message
        if status is not None:
            self.status = status
        self.code = code
        self.details = details
        self.method = method
        self.url = url
        self.body = body
        super().__init__(self._text())

    def _text(self) -> str:
        where = f" ({self.method} {self.url})" if self.method and self.url else ""
        prefix = f"{self.status} " if self.status else ""
        detail = f": {self.details}" if self.details else ""
        return f"{prefix}{self.message}{detail}{where}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status!r}, message={self.message!r})"


class APIStatusError(APIError):
    """The control plane answered with an error status. Statuses with a class of their own
    raise that class; any other (405, 501, ...) raises this one."""


class BadRequestError(APIStatusError):
    """HTTP 400: the control plane refused the request's content (``details`` often
    names the field)."""

    status = 400


class AuthenticationError(APIStatusError):
    """HTTP 401: the credentials were refused. A token the control plane no longer takes
    is renewed once first (where the credentials allow) before this is raised."""

    status = 401


class PermissionDeniedError(APIStatusError):
    """HTTP 403: signed in, but no access rule allows this action in this scope."""

    status = 403


class NotFoundError(APIStatusError):
    """HTTP 404: no such object (or no such path on this control plane)."""

    status = 404


class ConflictError(APIStatusError):
    """HTTP 409: the change clashes with what exists (a name already taken, say)."""

    status = 409


class UnprocessableEntityError(APIStatusError):
    """HTTP 422: the request is well formed but cannot be carried out."""

    status = 422


class RateLimitError(APIStatusError):
    """HTTP 429: too many requests. Idempotent calls are retried first, honouring
    ``Retry-After``; this is raised when the retries run out."""

    status = 429


class InternalServerError(APIStatusError):
    """Any 5xx answer. Idempotent calls are retried first on 502, 503 and 504."""


class APIConnectionError(APIError):
    """No HTTP answer: the host could not be reached, the connection broke, or the
    server's TLS certificate was refused (the message says so, and what to pass as
    ``verify=``). ``status`` is ``None``."""

    def __init__(self, message: str, method: Optional[str] = None, url: Optional[str] = None):
        super().__init__(message, method=method, url=url)


class APITimeoutError(APIConnectionError):
    """The call's time budget (``timeout=``, retries included) ran out before an answer
    came."""


class CertificateError(APIConnectionError):
    """The server's TLS certificate is not trusted here (``verify=`` says what is); trying
    again changes nothing, so it is not retried."""


class ProxyError(APIConnectionError):
    """The proxy (``proxy=`` or ``HTTPS_PROXY``/``HTTP_PROXY``) could not be reached, would
    not open the way to the control plane, or asked for credentials (407). The message
    names the proxy without its credentials."""


class RedirectError(APIStatusError):
    """The control plane answered with a redirect the client does not follow: to another
    host, port or scheme (the credentials stay with the base URL), one that would turn the
    request into a GET (301, 302, 303), or past 10 redirects in a row (a loop).
    ``status`` is the redirect's status."""

    def __init__(
        self, status: int, message: str, method: Optional[str] = None, url: Optional[str] = None
    ) -> None:
        super().__init__(message, status=status, method=method, url=url)


#: The class of a connection failure, by the kind the core judged from the error's type.
_BY_CONNECTION_KIND: dict[str, type[APIConnectionError]] = {
    "network": APIConnectionError,
    "certificate": CertificateError,
    "proxy": ProxyError,
    "proxy_authentication": ProxyError,
}


def _connection_error(kind: str, message: str, method: str, url: str) -> APIConnectionError:
    """Build the exception for a failure without an answer (called by the Rust core)."""
    return _BY_CONNECTION_KIND.get(kind, APIConnectionError)(message, method, url)


class APIDecodeError(APIError):
    """A successful answer whose body is not what the operation promises (not JSON, or a
    token answer without a token). ``url`` is the address that answered."""

    def __init__(self, message: str, method: Optional[str] = None, url: Optional[str] = None):
        super().__init__(message, method=method, url=url)


#: The classes of their own, by status: each direct subclass of APIStatusError names one.
_BY_STATUS: dict[int, type[APIStatusError]] = {
    cls.status: cls for cls in APIStatusError.__subclasses__() if cls.status is not None
}


def error_class(status: int) -> type[APIStatusError]:
    """The class an error status raises: its own, InternalServerError for 5xx, else
    APIStatusError."""
    return _BY_STATUS.get(status) or (InternalServerError if status >= 500 else APIStatusError)


_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


#: The most of a body that is not the control plane's JSON that a message shows.
_EXCERPT = 200


def _excerpt(text: str) -> str:
    """A short, readable excerpt of an error body that is not JSON: a proxy's or load
    balancer's HTML page shows its title (else its text without markup), not the page."""
    text = text.strip()
    if text.startswith("<"):
        # On use, not with the package: html's entity table alone costs 2 ms.
        import html
        import re

        title = re.search(r"<title[^>]*>(.*?)</title>", text, re.IGNORECASE | re.DOTALL)
        if title and title.group(1).strip():
            text = html.unescape(title.group(1))
        else:
            text = re.sub(r"(?is)<(script|style)\b.*?</\1\s*>", " ", text)
            text = html.unescape(re.sub(r"<[^>]*>", " ", text))
    text = " ".join(text.split())
    return text if len(text) <= _EXCERPT else text[: _EXCERPT - 3] + "..."


def _from_response(status: int, method: str, url: str, raw: bytes) -> APIError:
    """Build the exception for an error answer (called by the Rust core)."""
    import json  # on the first error answer, not with the package

    cls = error_class(status)
    body: Any
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        body = raw.decode("utf-8", "replace")
    code = message = details = None
    if isinstance(body, dict):
        # The control plane's {code, message, details}, or OAuth2's {error, error_description}.
        code = body.get("code", body.get("error"))
        message = body.get("message") or body.get("error_description")
        details = body.get("details")
    elif isinstance(body, str) and body.strip():
        message = _excerpt(body)
    return cls(
        str(message or _REASONS.get(status, "error")),
        status=status,
        code=code,
        details=details,
        method=method,
        url=url,
        body=body,
    )
