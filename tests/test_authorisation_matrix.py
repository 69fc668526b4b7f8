"""The authorisation matrix: every predefined role, held at each scope level (the tenant,
a cluster, a department, a project), by a service account signing in with its own secret.

Each subject makes the same sample of calls: reads and changes of objects inside its
scope, outside it and above it. What each call must answer is worked out here, apart from
the fake: from the roles' permissions as the documentation states them (rbac.md) and from
the nesting tenant ⊃ cluster ⊃ department ⊃ project, both written out below. A call is
allowed when the role grants the call's action on its resource type and the rule's scope
holds the object the call acts on (for a creation: the object it creates in); otherwise
it is refused with 403.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

import runai_admin as ra
from runai_admin.testing import FakeControlPlane

CRUD = frozenset({"create", "read", "update", "delete"})
READ = frozenset({"read"})
NONE: frozenset[str] = frozenset()

#: The resource types the sample touches.
RESOURCES = ("project", "department", "cluster", "users", "access_rules")


def grants(**actions: frozenset[str]) -> dict[str, frozenset[str]]:
    return {resource: actions.get(resource, NONE) for resource in RESOURCES}


EVERYTHING = grants(**dict.fromkeys(RESOURCES, CRUD))
VIEW_ALL = grants(**dict.fromkeys(RESOURCES, READ))
#: Viewing departments and projects, which each asset administrator does besides its asset.
VIEW_ORGANISATION_UNITS = grants(project=READ, department=READ)

#: Per predefined role (by its name in the roles list), what it may do on the resource
#: types of the sample, as the documentation's roles table has it.
PERMISSIONS: dict[str, dict[str, frozenset[str]]] = {
    "System administrator": EVERYTHING,
    # Manages departments and projects, assigns roles in its scope, views everything.
    "Department administrator": grants(
        project=CRUD, department=CRUD, cluster=READ, users=READ, access_rules=CRUD
    ),
    # Views every screen, manages departments and projects.
    "Editor": grants(project=CRUD, department=CRUD, cluster=READ, users=READ, access_rules=READ),
    # Manages projects (and assets); sees no departments.
    "Research manager": grants(project=CRUD),
    # Work in their projects: they see the project and change nothing of it.
    "L1 researcher": grants(project=READ),
    "L2 researcher": grants(project=READ),
    "ML engineer": grants(project=READ),
    "Viewer": VIEW_ALL,
    "Department viewer": VIEW_ORGANISATION_UNITS,
    "Environment administrator": VIEW_ORGANISATION_UNITS,
    "Data source administrator": VIEW_ORGANISATION_UNITS,
    "Compute resource administrator": VIEW_ORGANISATION_UNITS,
    "Credentials administrator": VIEW_ORGANISATION_UNITS,
    "Template administrator": VIEW_ORGANISATION_UNITS,
    # Views the organisation's objects (not its users or rules), manages data volumes.
    "Data volumes administrator": grants(project=READ, department=READ, cluster=READ),
}

LEVELS = ("tenant", "cluster", "department", "project")


@dataclass
class Tenant:
    """Two clusters; the first holds two departments with a project each. `parent` maps
    each scope (kind, id) to the one that holds it."""

    cluster: str
    other_cluster: str
    dept_a: str
    dept_b: str
    proj_a: str
    proj_b: str
    tenant_id: str
    admin_id: str
    rule_on_proj_b: int
    parent: dict[tuple[str, str], tuple[str, str]]

    def scope(self, level: str) -> tuple[str, str]:
        return {
            "tenant": ("tenant", self.tenant_id),
            "cluster": ("cluster", self.cluster),
            "department": ("department", self.dept_a),
            "project": ("project", self.proj_a),
        }[level]

    def holds(self, outer: tuple[str, str], inner: tuple[str, str]) -> bool:
        """Whether `inner` is `outer` or lies within it."""
        at: tuple[str, str] | None = inner
        while at is not None:
            if at == outer:
                return True
            at = self.parent.get(at)
        return False


def build(client: ra.Client) -> Tenant:
    cluster = client.clusters.list().to_list()[0]["uuid"]
    other = client.clusters.create(name="cluster-2", version="2.21.0")["uuid"]
    made = {}
    for key in ("a", "b"):
        dept = client.departments.create(name=f"dept-{key}", cluster_id=cluster, resources=[])
        project = client.projects.create(
            name=f"proj-{key}", cluster_id=cluster, parent_id=dept["id"], resources=[]
        )
        made[f"dept_{key}"], made[f"proj_{key}"] = dept["id"], project["id"]
    admin = client.users.list().to_list()[0]
    rule = client.access_rules.create(
        subject_id=admin["username"],
        subject_type="user",
        role_id=8,
        scope_id=made["proj_b"],
        scope_type="project",
    )
    # The tenant's id: the scope of the caller's own rule on the whole tenant.
    tenant_id = client.me.list_access_rules().to_list()[0]["scopeId"]
    tenant = ("tenant", tenant_id)
    parent = {
        ("cluster", cluster): tenant,
        ("cluster", other): tenant,
        ("department", made["dept_a"]): ("cluster", cluster),
        ("department", made["dept_b"]): ("cluster", cluster),
        ("project", made["proj_a"]): ("department", made["dept_a"]),
        ("project", made["proj_b"]): ("department", made["dept_b"]),
    }
    return Tenant(
        cluster=cluster,
        other_cluster=other,
        tenant_id=tenant_id,
        admin_id=admin["id"],
        rule_on_proj_b=rule["id"],
        parent=parent,
        **made,
    )


@dataclass
class Call:
    """One call of the sample: what it needs (resource type, action) where (the scope of
    the object it acts on, or creates in), and how to make it."""

    name: str
    resource: str
    action: str
    where: tuple[str, str]
    make: Callable[[Any], Any]


def sample(t: Tenant, tag: str) -> list[Call]:
    """Reads and changes inside, outside and above each level's scope. `tag` keeps the
    names of what the subject creates apart from other subjects'."""
    tenant = ("tenant", t.tenant_id)
    return [
        Call("read proj-a", "project", "read", ("project", t.proj_a),
             lambda c: c.projects.get(t.proj_a)),
        Call("read proj-b", "project", "read", ("project", t.proj_b),
             lambda c: c.projects.get(t.proj_b)),
        Call("describe proj-a", "project", "update", ("project", t.proj_a),
             lambda c: c.projects.update(t.proj_a, resources=[], description=tag)),
        Call("describe proj-b", "project", "update", ("project", t.proj_b),
             lambda c: c.projects.update(t.proj_b, resources=[], description=tag)),
        Call("create a project in dept-a", "project", "create", ("department", t.dept_a),
             lambda c: c.projects.create(
                 name=f"p-{tag}", cluster_id=t.cluster, parent_id=t.dept_a, resources=[])),
        Call("create a project in dept-b", "project", "create", ("department", t.dept_b),
             lambda c: c.projects.create(
                 name=f"q-{tag}", cluster_id=t.cluster, parent_id=t.dept_b, resources=[])),
        Call("read dept-a", "department", "read", ("department", t.dept_a),
             lambda c: c.departments.get(t.dept_a)),
        Call("read dept-b", "department", "read", ("department", t.dept_b),
             lambda c: c.departments.get(t.dept_b)),
        Call("describe dept-a", "department", "update", ("department", t.dept_a),
             lambda c: c.departments.update(t.dept_a, resources=[], description=tag)),
        Call("create a department", "department", "create", ("cluster", t.cluster),
             lambda c: c.departments.create(name=f"d-{tag}", cluster_id=t.cluster, resources=[])),
        Call("read the cluster", "cluster", "read", ("cluster", t.cluster),
             lambda c: c.clusters.get(t.cluster)),
        Call("read the other cluster", "cluster", "read", ("cluster", t.other_cluster),
             lambda c: c.clusters.get(t.other_cluster)),
        Call("rename the other cluster", "cluster", "update", ("cluster", t.other_cluster),
             lambda c: c.clusters.update(t.other_cluster, name="cluster-2")),
        Call("read a user", "users", "read", tenant,
             lambda c: c.users.get(t.admin_id)),
        Call("read the rule on proj-b", "access_rules", "read", ("project", t.proj_b),
             lambda c: c.access_rules.get(t.rule_on_proj_b)),
    ]  # fmt: skip


