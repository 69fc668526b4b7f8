"""Access rules, roles, permissions and the caller's own rules, on both clients, and what
the fake lets users with a predefined role do at project, department and cluster scope."""

from __future__ import annotations

from typing import Any

import pytest

import runai_admin as ra
from runai_admin.testing import FakeControlPlane

from .conftest import collect, resolve, resources

SYSTEM_ADMINISTRATOR, DEPARTMENT_ADMINISTRATOR, L1_RESEARCHER, VIEWER = 1, 2, 5, 8


def roles_by_name(roles: list[dict]) -> dict[str, dict]:
    return {role["name"]: role for role in roles}


async def tenant(api: Any, cp: FakeControlPlane) -> dict[str, Any]:
    """Two departments with a project each, and a user."""
    made: dict[str, Any] = {}
    for key in ("a", "b"):
        dept = await resolve(
            api.departments.create(name=f"dept-{key}", cluster_id=cp.cluster_id, resources=[])
        )
        project = await resolve(
            api.projects.create(
                name=f"proj-{key}", cluster_id=cp.cluster_id, parent_id=dept["id"], resources=[]
            )
        )
        made[f"dept_{key}"], made[f"proj_{key}"] = dept["id"], project["id"]
    user = await resolve(api.users.create(email="ada@example.com"))
    made["user"], made["password"] = user["username"], user["tempPassword"]
    return made


async def grant(api: Any, user: str, role_id: int, scope_type: str, scope_id: str) -> dict:
    return await resolve(
        api.access_rules.create(
            subject_id=user,
            subject_type="user",
            role_id=role_id,
            scope_id=scope_id,
            scope_type=scope_type,
        )
    )


def signed_in_as(api: Any, cp: FakeControlPlane, email: str, password: str) -> Any:
    """A client of the same kind as `api` that logs in as the user."""
    auth = ra.auth.Password(email, password)
    if isinstance(api, ra.AsyncClient):
        return cp.async_client(auth=auth)
    return cp.client(auth=auth)


async def test_roles_are_the_predefined_ones(api):
    roles = await collect(api.roles.list())
    names = roles_by_name(roles)
    assert {
        "System administrator",
        "Department administrator",
        "Editor",
        "Research manager",
        "L1 researcher",
        "L2 researcher",
        "ML engineer",
        "Viewer",
        "Department viewer",
        "Environment administrator",
        "Data source administrator",
        "Compute resource administrator",
        "Credentials administrator",
        "Template administrator",
        "Data volumes administrator",
    } == set(names)
    assert all(role["custom"] is False for role in roles)
    l1 = await resolve(api.roles.get(names["L1 researcher"]["id"]))
    granted = {p["resourceType"]: p["actions"] for p in l1["permissions"]}
    assert "create" in granted["workspaces"] and granted["project"] == ["read"]
    with pytest.raises(ra.NotFoundError):
        await resolve(api.roles.get(999))


async def test_access_rules_lifecycle(api, cp):
    made = await tenant(api, cp)
    rule = await grant(api, made["user"], L1_RESEARCHER, "project", made["proj_a"])
    assert (rule["roleName"], rule["scopeName"]) == ("L1 researcher", "proj-a")
    assert rule["clusterId"] == cp.cluster_id and rule["status"]["phase"] == "Ready"
    fetched = await resolve(api.access_rules.get(rule["id"]))
    assert fetched["scopePath"].endswith("/dept-a/proj-a")

    with pytest.raises(ra.ConflictError):
        await resolve(api.access_rules.create(body={**_creation(rule)}))

    mine = await collect(api.access_rules.list(subject_type="user", subject_ids=[made["user"]]))
    assert [r["id"] for r in mine] == [rule["id"]]
    by_filter = await collect(api.access_rules.list(filter_by=["roleName==L1 researcher"]))
    assert [r["id"] for r in by_filter] == [rule["id"]]
    assert (await resolve(api.access_rules.count(search="ada@")))["count"] == 1

    assert await resolve(api.access_rules.delete(rule["id"])) is None
    with pytest.raises(ra.NotFoundError):
        await resolve(api.access_rules.get(rule["id"]))
    assert (await resolve(api.access_rules.count(filter_by="subjectId==ada@example.com")))[
        "count"
    ] == 0
    assert (await resolve(api.access_rules.count(include_deleted=True, search="ada@")))[
        "count"
    ] == 1


