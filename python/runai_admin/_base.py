"""What the generated namespaces stand on: the client's state, the namespace base class
and the not-given marker. Settings and arguments are checked by the compiled core, so
that their rules and defaults live in one place."""

from __future__ import annotations

import os
import warnings
from typing import TYPE_CHECKING, Literal, Optional, Union

from . import _core
from .auth import ClientCredentials, CLIProfile
from .errors import ConfigurationError, ConfigurationWarning, InsecureTLSWarning

if TYPE_CHECKING:
    from .auth import Auth


def _cli_profile_fallback(base_url: Optional[str]) -> Optional[CLIProfile]:
    """The `runai login` session, when no credentials come from the environment, the CLI's
    config file exists, and it is of the control plane the client is for (its token is sent
    nowhere else). Otherwise None, and the core says what is missing."""
    if any(os.environ.get(name) for name in _core.CREDENTIAL_VARIABLES):
        return None
    config = CLIProfile._located()
    if not config.is_file():
        return None
    wanted = base_url or os.environ.get(_core.BASE_URL_VARIABLE)
    profile_url = CLIProfile._control_plane(config) or ""
    if wanted and _core.normalize_base_url(wanted) != _core.normalize_base_url(profile_url):
        return None
    return CLIProfile()


def _stored_login(base_url: Optional[str]) -> Optional[tuple[str, ClientCredentials, str]]:
    """The profile ``runai-admin login`` stored (its base URL, credentials and a repr note),
    on the same conditions as the `runai login` session, which it comes before: it was made
    for this package on purpose, the other is borrowed from another tool."""
    if any(os.environ.get(name) for name in _core.CREDENTIAL_VARIABLES):
        return None
    from . import _profile

    found = _profile.matching(base_url or os.environ.get(_core.BASE_URL_VARIABLE))
    if found is None:
        return None
    auth = ClientCredentials(found.client_id, found.client_secret)
    return found.base_url, auth, f" source=runai-admin-login:{found.path}"


__all__ = ["NOT_GIVEN", "BaseClient", "Namespace", "NotGiven"]


class NotGiven:
    """The default of a nullable field: leave it out of the request. ``None`` sends null."""

    __slots__ = ()
    _instance: Optional[NotGiven] = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __reduce__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN = NotGiven()


def _encoded_file(
    where: str, field: str, value: Union[bytes, str, os.PathLike[str], None]
) -> Optional[str]:
    """A file argument as the API takes it, base64-encoded: its bytes as given, or read
    from its path (a str is a path; the encoded text itself goes through ``body=``)."""
    if value is None:
        return None
    if isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
    elif isinstance(value, (str, os.PathLike)):
        with open(value, "rb") as file:
            data = file.read()
    else:
        raise TypeError(
            f"{where}(): {field} must be the file's bytes or its path (str or os.PathLike),"
            f" not {type(value).__name__}"
        )
    if not data:
        raise ValueError(f"{where}(): {field} is empty")
    import base64  # on use, not with the package: few operations take a file

    return base64.b64encode(data).decode("ascii")


