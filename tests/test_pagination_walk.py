"""A walk through a whole list: the largest page by default, pages in flight, and every
item exactly once while the list changes under it (pagination.py's docstring says what
is guaranteed); sync and async alike."""

from __future__ import annotations

import asyncio
import time
from typing import Any, Callable

import pytest

from runai_admin.pagination import _Walk

from .conftest import paths, resolve, resources

PROJECTS = "/api/v1/org-unit/projects"
COUNT = "/api/v1/org-unit/projects/count"


async def make(api, cp, names) -> list[str]:
    """Projects of these names; their ids."""
    made = []
    for name in names:
        project = await resolve(
            api.projects.create(name=name, cluster_id=cp.cluster_id, resources=resources(0))
        )
        made.append(project["id"])
    return made


async def arrive(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    """Until ``condition`` holds (requests sent reach the fake a moment later)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the requests never came"
        await asyncio.sleep(0.01)


def page_queries(cp) -> list[str]:
    return [r["query"] for r in paths(cp, PROJECTS, "GET")]


async def walk_pages(pager, between: Callable[[int], Any], everything: bool = False) -> list:
    """Every item of a walk, calling ``between(pages_read)`` after each page (a change of
    the list while the next pages are in flight or not yet asked for)."""
    items: list = []
    pages = pager._pages(False, everything)
    if hasattr(pages, "__anext__"):
        async for page in pages:
            items.extend(page)
            await between(len(items))
    else:
        for page in pages:
            items.extend(page)
            await between(len(items))
    return items


async def test_a_walk_asks_for_the_largest_page_the_operation_serves(api, cp):
    await make(api, cp, [f"p{i}" for i in range(3)])
    largest = api._core_client().page_options("get_projects")[4]
    cp.clear_requests()
    assert len(await resolve(api.projects.list().to_list())) == 3
    assert page_queries(cp) == [f"offset=0&limit={largest}"]
    # A list that fits in one page is not counted.
    assert paths(cp, COUNT, "GET") == []
    cp.clear_requests()
    # page() alone keeps the smaller default page of the core.
    await resolve(api.projects.list().page())
    assert page_queries(cp) == ["offset=0&limit=100"]


async def test_to_list_counts_then_keeps_several_pages_in_flight(api, cp):
    await make(api, cp, [f"p{i:02d}" for i in range(20)])
    cp.clear_requests()
    pages = api.projects.list(page_size=2)._pages(False, True)
    if hasattr(pages, "__anext__"):
        first = await pages.__anext__()
    else:
        first = next(pages)
    assert len(first) == 2
    # Handed the first page, the walk has the count and four more pages out already
    # (they reach the fake a moment later).
    assert len(paths(cp, COUNT, "GET")) == 1
    await arrive(lambda: len(page_queries(cp)) >= 5)
    rest = [item for page in [first] for item in page]
    if hasattr(pages, "__anext__"):
        rest += [item async for page in pages for item in page]
    else:
        rest += [item for page in pages for item in page]
    assert [p["name"] for p in rest] == [f"p{i:02d}" for i in range(20)]
    # Pages overlap by one item: 20 items in pages of 2 take 19 requests of 3 after the first.
    assert sorted(page_queries(cp)) == sorted(
        ["offset=0&limit=2"] + [f"offset={o}&limit=3" for o in range(1, 20, 2)]
    )


@pytest.mark.parametrize("everything", [False, True], ids=["iterate", "to_list"])
async def test_no_item_twice_or_skipped_while_items_are_created_and_deleted(api, cp, everything):
    # Sorted by name, the "a-" projects created during the walk land BEFORE its position
    # (every later item moves on), and deleting early "m-" projects moves them back.
    kept = await make(api, cp, [f"m-{i:03d}" for i in range(40)])
    doomed = list(kept[:12])
    present_throughout = set(kept[12:])
    created: list[str] = []

    async def change(read: int) -> None:
        created.extend(await make(api, cp, [f"a-{read:03d}-{j}" for j in range(3)]))
        for _ in range(3):
            if doomed:
                await resolve(api.projects.delete(doomed.pop(0)))

    pager = api.projects.list(page_size=5, sort_by="name")
    items = await walk_pages(pager, change, everything)
    ids = [p["id"] for p in items]
    assert len(ids) == len(set(ids)), "an item came twice"
    assert present_throughout <= set(ids), "an item present for the whole walk was skipped"
    assert set(ids) <= set(kept) | set(created)


async def test_max_items_and_offset_stay_exact(api, cp):
    await make(api, cp, [f"p{i:02d}" for i in range(23)])
    every = [p["name"] for p in await resolve(api.projects.list(page_size=4).to_list())]
    assert every == [f"p{i:02d}" for i in range(23)]
    for size in (None, 1, 4, 7):
        for offset, cap in ((0, 5), (3, 7), (5, 100), (20, 2), (22, 5), (23, 1), (3, 0)):
            pager = api.projects.list(page_size=size, offset=offset, max_items=cap)
            got = [p["name"] for p in await resolve(pager.to_list())]
            assert got == every[offset : offset + cap], (size, offset, cap)
            walked = await walk_pages(
                api.projects.list(page_size=size, offset=offset, max_items=cap), _nothing
            )
            assert [p["name"] for p in walked] == got, (size, offset, cap)


async def _nothing(read: int) -> None:
    return None


async def test_a_to_list_bar_ends_at_its_total_with_pages_in_flight(api, cp, capsys):
    pytest.importorskip("tqdm")
    await make(api, cp, [f"p{i:02d}" for i in range(11)])
    items = await resolve(api.projects.list(page_size=2).to_list(progress=True))
    assert len(items) == 11
    bar = capsys.readouterr().err.replace("\r", "\n").strip().splitlines()[-1]
    assert "100%" in bar and "11/11" in bar


def test_the_plan_steps_back_when_a_page_holds_nothing_the_walk_has():
    walk = _Walk(size=3, largest=500, start=0, cap=None, remember=None)
    assert walk.wanted() == [(0, 3)]
    ids = [{"id": str(i)} for i in range(10)]
    assert walk.accept((ids[0:3], 3)) == (ids[0:3], True)
    assert walk.wanted() == [(2, 4)]
    # Three items before the position were deleted: the page at 2 starts past "2".
    fresh, in_step = walk.accept((ids[5:9], 6))
    assert (fresh, in_step) == ([], False)
    assert walk.wanted() == [(0, 3)]  # a page back, never before the start
    assert walk.accept((ids[3:6], 3)) == (ids[3:6], True)
    walk.total = 10
    # With the total known, several pages go out at once.
    assert walk.wanted() == [(2, 4), (5, 4), (8, 4)]


async def test_pages_of_a_walk_say_where_it_goes_on(api, cp):
    await make(api, cp, [f"p{i}" for i in range(5)])
    pager = api.projects.list(page_size=2)
    pages = pager.pages()
    walked = [page async for page in pages] if hasattr(pages, "__anext__") else list(pages)
    assert [len(page) for page in walked] == [2, 2, 1]
    assert [page.next_offset for page in walked] == [2, 4, None]
