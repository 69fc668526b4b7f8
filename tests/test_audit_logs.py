"""The audit log on both clients: every change the fake makes leaves an entry (who, what,
which object, when, the outcome), reads leave none, and the log is listed within a time
range, filtered, sorted and paged, or downloaded as CSV or JSON."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

import runai_admin as ra
from runai_admin.testing import FakeControlPlane

from .conftest import collect, paths, raw_request, raw_token, resolve
from .test_access_control import signed_in_as


def stamp(moment: datetime) -> str:
    return moment.isoformat()


def now() -> datetime:
    return datetime.now(timezone.utc)


def to_the_millisecond(moment: datetime) -> datetime:
    """The precision of the entries' stamps."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


@pytest.fixture(autouse=True)
async def signed_in(request: pytest.FixtureRequest) -> None:
    """The client has signed in (a log entry of its own, see tests/test_tokens.py) before a
    test opens its time window, in an earlier millisecond (the entries' precision)."""
    if "api" in request.fixturenames:
        api = request.getfixturevalue("api")
        await collect(api.clusters.list())
        await asyncio.sleep(0.01)


async def logged(api: Any, since: datetime, **options: Any) -> list[dict]:
    # A second of slack at the end: the entry of a change just made is stamped by the
    # fake's clock, read after the caller's.
    until = now() + timedelta(seconds=1)
    return await collect(api.audit_logs.list(start=stamp(since), end=stamp(until), **options))


async def test_changes_are_logged_with_subject_action_object_and_time(api, cp):
    start = now()
    dept = await resolve(
        api.departments.create(name="physics", cluster_id=cp.cluster_id, resources=[])
    )
    await resolve(api.departments.update(dept["id"], resources=[], description="optics"))
    project = await resolve(
        api.projects.create(
            name="lasers", cluster_id=cp.cluster_id, parent_id=dept["id"], resources=[]
        )
    )
    await resolve(api.projects.update(project["id"], resources=[], description="red"))
    await resolve(api.projects.delete(project["id"]))
    await resolve(api.departments.delete(dept["id"]))
    end = now() + timedelta(seconds=1)

    entries = await logged(api, start)
    assert [(e["action"], e["entity_type"], e["entity_name"]) for e in entries] == [
        ("create", "department", "physics"),
        ("update", "department", "physics"),
        ("create", "project", "lasers"),
        ("update", "project", "lasers"),
        ("delete", "project", "lasers"),
        ("delete", "department", "physics"),
    ]
    assert [e["entity_id"] for e in entries] == [dept["id"]] * 2 + [project["id"]] * 3 + [
        dept["id"]
    ]
    assert [e["http_method"] for e in entries] == ["POST", "PUT", "POST", "PUT", "DELETE", "DELETE"]
    for entry in entries:
        assert entry["subject"] == cp.client_id and entry["subject_type"] == "App"
        assert entry["result"] == "Succeeded" and 200 <= entry["http_status_code"] < 300
        assert entry["cluster_id"] == cp.cluster_id
        moment = datetime.fromisoformat(entry["timestamp"].replace("Z", "+00:00"))
        assert to_the_millisecond(start) <= moment <= end
    assert [e["timestamp"] for e in entries] == sorted(e["timestamp"] for e in entries)


async def test_reads_leave_no_entry(api, cp):
    start = now()
    await collect(api.projects.list())
    await collect(api.departments.list())
    await resolve(api.clusters.get(cp.cluster_id))
    await collect(api.audit_logs.list(start=stamp(start), end=stamp(now())))
    await resolve(api.audit_logs.download(start=stamp(start), end=stamp(now())))
    await resolve(api.permissions.permitted_scopes(resource_type="project", action="create"))
    assert await logged(api, start) == []


async def new_user_signed_in(api: Any, cp: FakeControlPlane) -> tuple[Any, datetime]:
    """A client of `api`'s kind signed in as a new user, ada@example.com, and a moment
    after the user's creation was logged."""
    user = await resolve(api.users.create(email="ada@example.com"))
    # Entries are stamped to the millisecond: let the user's creation fall before start.
    await asyncio.sleep(0.01)
    return signed_in_as(api, cp, user["username"], user["tempPassword"]), now()


async def test_a_refused_change_is_logged_as_failed_under_the_users_name(api, cp):
    ada, start = await new_user_signed_in(api, cp)
    try:
        with pytest.raises(ra.PermissionDeniedError):
            await resolve(
                ada.departments.create(name="mine", cluster_id=cp.cluster_id, resources=[])
            )
    finally:
        ada.close()
    sign_in, entry = await logged(api, start)
    assert (sign_in["action"], sign_in["subject"], sign_in["result"]) == (
        "sign-in",
        "ada@example.com",
        "Succeeded",
    )
    assert (entry["subject"], entry["subject_type"]) == ("ada@example.com", "User")
    assert (entry["action"], entry["entity_type"], entry["entity_name"]) == (
        "create",
        "department",
        "mine",
    )
    assert (entry["result"], entry["http_status_code"]) == ("Failed", 403)


