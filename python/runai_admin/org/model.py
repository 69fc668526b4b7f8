"""The organisation: plain dataclasses, read from and written to the file's dict form.

A field left ``None`` is not managed: the control plane's value stays as it is. Quotas are
``{node pool name: {"gpu": 4, "gpuLimit": 8, "cpu": 8000, "memory": 16000, ...}}`` with the
keys of :data:`QUOTA_KEYS` (cpu in millicores, memory in MB)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Optional

from . import _schema

__all__ = [
    "QUOTA_KEYS",
    "SUBJECT_KEYS",
    "AccessRule",
    "Cluster",
    "Department",
    "NodePool",
    "OrgUnit",
    "Organisation",
    "Project",
    "Prune",
    "ServiceAccount",
    "SpecError",
    "User",
    "from_dict",
]

# Each resource's deserved amount, limit and over-quota weight.
QUOTA_KEYS = (
    "gpu",
    "gpuLimit",
    "gpuOverQuotaWeight",
    "cpu",
    "cpuLimit",
    "cpuOverQuotaWeight",
    "memory",
    "memoryLimit",
    "memoryOverQuotaWeight",
)
# The file's subject keys and the access rule's wire ``subjectType`` of each.
SUBJECT_KEYS = {"user": "user", "group": "group", "serviceAccount": "service-account", "app": "app"}
# Scope words that are not department names.
RESERVED_SCOPES = ("tenant", "cluster")

Quota = dict[str, dict[str, float]]
Marks = Mapping[tuple[Any, ...], int]


class SpecError(ValueError):
    """The organisation file is wrong: each problem names its line (when known) and field."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        head = "the organisation file is not valid"
        super().__init__(head + ":\n  " + "\n  ".join(self.problems))


@dataclass
class OrgUnit:
    """What departments and projects share."""

    name: str
    id: Optional[str] = None
    description: Optional[str] = None
    quota: Optional[Quota] = None
    default_node_pools: Optional[list[str]] = None
    scheduling_rules: Optional[dict[str, int]] = None


@dataclass
class Project(OrgUnit):
    pass


@dataclass
class Department(OrgUnit):
    projects: list[Project] = field(default_factory=list)
    prune: bool = False


@dataclass
class NodePool:
    """A node pool: the label that selects its nodes and its scheduling settings."""

    name: str
    label_key: Optional[str] = None
    label_value: Optional[str] = None
    over_provisioning_ratio: Optional[int] = None
    placement_strategy: Optional[dict[str, str]] = None  # {"cpu": "spread", "gpu": "binpack"}


@dataclass
class Cluster:
    name: str
    departments: list[Department] = field(default_factory=list)
    prune: bool = False
    node_pools: list[NodePool] = field(default_factory=list)


@dataclass(frozen=True)
class User:
    email: str


@dataclass
class ServiceAccount:
    name: str
    enabled: Optional[bool] = None


@dataclass(frozen=True)
class AccessRule:
    """``subject_type`` is the wire's (user, group, service-account, app); ``scope`` is
    ``tenant``, ``[cluster:]cluster``, ``[cluster:]dept`` or ``[cluster:]dept/project``."""

    subject_type: str
    subject: str
    role: str
    scope: str

    def __str__(self) -> str:
        return f"{self.subject_type}:{self.subject} is {self.role} on {self.scope}"


@dataclass
class Prune:
    users: bool = False
    service_accounts: bool = False
    access_rules: bool = False


@dataclass
class Organisation:
    clusters: list[Cluster] = field(default_factory=list)
    users: list[User] = field(default_factory=list)
    service_accounts: list[ServiceAccount] = field(default_factory=list)
    access_rules: list[AccessRule] = field(default_factory=list)
    prune: Prune = field(default_factory=Prune)

    def to_dict(self) -> dict[str, Any]:
        """The file's form (what ``load`` reads and ``export`` writes)."""
        out: dict[str, Any] = {}
        if self.clusters:
            out["clusters"] = [_cluster_dict(c) for c in self.clusters]
        if self.users:
            out["users"] = [{"email": u.email} for u in self.users]
        if self.service_accounts:
            out["serviceAccounts"] = [
                _drop_none({"name": s.name, "enabled": s.enabled}) for s in self.service_accounts
            ]
        if self.access_rules:
            out["accessRules"] = [_rule_dict(r) for r in self.access_rules]
        prune = {
            "users": self.prune.users,
            "serviceAccounts": self.prune.service_accounts,
            "accessRules": self.prune.access_rules,
        }
        if any(prune.values()):
            out["prune"] = {k: v for k, v in prune.items() if v}
        return out

    def scope_of(self, scope: str) -> tuple[Optional[str], str, Optional[str], Optional[str]]:
        """``(cluster, kind, department, project)`` of a scope string; the cluster is the
        file's only one when the scope names none (None when it has none or several)."""
        return parse_scope(scope, [c.name for c in self.clusters])