def _creation(rule: dict) -> dict:
    fields = ("subjectId", "subjectType", "roleId", "scopeId", "scopeType")
    return {k: rule[k] for k in fields}


@pytest.mark.parametrize(
    ("change", "error", "field"),
    [
        ({"subjectId": "nobody@example.com"}, ra.NotFoundError, "body.subjectId"),
        ({"roleId": 99}, ra.NotFoundError, "body.roleId"),
        ({"scopeId": "999"}, ra.NotFoundError, "body.scopeId"),
        (
            {"subjectType": "service-account", "subjectId": "sa-1"},
            ra.NotFoundError,
            "body.subjectId",
        ),
    ],
)
async def test_a_rule_needs_a_subject_role_and_scope_that_exist(api, cp, change, error, field):
    made = await tenant(api, cp)
    body = {
        "subjectId": made["user"],
        "subjectType": "user",
        "roleId": VIEWER,
        "scopeId": made["dept_a"],
        "scopeType": "department",
        **change,
    }
    with pytest.raises(error) as caught:
        await resolve(api.access_rules.create(body=body))
    assert field in caught.value.message


async def test_batches_answer_per_item(api, cp):
    made = await tenant(api, cp)
    outcome = await resolve(
        api.access_rules.batch_create(
            payload={
                "roleId": VIEWER,
                "subjects": [
                    {"subjectId": made["user"], "subjectType": "user"},
                    {"subjectId": "nobody@example.com", "subjectType": "user"},
                ],
                "scopes": [
                    {"scopeId": made["dept_a"], "scopeType": "department"},
                    {"scopeId": made["proj_b"], "scopeType": "project"},
                ],
            }
        )
    )
    assert len(outcome["succeeded"]) == 2
    assert [f["code"] for f in outcome["failed"]] == [404, 404]
    assert outcome["failed"][0]["payload"]["subjectId"] == "nobody@example.com"

    ids = [str(r["id"]) for r in outcome["succeeded"]] + ["999"]
    checked = await resolve(api.access_rules.batch_delete(ids=ids, action="validate_delete"))
    assert checked["succeeded"] == ids[:2] and checked["failed"][0]["id"] == "999"
    assert (await resolve(api.access_rules.count(search="ada@")))["count"] == 2
    deleted = await resolve(api.access_rules.batch_delete(ids=ids[:2], action="delete"))
    assert deleted["succeeded"] == ids[:2] and deleted["failed"] == []
    assert (await resolve(api.access_rules.count(search="ada@")))["count"] == 0


async def test_the_callers_own_rules_and_permissions(api, cp):
    mine = await collect(api.me.list_access_rules())
    assert [(r["roleName"], r["scopeType"]) for r in mine] == [("System administrator", "tenant")]
    assert (await resolve(api.me.count_access_rules()))["count"] == 1
    permissions = await collect(api.permissions.list())
    assert {"create", "read", "update", "delete"} <= set(
        next(p for p in permissions if p["resourceType"] == "project")["actions"]
    )
    scopes = await resolve(api.permissions.permitted_scopes(resource_type="project"))
    assert scopes["create"]["tenants"] and cp.cluster_id in scopes["read"]["clusters"]


async def test_a_researcher_sees_their_project_and_no_other(api, cp):
    made = await tenant(api, cp)
    await grant(api, made["user"], L1_RESEARCHER, "project", made["proj_a"])
    user = signed_in_as(api, cp, made["user"], made["password"])
    try:
        assert (await resolve(user.projects.get(made["proj_a"])))["name"] == "proj-a"
        listed = await collect(user.projects.list())
        assert [p["id"] for p in listed] == [made["proj_a"]]
        mine = await collect(user.me.list_access_rules())
        assert [r["scopeName"] for r in mine] == ["proj-a"]
        scopes = await resolve(user.permissions.permitted_scopes(resource_type="project"))
        assert scopes["read"]["projects"] == [made["proj_a"]] and not scopes["create"]["projects"]
        with pytest.raises(ra.PermissionDeniedError) as refused:
            await resolve(user.projects.get(made["proj_b"]))
        assert refused.value.code == 403 and "project" in refused.value.message
        with pytest.raises(ra.PermissionDeniedError):
            await resolve(user.departments.get(made["dept_a"]))
        with pytest.raises(ra.PermissionDeniedError):
            await resolve(
                user.projects.create(
                    name="mine", cluster_id=cp.cluster_id, parent_id=made["dept_a"], resources=[]
                )
            )
        with pytest.raises(ra.PermissionDeniedError):
            await resolve(user.clusters.get(cp.cluster_id))
        with pytest.raises(ra.PermissionDeniedError):
            await resolve(user.users.create(email="eve@example.com"))
    finally:
        user.close()


