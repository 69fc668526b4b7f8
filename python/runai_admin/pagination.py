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
    """What both pagers share: the request of each page and how a page ends the walk."""

    def __init__(
        self,
        fetch: Callable[..., Any],
        op: Operation,
        args: tuple,
        kwargs: dict,
        *,
        page_size: Optional[int] = None,
        max_items: Optional[int] = None,
        offset: Optional[int] = None,
    ) -> None:
        where = f"{op.namespace}.{op.name}()"
        if not op.paginated and (page_size is not None or offset is not None):
            raise TypeError(f"{where} is not paginated: it takes no page_size or offset")
        page_size = DEFAULT_PAGE_SIZE if page_size is None else page_size
        _check_int(where, "page_size", page_size, 1, MAX_PAGE_SIZE)
        if max_items is not None:
            _check_int(where, "max_items", max_items, 0, None)
        if offset is not None:
            _check_int(where, "offset", offset, 0, None)
        self._fetch = fetch
        self._op = op
        self._args = args
        self._kwargs = kwargs
        self._page_size = page_size
        self._max_items = max_items
        self._start = offset or 0

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._op.namespace}.{self._op.name}()>"

    def _limit(self, taken: int) -> int:
        """Items to ask for next: a page, or fewer when the cap is near."""
        if self._max_items is None:
            return self._page_size
        return min(self._page_size, self._max_items - taken)

    def _request(self, offset: int, limit: int) -> Any:
        if not self._op.paginated:
            return self._fetch(*self._args, **self._kwargs)
        return self._fetch(*self._args, **self._kwargs, offset=offset, limit=limit)

    def _to_page(self, body: Any, offset: int, limit: int) -> Page:
        items: Any = body
        for key in self._op.items_path:
            items = items.get(key) if isinstance(items, dict) else None
        page = Page(items or [])
        if self._op.paginated:
            announced = body.get("next") if isinstance(body, dict) else None
            if isinstance(announced, int) and announced > offset:
                page.next_offset = announced
            elif announced is None and len(page) >= limit:
                # No `next` from the server: a full page may still have a successor.
                page.next_offset = offset + len(page)
        return page

    def _keep(self, page: Page, taken: int) -> tuple[Page, Optional[int]]:
        """Trim a page to the cap; say where the walk goes on (None: it ends)."""
        if self._max_items is not None and taken + len(page) >= self._max_items:
            return Page(page[: self._max_items - taken]), None
        return page, page.next_offset


def _check_int(where: str, name: str, value: Any, low: int, high: Optional[int]) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{where}: {name} must be int, not {type(value).__name__}")
    if value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f">= {low}"
        raise ValueError(f"{where}: {name} must be {bounds}, not {value}")


class SyncPager(_PagerBase):
    """Iterate to walk every item; ``page()`` for one page; ``to_list()`` for all."""

    def page(self, offset: Optional[int] = None) -> Page:
        start = self._start if offset is None else offset
        limit = self._limit(0)
        return self._to_page(self._request(start, limit), start, limit)

    def pages(self) -> Iterator[Page]:
        offset: Optional[int] = self._start
        taken = 0
        while offset is not None and self._limit(taken) > 0:
            limit = self._limit(taken)
            page, offset = self._keep(
                self._to_page(self._request(offset, limit), offset, limit), taken
            )
            taken += len(page)
            yield page

    def __iter__(self) -> Iterator[Any]:
        for page in self.pages():
            yield from page

    def to_list(self) -> list:
        return list(self)


class AsyncPager(_PagerBase):
    """``async for`` walks every item; ``await pager`` or ``await pager.to_list()`` for all."""

    async def page(self, offset: Optional[int] = None) -> Page:
        start = self._start if offset is None else offset
        limit = self._limit(0)
        return self._to_page(await self._request(start, limit), start, limit)

    async def pages(self) -> AsyncIterator[Page]:
        offset: Optional[int] = self._start
        taken = 0
        while offset is not None and self._limit(taken) > 0:
            limit = self._limit(taken)
            body = await self._request(offset, limit)
            page, offset = self._keep(self._to_page(body, offset, limit), taken)
            taken += len(page)
            yield page

    async def _items(self) -> AsyncIterator[Any]:
        async for page in self.pages():
            for item in page:
                yield item

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._items()

    async def to_list(self) -> list:
        return [item async for item in self]

    def __await__(self) -> Generator[Any, None, list]:
        return self.to_list().__await__()