async def test_the_log_is_filtered_sorted_and_paged(api, cp: FakeControlPlane):
    start = now()
    for name in ("a", "b", "c"):
        await resolve(api.projects.create(name=name, cluster_id=cp.cluster_id, resources=[]))
    await resolve(api.users.create(email="bob@example.com"))

    only_b = await logged(api, start, filter_by=["entity_name==b"])
    assert [e["entity_name"] for e in only_b] == ["b"]
    projects = await logged(api, start, filter_by=["entity_type==project", "action==create"])
    assert [e["entity_name"] for e in projects] == ["a", "b", "c"]
    users = await logged(api, start, filter_by="entity_type==user")
    assert [e["entity_name"] for e in users] == ["bob@example.com"]
    by_name = await logged(api, start, sort_by="entity_name", sort_order="desc")
    assert [e["entity_name"] for e in by_name] == ["c", "bob@example.com", "b", "a"]

    # Time filters take any offset: the second entry's moment, two hours east.
    second = datetime.fromisoformat(by_name[2]["timestamp"].replace("Z", "+00:00"))
    east = second.astimezone(timezone(timedelta(hours=2))).isoformat()
    from_b = await logged(api, start, filter_by=[f"timestamp>={east}"])
    # (A stamp shared to the millisecond may let "a" in too.)
    assert {"b", "c", "bob@example.com"} <= {e["entity_name"] for e in from_b}

    # Outside the time range: none of these (the client's sign-in came before).
    earlier = await collect(
        api.audit_logs.list(start=stamp(start - timedelta(hours=1)), end=stamp(start))
    )
    assert [e["action"] for e in earlier] == ["sign-in"]

    cp.clear_requests()
    paged = await logged(api, start, page_size=3)
    assert [e["entity_name"] for e in paged] == ["a", "b", "c", "bob@example.com"]
    queries = [r["query"] for r in paths(cp, "/api/v1/audit/log")]
    # The second page starts one entry early, on one the walk has (pagination.py says why).
    assert len(queries) == 2 and "offset=0&numberOfSamples=3" in queries[0]
    assert "offset=2&numberOfSamples=4" in queries[1]
    assert await logged(api, start, max_items=2, offset=1) == paged[1:3]


async def test_the_download_holds_the_same_entries_as_csv_and_json(api, cp):
    start = now()
    for name in ("x", "y, with a comma"):
        await resolve(api.projects.create(name=name, cluster_id=cp.cluster_id, resources=[]))
    end = now() + timedelta(seconds=1)
    listed = await logged(api, start)
    window = {"start": stamp(start), "end": stamp(end)}

    as_json = await resolve(api.audit_logs.download(file_type="JSON", **window))
    assert isinstance(as_json, bytes)  # application/octet-stream: a binary download
    assert json.loads(as_json) == listed

    as_csv = await resolve(api.audit_logs.download(**window))  # CSV by default
    rows = list(csv.DictReader(io.StringIO(as_csv.decode())))
    assert [r["id"] for r in rows] == [e["id"] for e in listed]
    assert [r["entity_name"] for r in rows] == ["x", "y, with a comma"]
    assert {r["action"] for r in rows} == {"create"} and {r["result"] for r in rows} == {
        "Succeeded"
    }
    assert [int(r["http_status_code"]) for r in rows] == [201, 201]

    only_x = await resolve(
        api.audit_logs.download(file_type="JSON", filter_by=["entity_name==x"], **window)
    )
    assert [e["entity_name"] for e in json.loads(only_x)] == ["x"]
    one = await resolve(api.audit_logs.download(file_type="JSON", number_of_samples=1, **window))
    assert json.loads(one) == listed[:1]


async def test_a_users_own_access_keys_are_logged_as_access_keys(api, cp):
    ada, start = await new_user_signed_in(api, cp)
    try:
        key = await resolve(ada.access_keys.create(name="laptop"))
        await resolve(ada.access_keys.regenerate_secret(key["id"]))
        await resolve(ada.access_keys.delete(key["id"]))
    finally:
        ada.close()
    sign_in, *entries = await logged(api, start)
    assert (sign_in["action"], sign_in["subject"]) == ("sign-in", "ada@example.com")
    assert [(e["action"], e["entity_type"], e["entity_id"]) for e in entries] == [
        ("create", "access_key", key["id"]),
        ("update", "access_key", key["id"]),
        ("delete", "access_key", key["id"]),
    ]
    assert {e["subject"] for e in entries} == {"ada@example.com"}
    assert entries[0]["entity_name"] == "laptop"
    assert all(e["result"] == "Succeeded" for e in entries)