def expected(t: Tenant, role: str, level: str, call: Call) -> bool:
    return call.action in PERMISSIONS[role][call.resource] and t.holds(t.scope(level), call.where)


def outcome(client: ra.Client, call: Call) -> bool:
    """True when the call is allowed, False when refused with 403; anything else fails."""
    try:
        call.make(client)
    except ra.PermissionDeniedError as refused:
        assert refused.code == 403, refused
        return False
    return True


@pytest.fixture(scope="module")
def plane() -> Any:
    with FakeControlPlane() as cp:
        yield cp


@pytest.fixture(scope="module")
def world(plane: FakeControlPlane) -> tuple[Tenant, dict[str, int]]:
    with plane.client() as admin:
        roles = {role["name"]: role["id"] for role in admin.roles.list().to_list()}
        return build(admin), roles


def test_the_matrix_names_every_predefined_role(world):
    _, roles = world
    assert set(roles) == set(PERMISSIONS)


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("role", sorted(PERMISSIONS))
def test_a_role_held_at_a_scope_allows_what_it_grants_there_and_nothing_else(
    plane, world, role, level
):
    t, roles = world
    tag = f"{roles[role]}-{level}"
    with plane.client() as admin:
        account = admin.service_accounts.create(name=f"sa-{tag}")
        kind, scope_id = t.scope(level)
        admin.access_rules.create(
            subject_id=account["clientId"],
            subject_type="service-account",
            role_id=roles[role],
            scope_type=kind,
            scope_id=scope_id,
        )
    calls = sample(t, tag)
    with ra.Client(
        base_url=plane.url, client_id=account["clientId"], client_secret=account["clientSecret"]
    ) as subject:
        got = {call.name: outcome(subject, call) for call in calls}
    want = {call.name: expected(t, role, level, call) for call in calls}
    assert got == want


def test_the_sample_is_not_all_allowed_or_all_refused(world):
    """Each call of the sample is allowed for some role and level and refused for
    another, so that no call is a constant; but reading proj-a, which lies in every level's
    scope and which every role may view."""
    t, _ = world
    for call in sample(t, "x"):
        answers = {expected(t, role, level, call) for role in PERMISSIONS for level in LEVELS}
        assert answers == ({True} if call.name == "read proj-a" else {True, False}), call.name