def parse_scope(
    scope: str, clusters: Sequence[str]
) -> tuple[Optional[str], str, Optional[str], Optional[str]]:
    cluster: Optional[str] = None
    path = scope
    if ":" in scope:
        cluster, path = scope.split(":", 1)
    if path == "tenant":
        return None, "tenant", None, None
    if cluster is None and len(clusters) == 1:
        cluster = clusters[0]
    if path == "cluster":
        return cluster, "cluster", None, None
    department, _, project = path.partition("/")
    if project:
        return cluster, "project", department, project
    return cluster, "department", department, None


def _drop_none(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _unit_dict(unit: OrgUnit) -> dict[str, Any]:
    return _drop_none(
        {
            "name": unit.name,
            "id": unit.id,
            "description": unit.description,
            "quota": unit.quota,
            "defaultNodePools": unit.default_node_pools,
            "schedulingRules": unit.scheduling_rules,
        }
    )


def _cluster_dict(cluster: Cluster) -> dict[str, Any]:
    out: dict[str, Any] = {"name": cluster.name}
    if cluster.prune:
        out["prune"] = True
    if cluster.node_pools:
        out["nodePools"] = [_pool_dict(p) for p in cluster.node_pools]
    departments = []
    for dept in cluster.departments:
        item = _unit_dict(dept)
        if dept.prune:
            item["prune"] = True
        if dept.projects:
            item["projects"] = [_unit_dict(p) for p in dept.projects]
        departments.append(item)
    if departments:
        out["departments"] = departments
    return out


def _pool_dict(pool: NodePool) -> dict[str, Any]:
    return _drop_none(
        {
            "name": pool.name,
            "labelKey": pool.label_key,
            "labelValue": pool.label_value,
            "overProvisioningRatio": pool.over_provisioning_ratio,
            "placementStrategy": pool.placement_strategy,
        }
    )


def _rule_dict(rule: AccessRule) -> dict[str, Any]:
    key = next(k for k, v in SUBJECT_KEYS.items() if v == rule.subject_type)
    return {key: rule.subject, "role": rule.role, "scope": rule.scope}


# Reading ------------------------------------------------------------------------------


def show_path(where: Sequence[Any]) -> str:
    """``clusters[0].departments[1].quota.h100.gpu``."""
    text = ""
    for part in where:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(the file)"


def _problem(source: str, marks: Marks, where: tuple[Any, ...], message: str) -> str:
    line = None
    probe = where
    while line is None and probe:
        line = marks.get(probe)
        probe = probe[:-1]
    place = f"{source}:{line}" if line is not None else source
    return f"{place}: {show_path(where)}: {message}"


def from_dict(data: Any, *, source: str = "<dict>", marks: Optional[Marks] = None) -> Organisation:
    """The organisation of a dict in the file's form; :class:`SpecError` lists every
    problem with its line (from ``marks``: path → line) and field."""
    marks = marks or {}
    problems = [_problem(source, marks, w, m) for w, m in _schema.check(data)]
    if problems:
        raise SpecError(problems)
    org = _build(data)
    problems = [_problem(source, marks, w, m) for w, m in _semantic_problems(data, org)]
    if problems:
        raise SpecError(problems)
    return org


def _quota(raw: Optional[Mapping[str, Mapping[str, float]]]) -> Optional[Quota]:
    if raw is None:
        return None
    return {pool: dict(values) for pool, values in raw.items()}


def _unit_fields(raw: Mapping[str, Any]) -> dict[str, Any]:
    rules = raw.get("schedulingRules")
    pools = raw.get("defaultNodePools")
    return {
        "name": raw["name"],
        "id": raw.get("id"),
        "description": raw.get("description"),
        "quota": _quota(raw.get("quota")),
        "default_node_pools": list(pools) if pools is not None else None,
        "scheduling_rules": dict(rules) if rules is not None else None,
    }


def _build(data: Mapping[str, Any]) -> Organisation:
    clusters = []
    for raw_cluster in data.get("clusters", []):
        departments = []
        for raw_dept in raw_cluster.get("departments", []):
            projects = [Project(**_unit_fields(p)) for p in raw_dept.get("projects", [])]
            departments.append(
                Department(
                    **_unit_fields(raw_dept),
                    projects=projects,
                    prune=bool(raw_dept.get("prune", False)),
                )
            )
        pools = [
            NodePool(
                name=raw["name"],
                label_key=raw.get("labelKey"),
                label_value=raw.get("labelValue"),
                over_provisioning_ratio=raw.get("overProvisioningRatio"),
                placement_strategy=dict(raw["placementStrategy"])
                if "placementStrategy" in raw
                else None,
            )
            for raw in raw_cluster.get("nodePools", [])
        ]
        clusters.append(
            Cluster(
                name=raw_cluster["name"],
                departments=departments,
                prune=bool(raw_cluster.get("prune", False)),
                node_pools=pools,
            )
        )
    rules = []
    for raw_rule in data.get("accessRules", []):
        subjects = [k for k in SUBJECT_KEYS if k in raw_rule]
        key = subjects[0] if subjects else "user"
        rules.append(
            AccessRule(
                SUBJECT_KEYS[key], raw_rule.get(key, ""), raw_rule["role"], raw_rule["scope"]
            )
        )
    prune = data.get("prune", {})
    return Organisation(
        clusters=clusters,
        users=[User(u["email"]) for u in data.get("users", [])],
        service_accounts=[
            ServiceAccount(s["name"], s.get("enabled")) for s in data.get("serviceAccounts", [])
        ],
        access_rules=rules,
        prune=Prune(
            users=bool(prune.get("users", False)),
            service_accounts=bool(prune.get("serviceAccounts", False)),
            access_rules=bool(prune.get("accessRules", False)),
        ),
    )


def _duplicates(names: Sequence[Any]) -> list[int]:
    seen: set[Any] = set()
    repeated = []
    for index, name in enumerate(names):
        if name in seen:
            repeated.append(index)
        seen.add(name)
    return repeated


def _semantic_problems(
    data: Mapping[str, Any], org: Organisation
) -> list[tuple[tuple[Any, ...], str]]:
    """What the schema cannot say: unique names and ids, one subject per rule, scopes that
    name a cluster of the file when it has several."""
    problems: list[tuple[tuple[Any, ...], str]] = []
    for i in _duplicates([c.name for c in org.clusters]):
        problems.append((("clusters", i, "name"), "names a cluster already listed"))
    ids = [d.id for c in org.clusters for d in c.departments if d.id]
    ids += [p.id for c in org.clusters for d in c.departments for p in d.projects if p.id]
    for ci, each in enumerate(org.clusters):
        for ni in _duplicates([n.name for n in each.node_pools]):
            problems.append(
                (("clusters", ci, "nodePools", ni, "name"), "names a node pool already listed")
            )
        for di in _duplicates([d.name for d in each.departments]):
            problems.append(
                (("clusters", ci, "departments", di, "name"), "names a department already listed")
            )
        project_names = [p.name for d in each.departments for p in d.projects]
        for di, dept in enumerate(each.departments):
            here = ("clusters", ci, "departments", di)
            if dept.name in RESERVED_SCOPES:
                problems.append(((*here, "name"), f"{dept.name!r} is a scope word"))
            for pi, project in enumerate(dept.projects):
                if project_names.count(project.name) > 1:
                    problems.append(
                        (
                            (*here, "projects", pi, "name"),
                            "names a project listed twice in the cluster (a project's name is "
                            "its namespace, unique in the cluster)",
                        )
                    )
            units: list[tuple[tuple[Any, ...], Optional[str]]] = [(here, dept.id)]
            units += [((*here, "projects", pi), p.id) for pi, p in enumerate(dept.projects)]
            for at, unit_id in units:
                if unit_id is not None and ids.count(unit_id) > 1:
                    problems.append(((*at, "id"), f"id {unit_id!r} is given twice"))
    for i in _duplicates([u.email.lower() for u in org.users]):
        problems.append((("users", i, "email"), "names a user already listed"))
    for i in _duplicates([s.name for s in org.service_accounts]):
        problems.append((("serviceAccounts", i, "name"), "names a service account already listed"))
    cluster_names = [c.name for c in org.clusters]
    raw_rules = data.get("accessRules", [])
    for i, (raw, rule) in enumerate(zip(raw_rules, org.access_rules)):
        subjects = [k for k in SUBJECT_KEYS if k in raw]
        if len(subjects) != 1:
            problems.append(
                (
                    ("accessRules", i),
                    "needs exactly one subject: user, group, serviceAccount or app",
                )
            )
        cluster, kind, _, _ = org.scope_of(rule.scope)
        named = ":" in rule.scope
        # A file without clusters may name the tenant's only cluster's units: the plan
        # checks those.
        if kind != "tenant" and cluster is None and len(cluster_names) > 1:
            problems.append(
                (
                    ("accessRules", i, "scope"),
                    "name the cluster (`cluster:path`): the file has "
                    f"{len(cluster_names)} clusters",
                )
            )
        elif named and cluster not in cluster_names:
            problems.append((("accessRules", i, "scope"), f"no cluster {cluster!r} in the file"))
    for i in _duplicates(org.access_rules):
        problems.append((("accessRules", i), "repeats an access rule already listed"))
    return problems


def replace(org: Organisation, **changes: Any) -> Organisation:
    """A copy of ``org`` with some top-level fields changed."""
    return dataclasses.replace(org, **changes)