async def test_a_change_refused_for_its_body_or_query_is_logged_as_failed(api, cp):
    start = now()
    # The client checks arguments before sending: these requests go as any HTTP client
    # may send them.
    token = raw_token(cp)
    status, _ = raw_request(
        cp.url + "/api/v1/org-unit/departments",
        {"name": "physics", "clusterId": "not-a-uuid", "resources": []},
        token,
    )
    assert status == 400
    status, _ = raw_request(cp.url + "/api/v1/users", {"email": ["ada@example.com"]}, token)
    assert status == 400
    # A query value of the wrong type: `force` is a boolean.
    deletion = urllib.request.Request(
        f"{cp.url}/api/v1/clusters/{cp.cluster_id}?force=maybe",
        method="DELETE",
        headers={"Authorization": f"Bearer {token}"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(deletion)
    assert refused.value.code == 400
    # The raw token's grant is signed in first; then the three refused changes.
    sign_in, *entries = await logged(api, start)
    assert (sign_in["action"], sign_in["subject"]) == ("sign-in", cp.client_id)
    assert [
        (e["action"], e["entity_type"], e.get("entity_name"), e["result"], e["http_status_code"])
        for e in entries
    ] == [
        ("create", "department", "physics", "Failed", 400),
        ("create", "user", None, "Failed", 400),
        ("delete", "cluster", "cluster-1", "Failed", 400),
    ]
    assert entries[2]["entity_id"] == cp.cluster_id
    assert {e["subject"] for e in entries} == {cp.client_id}


WINDOW = {"start": "2026-01-01T00:00:00Z", "end": "2026-01-02T00:00:00Z"}
PNG = b"\x89PNG\r\n\x1a\n"


async def make_and_remove_report(api: Any, cp: FakeControlPlane) -> list[tuple]:
    report = await resolve(api.reports.create(name="q1", group_by="Project", **WINDOW))
    await resolve(api.reports.delete(report["id"]))
    return [("create", "report", report["id"], "q1"), ("delete", "report", report["id"], "q1")]


async def make_and_remove_topology(api: Any, cp: FakeControlPlane) -> list[tuple]:
    made = await resolve(
        api.network_topologies.create(name="racks", cluster_id=cp.cluster_id, levels=["rack"])
    )
    await resolve(api.network_topologies.delete(made["id"]))
    return [
        ("create", "network_topology", made["id"], "racks"),
        ("delete", "network_topology", made["id"], "racks"),
    ]


async def make_change_and_remove_node_pool(api: Any, cp: FakeControlPlane) -> list[tuple]:
    pool = await resolve(
        api.node_pools.create(
            name="a100", cluster_id=cp.cluster_id, label_key="gpu", label_value="a100"
        )
    )
    await resolve(api.node_pools.patch(pool["id"], over_provisioning_ratio=2))
    await resolve(api.node_pools.delete(pool["id"]))
    return [(action, "node_pool", pool["id"], "a100") for action in ("create", "update", "delete")]


async def change_a_tenant_setting(api: Any, cp: FakeControlPlane) -> list[tuple]:
    await resolve(api.tenant_settings.update(key="gpu.memory_swap", value=True))
    return [("update", "tenant_setting", "gpu.memory_swap", "gpu.memory_swap")]


async def upload_the_logo(api: Any, cp: FakeControlPlane) -> list[tuple]:
    await resolve(api.logo.upload(logo=PNG))
    return [("create", "logo", None, None)]


async def make_seed_era_objects(api: Any, cp: FakeControlPlane) -> list[tuple]:
    department = await resolve(
        api.legacy.departments.create(name="physics", cluster_uuid=cp.cluster_id, deserved_gpus=1)
    )
    node_type = await resolve(api.legacy.node_types.create(name="v100", cluster_uuid=cp.cluster_id))
    await resolve(api.legacy.node_types.delete(node_type["id"]))
    return [
        ("create", "department", str(department["id"]), "physics"),
        ("create", "node_type", str(node_type["id"]), "v100"),
        ("delete", "node_type", str(node_type["id"]), "v100"),
    ]


@pytest.mark.parametrize(
    "change",
    [
        make_and_remove_report,
        make_and_remove_topology,
        make_change_and_remove_node_pool,
        change_a_tenant_setting,
        upload_the_logo,
        make_seed_era_objects,
    ],
)
async def test_each_area_logs_the_kind_of_object_it_changed(api, cp, change):
    """Each entry names its object's kind (the spec's examples: `project`, `cluster`), and
    the object's id, name and cluster where it has them."""
    start = now()
    want = await change(api, cp)
    entries = await logged(api, start, sort_by="timestamp", sort_order="asc")
    got = [
        (e["action"], e["entity_type"], e.get("entity_id"), e.get("entity_name")) for e in entries
    ]
    assert got == want
    assert all(e["result"] == "Succeeded" for e in entries)
    in_a_cluster = {"network_topology", "node_pool", "node_type", "department"}
    for entry in entries:
        if entry["entity_type"] in in_a_cluster:
            assert entry["cluster_id"] == cp.cluster_id, entry
