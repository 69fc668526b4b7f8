"""Reports on both clients: requested, listed, counted, read and deleted; moving from
Pending through Processing to Ready (or Failed) one step per call to the reports area;
downloaded as CSV whose lines come from the quotas the metrics answers show and the
allocation of the usage model they answer from.

The fake's report worker is deterministic: every call to the reports area (availability
aside) first moves each unfinished report one step, so a new report is Pending, the next
call finds it Processing and the one after Ready."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

import runai_admin as ra
from runai_admin.testing import FakeControlPlane

from .conftest import collect, resolve, resources
from .test_access_control import L1_RESEARCHER, VIEWER, grant, signed_in_as, tenant

START, END = "2026-01-01T00:00:00Z", "2026-01-01T03:00:00Z"  # three hours


async def ready(api: Any, report: dict) -> dict:
    """The report after the two steps that take a new one to its end."""
    assert (await resolve(api.reports.get(report["id"])))["status"] == "Processing"
    return await resolve(api.reports.get(report["id"]))


def table(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


async def org(api: Any, cp: FakeControlPlane) -> None:
    """Two departments: `physics` with projects of 2 and 1 GPUs, `chemistry` with one
    of 4."""
    for department, projects in (
        ("physics", {"optics": 2, "lasers": 1}),
        ("chemistry", {"labs": 4}),
    ):
        dept = await resolve(
            api.departments.create(
                name=department, cluster_id=cp.cluster_id, resources=resources(8)
            )
        )
        for name, gpus in projects.items():
            await resolve(
                api.projects.create(
                    name=name,
                    cluster_id=cp.cluster_id,
                    parent_id=dept["id"],
                    resources=resources(gpus),
                )
            )


async def test_report_lifecycle(api, cp: FakeControlPlane):
    await org(api, cp)
    assert await resolve(api.reports.availability()) == {"isAvailable": True}
    made = await resolve(
        api.reports.create(
            name="Q1 GPU",
            description="GPU quota by project",
            start=START,
            end=END,
            group_by="Project",
        )
    )
    assert made["status"] == "Pending" and made["statusMessage"] == "Report in queue"
    assert made["name"] == "Q1 GPU" and made["description"] == "GPU quota by project"
    assert (made["start"], made["end"], made["groupBy"]) == (START, END, "Project")
    assert made["filterBy"] == [] and made["tenantId"] == 1001
    assert made["createdBy"] and made["createdAt"] == made["statusUpdatedAt"]

    # Not ready yet: no file.
    with pytest.raises(ra.NotFoundError) as caught:
        await resolve(api.reports.download(made["id"]))
    assert "Processing" in caught.value.message
    done = await resolve(api.reports.get(made["id"]))
    assert done["status"] == "Ready" and done["statusUpdatedAt"] >= made["statusUpdatedAt"]
    assert {k: v for k, v in done.items() if not k.startswith("status")} == {
        k: v for k, v in made.items() if not k.startswith("status")
    }

    listed = await collect(api.reports.list())
    assert listed == [done]
    assert await resolve(api.reports.count()) == {"count": 1}

    lines = table(await resolve(api.reports.download(made["id"])))
    assert [
        (r["Department"], r["Project"], r["GPU quota"], r["GPU quota hours"]) for r in lines
    ] == [
        ("chemistry", "labs", "4", "12"),
        ("physics", "lasers", "1", "3"),
        ("physics", "optics", "2", "6"),
    ]
    first = lines[0]
    assert (first["Cluster"], first["Start"], first["End"]) == ("cluster-1", START, END)
    # Allocation comes from the usage model the metrics answer from: a project's GPU
    # allocation is the same for a whole hour, so its allocation hours are the sum of its
    # hourly GPU_ALLOCATION samples, and its utilisation the allocation-weighted mean of
    # the cluster's per-project GPU utilisation at each hour's middle.
    projects = {p["name"]: p for p in await collect(api.projects.list())}
    hourly = {"start": START, "end": "2026-01-01T02:00:00Z", "number_of_samples": 3}
    middles = {"start": "2026-01-01T00:30:00Z", "end": "2026-01-01T02:30:00Z"}
    by_project = await resolve(
        api.clusters.metrics(
            cp.cluster_id,
            metric_type=["GPU_UTILIZATION"],
            group_by="Project",
            number_of_samples=3,
            **middles,
        )
    )
    busy = {
        m["groups"][0]["value"]: [float(v["value"]) for v in m["values"]]
        for m in by_project["measurements"]
    }
    for line in lines:
        project = projects[line["Project"]]
        answer = await resolve(
            api.projects.metrics(project["id"], metric_type=["GPU_ALLOCATION"], **hourly)
        )
        held = [float(v["value"]) for v in answer["measurements"][0]["values"]]
        assert float(line["GPU allocation hours"]) == sum(held)
        # Within the project's reach: the default pool's eight GPUs for three hours.
        assert 0 <= sum(held) <= 24
        utilisation = float(line["GPU utilization (%)"])
        assert 0 <= utilisation <= 100
        if sum(held):
            weighted = sum(h * u for h, u in zip(held, busy[line["Project"]], strict=True))
            assert utilisation == pytest.approx(weighted / sum(held), abs=0.01)
        else:
            assert utilisation == 0
    assert any(float(line["GPU allocation hours"]) for line in lines)

    assert await resolve(api.reports.delete(made["id"])) is None
    for call in (api.reports.get, api.reports.delete, api.reports.download):
        with pytest.raises(ra.NotFoundError):
            await resolve(call(made["id"]))
    assert await resolve(api.reports.count()) == {"count": 0}


@pytest.mark.parametrize(
    ("group_by", "header", "keys"),
    [
        ("Cluster", ["Cluster"], [("cluster-1",)]),
        (
            "Department",
            ["Cluster", "Department"],
            [("cluster-1", "chemistry"), ("cluster-1", "physics")],
        ),
        # Every project has a line in each of the cluster's pools, h100 with no quota.
        ("Nodepool", ["Cluster", "Node pool"], [("cluster-1", "default"), ("cluster-1", "h100")]),
        (
            None,
            ["Cluster", "Department", "Project", "Node pool"],
            [
                ("cluster-1", "chemistry", "labs", "default"),
                ("cluster-1", "chemistry", "labs", "h100"),
                ("cluster-1", "physics", "lasers", "default"),
                ("cluster-1", "physics", "lasers", "h100"),
                ("cluster-1", "physics", "optics", "default"),
                ("cluster-1", "physics", "optics", "h100"),
            ],
        ),
    ],
)
async def test_a_report_groups_its_lines(api, cp: FakeControlPlane, group_by, header, keys):
    await org(api, cp)
    made = await resolve(api.reports.create(name="by", start=START, end=END, group_by=group_by))
    await ready(api, made)
    text = await resolve(api.reports.download(made["id"]))
    assert text.splitlines()[0].split(",")[: len(header) + 1] == [*header, "Start"]
    lines = table(text)
    assert [tuple(r[c] for c in header) for r in lines] == keys
    # The groups share the projects' seven GPUs between them.
    assert sum(float(r["GPU quota"]) for r in lines) == 7
    assert sum(float(r["GPU quota hours"]) for r in lines) == 21


async def test_filters_keep_what_they_name(api, cp: FakeControlPlane):
    await org(api, cp)
    made = await resolve(
        api.reports.create(
            name="physics",
            start=START,
            end=END,
            filter_by=["departmentName==physics", f"clusterId=={cp.cluster_id}"],
            group_by="Project",
        )
    )
    await ready(api, made)
    lines = table(await resolve(api.reports.download(made["id"])))
    assert [r["Project"] for r in lines] == ["lasers", "optics"]


async def test_a_filter_naming_nothing_fails_the_report(api, cp: FakeControlPlane):
    made = await resolve(
        api.reports.create(name="ghost", start=START, end=END, filter_by=["projectName==ghost"])
    )
    failed = await ready(api, made)
    assert failed["status"] == "Failed"
    assert "projectName==ghost" in failed["statusMessage"]
    with pytest.raises(ra.NotFoundError) as caught:
        await resolve(api.reports.download(made["id"]))
    assert "Failed" in caught.value.message


async def test_reports_list_with_filters_sorting_and_paging(api):
    for name in ("beta", "alpha", "gamma"):
        await resolve(api.reports.create(name=name, start=START, end=END))
    # Each call above moved the earlier reports on: beta is Ready, alpha Processing, and
    # this listing moves all three once more.
    statuses = {r["name"]: r["status"] for r in await collect(api.reports.list())}
    assert statuses == {"beta": "Ready", "alpha": "Ready", "gamma": "Processing"}
    names = await collect(api.reports.list(sort_by="name"))
    assert [r["name"] for r in names] == ["alpha", "beta", "gamma"]
    names = await collect(api.reports.list(sort_by="name", sort_order="desc", page_size=1))
    assert [r["name"] for r in names] == ["gamma", "beta", "alpha"]
    assert [r["name"] for r in await collect(api.reports.list(search="AMM"))] == ["gamma"]
    assert [
        r["name"] for r in await collect(api.reports.list(filter_by="name!=beta", sort_by="name"))
    ] == [
        "alpha",
        "gamma",
    ]
    assert await resolve(api.reports.count(filter_by="status==Ready")) == {"count": 3}
    assert await resolve(api.reports.count(filter_by=["name=^a", "status==Ready"])) == {"count": 1}
    assert await resolve(api.reports.count(search="a")) == {"count": 3}
    with pytest.raises(ValueError, match="filterable fields"):
        api.reports.list(filter_by="colour==red")


@pytest.mark.parametrize(
    ("change", "error", "words"),
    [
        ({"end": START}, ra.BadRequestError, "body.end"),
        ({"start": END, "end": START}, ra.BadRequestError, "body.end"),
        ({"start": "yesterday"}, ra.BadRequestError, "body.start"),
        ({"filter_by": ["projectName=ghost"]}, ra.BadRequestError, "body.filterBy[0]"),
        ({"filter_by": ["nodeName==n1"]}, ra.BadRequestError, "body.filterBy[0]"),
        ({"name": ""}, ra.BadRequestError, "body.name"),
    ],
)
async def test_a_wrong_report_names_what_is_wrong(api, change, error, words):
    fields = {"name": "q1", "start": START, "end": END, **change}
    with pytest.raises(error) as caught:
        await resolve(api.reports.create(**fields))
    assert words in caught.value.message
    assert await resolve(api.reports.count()) == {"count": 0}


async def test_reports_are_the_tenant_administrators_business(api, cp: FakeControlPlane):
    made = await tenant(api, cp)
    report = await resolve(api.reports.create(name="q1", start=START, end=END))
    await grant(api, made["user"], L1_RESEARCHER, "project", made["proj_a"])
    user = signed_in_as(api, cp, made["user"], made["password"])
    try:
        # Whether reports exist is anyone's question.
        assert await resolve(user.reports.availability()) == {"isAvailable": True}
        for call in (user.reports.get, user.reports.download, user.reports.delete):
            with pytest.raises(ra.PermissionDeniedError):
                await resolve(call(report["id"]))
        with pytest.raises(ra.PermissionDeniedError):
            await resolve(user.reports.create(name="mine", start=START, end=END))
        with pytest.raises(ra.PermissionDeniedError):
            await resolve(user.reports.count())
        # A viewer of the whole tenant reads them and changes nothing.
        await grant(api, made["user"], VIEWER, "tenant", "1001")
        assert [r["id"] for r in await collect(user.reports.list())] == [report["id"]]
        with pytest.raises(ra.PermissionDeniedError):
            await resolve(user.reports.delete(report["id"]))
    finally:
        user.close()


async def test_reports_need_a_cluster_that_reports_in(api, cp: FakeControlPlane):
    await resolve(api.clusters.delete(cp.cluster_id, force=True))
    await resolve(api.clusters.create(name="not-yet-installed"))
    assert await resolve(api.reports.availability()) == {"isAvailable": False}
