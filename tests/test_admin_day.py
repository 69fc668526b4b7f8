"""An administrator's day, as one scenario on both clients: set up departments and
projects, users and a service account with access rules; the account works within its
rule with its own secret; the secret is rotated; the day's changes are found in the audit
log; everything is cleaned up in the order the control plane requires, after it refuses
the wrong one."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

import runai_admin as ra
from runai_admin.testing import FakeControlPlane

from .conftest import collect, resolve
from .test_service_accounts import client_of, token_v1

DEPARTMENT_ADMINISTRATOR, L1_RESEARCHER = 2, 5


async def create_organisation(api: Any, cp: FakeControlPlane) -> dict[str, str]:
    """Two departments, research with two projects and operations with one."""
    ids: dict[str, str] = {}
    for department, projects in (("research", ("vision", "speech")), ("operations", ("infra",))):
        dept = await resolve(
            api.departments.create(name=department, cluster_id=cp.cluster_id, resources=[])
        )
        ids[department] = dept["id"]
        for name in projects:
            project = await resolve(
                api.projects.create(
                    name=name, cluster_id=cp.cluster_id, parent_id=dept["id"], resources=[]
                )
            )
            ids[name] = project["id"]
    return ids


async def grant(
    client: Any, subject: tuple[str, str], role_id: int, scope: tuple[str, str]
) -> dict:
    """An access rule made by `client`: (subject type, id) gets the role on (scope type, id)."""
    return await resolve(
        client.access_rules.create(
            subject_type=subject[0],
            subject_id=subject[1],
            role_id=role_id,
            scope_type=scope[0],
            scope_id=scope[1],
        )
    )


async def works_within_its_rule(robot: Any, cp: FakeControlPlane, ids: dict[str, str]) -> None:
    """The account, an L1 researcher on vision, reads vision and nothing else."""
    assert (await resolve(robot.projects.get(ids["vision"])))["name"] == "vision"
    assert [p["name"] for p in await collect(robot.projects.list())] == ["vision"]
    for refused in (
        lambda: robot.projects.get(ids["speech"]),
        lambda: robot.departments.get(ids["research"]),
        lambda: robot.projects.create(
            name="mine", cluster_id=cp.cluster_id, parent_id=ids["research"], resources=[]
        ),
    ):
        with pytest.raises(ra.PermissionDeniedError):
            await resolve(refused())


async def test_an_administrators_day(api, cp):
    start = datetime.now(timezone.utc)

    # Morning: the organisation, its people and a robot.
    ids = await create_organisation(api, cp)
    lead = await resolve(api.users.create(email="lead@example.com"))
    await resolve(api.users.create(email="ana@example.com"))
    account = await resolve(api.service_accounts.create(name="trainer"))
    rules = [
        await grant(
            api,
            ("user", "lead@example.com"),
            DEPARTMENT_ADMINISTRATOR,
            ("department", ids["research"]),
        ),
        await grant(
            api, ("service-account", account["clientId"]), L1_RESEARCHER, ("project", ids["vision"])
        ),
    ]
    # The department's administrator lets ana work in speech.
    auth = ra.auth.Password(lead["username"], lead["tempPassword"])
    lead_client = (
        cp.async_client(auth=auth) if isinstance(api, ra.AsyncClient) else cp.client(auth=auth)
    )
    try:
        rules.append(
            await grant(
                lead_client, ("user", "ana@example.com"), L1_RESEARCHER, ("project", ids["speech"])
            )
        )
        # ...but not in operations, which is not theirs.
        with pytest.raises(ra.PermissionDeniedError):
            await grant(
                lead_client, ("user", "ana@example.com"), L1_RESEARCHER, ("project", ids["infra"])
            )
    finally:
        lead_client.close()
    listed = await collect(api.access_rules.list(filter_by=["roleName==L1 researcher"]))
    assert {r["subjectId"] for r in listed} == {"trainer", "ana@example.com"}

    # Noon: the robot works with its own secret, within its rule.
    robot = client_of(api, cp, account)
    try:
        await works_within_its_rule(robot, cp, ids)
    finally:
        robot.close()

    # Afternoon: the secret is rotated. The old one is refused, the new one works.
    old = account["clientSecret"]
    rotated = await resolve(api.service_accounts.regenerate_secret(account["id"]))
    assert rotated["clientSecret"] != old
    assert token_v1(cp, account["clientId"], old)[0] == 401
    stale = client_of(api, cp, account)
    try:
        with pytest.raises(ra.AuthenticationError) as refused:
            await resolve(stale.projects.get(ids["vision"]))
        assert refused.value.code == 401 and old not in str(refused.value)
    finally:
        stale.close()
    robot = client_of(api, cp, {**account, "clientSecret": rotated["clientSecret"]})
    try:
        await works_within_its_rule(robot, cp, ids)
    finally:
        robot.close()

    # Evening: the day in the audit log, oldest first.
    end = datetime.now(timezone.utc) + timedelta(seconds=1)
    log = await collect(api.audit_logs.list(start=start.isoformat(), end=end.isoformat()))
    # The robot's sign-ins: its first secret, that secret refused twice after the
    # rotation (the raw grant and the stale client), then the new one.
    robot_sign_ins = [
        e["result"] for e in log if e["action"] == "sign-in" and e["subject"] == "trainer"
    ]
    assert robot_sign_ins == ["Succeeded", "Failed", "Failed", "Succeeded"]
    assert any(e["action"] == "sign-in" and e["subject"] == "lead@example.com" for e in log)
    changes = [
        (e["action"], e["entity_type"], e.get("entity_name"))
        for e in log
        if e["action"] != "sign-in"
    ]
    assert changes == [
        ("create", "department", "research"),
        ("create", "project", "vision"),
        ("create", "project", "speech"),
        ("create", "department", "operations"),
        ("create", "project", "infra"),
        ("create", "user", "lead@example.com"),
        ("create", "user", "ana@example.com"),
        ("create", "service_account", "trainer"),
        ("create", "access_rule", None),
        ("create", "access_rule", None),
        ("create", "access_rule", None),
        ("create", "access_rule", None),
        ("create", "project", "mine"),
        ("update", "service_account", "trainer"),
        ("create", "project", "mine"),
    ]
    outcomes = [(e["subject"], e["result"]) for e in log if e["entity_type"] == "access_rule"]
    assert outcomes == [
        (cp.client_id, "Succeeded"),
        (cp.client_id, "Succeeded"),
        ("lead@example.com", "Succeeded"),
        ("lead@example.com", "Failed"),
    ]
    assert [e["subject"] for e in log if e.get("entity_name") == "mine"] == ["trainer"] * 2
    assert [e.get("entity_id") for e in log if e["entity_type"] == "access_rule"] == [
        *(str(r["id"]) for r in rules),
        None,
    ]

    # Night: clean up. A department that still holds projects is not deleted.
    with pytest.raises(ra.ConflictError):
        await resolve(api.departments.delete(ids["research"]))
    for rule in rules:
        await resolve(api.access_rules.delete(rule["id"]))
    await resolve(api.service_accounts.delete(account["id"]))
    for project in ("vision", "speech", "infra"):
        await resolve(api.projects.delete(ids[project]))
    for department in ("research", "operations"):
        await resolve(api.departments.delete(ids[department]))
    for user in await collect(api.users.list()):
        if user["username"] != "admin@example.com":
            await resolve(api.users.delete(user["id"]))

    # What is left is what the tenant started with.
    assert [d["name"] for d in await collect(api.departments.list())] == ["default"]
    assert await collect(api.projects.list()) == []
    assert await collect(api.service_accounts.list()) == []
    remaining = await collect(api.access_rules.list())
    assert {r["roleName"] for r in remaining} == {"System administrator"}
    assert token_v1(cp, account["clientId"], rotated["clientSecret"])[0] == 401
