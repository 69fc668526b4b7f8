"""Pagers: list methods return one, and iterating it fetches page after page lazily.

The pager options (``page_size``, ``max_items``, ``offset``) are checked and completed by
the compiled core, from the operation's catalogue entry, when the list method is called.

In a notebook a pager shows as a table of its first rows (one small request, plus the
count request when the operation has one); IPython's terminal shows the same as text, and
``show()`` prints it anywhere. ``repr()`` never sends anything: debuggers, logs and
tracebacks call it. ``progress=True`` on ``to_list``, ``pages``, ``iter`` and
``to_pandas`` shows a tqdm bar.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Generator, Iterator
from typing import TYPE_CHECKING, Any, Generic, List, Optional, TypeVar  # noqa: UP035

from . import display
from .errors import APIError

if TYPE_CHECKING:
    from ._base import BaseClient
    from .frames import DataFrame
    from .progress import Bar

__all__ = ["AsyncPager", "Items", "Page", "SyncPager"]

T = TypeVar("T")

#: The "page size" of a list that the operation returns whole, in one request.
_WHOLE = sys.maxsize


class Items(List[T]):  # noqa: UP006 (list[T] is not generic at run time on Python 3.9)
    """A list of results (what ``to_list()`` returns): a plain list that also shows as a
    table in notebooks and IPython and turns into a DataFrame."""

    #: The display preset (``projects``), from the method that listed them.
    kind: str = ""

    def _note(self) -> str:
        return display.preview_note(min(len(self), display.PREVIEW_ROWS), len(self), False)

    def _repr_html_(self) -> str:
        return display.html_table(self[: display.PREVIEW_ROWS], self.kind, self._note())

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text("[...]" if cycle else self._text())

    def _text(self) -> str:
        rows = self[: display.PREVIEW_ROWS]
        return f"{display.table(rows, kind=self.kind)}\n({self._note()})"

    def show(self) -> None:
        """Print the first rows as a text table (for the plain REPL and scripts)."""
        print(self._text())

    def to_pandas(self) -> DataFrame:
        """A DataFrame: nested fields as dotted columns, timestamps as datetimes."""
        from .frames import items_frame

        return items_frame(list(self))


class Page(Items[T]):
    """One page of items; ``next_offset`` is where the next page starts (None at the end)."""

    next_offset: Optional[int] = None

    def _note(self) -> str:
        shown = min(len(self), display.PREVIEW_ROWS)
        more = self.next_offset is not None
        return display.preview_note(shown, None if more else len(self), more)


def _items(values: list[T], kind: str) -> Items[T]:
    items: Items[T] = Items(values)
    items.kind = kind
    return items


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
        count: Optional[tuple[str, tuple[str, ...]]] = None,
    ) -> None:
        """``count`` names the operation that counts this list and the keywords it shares
        with it: it gives progress bars their total and previews their "of N"."""
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
        self._count = count

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._where}()>"

    @property
    def _kind(self) -> str:
        return display.kind_of(self._where)

    def _count_call(self) -> Optional[tuple[str, dict[str, Any]]]:
        if self._count is None:
            return None
        operation_id, shared = self._count
        return operation_id, {k: self._kwargs[k] for k in shared if k in self._kwargs}

    def _total(self, counted: Optional[Any]) -> Optional[int]:
        """Items this walk will yield, from the count's answer (None: unknown)."""
        if not isinstance(counted, dict) or not isinstance(counted.get("count"), int):
            return None
        total: int = max(counted["count"] - self._start, 0)
        return total if self._max_items is None else min(total, self._max_items)

    def _preview(self) -> tuple[Page[T], Optional[int]]:
        """The first rows and the total, for display: one page of at most PREVIEW_ROWS
        (a list the operation returns whole comes in one request anyway), then the count
        only if more rows follow. Sent with the blocking call, which also works inside a
        running event loop (a notebook's), so the async pager displays the same way."""
        limit = self._limit(0)
        if self._page_size is not None:
            limit = min(limit, display.PREVIEW_ROWS)
        page = Page() if limit == 0 else self._to_page(self._send(self._start, limit, "call"))
        page.kind = self._kind
        if page.next_offset is None or self._max_items == len(page):
            return page, len(page)
        call = self._count_call()
        if call is None:
            return page, None
        core = self._client._core_client()
        try:
            counted = core.call(call[0], (), call[1], timeout=self._timeout)
        except APIError:  # a count the caller may not read: the preview says "more"
            return page, None
        return page, self._total(counted)

    def _preview_parts(self) -> tuple[list[T], str]:
        page, total = self._preview()
        rows = page[: display.PREVIEW_ROWS]
        more = total is None and page.next_offset is not None
        return rows, display.preview_note(len(rows), total, more)

    def _html(self, rows: list[T], note: str) -> str:
        return display.html_table(rows, self._kind, f"{self._where}(): {note}")

    def _plain(self, rows: list[T], note: str) -> str:
        return f"{display.table(rows, kind=self._kind)}\n({self._where}(): {note})"

    def _repr_mimebundle_(
        self, include: Optional[Any] = None, exclude: Optional[Any] = None
    ) -> dict[str, str]:
        """Both tables from one preview: IPython asks for this before the single-format
        methods, so a notebook sends one page request (and a count), not one per format."""
        rows, note = self._preview_parts()
        bundle = {"text/plain": self._plain(rows, note), "text/html": self._html(rows, note)}
        return {
            kind: text
            for kind, text in bundle.items()
            if (include is None or kind in include) and (exclude is None or kind not in exclude)
        }

    def _repr_html_(self) -> str:
        return self._html(*self._preview_parts())

    def _text(self) -> str:
        return self._plain(*self._preview_parts())

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self) if cycle else self._text())

    def show(self) -> None:
        """Print the first rows as a text table, and how many there are in all."""
        print(self._text())

    def _bar(self, progress: bool, total: Optional[int]) -> Optional[Bar]:
        if not progress:
            return None
        from .progress import bar

        return bar(total, self._where)

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

    def _arrived(
        self, answer: tuple[list[Any], Optional[int]], taken: int, bar: Optional[Bar]
    ) -> tuple[Page[T], Optional[int]]:
        """A page that came in during a walk: trimmed to the cap and counted on the bar."""
        page, offset = self._keep(self._to_page(answer), taken)
        page.kind = self._kind
        if bar is not None:
            bar.update(len(page))
        return page, offset

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

    def _counted(self) -> Optional[int]:
        call = self._count_call()
        if call is None:
            return None
        core = self._client._core_client()
        try:
            return self._total(core.call(call[0], (), call[1], timeout=self._timeout))
        except APIError:  # the bar goes without a total
            return None

    def pages(self, progress: bool = False) -> Iterator[Page[T]]:
        """Page after page; ``progress=True`` shows a bar (total from the count, if any)."""
        bar = self._bar(progress, self._counted() if progress else None)
        offset: Optional[int] = self._start
        taken = 0
        try:
            while offset is not None and self._limit(taken) > 0:
                limit = self._limit(taken)
                page, offset = self._arrived(self._send(offset, limit, "call"), taken, bar)
                taken += len(page)
                yield page
        finally:
            if bar is not None:
                bar.close()

    def iter(self, progress: bool = False) -> Iterator[T]:
        """Every item, as iterating does; ``progress=True`` shows a bar."""
        for page in self.pages(progress):
            yield from page

    def __iter__(self) -> Iterator[T]:
        return self.iter()

    def to_list(self, progress: bool = False) -> Items[T]:
        """Every item (a list that displays as a table); ``progress=True`` shows a bar."""
        return _items(list(self.iter(progress)), self._kind)

    def to_pandas(self, progress: bool = False) -> DataFrame:
        """Every item as a DataFrame: nested fields as dotted columns, timestamps as
        datetimes. Needs the ``pandas`` extra."""
        from .frames import items_frame, require_pandas

        require_pandas()  # before any request
        return items_frame(self.to_list(progress))