class BaseClient:
    """The state both clients share: the compiled core client, until ``close()``."""

    def __init__(
        self,
        base_url: Optional[str] = None,
        client_id: Optional[str] = None,
        client_secret: Optional[str] = None,
        *,
        token: Optional[str] = None,
        auth: Optional[Auth] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        verify: Union[bool, str, os.PathLike[str], None] = None,
        proxy: Union[str, Literal[False], None] = None,
        allow_insecure_http: bool = False,
    ) -> None:
        """Settings left out come from ``RUNAI_BASE_URL``, ``RUNAI_CLIENT_ID``,
        ``RUNAI_CLIENT_SECRET`` and ``RUNAI_TOKEN``, then from the core's defaults:
        ``timeout`` 30 seconds for a whole call (retries included; for a download, for
        its answer and then for each chunk), ``max_retries`` 3,
        ``verify`` True: the system's trust store, so a company CA installed on the
        machine works. A path (``verify="ca.pem"``) adds the PEM file's certificates:
        CAs that sign the server's certificate, or the server's own self-signed
        certificate, accepted when the server presents exactly it (its host name and
        dates still checked). Without ``verify``, ``REQUESTS_CA_BUNDLE`` then
        ``SSL_CERT_FILE`` name that file when set. ``verify=False`` checks nothing and
        warns (:class:`InsecureTLSWarning`) once per client.
        With no credentials passed or in the environment, the profile ``runai-admin login``
        stored signs in, else the session of ``runai login``
        (:class:`runai_admin.auth.CLIProfile`), each only when it is of the same control
        plane; the repr then names its file.

        Credentials never go over plain ``http://`` to another machine: such a
        ``base_url`` raises :class:`ConfigurationError` before anything is sent, unless
        ``allow_insecure_http=True`` (a trusted network; it warns). ``http://`` to this
        machine (127.0.0.0/8, ``::1``, ``localhost``) needs no opt-in; the judge is the
        ``base_url``'s host, whatever proxy the requests cross.

        ``proxy`` (``"http://[user:password@]host:port"``, or ``https://``) sends every
        request through that proxy, this machine's included, and wins over the
        environment. Left out (``None``), the variables curl and ``requests`` read apply:
        ``https_proxy``/``HTTPS_PROXY`` for an ``https://`` base URL, ``http_proxy``/
        ``HTTP_PROXY`` for ``http://`` (then ``all_proxy``/``ALL_PROXY``), unless
        ``no_proxy``/``NO_PROXY`` names the host (domains cover their subdomains; IP
        addresses and CIDR networks; ``*``); this machine is always reached directly.
        ``proxy=False`` ignores the variables. The proxy's credentials never appear in a
        repr, a log or an error (shown as ``***@``); its failures raise
        :class:`ProxyError`. Redirects are not followed out of the base URL's origin, nor
        301/302/303 ones, and at most 10 in a row: :class:`RedirectError`."""
        # Set first: a traceback with locals shows this half-made client by its repr.
        self._core: Optional[_core.CoreClient] = None
        self._base_url, self._auth_kind = "(not configured)", "none"
        self._source = ""
        if auth is None and token is None and client_id is None and client_secret is None:
            stored = _stored_login(base_url)
            if stored is not None:
                base_url, auth, self._source = stored
            else:
                auth = _cli_profile_fallback(base_url)
        if isinstance(auth, CLIProfile):
            base_url = base_url or auth.base_url
            auth._fresh(
                timeout=timeout, verify=verify, proxy=proxy, allow_insecure_http=allow_insecure_http
            )
            self._source = f" source=runai-login:{auth.path}"
        try:
            self._core = _core.CoreClient(
                base_url=base_url,
                client_id=client_id,
                client_secret=client_secret,
                token=token,
                auth=auth,
                timeout=timeout,
                max_retries=max_retries,
                verify=verify,
                proxy=proxy,
                allow_insecure_http=allow_insecure_http,
            )
        except BaseException:
            # The traceback keeps this frame's locals, and `pytest --showlocals` or
            # `capture_locals=True` print them: the secrets leave the frame first (a
            # proxy URL may hold a password too).
            del client_secret, token, proxy
            raise
        for message in self._core.take_warnings():
            # The core words the verify=False warning so; it gets its own category, which
            # a test suite against a self-signed plane can silence alone.
            category = (
                InsecureTLSWarning if message.startswith("verify=False") else ConfigurationWarning
            )
            warnings.warn(message, category, stacklevel=3)
        self._base_url = self._core.base_url
        self._auth_kind = self._core.auth_kind
        if self._core.proxy is not None:
            self._source += f" proxy={self._core.proxy}"
        self._bind_namespaces()

    def _bind_namespaces(self) -> None:
        """Attach the namespaces (generated per client kind)."""

    @property
    def base_url(self) -> str:
        return self._base_url

    @property
    def token_requests(self) -> int:
        """How many token requests this client has sent."""
        return self._core_client().token_requests

    def _core_client(self) -> _core.CoreClient:
        if self._core is None:
            raise ConfigurationError("this client is closed")
        return self._core

    def close(self) -> None:
        """Release the connection pool. Calls after this raise ConfigurationError."""
        self._core = None

    @property
    def closed(self) -> bool:
        return self._core is None

    def __repr__(self) -> str:
        state = " closed" if self._core is None else ""
        return (
            f"<{type(self).__name__} {self._base_url} auth={self._auth_kind}{self._source}{state}>"
        )


class Namespace:
    """A group of operations of one client (``client.projects``)."""

    __slots__ = ("_client",)

    def __init__(self, client: BaseClient) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._client!r}>"
