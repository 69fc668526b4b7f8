"""The control plane's current organisation: read once (every list, sync or async), then
looked up by name and by id, with quotas in the file's form."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Optional

from .model import (
    SUBJECT_KEYS,
    AccessRule,
    Cluster,
    Department,
    NodePool,
    Organisation,
    Project,
    Quota,
    ServiceAccount,
    User,
)

__all__ = ["State", "quota_of", "read", "read_async", "resources_of"]

# The lists a plan reads, by the client namespace that lists them.
LISTS = (
    ("clusters", "clusters", "list"),
    ("node_pools", "node_pools", "list"),
    ("departments", "departments", "list"),
    ("projects", "projects", "list"),
    ("users", "users", "list"),
    ("service_accounts", "service_accounts", "list"),
    ("access_rules", "access_rules", "list"),
    ("roles", "roles", "list"),
    # The caller's own rules: a prune never takes away the access it runs with.
    ("own_rules", "me", "list_access_rules"),
)
RESOURCES = ("gpu", "cpu", "memory")
# Wire field of a resource → suffix of the file's quota key (gpu, gpuLimit, ...).
WIRE_SUFFIX = (("deserved", ""), ("limit", "Limit"), ("overQuotaWeight", "OverQuotaWeight"))
MEMORY_TO_MB = {"MB": 1.0, "Mib": 1.048576, "MiB": 1.048576, "GB": 1000.0}
# The system's own objects: never deleted, whatever the file says.
SYSTEM = "system"
DEFAULT_DEPARTMENT = "default"


def read(client: Any) -> State:
    """Every list the plan needs, from a blocking client."""
    return State(
        {name: list(getattr(getattr(client, ns), verb)().to_list()) for name, ns, verb in LISTS}
    )


async def read_async(client: Any) -> State:
    """Every list the plan needs, from an asyncio client, all at once."""
    lists = await asyncio.gather(
        *(getattr(getattr(client, ns), verb)().to_list() for _, ns, verb in LISTS)
    )
    return State({name: list(items) for (name, _, _), items in zip(LISTS, lists)})


def _number(value: Any) -> float:
    """A quota amount; whole numbers as int, as a file writes them."""
    number = float(value)
    return int(number) if number.is_integer() else number


def quota_of(
    resources: Optional[Sequence[Mapping[str, Any]]], pool_names: Mapping[str, str]
) -> Quota:
    """Wire ``resources`` in the file's form; a node pool that deserves nothing and has no
    other setting is left out, as a file leaves it out."""
    out: Quota = {}
    for entry in resources or ():
        pool = entry.get("nodePool") or {}
        name = pool.get("name") or pool_names.get(str(pool.get("id")), str(pool.get("id")))
        values: dict[str, float] = {}
        for resource in RESOURCES:
            part = entry.get(resource) or {}
            scale = MEMORY_TO_MB.get(part.get("units", "MB"), 1.0) if resource == "memory" else 1.0
            for wire, suffix in WIRE_SUFFIX:
                value = part.get(wire)
                if value is not None:
                    scaled = float(value) * (scale if wire in ("deserved", "limit") else 1.0)
                    values[resource + suffix] = _number(scaled)
        out[name] = values
    return normalise_quota(out)


def normalise_quota(quota: Quota) -> Quota:
    return {
        pool: dict(sorted(values.items()))
        for pool, values in sorted(quota.items())
        if values and values != {"gpu": 0.0}
    }


def resources_of(quota: Quota, pool_ids: Mapping[str, str]) -> list[dict[str, Any]]:
    """The file's quota as wire ``resources`` (every pool named must exist: the plan
    checks it first)."""
    out = []
    for pool, values in quota.items():
        entry: dict[str, Any] = {"nodePool": {"id": pool_ids[pool], "name": pool}}
        for resource in RESOURCES:
            part: dict[str, Any] = {
                wire: values[resource + suffix]
                for wire, suffix in WIRE_SUFFIX
                if resource + suffix in values
            }
            if resource == "gpu":
                part.setdefault("deserved", 0.0)
            elif not part:
                continue
            if resource == "memory":
                part["units"] = "MB"
            entry[resource] = part
        out.append(entry)
    return out


@dataclass
class Unit:
    """A department or project as the control plane has it."""

    kind: str
    id: str
    name: str
    cluster: str
    parent: Optional[str]  # the department's name, for a project
    raw: Mapping[str, Any]
    quota: Quota
    protected: bool = False

    @property
    def description(self) -> str:
        return str(self.raw.get("description") or "")

    @property
    def default_node_pools(self) -> Optional[list[str]]:
        pools = self.raw.get("defaultNodePools")
        return list(pools) if pools else None

    @property
    def scheduling_rules(self) -> Optional[dict[str, int]]:
        rules = {k: v for k, v in (self.raw.get("schedulingRules") or {}).items() if v is not None}
        return rules or None


@dataclass
class State:
    lists: dict[str, list[Any]]
    tenant_id: str = ""
    cluster_ids: dict[str, str] = field(default_factory=dict)  # name → id
    cluster_names: dict[str, str] = field(default_factory=dict)  # id → name
    pool_ids: dict[str, dict[str, str]] = field(default_factory=dict)  # cluster → name → id
    node_pools: dict[tuple[str, str], Mapping[str, Any]] = field(default_factory=dict)
    departments: dict[str, Unit] = field(default_factory=dict)  # by id
    projects: dict[str, Unit] = field(default_factory=dict)  # by id
    role_ids: dict[str, int] = field(default_factory=dict)
    role_names: dict[int, str] = field(default_factory=dict)
    users: dict[str, Mapping[str, Any]] = field(default_factory=dict)  # lower-case e-mail →
    service_accounts: dict[str, Mapping[str, Any]] = field(default_factory=dict)  # by name
    rules: list[tuple[AccessRule, Mapping[str, Any]]] = field(default_factory=list)
    by_name: dict[tuple[str, str, str], Unit] = field(default_factory=dict)  # kind, cluster, name
    own_rules: set[str] = field(default_factory=set)  # ids of the rules that grant the caller
    own_subjects: set[tuple[str, str]] = field(default_factory=set)  # (type, id) of the caller
    children: dict[str, list[Unit]] = field(default_factory=dict)  # department id → projects

    def cluster_of(self, cluster_id: Any) -> str:
        """A cluster's name (its id when the tenant lists no such cluster)."""
        return self.cluster_names.get(str(cluster_id)) or str(cluster_id)

    def __post_init__(self) -> None:
        lists = self.lists
        for cluster in lists["clusters"]:
            self.cluster_ids[cluster["name"]] = cluster["uuid"]
            self.cluster_names[cluster["uuid"]] = cluster["name"]
            self.tenant_id = self.tenant_id or str(cluster.get("tenantId", ""))
        pool_names: dict[str, dict[str, str]] = {}
        for pool in lists["node_pools"]:
            cluster = self.cluster_of(pool["clusterId"])
            self.pool_ids.setdefault(cluster, {})[pool["name"]] = str(pool["id"])
            self.node_pools[(cluster, pool["name"])] = pool
            pool_names.setdefault(cluster, {})[str(pool["id"])] = pool["name"]
        for raw in lists["departments"]:
            cluster = self.cluster_of(raw["clusterId"])
            protected = raw["name"] == DEFAULT_DEPARTMENT or raw.get("createdBy") == SYSTEM
            self.departments[str(raw["id"])] = Unit(
                "department",
                str(raw["id"]),
                raw["name"],
                cluster,
                None,
                raw,
                quota_of(raw.get("resources"), pool_names.get(cluster, {})),
                protected,
            )
        for raw in lists["projects"]:
            cluster = self.cluster_of(raw["clusterId"])
            parent = self.departments.get(str(raw.get("parentId")))
            self.projects[str(raw["id"])] = Unit(
                "project",
                str(raw["id"]),
                raw["name"],
                cluster,
                parent.name if parent else None,
                raw,
                quota_of(raw.get("resources"), pool_names.get(cluster, {})),
                raw.get("createdBy") == SYSTEM,
            )
        for unit in [*self.departments.values(), *self.projects.values()]:
            self.by_name[(unit.kind, unit.cluster, unit.name)] = unit
        for project in self.projects.values():
            self.children.setdefault(str(project.raw.get("parentId")), []).append(project)
        for raw in lists.get("own_rules", []):
            if raw.get("id") is not None:
                self.own_rules.add(str(raw["id"]))
            if raw["subjectType"] != "group":
                self.own_subjects.add((str(raw["subjectType"]), str(raw["subjectId"])))
        for role in lists["roles"]:
            self.role_ids[role["name"]] = int(role["id"])
            self.role_names[int(role["id"])] = role["name"]
        for user in lists["users"]:
            self.users[str(user["username"]).lower()] = user
        account_names: dict[str, str] = {}
        for account in lists["service_accounts"]:
            self.service_accounts[account["name"]] = account
            account_names[str(account.get("clientId") or account["name"])] = account["name"]
        for raw in lists["access_rules"]:
            # A tenant without clusters still names itself in its rules.
            self.tenant_id = self.tenant_id or str(raw.get("tenantId") or "")
            rule = self._rule(raw, account_names)
            if rule is not None:
                self.rules.append((rule, raw))

    def _rule(
        self, raw: Mapping[str, Any], account_names: Mapping[str, str]
    ) -> Optional[AccessRule]:
        scope = self.scope_path(str(raw["scopeType"]), str(raw["scopeId"]))
        if scope is None or raw["subjectType"] not in SUBJECT_KEYS.values():
            return None
        subject = str(raw["subjectId"])
        if raw["subjectType"] == "service-account":
            subject = account_names.get(subject, subject)
        role = self.role_names.get(int(raw["roleId"]), str(raw.get("roleName", raw["roleId"])))
        return AccessRule(str(raw["subjectType"]), subject, role, scope)

    def scope_path(self, scope_type: str, scope_id: str) -> Optional[str]:
        """A rule's scope in the file's canonical form, always with the cluster named
        (``tenant``, ``c:cluster``, ``c:dept``, ``c:dept/project``); None for a scope a
        file cannot name (system, or a unit that no longer exists)."""
        if scope_type == "tenant":
            return "tenant"
        if scope_type == "cluster":
            name = self.cluster_names.get(scope_id)
            return f"{name}:cluster" if name else None
        if scope_type == "department":
            dept = self.departments.get(scope_id)
            return f"{dept.cluster}:{dept.name}" if dept else None
        if scope_type == "project":
            project = self.projects.get(scope_id)
            if project is None or project.parent is None:
                return None
            return f"{project.cluster}:{project.parent}/{project.name}"
        return None

    def department_named(self, cluster: str, name: str) -> Optional[Unit]:
        return self.by_name.get(("department", cluster, name))

    def project_named(self, cluster: str, name: str) -> Optional[Unit]:
        """Project names are unique within a cluster (each is a namespace)."""
        return self.by_name.get(("project", cluster, name))

    def projects_of(self, department_id: str) -> list[Unit]:
        return self.children.get(department_id, [])

    # Export ---------------------------------------------------------------------------

    def organisation(self) -> Organisation:
        """Everything a file can say, as the control plane has it now."""
        several = len(self.cluster_ids) > 1
        clusters = []
        for cluster_name in self.cluster_ids:
            departments = []
            for dept in self.departments.values():
                if dept.cluster != cluster_name:
                    continue
                projects = [Project(**_unit_fields(p)) for p in self.projects_of(dept.id)]
                departments.append(Department(**_unit_fields(dept), projects=projects))
            pools = [
                node_pool_of(raw)
                for (name, _), raw in self.node_pools.items()
                if name == cluster_name
            ]
            clusters.append(Cluster(cluster_name, departments, node_pools=pools))
        rules = []
        for rule, _ in self.rules:
            scope = rule.scope if several or rule.scope == "tenant" else rule.scope.split(":", 1)[1]
            rules.append(AccessRule(rule.subject_type, rule.subject, rule.role, scope))
        return Organisation(
            clusters=clusters,
            users=[User(str(u["username"])) for u in self.users.values()],
            service_accounts=[
                ServiceAccount(a["name"], bool(a.get("enabled", True)))
                for a in self.service_accounts.values()
            ],
            access_rules=rules,
        )


def node_pool_of(raw: Mapping[str, Any]) -> NodePool:
    """A node pool as a file states it."""
    strategy = {k: v for k, v in (raw.get("placementStrategy") or {}).items() if v is not None}
    ratio = raw.get("overProvisioningRatio")
    return NodePool(
        name=str(raw["name"]),
        label_key=raw.get("labelKey"),
        label_value=raw.get("labelValue"),
        over_provisioning_ratio=int(ratio) if ratio is not None else None,
        placement_strategy=strategy or None,
    )


def _unit_fields(unit: Unit) -> dict[str, Any]:
    return {
        "name": unit.name,
        "id": unit.id,
        "description": unit.description or None,
        "quota": unit.quota or None,
        "default_node_pools": unit.default_node_pools,
        "scheduling_rules": unit.scheduling_rules,
    }
