"""The authorisation matrix: every predefined role, held at each scope level (the tenant,
a cluster, a department, a project), by a service account signing in with its own secret.

Each subject makes the same sample of calls: reads and changes of objects inside its
scope, outside it and above it. What each call must answer is worked out here, apart from
the fake: from the roles' permissions as the documentation states them (rbac.md) and from
the nesting tenant ⊃ cluster ⊃ department ⊃ project, both written out below. A call is
allowed when the role grants the call's action on its resource type and the rule's scope
holds the object the call acts on (for a creation: the object it creates in); otherwise
it is refused with 403.

A cluster's node pools, nodes and network topologies belong to the cluster as a whole:
a rule on the cluster or the tenant reaches them, and a rule on a department or project
of the cluster lets its holder read them (the workloads of its projects run on them), when
the role grants reading them. A listing answers with what the caller may see: here, the
clusters whose objects it shows. Tenant settings and reports belong to the tenant.
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

#: The resource types the sample touches (reports need the tenant's: the spec's resource
#: types have none of their own for them).
RESOURCES = (
    "project",
    "department",
    "cluster",
    "users",
    "access_rules",
    "nodepools",
    "nodes",
    "network-topologies",
    "settings",
    "tenant",
)
#: What belongs to a cluster as a whole, read from anywhere inside it.
CLUSTER_WIDE = frozenset({"nodepools", "nodes", "network-topologies"})


def grants(**actions: frozenset[str]) -> dict[str, frozenset[str]]:
    return {resource: actions.get(resource, NONE) for resource in RESOURCES}


EVERYTHING = grants(**dict.fromkeys(RESOURCES, CRUD))
VIEW_ALL = grants(**dict.fromkeys(RESOURCES, READ))
#: Viewing departments and projects, which each asset administrator does besides its asset.
VIEW_ORGANISATION_UNITS = grants(project=READ, department=READ)
#: Viewing every screen: the organisation, its users and rules, the clusters' pools, nodes
#: and topologies, the settings and the account's reports.
VIEW_SCREENS = {
    resource: READ
    for resource in (
        "cluster",
        "users",
        "nodepools",
        "nodes",
        "network-topologies",
        "settings",
        "tenant",
    )
}
#: Researchers choose the node pools their workloads run on.
RESEARCHER = grants(project=READ, nodepools=READ)

#: Per predefined role (by its name in the roles list), what it may do on the resource
#: types of the sample, as the documentation's roles table has it.
PERMISSIONS: dict[str, dict[str, frozenset[str]]] = {
    "System administrator": EVERYTHING,
    # Manages departments and projects, assigns roles in its scope, views everything.
    "Department administrator": grants(
        **VIEW_SCREENS, project=CRUD, department=CRUD, access_rules=CRUD
    ),
    # Views every screen, manages departments and projects.
    "Editor": grants(**VIEW_SCREENS, project=CRUD, department=CRUD, access_rules=READ),
    # Manages projects (and assets); sees no departments, nor the clusters' pools.
    "Research manager": grants(project=CRUD),
    # Work in their projects: they see the project and change nothing of it.
    "L1 researcher": RESEARCHER,
    "L2 researcher": RESEARCHER,
    "ML engineer": RESEARCHER,
    "Viewer": VIEW_ALL,
    "Department viewer": VIEW_ORGANISATION_UNITS,
    "Environment administrator": VIEW_ORGANISATION_UNITS,
    "Data source administrator": VIEW_ORGANISATION_UNITS,
    "Compute resource administrator": VIEW_ORGANISATION_UNITS,
    "Credentials administrator": VIEW_ORGANISATION_UNITS,
    "Template administrator": VIEW_ORGANISATION_UNITS,
    # Views the account and the organisation's objects (not its users or rules, nor the
    # clusters' pools), manages data volumes.
    "Data volumes administrator": grants(project=READ, department=READ, cluster=READ, tenant=READ),
}

LEVELS = ("tenant", "cluster", "department", "project")
WINDOW = {"start": "2026-01-01T00:00:00Z", "end": "2026-01-02T00:00:00Z"}


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
    pool: str
    other_pool: str
    topology: str
    other_topology: str
    report: str
    #: The clusters that have nodes.
    node_clusters: frozenset[str]
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
    for key, where in (("pool", cluster), ("other_pool", other)):
        made[key] = client.node_pools.create(
            name="matrix", cluster_id=where, label_key="matrix", label_value=key
        )["id"]
    for key, where in (("topology", cluster), ("other_topology", other)):
        made[key] = client.network_topologies.create(
            name="racks", cluster_id=where, levels=["rack"]
        )["id"]
    made["report"] = client.reports.create(name="q1", group_by="Project", **WINDOW)["id"]
    node_clusters = frozenset(n["clusterUuid"] for n in client.nodes.list())
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
        node_clusters=node_clusters,
        parent=parent,
        **made,
    )


@dataclass
class Call:
    """One call of the sample: what it needs (resource type, action) where (the scope of
    the object it acts on, or creates in), and how to make it. A listing instead names
    the clusters whose objects it may show (`among`) and which clusters an answer shows
    (`seen`)."""

    name: str
    resource: str
    action: str
    where: tuple[str, str]
    make: Callable[[Any], Any]
    among: frozenset[str] = frozenset()
    seen: Callable[[Any], frozenset[str]] | None = None


def listing(
    name: str,
    resource: str,
    among: frozenset[str],
    make: Callable[[Any], Any],
    cluster_of: Callable[[dict], str],
) -> Call:
    return Call(name, resource, "read", ("tenant", ""), make, among,
                lambda items: frozenset(cluster_of(item) for item in items))  # fmt: skip


def sample(t: Tenant, tag: str) -> list[Call]:
    """Reads and changes inside, outside and above each level's scope. `tag` keeps the
    names of what the subject creates apart from other subjects'."""
    tenant = ("tenant", t.tenant_id)
    both = frozenset({t.cluster, t.other_cluster})
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
        Call("read a pool of the cluster", "nodepools", "read", ("cluster", t.cluster),
             lambda c: c.node_pools.get(t.pool)),
        Call("read a pool of the other cluster", "nodepools", "read",
             ("cluster", t.other_cluster), lambda c: c.node_pools.get(t.other_pool)),
        Call("change a pool of the cluster", "nodepools", "update", ("cluster", t.cluster),
             lambda c: c.node_pools.patch(t.pool, over_provisioning_ratio=1)),
        Call("create a pool in the other cluster", "nodepools", "create",
             ("cluster", t.other_cluster),
             lambda c: c.node_pools.create(name=f"np-{tag}", cluster_id=t.other_cluster,
                                           label_key="matrix", label_value=tag)),
        listing("list the pools", "nodepools", both,
                lambda c: c.node_pools.list().to_list(), lambda p: p["clusterId"]),
        listing("list the nodes", "nodes", t.node_clusters,
                lambda c: c.nodes.list().to_list(), lambda n: n["clusterUuid"]),
        Call("read the cluster's topology", "network-topologies", "read",
             ("cluster", t.cluster), lambda c: c.network_topologies.get(t.topology)),
        Call("read the other cluster's topology", "network-topologies", "read",
             ("cluster", t.other_cluster),
             lambda c: c.network_topologies.get(t.other_topology)),
        Call("create a topology in the cluster", "network-topologies", "create",
             ("cluster", t.cluster),
             lambda c: c.network_topologies.create(name=f"t{tag}", cluster_id=t.cluster,
                                                   levels=["rack"])),
        listing("list the topologies", "network-topologies", both,
                lambda c: c.network_topologies.list()["networkTopologies"],
                lambda topology: topology["clusterId"]),
        Call("read a tenant setting", "settings", "read", tenant,
             lambda c: c.tenant_settings.get("department.use")),
        Call("change a tenant setting", "settings", "update", tenant,
             lambda c: c.tenant_settings.update(key="gpu.memory_swap", value=False)),
        Call("read a report", "tenant", "read", tenant, lambda c: c.reports.get(t.report)),
        Call("request a report", "tenant", "create", tenant,
             lambda c: c.reports.create(name=f"r-{tag}", group_by="Project", **WINDOW)),
    ]  # fmt: skip


