"""How lists show: an HTML table in notebooks, a text table in IPython and show(), a short
repr everywhere; and blocking calls made from inside a running event loop."""

from __future__ import annotations

import asyncio

import pytest

import runai_admin as ra

from .conftest import paths, resolve, resources

LIST = "/api/v1/org-unit/projects"
COUNT = "/api/v1/org-unit/projects/count"


async def make_projects(api, cp, n: int) -> None:
    for i in range(n):
        await resolve(
            api.projects.create(name=f"p{i:02d}", cluster_id=cp.cluster_id, resources=resources(1))
        )


async def test_a_pager_previews_its_first_rows_and_counts_the_rest(api, cp):
    await make_projects(api, cp, 13)
    pager = api.projects.list(page_size=50)
    cp.clear_requests()

    shown = pager._repr_html_()

    assert shown.startswith("<table><thead><tr><th>ID</th><th>NAME</th>")
    assert shown.count("<tr>") == 1 + 10  # the head and ten rows
    assert "projects.list(): 10 of 13 shown" in shown
    # One page of ten (not the whole list, not page_size) and the count, nothing more.
    listed = paths(cp, LIST, "GET")
    assert len(listed) == 1 and "limit=10" in listed[0]["query"]
    assert len(paths(cp, COUNT, "GET")) == 1


async def test_a_preview_without_a_count_says_more_pages_follow(api, cp):
    await make_projects(api, cp, 12)
    pager = api.projects.list(page_size=5)
    pager._count = None  # as for a list the API cannot count
    assert "first 5 shown; more on the next pages" in pager._repr_html_()


async def test_a_short_list_says_how_many_and_values_are_escaped(api, cp):
    await make_projects(api, cp, 2)
    shown = api.projects.list()._repr_html_()
    assert "2 items" in shown and "of" not in shown.split("<p>")[-1]
    rows = [{"name": "<script>alert(1)</script>"}]
    html = ra.Items(rows)._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html


async def test_repr_stays_short_and_sends_nothing(api, cp):
    await make_projects(api, cp, 3)
    cp.clear_requests()
    pager = api.projects.list()
    assert repr(pager) == f"<{type(pager).__name__} projects.list()>"
    assert cp.requests == []


async def test_ipython_and_show_print_a_text_table(api, cp, capsys):
    await make_projects(api, cp, 12)
    pager = api.projects.list()

    class Printer:  # what IPython hands to _repr_pretty_
        text_out = ""

        def text(self, value: str) -> None:
            self.text_out += value

    printer = Printer()
    pager._repr_pretty_(printer, False)
    lines = printer.text_out.splitlines()
    assert lines[0].split()[:2] == ["ID", "NAME"]
    assert len(lines) == 2 + 10 + 1  # titles, rule, ten rows, the note
    assert lines[-1] == "(projects.list(): 10 of 12 shown)"

    pager.show()
    assert capsys.readouterr().out == printer.text_out + "\n"


async def test_to_list_and_pages_display_as_tables(api, cp):
    await make_projects(api, cp, 4)
    items = await resolve(api.projects.list().to_list())
    assert isinstance(items, list) and isinstance(items, ra.Items)
    assert items.kind == "projects"
    assert "4 items" in items._repr_html_() and "<th>GPU QUOTA</th>" in items._repr_html_()
    page = await resolve(api.projects.list(page_size=3).page())
    assert "first 3 shown; more on the next pages" in page._repr_html_()


def test_blocking_calls_work_inside_a_running_event_loop(cp):
    """A notebook cell runs inside the kernel's asyncio loop: blocking calls wait on the
    core's own runtime, so they work there (and keep the loop's other tasks waiting only
    for the call's duration)."""

    async def cell() -> tuple[list, str, str]:
        with cp.client() as client:
            client.projects.create(name="nb", cluster_id=cp.cluster_id, resources=resources(1))
            names = [p["name"] for p in client.projects.list()]
            shown = client.projects.list()._repr_html_()
        async with cp.async_client() as aclient:
            # An async pager displays too (the notebook cannot await a repr).
            ashown = aclient.projects.list()._repr_html_()
        return names, shown, ashown

    names, shown, ashown = asyncio.run(cell())
    assert names == ["nb"]
    assert "<td>nb</td>" in shown and "<td>nb</td>" in ashown


async def test_a_notebook_gets_both_tables_from_one_preview(api, cp):
    await make_projects(api, cp, 12)
    pager = api.projects.list()
    cp.clear_requests()
    bundle = pager._repr_mimebundle_()
    assert bundle["text/html"].startswith("<table>")
    assert bundle["text/plain"].endswith("(projects.list(): 10 of 12 shown)")
    assert len(paths(cp, LIST, "GET")) == 1 and len(paths(cp, COUNT, "GET")) == 1
    assert list(pager._repr_mimebundle_(include={"text/plain"})) == ["text/plain"]
    assert list(pager._repr_mimebundle_(exclude={"text/plain"})) == ["text/html"]


def test_ipython_shows_a_pager_with_one_request(cp):
    formatters = pytest.importorskip("IPython.core.formatters")
    with cp.client() as client:
        client.projects.create(name="nb", cluster_id=cp.cluster_id, resources=resources(1))
        cp.clear_requests()
        data, _ = formatters.DisplayFormatter().format(client.projects.list())
        assert "<td>nb</td>" in data["text/html"]
        assert data["text/plain"].splitlines()[2].split()[1] == "nb"
        assert len(paths(cp, LIST, "GET")) == 1
        items, _ = formatters.DisplayFormatter().format(client.projects.list().to_list())
        assert items["text/plain"].endswith("(1 item)") and "<td>nb</td>" in items["text/html"]
