"""Lists walk every page lazily; pages, caps and to_list on both clients."""

from __future__ import annotations

import time
from typing import Callable

import pytest

import runai_admin as ra

from .conftest import collect, paths, resolve, resources


@pytest.fixture
def seven_projects(client, cp):
    for i in range(7):
        client.projects.create(name=f"p{i}", cluster_id=cp.cluster_id, resources=resources(1))
    cp.clear_requests()


def wait_for(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    """Until ``condition`` holds: a request started in the background reaches the fake a
    moment after the call that started it returned."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.01)


def page_queries(cp) -> list[str]:
    return [r["query"] for r in paths(cp, "/api/v1/org-unit/projects", "GET")]


def test_iteration_fetches_page_after_page(client, cp, seven_projects):
    names = [p["name"] for p in client.projects.list(page_size=3, sort_by="name")]
    assert names == [f"p{i}" for i in range(7)]
    queries = page_queries(cp)
    # Each page after the first starts one item early, on an item the walk already has.
    assert sorted(queries) == [
        "sortBy=name&offset=0&limit=3",
        "sortBy=name&offset=2&limit=4",
        "sortBy=name&offset=5&limit=4",
    ]


def test_pages_are_fetched_lazily_one_ahead(client, cp, seven_projects):
    pager = client.projects.list(page_size=2)
    assert page_queries(cp) == []
    iterator = iter(pager)
    next(iterator)
    # The first page came back full: the second is on its way while the first is read.
    wait_for(lambda: len(page_queries(cp)) == 2)
    next(iterator)
    next(iterator)
    wait_for(lambda: len(page_queries(cp)) == 3)
    assert len(page_queries(cp)) == 3


def test_max_items_caps_and_page_gives_one_page(client, cp, seven_projects):
    assert len(client.projects.list(page_size=2, max_items=5).to_list()) == 5
    assert len(page_queries(cp)) == 3
    page = client.projects.list(page_size=4).page()
    assert len(page) == 4 and page.next_offset == 4
    last = client.projects.list(page_size=4).page(offset=4)
    assert len(last) == 3 and last.next_offset is None


def test_users_list_pages_over_a_bare_array(client, cp):
    for i in range(4):
        client.users.create(email=f"u{i}@example.com")
    cp.clear_requests()
    users = client.users.list(page_size=2).to_list()
    assert len(users) == 5  # four new users and the seeded administrator
    assert len(paths(cp, "/api/v1/users", "GET")) == 3


async def test_async_pager_walks_pages(aclient, cp):
    for i in range(5):
        await aclient.projects.create(
            name=f"a{i}", cluster_id=cp.cluster_id, resources=resources(1)
        )
    names = [p["name"] async for p in aclient.projects.list(page_size=2, sort_by="name")]
    assert names == [f"a{i}" for i in range(5)]
    assert len(await aclient.projects.list(page_size=2)) == 5
    page = await aclient.projects.list(page_size=2).page()
    assert len(page) == 2 and page.next_offset == 2


async def test_page_size_is_checked(api):
    with pytest.raises(ValueError, match="page_size"):
        api.projects.list(page_size=501)
    with pytest.raises(TypeError, match="page_size"):
        api.clusters.list(page_size=10)  # its signature has no page options
    page = await resolve(api.clusters.list().page())
    assert len(page) == 1 and page.next_offset is None


def test_filter_by_accepts_every_operator(client, cp, seven_projects):
    def names(expr: str) -> list[str]:
        return sorted(p["name"] for p in client.projects.list(filter_by=[expr]))

    assert names("name==p1") == ["p1"]
    assert names("name!=p1") == [f"p{i}" for i in range(7) if i != 1]
    assert names("name=@3") == ["p3"]
    assert names("name!@p") == []
    assert names("name=^p") == [f"p{i}" for i in range(7)]
    assert names("name=$6") == ["p6"]
    assert names("name<=p1") == ["p0", "p1"]
    assert names("name>=p5") == ["p5", "p6"]
    with pytest.raises(ValueError, match="name~p"):
        client.projects.list(filter_by=["name~p"]).to_list()


def test_the_core_checks_and_completes_the_pager_options(client):
    core = client._core_client()
    # One page (page(), a preview) defaults to 100; a walk to the largest page, 500.
    assert core.page_options("get_projects") == (100, None, 0, 500, 500)
    assert core.page_options("get_projects", 200, 7, 3) == (200, 7, 3, 200, 500)
    assert core.page_options("get_clusters", max_items=2) == (None, 2, 0, None, None)
    with pytest.raises(TypeError, match=r"clusters\.list\(\) is not paginated"):
        core.page_options("get_clusters", page_size=10)
    with pytest.raises(ValueError, match=r"page_size must be between 1 and 500, not 501"):
        core.page_options("get_projects", page_size=501)
    with pytest.raises(TypeError, match="max_items must be int, not bool"):
        core.page_options("get_projects", max_items=True)
    with pytest.raises(ValueError, match="offset must be >= 0, not -1"):
        core.page_options("get_projects", offset=-1)


async def test_max_items_zero_asks_for_nothing(api, cp):
    before = len(cp.requests)
    assert list(await resolve(api.projects.list(max_items=0).page())) == []
    assert await collect(api.projects.list(max_items=0)) == []
    assert len(cp.requests) == before


async def test_a_list_answer_of_another_shape_is_an_error_not_an_empty_list(api, cp):
    cp.inject("/api/v1/org-unit/projects", method="GET", status=200, body={"unexpected": []})
    with pytest.raises(ra.APIDecodeError, match="no list at projects") as caught:
        await collect(api.projects.list())
    assert caught.value.url.startswith(f"{cp.url}/api/v1/org-unit/projects")


def test_the_pager_alone_sets_the_page_parameters(client):
    core = client._core_client()
    with pytest.raises(ValueError, match="offset is the pager's"):
        core.call_page("get_projects", (), {"offset": 5}, (0, 10))