class AsyncPager(_PagerBase[T]):
    """``async for`` walks every item; ``await pager`` or ``await pager.to_list()`` for all."""

    async def page(self, offset: Optional[int] = None) -> Page[T]:
        start = self._start if offset is None else offset
        limit = self._limit(0)
        if limit == 0:  # max_items=0 asks for nothing
            return Page()
        return self._to_page(await self._send(start, limit, "call_async"))

    async def _counted(self) -> Optional[int]:
        call = self._count_call()
        if call is None:
            return None
        core = self._client._core_client()
        try:
            counted = await core.call_async(call[0], (), call[1], timeout=self._timeout)
        except APIError:  # the bar goes without a total
            return None
        return self._total(counted)

    async def pages(self, progress: bool = False) -> AsyncIterator[Page[T]]:
        """Page after page; ``progress=True`` shows a bar (total from the count, if any)."""
        bar = self._bar(progress, await self._counted() if progress else None)
        offset: Optional[int] = self._start
        taken = 0
        try:
            while offset is not None and self._limit(taken) > 0:
                limit = self._limit(taken)
                answer = await self._send(offset, limit, "call_async")
                page, offset = self._arrived(answer, taken, bar)
                taken += len(page)
                yield page
        finally:
            if bar is not None:
                bar.close()

    async def iter(self, progress: bool = False) -> AsyncIterator[T]:
        """Every item, as ``async for`` does; ``progress=True`` shows a bar."""
        async for page in self.pages(progress):
            for item in page:
                yield item

    def __aiter__(self) -> AsyncIterator[T]:
        return self.iter()

    async def to_list(self, progress: bool = False) -> Items[T]:
        """Every item (a list that displays as a table); ``progress=True`` shows a bar."""
        return _items([item async for item in self.iter(progress)], self._kind)

    async def to_pandas(self, progress: bool = False) -> DataFrame:
        """Every item as a DataFrame: nested fields as dotted columns, timestamps as
        datetimes. Needs the ``pandas`` extra."""
        from .frames import items_frame, require_pandas

        require_pandas()  # before any request
        return items_frame(await self.to_list(progress))

    def __await__(self) -> Generator[Any, None, Items[T]]:
        return self.to_list().__await__()
