"""Test against the embedded fake control plane: no Run:ai tenant needed.

    from runai_admin.testing import FakeControlPlane

    with FakeControlPlane() as cp, cp.client() as client:
        client.projects.create(name="p", cluster_id=cp.cluster_id,
                               resources=[{"gpu": {"deserved": 1}}])
        cp.inject("/api/v1/org-unit/projects", method="GET", status=503, retry_after=0)
        assert [p["name"] for p in client.projects.list()] == ["p"]   # retried

The fake is compiled into the package: a server in this process, on 127.0.0.1, with
real state, signed tokens, request bodies validated against the API's schemas, access
rules enforced, and faults on demand (:meth:`FakeControlPlane.inject`). It starts with one
cluster and its nodes and node pools, the default department, the predefined roles, one
application and an administrator user (``admin@example.com``, password
``administrator``). The pytest plugin of this package offers it as the
``fake_control_plane`` fixture (:mod:`runai_admin.pytest_plugin`); ``runai-admin
fake-server`` serves it from a shell.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable
from typing import Any, Optional, TypeVar, Union

from . import _core
from ._client import AsyncClient, Client

__all__ = ["FakeControlPlane"]

_AnyClient = TypeVar("_AnyClient", bound=Union[Client, AsyncClient])


class FakeControlPlane:
    """A fake Run:ai control plane on 127.0.0.1, with real state, real tokens and faults.

    Use it as a context manager (sync or async), or call :meth:`start` and :meth:`stop`.
    It starts one application (:attr:`client_id`/:attr:`client_secret`), one cluster
    (:attr:`cluster_id`) with its nodes, the ``default`` and ``h100`` node pools, and the
    default department.

    ``port`` is the port to listen on (0: any free one; :attr:`port` says which).
    ``token_lifetime`` is the lifetime in seconds of the tokens it issues (see also
    :meth:`set_token_lifetime`).

    ``cli_binary_size`` sets the size in bytes of the researcher CLI programs it serves
    (``cli.binary``; 256 KiB by default): deterministic bytes, made as they are sent, so
    that a test can download a large file without the fake holding it.

    ``projects_within_department_quota=True`` keeps a department's projects within its
    quota: a create or quota change that would make them together deserve more GPUs of a
    node pool than the department does is refused with 400 (``BadRequestError``), and so
    is lowering a department's quota below its projects'. The spec only recommends this
    and names no tenant setting for it, so it is off by default, as on a new tenant.
    ``tls=True`` serves HTTPS (``https://127.0.0.1:port``) with a certificate made at
    start for ``127.0.0.1`` and ``localhost``, signed by a CA made with it, whose PEM file
    is :attr:`ca_path`. Clients from :meth:`client` and :meth:`async_client` trust it
    (``verify=ca_path``); any other client refuses it unless told to trust it.

    ``record_limit`` bounds :attr:`requests` to the latest that many requests (10,000 by
    default; 0 records none), so that a fake serving load for days keeps its memory.
    """

    def __init__(
        self,
        *,
        port: int = 0,
        token_lifetime: Optional[float] = None,
        cli_binary_size: Optional[int] = None,
        projects_within_department_quota: bool = False,
        record_limit: Optional[int] = None,
        tls: bool = False,
    ) -> None:
        if record_limit is not None and (isinstance(record_limit, bool) or record_limit < 0):
            raise ValueError(f"record_limit must be a count of 0 or more, not {record_limit!r}")
        self._port = port
        self._projects_within_department_quota = projects_within_department_quota
        self._token_lifetime = token_lifetime
        self._cli_binary_size = cli_binary_size
        self._record_limit = record_limit
        self._tls = tls
        self._ca_path: Optional[str] = None
        self._server: Optional[_core.FakeServer] = None

    # Lifecycle -------------------------------------------------------------------------

    def start(self) -> FakeControlPlane:
        """Start serving (nothing happens when it already is); answers itself."""
        if self._server is None:
            self._server = _core.FakeServer(
                port=self._port,
                token_lifetime=self._token_lifetime,
                cli_binary_size=self._cli_binary_size,
                record_limit=self._record_limit,
                tls=self._tls,
            )
            ca_pem = self._server.ca_pem
            if ca_pem is not None:
                handle, self._ca_path = tempfile.mkstemp(prefix="runai-fake-ca-", suffix=".pem")
                with os.fdopen(handle, "w", encoding="ascii") as file:
                    file.write(ca_pem)
            if self._projects_within_department_quota:
                self._server.set_projects_within_department_quota(True)
        return self

    def stop(self) -> None:
        """Stop serving. Its state goes with it (a later :meth:`start` begins afresh), and
        so does the CA file of ``tls=True``."""
        if self._server is not None:
            self._server.stop()
            self._server = None
        if self._ca_path is not None:
            with contextlib.suppress(OSError):
                os.remove(self._ca_path)
            self._ca_path = None

    def __enter__(self) -> FakeControlPlane:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def __aenter__(self) -> FakeControlPlane:
        return self.start()

    async def __aexit__(self, *exc: object) -> None:
        self.stop()

    @property
    def _running(self) -> _core.FakeServer:
        if self._server is None:
            raise RuntimeError("the fake control plane is not running: use `with` or start()")
        return self._server

    # What a client needs ---------------------------------------------------------------

    @property
    def url(self) -> str:
        """Its address, a client's ``base_url``: ``http://127.0.0.1:PORT`` (``https://``
        with ``tls=True``)."""
        return self._running.url

    @property
    def port(self) -> int:
        """The port it listens on."""
        return self._running.port

    @property
    def ca_path(self) -> str:
        """The PEM file of the CA that signed the HTTPS certificate (``tls=True`` only):
        ``verify=cp.ca_path``, or ``SSL_CERT_FILE``/``REQUESTS_CA_BUNDLE``. Removed on
        ``stop()``."""
        if self._server is None:
            raise RuntimeError("the fake control plane is not running: use `with` or start()")
        if self._ca_path is None:
            raise RuntimeError("the fake control plane serves plain HTTP: start it with tls=True")
        return self._ca_path

    @property
    def client_id(self) -> str:
        """The client id of its built-in application, a system administrator."""
        return self._running.client_id

    @property
    def client_secret(self) -> str:
        """The client secret of its built-in application."""
        return self._running.client_secret

    @property
    def cluster_id(self) -> str:
        """The UUID of its cluster."""
        return self._running.cluster_id

    def _client_kwargs(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        kwargs.setdefault("base_url", self.url)
        if self._ca_path is not None:
            kwargs.setdefault("verify", self._ca_path)
        if "auth" not in kwargs and "token" not in kwargs:
            kwargs.setdefault("client_id", self.client_id)
            kwargs.setdefault("client_secret", self.client_secret)
        return kwargs

    def _make(self, factory: type[_AnyClient], kwargs: dict[str, Any]) -> _AnyClient:
        try:
            return factory(**self._client_kwargs(kwargs))
        except BaseException:
            # The traceback keeps the callers' locals, these keywords among them (and
            # `pytest --showlocals` prints them): the secrets leave first.
            kwargs.clear()
            raise

    def client(self, **kwargs: Any) -> Client:
        """A blocking client signed in to this control plane as its built-in application
        (keywords go to :class:`runai_admin.Client`: ``auth=`` or ``token=`` signs in
        otherwise, ``max_retries=0`` sees every fault)."""
        return self._make(Client, kwargs)

    def async_client(self, **kwargs: Any) -> AsyncClient:
        """An asyncio client signed in to this control plane, as :meth:`client`."""
        return self._make(AsyncClient, kwargs)

    # Inspection and faults -------------------------------------------------------------

    @property
    def requests(self) -> list[dict[str, Any]]:
        """The latest requests received (at most ``record_limit``), oldest first: method,
        path, query, headers, body, status."""
        return self._running.requests()

    def clear_requests(self) -> None:
        """Forget the requests received so far."""
        self._running.clear_requests()

    def inject(
        self,
        path_glob: str,
        method: Optional[str] = None,
        status: Optional[int] = None,
        times: int = 1,
        retry_after: Optional[float] = None,
        delay: Optional[float] = None,
        drop_connection: bool = False,
        body: Any = None,
        cut_body_after: Optional[int] = None,
        content_type: Optional[str] = None,
    ) -> None:
        """Queue a fault for the next ``times`` requests whose path matches ``path_glob``
        (``*`` within a segment, ``**`` across) and, if given, whose method is ``method``.

        ``cut_body_after``: answer, but close the connection once that many bytes of the
        body are sent (a download that breaks off); ``delay`` then stalls at the cut
        instead of before the answer.

        ``body`` is the answer's JSON, or ``bytes`` sent as they are (a proxy's HTML error
        page, JSON broken off midway) labelled ``content_type`` (``text/plain`` by
        default)."""
        self._running.inject(
            path_glob,
            method=method,
            status=status,
            times=times,
            retry_after=retry_after,
            delay=delay,
            drop_connection=drop_connection,
            body=body,
            cut_body_after=cut_body_after,
            content_type=content_type,
        )

    def add_users(self, emails: Iterable[str]) -> None:
        """Local users with these e-mails, as ``users.create`` makes them but without a
        request each: a fast path to a tenant with many users. A taken or repeated e-mail
        raises ValueError and adds none."""
        self._running.add_users(list(emails))

    def expire_tokens(self) -> None:
        """Make every token issued so far invalid: the next call with one gets 401."""
        self._running.expire_tokens()

    def set_token_lifetime(self, seconds: float) -> None:
        """Lifetime of the tokens issued from now on."""
        self._running.set_token_lifetime(seconds)

    def __repr__(self) -> str:
        where = self._server.url if self._server is not None else "stopped"
        return f"<FakeControlPlane {where}>"
