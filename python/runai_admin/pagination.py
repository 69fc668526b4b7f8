"""Pagers: list methods return one, and iterating it fetches page after page lazily.

The pager options (``page_size``, ``max_items``, ``offset``) are checked and completed by
the compiled core, from the operation's catalogue entry, when the list method is called.

How a walk through a paginated list goes (``to_list()``, iterating, ``async for``):

- **Page size.** The caller's ``page_size``, or else the largest page the operation serves
  (the catalogue knows it: 500 for most lists), so the walk takes the fewest round trips.
  ``page()`` alone asks for the core's smaller default page.
- **Ahead of the reader.** The next page is on its way while the current one is read: the
  async pager keeps its request in flight on the event loop, the sync pager starts it on
  the core's own I/O thread (no Python thread). ``to_list()`` also asks for the list's
  count (where the operation has one) alongside the first page, and with the total known
  keeps up to four pages in flight.
- **A list that changes during the walk.** Pages are asked for by offset, so an item
  created or deleted ahead of the walk's position moves every later item. Each page after
  the first therefore starts one item early, on an item the walk already has (matched by
  ``id``). The walk goes on after the last item of the page it already has; when a page
  holds none of them (items before it were deleted), it steps back a page and looks again.
  What the walk guarantees, for items that carry an ``id`` (every paginated list of this
  API) while the list keeps its order (the server's default order, or a ``sort_by`` on a
  field that does not change meanwhile):

  - no item is returned twice (``to_list()`` remembers every id it returned; iterating
    remembers the last 10,000, so that memory stays bounded: a duplicate would need more
    than that many items created ahead of the walk's position between two of its
    requests);
  - no item that is in the list for the whole walk is skipped;
  - an item created or deleted during the walk may or may not be returned.

  ``offset`` and ``max_items`` count positions and items as the caller gave them: a walk
  from ``offset=n`` starts at the n-th item of the list as it is when the walk starts.
  Items without an ``id`` are walked by offset alone, without these checks.

In a notebook a pager shows as a table of its first rows (one small request, plus the
count request when the operation has one); IPython's terminal shows the same as text, and
``show()`` prints it anywhere. ``repr()`` never sends anything: debuggers, logs and
tracebacks call it. ``progress=True`` on ``to_list``, ``pages``, ``iter`` and
``to_pandas`` shows a tqdm bar.
"""

from __future__ import annotations

import sys
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Generator, Hashable, Iterator
from typing import TYPE_CHECKING, Any, Generic, List, Optional, TypeVar  # noqa: UP035

from . import display
from .errors import APIError

if TYPE_CHECKING:
    from ._base import BaseClient
    from ._core import Background
    from .frames import DataFrame
    from .progress import Bar

__all__ = ["AsyncPager", "Items", "Page", "SyncPager"]

T = TypeVar("T")

#: The "page size" of a list that the operation returns whole, in one request.
_WHOLE = sys.maxsize
#: Items each page of a walk repeats from the page before, to find its place again.
_OVERLAP = 1
#: Pages a walk keeps in flight while the count says more are there. Otherwise one: the
#: next page is asked for as soon as the current one came back full, before the reader
#: gets it, so a list shorter than a page costs one request.
_IN_FLIGHT = 4
#: Ids an iterating walk remembers to leave out a repeat (``to_list()`` keeps them all).
_REMEMBERED = 10_000


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


def _identity(item: Any) -> Optional[Hashable]:
    """What tells an item from the others: its ``id`` (None: it has none)."""
    if isinstance(item, dict):
        key = item.get("id")
        # Ids are strings or numbers: known hashable without the abstract class's check,
        # which cost a walk of 10,000 items a third of its Python time.
        if type(key) is str or type(key) is int or isinstance(key, Hashable):
            return key
    return None


