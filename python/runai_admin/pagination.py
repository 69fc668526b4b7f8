"""Pagers: list methods return one, and iterating it fetches page after page lazily.

The pager options (``page_size``, ``max_items``, ``offset``) are checked and completed by
the compiled core, from the operation's catalogue entry, when the list method is called.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Generator, Iterator
from typing import TYPE_CHECKING, Any, Generic, List, Optional, TypeVar  # noqa: UP035

if TYPE_CHECKING:
    from ._base import BaseClient

__all__ = ["AsyncPager", "Page", "SyncPager"]

T = TypeVar("T")

#: The "page size" of a list that the operation returns whole, in one request.
_WHOLE = sys.maxsize


class Page(List[T]):  # noqa: UP006 (list[T] is not generic at run time on Python 3.9)
    """One page of items; ``next_offset`` is where the next page starts (None at the end)."""

    next_offset: Optional[int] = None


class _PagerBase(Generic[T]):
    """What both pagers share: the request of each page and how a page ends the walk."""

    def __init__(
        self,
        client: BaseClient,
        operation_id: str,
        where: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        page_size: Optional[int],
        max_items: Optional[int],
        offset: Optional[int],
        timeout: Optional[float],
        max_retries: Optional[int],
    ) -> None:
        core = client._core_client()
        self._page_size, self._max_items, self._start = core.page_options(
            operation_id, page_size, max_items, offset
        )
        # A mistake surfaces on the line that made it, not at the first page.
        core.check(operation_id, args, kwargs)
        self._client = client
        self._operation_id = operation_id
        self._where = where
        self._args = args
        self._kwargs = kwargs
        self._timeout = timeout
        self._max_retries = max_retries

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._where}()>"

    def _limit(self, taken: int) -> int:
        """Items to ask for next: a page, or fewer when the cap is near."""
        size = _WHOLE if self._page_size is None else self._page_size
        if self._max_items is None:
            return size
        return min(size, self._max_items - taken)

    def _send(self, offset: int, limit: int, method: str) -> Any:
        """Ask for one page; the core answers ``(items, next_offset)``, reading where the
        items are and where the next page starts from the operation's catalogue entry."""
        core = self._client._core_client()
        send = core.call_page if method == "call" else core.call_page_async
        return send(
            self._operation_id,
            self._args,
            self._kwargs,
            None if self._page_size is None else (offset, limit),
            timeout=self._timeout,
            max_retries=self._max_retries,
        )

    @staticmethod
    def _to_page(answer: tuple[list[Any], Optional[int]]) -> Page[T]:
        items, next_offset = answer
        page: Page[T] = Page(items)
        page.next_offset = next_offset
        return page

    def _keep(self, page: Page[T], taken: int) -> tuple[Page[T], Optional[int]]:
        """Trim a page to the cap; say where the walk goes on (None: it ends)."""
        if self._max_items is not None and taken + len(page) >= self._max_items:
            return Page(page[: self._max_items - taken]), None
        return page, page.next_offset


class SyncPager(_PagerBase[T]):
    """Iterate to walk every item; ``page()`` for one page; ``to_list()`` for all."""

    def page(self, offset: Optional[int] = None) -> Page[T]:
        start = self._start if offset is None else offset
        limit = self._limit(0)
        if limit == 0:  # max_items=0 asks for nothing
            return Page()
        return self._to_page(self._send(start, limit, "call"))

    def pages(self) -> Iterator[Page[T]]:
        offset: Optional[int] = self._start
        taken = 0
        while offset is not None and self._limit(taken) > 0:
            limit = self._limit(taken)
            page, offset = self._keep(self._to_page(self._send(offset, limit, "call")), taken)
            taken += len(page)
            yield page

    def __iter__(self) -> Iterator[T]:
        for page in self.pages():
            yield from page

    def to_list(self) -> list[T]:
        return list(self)


class AsyncPager(_PagerBase[T]):
    """``async for`` walks every item; ``await pager`` or ``await pager.to_list()`` for all."""

    async def page(self, offset: Optional[int] = None) -> Page[T]:
        start = self._start if offset is None else offset
        limit = self._limit(0)
        if limit == 0:  # max_items=0 asks for nothing
            return Page()
        return self._to_page(await self._send(start, limit, "call_async"))

    async def pages(self) -> AsyncIterator[Page[T]]:
        offset: Optional[int] = self._start
        taken = 0
        while offset is not None and self._limit(taken) > 0:
            limit = self._limit(taken)
            answer = await self._send(offset, limit, "call_async")
            page, offset = self._keep(self._to_page(answer), taken)
            taken += len(page)
            yield page

    async def _walk(self) -> AsyncIterator[T]:
        async for page in self.pages():
            for item in page:
                yield item

    def __aiter__(self) -> AsyncIterator[T]:
        return self._walk()

    async def to_list(self) -> list[T]:
        return [item async for item in self]

    def __await__(self) -> Generator[Any, None, list[T]]:
        return self.to_list().__await__()