def allowed(
    t: Tenant, role: str, level: str, resource: str, action: str, where: tuple[str, str]
) -> bool:
    if action not in PERMISSIONS[role][resource]:
        return False
    scope = t.scope(level)
    if t.holds(scope, where):
        return True
    # What belongs to a whole cluster is read from inside it too.
    inside = where[0] == "cluster" and t.holds(where, scope)
    return resource in CLUSTER_WIDE and action == "read" and inside  # fmt: skip


def expected(t: Tenant, role: str, level: str, call: Call) -> bool | frozenset[str]:
    """Allowed or not; for a listing the caller may make, the clusters it shows."""
    if call.seen is None:
        return allowed(t, role, level, call.resource, call.action, call.where)
    if call.action not in PERMISSIONS[role][call.resource]:
        return False
    return frozenset(
        cluster
        for cluster in call.among
        if allowed(t, role, level, call.resource, "read", ("cluster", cluster))
    )


def outcome(client: ra.Client, call: Call) -> bool | frozenset[str]:
    """True when the call is allowed (for a listing, the clusters it shows), False when
    refused with 403; anything else fails."""
    try:
        answer = call.make(client)
    except ra.PermissionDeniedError as refused:
        assert refused.code == 403, refused
        return False
    return True if call.seen is None else call.seen(answer)


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
    scope and which every role may view. A listing is refused to some and made by others.
    """
    t, _ = world
    for call in sample(t, "x"):
        answers = {expected(t, role, level, call) for role in PERMISSIONS for level in LEVELS}
        if call.name == "read proj-a":
            assert answers == {True}
        elif call.seen is None:
            assert answers == {True, False}, call.name
        else:
            assert False in answers and len(answers) > 1, (call.name, answers)