class _Walk:
    """The plan of one walk through a paginated list, apart from how requests are sent
    (the sync and async pagers drive it alike): which pages to ask for next, and what
    each answer adds. The module's docstring says what it guarantees."""

    def __init__(
        self,
        size: int,
        largest: Optional[int],
        start: int,
        cap: Optional[int],
        remember: Optional[int],
    ) -> None:
        self._size = size
        self._largest = largest
        self._start = start
        self._cap = cap
        self._remember = remember
        #: Items this walk expects (the count), None when unknown.
        self.total: Optional[int] = None
        self.taken = 0
        self.done = cap == 0
        #: Whether items carry ids: then pages overlap and are checked.
        self._checked = True
        self._seen: set[Hashable] = set()
        self._order: deque[Hashable] = deque()
        #: The list position where the next page's new items begin; None until the first
        #: page came back (the first request is planned from the start).
        self._end: Optional[int] = None
        #: Requests planned and sent, oldest first: (offset, limit).
        self.planned: deque[tuple[int, int]] = deque()
        #: Where the next planned page starts (its new items).
        self._next = start

    @property
    def position(self) -> Optional[int]:
        """The list position where the walk's next new items begin (None: not begun)."""
        return self._end

    def _request_at(self, position: int) -> tuple[int, int]:
        """The request whose new items start at ``position``: one item early (on an item
        the walk already has), except the first."""
        overlap = _OVERLAP if self._checked and position > self._start else 0
        limit = self._size + overlap
        if self._largest is not None:
            limit = min(limit, self._largest)
        if self._cap is not None:
            limit = min(limit, overlap + self._cap - (position - self._start))
        return position - overlap, limit

    def wanted(self) -> list[tuple[int, int]]:
        """The requests to send now: the walk's next pages, as many as may be in flight
        (several while the count says more pages are there; otherwise the next one)."""
        out: list[tuple[int, int]] = []
        while not self.done:
            ahead = self.total is not None and self._next - self._start < self.total
            depth = _IN_FLIGHT if ahead else 1
            if len(self.planned) >= depth:
                break
            if self._cap is not None and self._next - self._start >= self._cap:
                break
            offset, limit = self._request_at(self._next)
            self.planned.append((offset, limit))
            out.append((offset, limit))
            self._next = offset + limit
        if not self.planned:
            self.done = True  # nothing in flight and nothing more to ask for
        return out

    def accept(self, answer: tuple[list[Any], Optional[int]]) -> tuple[list[Any], bool]:
        """The oldest planned page came back: its new items, and whether the requests
        still in flight remain of use (False: the caller drops them)."""
        offset, limit = self.planned.popleft()
        items, next_offset = answer
        if self._end is None:  # the first page
            self._checked = all(_identity(item) is not None for item in items)
            fresh = items
        elif not self._checked:
            fresh = items
        else:
            last = -1
            for i in range(len(items) - 1, -1, -1):
                if _identity(items[i]) in self._seen:
                    last = i
                    break
            if last < 0 and offset > self._start:
                # None of the walk's items: some before this page were deleted meanwhile.
                # Step back a page (never before the start), and look again.
                self._end = max(self._start, offset - (limit - _OVERLAP))
                self._next = self._end
                self.planned.clear()
                return [], False
            fresh = [item for item in items[last + 1 :] if _identity(item) not in self._seen]
        end = offset + len(items)
        if self._cap is not None:
            fresh = fresh[: self._cap - self.taken]
        self.taken += len(fresh)
        if self._checked:
            self._note(fresh)
        more = next_offset is not None
        if not more or (self._cap is not None and self.taken >= self._cap):
            self.done = True
            self.planned.clear()
            return fresh, False
        # The page after this one starts where this one ended: the next planned request
        # still fits unless the list moved.
        self._end = end
        in_step = not self.planned or self.planned[0][0] == self._request_at(end)[0]
        if not in_step:
            self.planned.clear()
        if not self.planned:
            self._next = end
        return fresh, in_step

    def _note(self, fresh: list[Any]) -> None:
        for item in fresh:
            key = _identity(item)
            self._seen.add(key)
            if self._remember is not None:
                self._order.append(key)
                if len(self._order) > self._remember:
                    self._seen.discard(self._order.popleft())


