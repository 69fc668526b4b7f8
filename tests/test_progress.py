"""progress=True: a tqdm bar over a walk, its total from the list's count; silent by
default; a clear error without tqdm."""

from __future__ import annotations

import sys

import pytest

from .conftest import paths, resolve, resources

pytest.importorskip("tqdm")

COUNT = "/api/v1/org-unit/projects/count"


async def make_projects(api, cp, n: int) -> None:
    for i in range(n):
        await resolve(
            api.projects.create(name=f"p{i:02d}", cluster_id=cp.cluster_id, resources=resources(1))
        )


async def to_list(pager, **kwargs):
    return await resolve(pager.to_list(**kwargs))


def last_state(err: str) -> str:
    """The bar's last drawing (tqdm redraws with carriage returns)."""
    return err.replace("\r", "\n").strip().splitlines()[-1]


async def test_a_bar_counts_the_items_against_the_total(api, cp, capsys):
    await make_projects(api, cp, 7)
    cp.clear_requests()
    items = await to_list(api.projects.list(page_size=3), progress=True)

    assert len(items) == 7
    bar = last_state(capsys.readouterr().err)
    assert bar.startswith("projects.list: 100%") and "7/7" in bar and "items" in bar
    assert len(paths(cp, COUNT, "GET")) == 1


async def test_the_total_follows_offset_max_items_and_the_filter(api, cp, capsys):
    await make_projects(api, cp, 9)
    await to_list(api.projects.list(page_size=2, offset=3, max_items=4), progress=True)
    assert "4/4" in last_state(capsys.readouterr().err)
    await to_list(api.projects.list(filter_by="name=@p0"), progress=True)
    assert "9/9" in last_state(capsys.readouterr().err)  # p00..p08 all match
    await to_list(api.projects.list(search="p03"), progress=True)
    assert "1/1" in last_state(capsys.readouterr().err)


async def test_pages_and_iteration_take_progress_too(api, cp, capsys):
    await make_projects(api, cp, 5)
    pager = api.projects.list(page_size=2)
    if hasattr(pager, "__aiter__"):
        sizes = [len(page) async for page in pager.pages(progress=True)]
        names = [p["name"] async for p in pager.iter(progress=True)]
    else:
        sizes = [len(page) for page in pager.pages(progress=True)]
        names = [p["name"] for p in pager.iter(progress=True)]
    assert sizes == [2, 2, 1] and len(names) == 5
    err = capsys.readouterr().err
    assert err.count("5/5") >= 2


async def test_a_list_without_a_count_shows_a_running_tally(api, cp, capsys):
    items = await to_list(api.roles.list(), progress=True)
    bar = last_state(capsys.readouterr().err)
    assert bar.startswith(f"roles.list: {len(items)} items [")
    assert "%" not in bar  # no total, no percentage


async def test_nothing_is_shown_by_default(api, cp, capsys):
    await make_projects(api, cp, 3)
    cp.clear_requests()
    assert len(await to_list(api.projects.list(page_size=2))) == 3
    assert capsys.readouterr() == ("", "")
    # to_list() counts only to send several pages at once, once its first page came back
    # full (the walk above); a list that fits in its first page is never counted.
    assert len(paths(cp, COUNT, "GET")) == 1
    assert len(await to_list(api.projects.list(page_size=4))) == 3
    assert len(paths(cp, COUNT, "GET")) == 1


async def test_without_tqdm_the_error_names_the_extra(api, cp, monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    with pytest.raises(ImportError, match=r"runai-admin\[progress\]"):
        await to_list(api.projects.list(), progress=True)
