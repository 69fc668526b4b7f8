"""The clients: ``Client`` (blocking) and ``AsyncClient`` (asyncio), with the same
namespaces and methods, all built from the operation catalogue."""

from __future__ import annotations

import os
import warnings
from typing import Any, Callable, ClassVar, Optional, Union

from . import _core
from ._catalogue import Operation, by_namespace
from .auth import Auth
from .errors import ConfigurationError, ConfigurationWarning
from .pagination import AsyncPager, SyncPager

_CALL_OPTIONS = ("timeout", "max_retries")
_PAGER_OPTIONS = ("page_size", "max_items", "offset")


class Namespace:
    """A group of operations (``client.projects``); methods are added from the catalogue."""

    _namespace = ""

    def __init__(self, client: _BaseClient) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._client!r}>"

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(type(self).__dict__))


def _split_options(op: Operation, kwargs: dict, names: tuple[str, ...]) -> dict:
    """Take the client-side options out of the keywords, unless the operation owns the name."""
    owned = op.keyword_names
    return {name: kwargs.pop(name) for name in names if name in kwargs and name not in owned}


def _warn_deprecated(op: Operation) -> None:
    if op.deprecated:
        instead = f"; use {op.replacement}() instead" if op.replacement else ""
        warnings.warn(
            f"{op.namespace}.{op.name}() calls a deprecated operation ({op.id}){instead}",
            DeprecationWarning,
            stacklevel=3,
        )


def _list_method(op: Operation, pager: type, send_name: str) -> Callable[..., Any]:
    """A list method: checks its arguments at once, then returns a pager that sends
    through ``core.call`` or ``core.call_async`` page by page."""

    def method(self: Namespace, *args: Any, **kwargs: Any) -> Any:
        _warn_deprecated(op)
        if op.paginated and "limit" in kwargs:
            raise TypeError(
                f"{op.namespace}.{op.name}() pages by itself: pass page_size= (items per "
                "request) or max_items= (items in all) instead of limit="
            )
        options = _split_options(op, kwargs, _CALL_OPTIONS)
        pager_options = {k: kwargs.pop(k) for k in _PAGER_OPTIONS if k in kwargs}
        client = self._client
        client._core_client().check(op.id, args, kwargs)

        def fetch(*a: Any, **kw: Any) -> Any:
            return getattr(client._core_client(), send_name)(op.id, a, kw, **options)

        return pager(fetch, op, args, kwargs, **pager_options)

    return _describe(method, op, pager=True)


def _sync_method(op: Operation) -> Callable[..., Any]:
    if op.returns_list:
        return _list_method(op, SyncPager, "call")

    def method(self: Namespace, *args: Any, **kwargs: Any) -> Any:
        _warn_deprecated(op)
        options = _split_options(op, kwargs, _CALL_OPTIONS)
        return self._client._core_client().call(op.id, args, kwargs, **options)

    return _describe(method, op, pager=False)


def _async_method(op: Operation) -> Callable[..., Any]:
    if op.returns_list:
        return _list_method(op, AsyncPager, "call_async")

    async def coroutine(self: Namespace, *args: Any, **kwargs: Any) -> Any:
        _warn_deprecated(op)
        options = _split_options(op, kwargs, _CALL_OPTIONS)
        return await self._client._core_client().call_async(op.id, args, kwargs, **options)

    return _describe(coroutine, op, pager=False)


def _describe(method: Callable[..., Any], op: Operation, *, pager: bool) -> Callable[..., Any]:
    method.__name__ = op.name
    method.__qualname__ = f"{op.namespace}.{op.name}"
    method.__doc__ = op.doc()
    method.__signature__ = op.signature(pager=pager)  # type: ignore[attr-defined]
    return method


def _namespace_classes(make: Callable[[Operation], Callable[..., Any]], suffix: str) -> dict:
    classes = {}
    for namespace, ops in by_namespace().items():
        title = "".join(part.title() for part in namespace.replace(".", "_").split("_"))
        attrs: dict[str, Any] = {"_namespace": namespace}
        attrs.update({op.name: make(op) for op in ops})
        classes[namespace] = type(f"{title}{suffix}", (Namespace,), attrs)
    return classes


class _Group:
    """A namespace of namespaces (``client.legacy.clusters``)."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return f"<namespace {self._name}>"


class _BaseClient:
    _namespace_types: ClassVar[dict[str, type]] = {}

    def __init__(
        self,
        base_url: Optional[str] = None,
        client_id: Optional[str] = None,
        client_secret: Optional[str] = None,
        *,
        token: Optional[str] = None,
        auth: Optional[Auth] = None,
        timeout: float = 30.0,
        max_retries: int = 3,
        verify: Union[bool, str, os.PathLike] = True,
    ) -> None:
        if auth is not None and not isinstance(auth, Auth):
            raise TypeError(f"auth must be a runai_admin.auth object, not {type(auth).__name__}")
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
            raise TypeError(f"timeout must be a number of seconds, not {type(timeout).__name__}")
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise ValueError(f"max_retries must be an int >= 0, not {max_retries!r}")
        if not isinstance(verify, (bool, str, os.PathLike)):
            raise TypeError("verify must be a bool or the path of a CA bundle")
        self._core: Optional[_core.CoreClient] = _core.CoreClient(
            base_url=base_url,
            client_id=client_id,
            client_secret=client_secret,
            token=token,
            auth=auth._spec() if auth is not None else None,
            timeout=float(timeout),
            max_retries=max_retries,
            verify=os.fspath(verify) if not isinstance(verify, bool) else verify,
        )
        for message in self._core.take_warnings():
            warnings.warn(message, ConfigurationWarning, stacklevel=3)
        self._base_url = self._core.base_url
        self._auth_kind = self._core.auth_kind
        for namespace, cls in self._namespace_types.items():
            owner: Any = self
            *groups, leaf = namespace.split(".")
            for group in groups:
                if not hasattr(owner, group):
                    setattr(owner, group, _Group(group))
                owner = getattr(owner, group)
            setattr(owner, leaf, cls(self))

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
        return f"<{type(self).__name__} {self._base_url} auth={self._auth_kind}{state}>"


class Client(_BaseClient):
    """The blocking client. Use it as a context manager, or call ``close()``."""

    _namespace_types = _namespace_classes(_sync_method, "Namespace")

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncClient(_BaseClient):
    """The asyncio client: the same namespaces, every method awaitable, lists ``async for``."""

    _namespace_types = _namespace_classes(_async_method, "AsyncNamespace")

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()

    async def aclose(self) -> None:
        self.close()