async def test_a_department_administrator_works_in_their_department_only(api, cp):
    made = await tenant(api, cp)
    await grant(api, made["user"], DEPARTMENT_ADMINISTRATOR, "department", made["dept_a"])
    user = signed_in_as(api, cp, made["user"], made["password"])
    try:
        new = await resolve(
            user.projects.create(
                name="new", cluster_id=cp.cluster_id, parent_id=made["dept_a"], resources=[]
            )
        )
        assert new["createdBy"] == made["user"]
        assert (await resolve(user.departments.get(made["dept_a"])))["name"] == "dept-a"
        assert {d["id"] for d in await collect(user.departments.list())} == {made["dept_a"]}
        granted = await grant(user, made["user"], L1_RESEARCHER, "project", new["id"])
        assert granted["createdBy"] == made["user"]
        with pytest.raises(ra.PermissionDeniedError):
            await resolve(
                user.projects.create(
                    name="elsewhere",
                    cluster_id=cp.cluster_id,
                    parent_id=made["dept_b"],
                    resources=[],
                )
            )
        with pytest.raises(ra.PermissionDeniedError):
            await resolve(user.projects.delete(made["proj_b"]))
        with pytest.raises(ra.PermissionDeniedError):
            await resolve(user.clusters.update(cp.cluster_id, name="mine"))
        with pytest.raises(ra.PermissionDeniedError):
            await grant(user, made["user"], SYSTEM_ADMINISTRATOR, "department", made["dept_a"])
    finally:
        user.close()


async def test_a_cluster_viewer_reads_everything_in_it_and_changes_nothing(api, cp):
    made = await tenant(api, cp)
    await grant(api, made["user"], VIEWER, "cluster", cp.cluster_id)
    user = signed_in_as(api, cp, made["user"], made["password"])
    try:
        assert (await resolve(user.clusters.get(cp.cluster_id)))["uuid"] == cp.cluster_id
        assert [c["uuid"] for c in await collect(user.clusters.list())] == [cp.cluster_id]
        assert (await resolve(user.projects.get(made["proj_b"])))["name"] == "proj-b"
        assert (await resolve(user.departments.count()))["count"] == 3
        with pytest.raises(ra.PermissionDeniedError):
            await resolve(user.projects.update(made["proj_a"], resources=resources(1)))
        with pytest.raises(ra.PermissionDeniedError):
            await resolve(user.departments.create(name="d", cluster_id=cp.cluster_id, resources=[]))
        with pytest.raises(ra.PermissionDeniedError):
            await resolve(user.users.get(made["user"]))
    finally:
        user.close()


async def test_rules_go_with_their_project_and_their_user(api, cp):
    made = await tenant(api, cp)
    on_project = await grant(api, made["user"], VIEWER, "project", made["proj_a"])
    on_department = await grant(api, made["user"], VIEWER, "department", made["dept_b"])
    await resolve(api.projects.delete(made["proj_a"]))
    with pytest.raises(ra.NotFoundError):
        await resolve(api.access_rules.get(on_project["id"]))
    assert (await resolve(api.access_rules.get(on_department["id"])))["scopeName"] == "dept-b"
    users = await collect(api.users.list())
    await resolve(api.users.delete(next(u["id"] for u in users if u["username"] == made["user"])))
    assert (await resolve(api.access_rules.count(search="ada@")))["count"] == 0


EVERYWHERE = {"project", "department", "cluster"}
DEPARTMENT_UP = {"department", "cluster"}
NOWHERE: set[str] = set()

#: For each call a user makes, the scope kinds of their one rule at which it is allowed
#: (a rule on proj-a, on dept-a which holds it, or on the cluster), per role.
MATRIX: dict[str, dict[int, set[str]]] = {
    "read proj-a": {
        L1_RESEARCHER: EVERYWHERE,
        VIEWER: EVERYWHERE,
        DEPARTMENT_ADMINISTRATOR: EVERYWHERE,
    },
    "read proj-b": {
        L1_RESEARCHER: {"cluster"},
        VIEWER: {"cluster"},
        DEPARTMENT_ADMINISTRATOR: {"cluster"},
    },
    "read dept-a": {
        L1_RESEARCHER: NOWHERE,
        VIEWER: DEPARTMENT_UP,
        DEPARTMENT_ADMINISTRATOR: DEPARTMENT_UP,
    },
    "create a project in dept-a": {
        L1_RESEARCHER: NOWHERE,
        VIEWER: NOWHERE,
        DEPARTMENT_ADMINISTRATOR: DEPARTMENT_UP,
    },
    "read the cluster": {
        L1_RESEARCHER: NOWHERE,
        VIEWER: {"cluster"},
        DEPARTMENT_ADMINISTRATOR: {"cluster"},
    },
    "rename the cluster": {
        L1_RESEARCHER: NOWHERE,
        VIEWER: NOWHERE,
        DEPARTMENT_ADMINISTRATOR: NOWHERE,
    },
}


