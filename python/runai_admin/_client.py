"""The clients: ``Client`` (blocking) and ``AsyncClient`` (asyncio), with the same
namespaces and methods (generated in ``_namespaces``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import _core, _logging
from ._base import BaseClient
from ._namespaces import _AsyncClientNamespaces, _ClientNamespaces

if TYPE_CHECKING:
    from .org.namespace import AsyncOrgNamespace, OrgNamespace

__all__ = ["AsyncClient", "Client"]


def _with_logging_level(client: BaseClient) -> _core.CoreClient:
    """The core of a client about to send, after telling the core whether to report every
    request (the logger may have been configured since the last call)."""
    _logging.sync_level()
    core = client._core
    return BaseClient._core_client(client) if core is None else core


class Client(_ClientNamespaces):
    """The blocking client. Use it as a context manager, or call ``close()``.

    Its calls also work inside a running event loop (a notebook's): they wait on the
    compiled core's own runtime, with the GIL released, and never on the caller's loop."""

    def _core_client(self) -> _core.CoreClient:
        return _with_logging_level(self)

    @property
    def org(self) -> OrgNamespace:
        """Declarative organisation sync: ``plan``, ``apply`` and ``export``."""
        from .org.namespace import OrgNamespace

        return OrgNamespace(self)

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncClient(_AsyncClientNamespaces):
    """The asyncio client: the same namespaces, every method awaitable, lists ``async for``."""

    def _core_client(self) -> _core.CoreClient:
        return _with_logging_level(self)

    @property
    def org(self) -> AsyncOrgNamespace:
        """Declarative organisation sync: ``plan``, ``apply`` and ``export``."""
        from .org.namespace import AsyncOrgNamespace

        return AsyncOrgNamespace(self)

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()

    async def aclose(self) -> None:
        self.close()
