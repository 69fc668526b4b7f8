"""The clients: ``Client`` (blocking) and ``AsyncClient`` (asyncio), with the same
namespaces and methods (generated in ``_namespaces``)."""

from __future__ import annotations

from ._namespaces import _AsyncClientNamespaces, _ClientNamespaces

__all__ = ["AsyncClient", "Client"]


class Client(_ClientNamespaces):
    """The blocking client. Use it as a context manager, or call ``close()``."""

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncClient(_AsyncClientNamespaces):
    """The asyncio client: the same namespaces, every method awaitable, lists ``async for``."""

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()

    async def aclose(self) -> None:
        self.close()