def matrix_calls(user: Any, made: dict[str, Any], cluster_id: str) -> dict[str, Any]:
    """The calls of MATRIX, not yet made."""
    return {
        "read proj-a": lambda: user.projects.get(made["proj_a"]),
        "read proj-b": lambda: user.projects.get(made["proj_b"]),
        "read dept-a": lambda: user.departments.get(made["dept_a"]),
        "create a project in dept-a": lambda: user.projects.create(
            name="p", cluster_id=cluster_id, parent_id=made["dept_a"], resources=[]
        ),
        "read the cluster": lambda: user.clusters.get(cluster_id),
        "rename the cluster": lambda: user.clusters.update(cluster_id, name="renamed"),
    }


@pytest.mark.parametrize("scope_type", sorted(EVERYWHERE))
@pytest.mark.parametrize("role_id", [L1_RESEARCHER, DEPARTMENT_ADMINISTRATOR, VIEWER])
async def test_authorisation_matrix(api, cp, role_id, scope_type):
    made = await tenant(api, cp)
    scope_id = {"project": made["proj_a"], "department": made["dept_a"]}.get(
        scope_type, cp.cluster_id
    )
    await grant(api, made["user"], role_id, scope_type, scope_id)
    user = signed_in_as(api, cp, made["user"], made["password"])
    outcomes = {}
    try:
        for name, call in matrix_calls(user, made, cp.cluster_id).items():
            try:
                await resolve(call())
                outcomes[name] = True
            except ra.PermissionDeniedError:
                outcomes[name] = False
    finally:
        user.close()
    expected = {name: scope_type in allowed[role_id] for name, allowed in MATRIX.items()}
    assert outcomes == expected


#: The roles a department administrator hands out in its department (rbac.md), by id.
DEPARTMENT_ADMINISTRATOR_ASSIGNS = {4: "Research manager", 5: "L1 researcher"}
DEPARTMENT_ADMINISTRATOR_ASSIGNS |= {6: "L2 researcher", 7: "ML engineer", 8: "Viewer"}


async def test_a_department_administrator_assigns_only_the_roles_it_may(api, cp):
    made = await tenant(api, cp)
    await grant(api, made["user"], DEPARTMENT_ADMINISTRATOR, "department", made["dept_a"])
    await resolve(api.users.create(email="bo@example.com"))
    roles = await collect(api.roles.list())
    admin = signed_in_as(api, cp, made["user"], made["password"])
    try:
        given = {}
        for role in roles:
            try:
                await grant(admin, "bo@example.com", role["id"], "project", made["proj_a"])
                given[role["id"]] = role["name"]
            except ra.PermissionDeniedError as refused:
                assert "may not grant" in refused.message
        # Editor and Department viewer need no permission the administrator lacks, yet
        # they are not among the roles it assigns.
        assert given == DEPARTMENT_ADMINISTRATOR_ASSIGNS
        # Nor anywhere outside its department.
        with pytest.raises(ra.PermissionDeniedError):
            await grant(admin, "bo@example.com", VIEWER, "project", made["proj_b"])
    finally:
        admin.close()