def _drop(pending: Awaitable[Any]) -> None:
    """Cancel a page request no longer wanted (an asyncio future of the core's); one that
    failed meanwhile has its error taken, so asyncio does not report it as never seen."""
    future: Any = pending
    if future.done():
        if not future.cancelled():
            future.exception()
    else:
        future.cancel()


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
        options = core.page_options(operation_id, page_size, max_items, offset)
        self._page_size, self._max_items, self._start, walk_size, self._largest = options
        #: The page size of a walk through the whole list (None: the list comes whole).
        self._walk_size = walk_size
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

    def _count_call(self) -> Optional[tuple[str, tuple[Any, ...], dict[str, Any]]]:
        """The count's call: the list's path arguments (the generator pairs a list with a
        count of the same path parameters) and the keywords they share."""
        if self._count is None:
            return None
        operation_id, shared = self._count
        kwargs = {k: self._kwargs[k] for k in shared if k in self._kwargs}
        return operation_id, self._args, kwargs

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
            counted = core.call(call[0], call[1], call[2], timeout=self._timeout)
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

    def _walk(self, everything: bool) -> _Walk:
        """A walk's plan; ``everything`` (``to_list()``) remembers every id it returns."""
        assert self._walk_size is not None
        return _Walk(
            self._walk_size,
            self._largest,
            self._start,
            self._max_items,
            None if everything else _REMEMBERED,
        )

    def _counts_later(self, walk: _Walk, everything: bool, counting: bool) -> bool:
        """Whether ``to_list()`` should ask for the count now: its first page came back
        full, so several more pages can go out at once once the total is known. A list
        of one page is never counted; a walk capped within a page never asks."""
        return everything and not counting and self._count is not None and not walk.done

    def _start_page(self, request: tuple[int, int], method: str) -> Any:
        core = self._client._core_client()
        send = core.call_page_start if method == "start" else core.call_page_async
        return send(
            self._operation_id,
            self._args,
            self._kwargs,
            request,
            timeout=self._timeout,
            max_retries=self._max_retries,
        )

    def _start_count(self, method: str) -> Any:
        call = self._count_call()
        assert call is not None
        core = self._client._core_client()
        send = core.call_start if method == "start" else core.call_async
        return send(call[0], call[1], call[2], timeout=self._timeout)

    def _page_of(self, fresh: list[Any], walk: _Walk, bar: Optional[Bar]) -> Page[T]:
        """A page of a walk: its new items; ``next_offset`` where the walk goes on."""
        page: Page[T] = Page(fresh)
        page.kind = self._kind
        page.next_offset = None if walk.done else walk.position
        if bar is not None:
            bar.update(len(page))
        return page


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
            return self._total(core.call(call[0], call[1], call[2], timeout=self._timeout))
        except APIError:  # the bar goes without a total
            return None

    def pages(self, progress: bool = False) -> Iterator[Page[T]]:
        """Page after page, the next one fetched while this one is read; ``progress=True``
        shows a bar (total from the count, if any). Each page holds the items its request
        added to the walk: ``page_size`` of them, or one fewer where the operation's
        largest page leaves no room for the item each request repeats (module docstring)."""
        return self._pages(progress, everything=False)

    def _pages(self, progress: bool, everything: bool) -> Iterator[Page[T]]:
        if self._walk_size is None:
            yield from self._whole(progress)
            return
        walk = self._walk(everything)
        # The bar wants its total first: the count goes out alongside the first page.
        counting = progress and self._count is not None
        count = self._start_count("start") if counting else None
        flight: deque[Background] = deque(self._start_page(r, "start") for r in walk.wanted())
        bar: Optional[Bar] = None
        try:
            if progress:
                walk.total = self._counted_from(count)
                bar = self._bar(progress, walk.total)
                flight.extend(self._start_page(r, "start") for r in walk.wanted())
            while flight:
                fresh, in_step = walk.accept(flight.popleft().wait())
                if not in_step:
                    while flight:
                        flight.popleft().cancel()
                flight.extend(self._start_page(r, "start") for r in walk.wanted())
                if self._counts_later(walk, everything, counting):
                    counting = True
                    walk.total = self._counted_from(self._start_count("start"))
                    flight.extend(self._start_page(r, "start") for r in walk.wanted())
                if fresh:
                    yield self._page_of(fresh, walk, bar)
        finally:
            for pending in flight:
                pending.cancel()
            if bar is not None:
                bar.close()

    def _counted_from(self, count: Optional[Background]) -> Optional[int]:
        """The total of a count request started before (None: none, or it failed)."""
        if count is None:
            return None
        try:
            return self._total(count.wait())
        except APIError:  # the walk goes without a total
            return None

    def _whole(self, progress: bool) -> Iterator[Page[T]]:
        """A list the operation returns whole: one request."""
        bar = self._bar(progress, self._counted() if progress else None)
        try:
            if self._limit(0) > 0:
                page, _ = self._arrived(self._send(self._start, self._limit(0), "call"), 0, bar)
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
        """Every item (a list that displays as a table), several pages in flight when the
        count is known; ``progress=True`` shows a bar."""
        items: list[T] = []
        for page in self._pages(progress, everything=True):
            items.extend(page)
        return _items(items, self._kind)

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
            counted = await core.call_async(call[0], call[1], call[2], timeout=self._timeout)
        except APIError:  # the bar goes without a total
            return None
        return self._total(counted)

    async def pages(self, progress: bool = False) -> AsyncIterator[Page[T]]:
        """Page after page, the next one fetched while this one is read; ``progress=True``
        shows a bar (total from the count, if any). Each page holds the items its request
        added to the walk: ``page_size`` of them, or one fewer where the operation's
        largest page leaves no room for the item each request repeats (module docstring)."""
        async for page in self._pages(progress, everything=False):
            yield page

    async def _pages(self, progress: bool, everything: bool) -> AsyncIterator[Page[T]]:
        if self._walk_size is None:
            async for page in self._whole(progress):
                yield page
            return
        walk = self._walk(everything)
        # The bar wants its total first: the count goes out alongside the first page.
        counting = progress and self._count is not None
        count = self._start_count("async") if counting else None
        # The core's awaitables are asyncio futures: each request is on its way as soon as
        # it is made, and cancelling one drops it.
        flight: deque[Any] = deque(self._start_page(r, "async") for r in walk.wanted())
        bar: Optional[Bar] = None
        try:
            if progress:
                walk.total = await self._counted_from(count)
                bar = self._bar(progress, walk.total)
                flight.extend(self._start_page(r, "async") for r in walk.wanted())
            while flight:
                fresh, in_step = walk.accept(await flight.popleft())
                if not in_step:
                    while flight:
                        _drop(flight.popleft())
                flight.extend(self._start_page(r, "async") for r in walk.wanted())
                if self._counts_later(walk, everything, counting):
                    counting = True
                    walk.total = await self._counted_from(self._start_count("async"))
                    flight.extend(self._start_page(r, "async") for r in walk.wanted())
                if fresh:
                    yield self._page_of(fresh, walk, bar)
        finally:
            for pending in flight:
                _drop(pending)
            if bar is not None:
                bar.close()

    async def _whole(self, progress: bool) -> AsyncIterator[Page[T]]:
        """A list the operation returns whole: one request."""
        bar = self._bar(progress, await self._counted() if progress else None)
        try:
            if self._limit(0) > 0:
                answer = await self._send(self._start, self._limit(0), "call_async")
                yield self._arrived(answer, 0, bar)[0]
        finally:
            if bar is not None:
                bar.close()

    async def _counted_from(self, count: Optional[Awaitable[Any]]) -> Optional[int]:
        """The total of a count request started before (None: none, or it failed)."""
        if count is None:
            return None
        try:
            return self._total(await count)
        except APIError:  # the walk goes without a total
            return None

    async def iter(self, progress: bool = False) -> AsyncIterator[T]:
        """Every item, as ``async for`` does; ``progress=True`` shows a bar."""
        async for page in self.pages(progress):
            for item in page:
                yield item

    def __aiter__(self) -> AsyncIterator[T]:
        return self.iter()

    async def to_list(self, progress: bool = False) -> Items[T]:
        """Every item (a list that displays as a table), several pages in flight when the
        count is known; ``progress=True`` shows a bar."""
        items: list[T] = []
        async for page in self._pages(progress, everything=True):
            items.extend(page)
        return _items(items, self._kind)

    async def to_pandas(self, progress: bool = False) -> DataFrame:
        """Every item as a DataFrame: nested fields as dotted columns, timestamps as
        datetimes. Needs the ``pandas`` extra."""
        from .frames import items_frame, require_pandas

        require_pandas()  # before any request
        return items_frame(await self.to_list(progress))

    def __await__(self) -> Generator[Any, None, Items[T]]:
        return self.to_list().__await__()
