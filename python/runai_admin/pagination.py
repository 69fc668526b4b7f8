"""Pagers: list methods return one, and iterating it fetches page after page lazily."""

from __future__ import annotations

from collections.abc import AsyncIterator, Generator, Iterator
from typing import Any, Callable, Optional

from ._catalogue import Operation

#: The control plane's largest page.
MAX_PAGE_SIZE = 500
#: Items per request when the caller does not say: few round trips, bounded memory.
DEFAULT_PAGE_SIZE = 100


class Page(list):
    """One page of items; ``next_offset`` is where the next page starts (None at the end)."""

    next_offset: Optional[int] = None


class _PagerBase:
    def __init__(
        self,
        call: Callable[..., Any],
        op: Operation,
        args: tuple,
        kwargs: dict,
        *,
        page_size: Optional[int] = None,
        max_items: Optional[int] = None,
        offset: Optional[int] = None,
    ) -> None:
        if op.paginated:
            page_size = DEFAULT_PAGE_SIZE if page_size is None else page_size
            if not isinstance(page_size, int) or isinstance(page_size, bool):
                raise TypeError(f"{op.namespace}.{op.name}(): page_size must be int")
            if not 1 <= page_size <= MAX_PAGE_SIZE:
                raise ValueError(
                    f"{op.namespace}.{op.name}(): page_size must be between 1 and "
                    f"{MAX_PAGE_SIZE}, not {page_size}"
                )
        elif page_size is not None or offset is not None:
            raise TypeError(f"{op.namespace}.{op.name}() is not paginated: no page_size or offset")
        if max_items is not None and (not isinstance(max_items, int) or max_items < 0):
            raise ValueError(f"{op.namespace}.{op.name}(): max_items must be an int >= 0")
        self._call = call
        self._op = op
        self._args = args
        self._kwargs = kwargs
        self._page_size = page_size
        self._max_items = max_items
        self._start = offset or 0

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._op.namespace}.{self._op.name}()>"

    def _request_kwargs(self, offset: int) -> dict:
        if not self._op.paginated:
            return self._kwargs
        return {**self._kwargs, "offset": offset, "limit": self._page_size}

    def _to_page(self, body: Any, offset: int) -> Page:
        items: Any = body
        for key in self._op.items_path:
            items = items.get(key) if isinstance(items, dict) else None
        page = Page(items or [])
        if self._op.paginated:
            announced = body.get("next") if isinstance(body, dict) else None
            if isinstance(announced, int) and announced > offset:
                page.next_offset = announced
            elif len(page) == self._page_size and announced is None:
                # No `next` from the server: a full page may still have a successor.
                page.next_offset = offset + len(page)
        return page

    def _remaining(self, yielded: int) -> Optional[int]:
        return None if self._max_items is None else self._max_items - yielded


class SyncPager(_PagerBase):
    """Iterate to walk every item; ``page()`` for one page; ``to_list()`` for all."""

    def page(self, offset: Optional[int] = None) -> Page:
        start = self._start if offset is None else offset
        return self._to_page(self._call(*self._args, **self._request_kwargs(start)), start)

    def pages(self) -> Iterator[Page]:
        offset: Optional[int] = self._start
        while offset is not None:
            page = self.page(offset)
            yield page
            offset = page.next_offset

    def __iter__(self) -> Iterator[Any]:
        yielded = 0
        for page in self.pages():
            for item in page:
                if self._remaining(yielded) == 0:
                    return
                yield item
                yielded += 1
            if self._remaining(yielded) == 0:
                return

    def to_list(self) -> list:
        return list(self)


class AsyncPager(_PagerBase):
    """``async for`` walks every item; ``await pager`` or ``await pager.to_list()`` for all."""

    async def page(self, offset: Optional[int] = None) -> Page:
        start = self._start if offset is None else offset
        body = await self._call(*self._args, **self._request_kwargs(start))
        return self._to_page(body, start)

    async def pages(self) -> AsyncIterator[Page]:
        offset: Optional[int] = self._start
        while offset is not None:
            page = await self.page(offset)
            yield page
            offset = page.next_offset

    async def _items(self) -> AsyncIterator[Any]:
        yielded = 0
        async for page in self.pages():
            for item in page:
                if self._remaining(yielded) == 0:
                    return
                yield item
                yielded += 1
            if self._remaining(yielded) == 0:
                return

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._items()

    async def to_list(self) -> list:
        return [item async for item in self]

    def __await__(self) -> Generator[Any, None, list]:
        return self.to_list().__await__()