async def test_a_batch_checks_each_item_in_its_own_scope(api, cp):
    made = await tenant(api, cp)
    await grant(api, made["user"], DEPARTMENT_ADMINISTRATOR, "department", made["dept_a"])
    await resolve(api.users.create(email="bo@example.com"))
    elsewhere = await grant(api, "bo@example.com", VIEWER, "project", made["proj_b"])
    admin = signed_in_as(api, cp, made["user"], made["password"])
    try:
        outcome = await resolve(
            admin.access_rules.batch_create(
                payload={
                    "roleId": L1_RESEARCHER,
                    "subjects": [{"subjectId": "bo@example.com", "subjectType": "user"}],
                    "scopes": [
                        {"scopeId": made["proj_a"], "scopeType": "project"},
                        {"scopeId": made["proj_b"], "scopeType": "project"},
                        {"scopeId": made["dept_a"], "scopeType": "department"},
                    ],
                }
            )
        )
        assert [r["scopeId"] for r in outcome["succeeded"]] == [made["proj_a"], made["dept_a"]]
        assert [(f["payload"]["scopeId"], f["code"]) for f in outcome["failed"]] == [
            (made["proj_b"], 403)
        ]
        mine = [str(r["id"]) for r in outcome["succeeded"]]
        ids = [*mine, str(elsewhere["id"])]
        checked = await resolve(admin.access_rules.batch_delete(ids=ids, action="validate_delete"))
        assert checked["succeeded"] == mine
        assert [(f["id"], f["code"]) for f in checked["failed"]] == [(str(elsewhere["id"]), 403)]
        deleted = await resolve(admin.access_rules.batch_delete(ids=ids, action="delete"))
        assert deleted["succeeded"] == mine and len(deleted["failed"]) == 1
    finally:
        admin.close()
    # The rule outside the administrator's department is still there; its own are gone.
    assert (await resolve(api.access_rules.get(elsewhere["id"])))["scopeId"] == made["proj_b"]
    left = await collect(api.access_rules.list(subject_ids=["bo@example.com"]))
    assert [r["id"] for r in left] == [elsewhere["id"]]


async def test_a_user_changes_their_own_password(api, cp):
    made = await tenant(api, cp)
    user = signed_in_as(api, cp, made["user"], made["password"])
    try:
        with pytest.raises(ra.BadRequestError) as refused:
            await resolve(
                user.users.change_password(current_password="wrong", new_password="N3w-pass!")
            )
        assert "currentPassword" in refused.value.message
        await resolve(
            user.users.change_password(current_password=made["password"], new_password="N3w-pass!")
        )
    finally:
        user.close()
    again = signed_in_as(api, cp, made["user"], "N3w-pass!")
    try:
        assert [r["subjectId"] for r in await collect(again.me.list_access_rules())] == []
    finally:
        again.close()
    stale = signed_in_as(api, cp, made["user"], made["password"])
    try:
        with pytest.raises(ra.AuthenticationError):
            await collect(stale.me.list_access_rules())
    finally:
        stale.close()


# The seed-era node pool create is deprecated: its warning is expected here.
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
async def test_seed_era_creates_are_checked_where_their_body_says(api, cp):
    """`POST /v1/k8s/projects` lands in the department its body names, `/v1/k8s/departments`
    and `/v1/k8s/nodetypes` in the cluster theirs names, `/v1/k8s/clusters/{clusterId}/
    node-pools` in its path's cluster: a rule there allows them, a rule elsewhere does not."""
    made = await tenant(api, cp)
    other = await resolve(api.clusters.create(name="cluster-2"))
    await grant(api, made["user"], DEPARTMENT_ADMINISTRATOR, "department", made["dept_a"])
    await grant(api, made["user"], SYSTEM_ADMINISTRATOR, "cluster", other["uuid"])
    caller = signed_in_as(api, cp, made["user"], made["password"])

    def project_in(dept: str, name: str) -> Any:
        return caller.legacy.projects.create(
            name=name, cluster_uuid=cp.cluster_id, department_id=int(dept), deserved_gpus=0
        )

    try:
        assert (await resolve(project_in(made["dept_a"], "mine")))["name"] == "mine"
        made_there = await resolve(
            caller.legacy.departments.create(name="d", cluster_uuid=other["uuid"], deserved_gpus=0)
        )
        assert made_there["clusterUuid"] == other["uuid"]
        await resolve(caller.legacy.node_types.create(name="v100", cluster_uuid=other["uuid"]))
        for refused in (
            lambda: project_in(made["dept_b"], "theirs"),
            lambda: caller.legacy.departments.create(
                name="e", cluster_uuid=cp.cluster_id, deserved_gpus=0
            ),
            lambda: caller.legacy.node_types.create(name="v100", cluster_uuid=cp.cluster_id),
            lambda: caller.node_pools.legacy_create(
                cp.cluster_id, name="a100", label_key="gpu", label_value="a100"
            ),
        ):
            with pytest.raises(ra.PermissionDeniedError):
                await resolve(refused())
    finally:
        closing = caller.close()
        if closing is not None:
            await closing
