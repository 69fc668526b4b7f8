"""The plan: what would make the control plane match the organisation file.

``compute`` compares the file with the state read from the control plane and returns a
:class:`Plan`: the changes (create, update field by field, replace, delete), ready to show
as a table, JSON or Markdown, and the steps that carry them out in dependency order.
Nothing here sends a request: the steps are calls that the executor makes later."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from .model import (
    AccessRule,
    Cluster,
    Department,
    NodePool,
    Organisation,
    OrgUnit,
    Project,
    Quota,
    parse_scope,
)
from .state import RESOURCES, State, node_pool_of, normalise_quota, resources_of

__all__ = [
    "Change",
    "FieldChange",
    "Plan",
    "PlanError",
    "QuotaError",
    "StalePlanError",
    "Step",
    "compute",
    "stale",
]

# Ids known before and made during a run: "department:<cluster>/<name>",
# "project:<cluster>/<name>", "service-account:<name>" (its client id) → id.
Ids = dict[str, str]
Call = Callable[[Any, Ids], Any]
ACTIONS = ("create", "update", "replace", "delete")
KINDS = ("node-pool", "department", "project", "user", "service-account", "access-rule")
ROW_SYMBOL = {"create": "+", "update": "~", "replace": "-/+", "delete": "-"}


class PlanError(ValueError):
    """The file cannot be planned against this control plane (an unknown node pool, role,
    scope or id, a rename the API cannot make): every problem is listed."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("cannot plan the organisation:\n  " + "\n  ".join(self.problems))


class QuotaError(PlanError):
    """The projects of a department would together deserve more than the department."""


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: Any
    after: Any

    def __str__(self) -> str:
        return f"{self.field}: {_show(self.before)} → {_show(self.after)}"


@dataclass
class Change:
    """One object to create, update, replace or delete."""

    action: str
    kind: str
    name: str
    id: Optional[str] = None
    fields: list[FieldChange] = field(default_factory=list)
    reason: Optional[str] = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"action": self.action, "kind": self.kind, "name": self.name}
        if self.id is not None:
            out["id"] = self.id
        out["fields"] = [
            {"field": f.field, "before": f.before, "after": f.after} for f in self.fields
        ]
        if self.reason:
            out["reason"] = self.reason
        return out


@dataclass
class Step:
    """One request of a change. ``call(client, ids)`` returns the client's answer (an
    awaitable on the async client); ``record(ids, answer)`` keeps the ids it made;
    ``undo(client, ids)`` removes what a create made, for ``atomic`` runs."""

    key: str
    change: Change
    label: str
    call: Call
    after: list[str] = field(default_factory=list)
    record: Optional[Callable[[Ids, Any], None]] = None
    undo: Optional[Call] = None


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return json.dumps(value) if not isinstance(value, str) else value


@dataclass
class Plan:
    """The changes that would make the control plane match the file (grouped: creates,
    updates and replacements, deletes), and the steps that make them."""

    changes: list[Change]
    steps: list[Step]
    ids: Ids
    warnings: list[str] = field(default_factory=list)
    # What it was planned from, so that ``apply`` can tell a stale plan.
    organisation: Optional[Organisation] = field(default=None, repr=False)
    check_quota: bool = field(default=True, repr=False)

    @property
    def empty(self) -> bool:
        return not self.changes

    def __bool__(self) -> bool:
        return not self.empty

    def counts(self) -> dict[str, int]:
        return {a: sum(1 for c in self.changes if c.action == a) for a in ACTIONS}

    def summary(self) -> str:
        if self.empty:
            return "No changes: the control plane matches the organisation file."
        counts = self.counts()
        return (
            f"Plan: {counts['create']} to create, {counts['update']} to update, "
            f"{counts['replace']} to replace, {counts['delete']} to delete."
        )

    def grouped(self) -> list[Change]:
        """Creates, then updates and replacements, then deletes, each in dependency order."""
        order = {"create": 0, "update": 1, "replace": 1, "delete": 2}

        def rank(change: Change) -> tuple[int, int]:
            kind = KINDS.index(change.kind)
            # What depends on an object goes before it when deleting.
            return order[change.action], -kind if change.action == "delete" else kind

        return sorted(self.changes, key=rank)

    def to_dict(self) -> dict[str, Any]:
        return {
            "changes": [c.to_dict() for c in self.grouped()],
            "summary": self.counts(),
            "warnings": list(self.warnings),
        }

    def render(self, output: str = "table") -> str:
        """``table`` (for a terminal), ``json`` or ``markdown`` (for a pull request)."""
        if output == "json":
            return json.dumps(self.to_dict(), indent=2)
        if output == "markdown":
            return self._markdown()
        if output == "table":
            return self._table()
        raise ValueError(f"output must be table, json or markdown, not {output!r}")

    def _rows(self) -> list[tuple[str, str, str, str]]:
        rows = []
        for change in self.grouped():
            details = [str(f) for f in change.fields]
            if change.reason:
                details.append(change.reason)
            rows.append(
                (
                    f"{ROW_SYMBOL[change.action]} {change.action}",
                    change.kind,
                    change.name,
                    "; ".join(details),
                )
            )
        return rows

    def _table(self) -> str:
        lines = [f"warning: {w}" for w in self.warnings]
        rows = self._rows()
        if rows:
            head = ("ACTION", "KIND", "OBJECT", "CHANGES")
            widths = [max(len(r[i]) for r in [head, *rows]) for i in range(3)]
            for row in [head, *rows]:
                # One changed field a line, under the first.
                details = row[3].split("; ") if row[3] else [""]
                cells = [row[i].ljust(widths[i]) for i in range(3)]
                lines.append("  ".join([*cells, details[0]]).rstrip())
                pad = " " * (sum(widths) + 6)
                lines += [pad + detail for detail in details[1:]]
        lines.append(self.summary())
        return "\n".join(lines)

    def _markdown(self) -> str:
        lines = ["### Organisation plan", "", self.summary()]
        titles = {"create": "Create", "update": "Update", "replace": "Replace", "delete": "Delete"}
        for action in ACTIONS:
            changes = [c for c in self.changes if c.action == action]
            if not changes:
                continue
            lines += [
                "",
                f"#### {titles[action]} ({len(changes)})",
                "",
                "| Kind | Object | Changes |",
                "|---|---|---|",
            ]
            for change in changes:
                details = [str(f) for f in change.fields] + (
                    [change.reason] if change.reason else []
                )
                cell = "<br>".join(d.replace("|", "\\|") for d in details)
                lines.append(f"| {change.kind} | `{change.name}` | {cell} |")
        if self.warnings:
            lines += ["", "**Warnings**", ""] + [f"- {w}" for w in self.warnings]
        return "\n".join(lines) + "\n"

    def __str__(self) -> str:
        return self.render("table")

    def __repr__(self) -> str:
        return f"<Plan {self.summary()}>"


# Computing the plan -------------------------------------------------------------------


def _unit_changes(desired: OrgUnit, current: Any) -> list[FieldChange]:
    """Field-by-field differences of the fields the file manages."""
    changes: list[FieldChange] = []
    if desired.description is not None and desired.description != current.description:
        changes.append(FieldChange("description", current.description, desired.description))
    if desired.quota is not None:
        after = normalise_quota(desired.quota)
        before: Quota = current.quota
        for pool in sorted(set(before) | set(after)):
            old, new = before.get(pool, {}), after.get(pool, {})
            for key in sorted(set(old) | set(new)):
                if old.get(key) != new.get(key):
                    changes.append(FieldChange(f"quota.{pool}.{key}", old.get(key), new.get(key)))
    if (
        desired.default_node_pools is not None
        and (desired.default_node_pools or None) != current.default_node_pools
    ):
        changes.append(
            FieldChange("defaultNodePools", current.default_node_pools, desired.default_node_pools)
        )
    if desired.scheduling_rules is not None:
        old_rules = current.scheduling_rules or {}
        for key in sorted(set(old_rules) | set(desired.scheduling_rules)):
            if old_rules.get(key) != desired.scheduling_rules.get(key):
                changes.append(
                    FieldChange(
                        f"schedulingRules.{key}",
                        old_rules.get(key),
                        desired.scheduling_rules.get(key),
                    )
                )
    return changes


def _mix(before: Quota, after: Quota, pick: Callable[[float, float], float]) -> Quota:
    """``after`` with each deserved amount replaced by ``pick(before, after)``: the quota
    of an intermediate step that never breaks the department's budget."""
    mixed: Quota = {}
    for pool in set(before) | set(after):
        values = dict(after.get(pool, {}))
        for key in RESOURCES:
            old, new = before.get(pool, {}).get(key, 0.0), after.get(pool, {}).get(key, 0.0)
            if key in before.get(pool, {}) or key in after.get(pool, {}):
                values[key] = pick(old, new)
        mixed[pool] = values
    return normalise_quota(mixed)


class _Planner:
    def __init__(self, org: Organisation, state: State, check_quota: bool) -> None:
        self.org = org
        self.state = state
        self.check_quota = check_quota
        self.problems: list[str] = []
        self.quota_problems: list[str] = []
        self.changes: list[Change] = []
        self.steps: list[Step] = []
        self.ids: Ids = {}
        self.warnings: list[str] = []
        self.clusters = [c.name for c in org.clusters] or list(state.cluster_ids)
        # Scopes (canonical, cluster named) whose object this run replaces: their rules go
        # with the old object.
        self.replaced_scopes: dict[str, str] = {}
        # Steps that make a scope's or a subject's object, for rules to wait on.
        self.maker: dict[str, str] = {}
        self.lowering: dict[str, list[str]] = {}
        self.rule_deletes: dict[str, list[str]] = {}
        # Departments to check against their projects once every unit is planned, and the
        # projects this run deletes (pruned, or replaced under another name or department).
        self.quota_checks: list[tuple[str, Department, Any, set[str]]] = []
        self.leaving: set[str] = set()
        self.claimed: set[str] = set()
        self.new_pools: dict[str, dict[str, str]] = {}  # cluster → node pool → its create step

    # Helpers -----------------------------------------------------------------------

    def add(self, change: Change) -> Change:
        self.changes.append(change)
        return change

    def step(self, step: Step) -> str:
        self.steps.append(step)
        return step.key

    def pools(self, cluster: str, unit: OrgUnit, where: str) -> bool:
        """Whether every node pool ``unit`` names (in its quota and its default node
        pools) exists or is made by this run; each one that does not is a problem."""
        known = {**self.state.pool_ids.get(cluster, {}), **self.new_pools.get(cluster, {})}
        named = [*(unit.quota or {}), *(unit.default_node_pools or [])]
        unknown = list(dict.fromkeys(p for p in named if p not in known))
        for pool in unknown:
            self.problems.append(
                f"{where}: no node pool {pool!r} in cluster {cluster!r} "
                f"(it has {', '.join(sorted(known)) or 'none'})"
            )
        return not unknown

    def pool_waits(self, cluster: str, unit: OrgUnit) -> list[str]:
        """The steps making node pools that ``unit`` names."""
        made = self.new_pools.get(cluster, {})
        named = [*(unit.quota or {}), *(unit.default_node_pools or [])]
        return list(dict.fromkeys(made[p] for p in named if p in made))

    def plan_node_pools(self, cluster: str, cluster_id: str, pools: list[NodePool]) -> None:
        """Create the node pools the file adds, change the settings it changes; a node
        pool is never deleted (workloads run on it)."""
        for pool in pools:
            name = f"{cluster}/{pool.name}"
            key = f"nodepool:{name}"
            current = self.state.node_pools.get((cluster, pool.name))
            wanted = _pool_fields(pool)
            if current is None:
                if pool.label_key is None or pool.label_value is None:
                    self.problems.append(
                        f"node pool {name}: a new node pool needs labelKey and labelValue"
                    )
                    continue
                fields = [FieldChange(k, None, v) for k, v in _flat(wanted).items()]
                change = self.add(Change("create", "node-pool", name, fields=fields))
                body = {**wanted, "name": pool.name, "clusterId": cluster_id}
                made = self.step(
                    Step(
                        f"create {key}",
                        change,
                        "create",
                        _create_pool(body),
                        record=_record(key),
                        undo=_undo("node_pools", key),
                    )
                )
                self.new_pools.setdefault(cluster, {})[pool.name] = made
                continue
            self.ids[key] = str(current["id"])
            before = _flat(_pool_fields(node_pool_of(current)))
            after = _flat(wanted)
            fields = [
                FieldChange(k, before.get(k), v) for k, v in after.items() if before.get(k) != v
            ]
            if fields:
                change = self.add(Change("update", "node-pool", name, str(current["id"]), fields))
                if "placementStrategy" in wanted:
                    # The strategy is sent whole: what the file leaves out stays as it is.
                    kept = current.get("placementStrategy") or {}
                    wanted["placementStrategy"] = {**kept, **wanted["placementStrategy"]}
                self.step(Step(f"update {key}", change, "update", _patch_pool(key, wanted)))

    def body(
        self, desired: OrgUnit, current: Any, quota: Optional[Quota], cluster: str
    ) -> dict[str, Any]:
        """The fields of a create or PUT: the file's where it manages them, else the
        control plane's current ones (a PUT replaces the whole object)."""
        # A node pool this run makes is named by its step's id key, bound when sent.
        made = {p: "@nodepool:" + f"{cluster}/{p}" for p in self.new_pools.get(cluster, {})}
        pool_ids = {**self.state.pool_ids.get(cluster, {}), **made}
        out: dict[str, Any] = {}
        if quota is not None:
            out["resources"] = resources_of(quota, pool_ids)
        elif current is not None:
            out["resources"] = list(current.raw.get("resources") or [])
        else:
            out["resources"] = []
        description = (
            desired.description
            if desired.description is not None
            else (current.description if current is not None else None)
        )
        if description is not None:
            out["description"] = description
        pools = desired.default_node_pools
        if pools is None and current is not None:
            pools = current.default_node_pools
        if pools is not None:
            out["defaultNodePools"] = pools
        rules = desired.scheduling_rules
        if rules is None and current is not None:
            rules = current.scheduling_rules
        if rules is not None:
            out["schedulingRules"] = rules
        return out

    # Departments and projects ----------------------------------------------------------

    def plan_units(self) -> None:
        state = self.state
        for cluster in self.org.clusters:
            if cluster.name not in state.cluster_ids:
                known = ", ".join(state.cluster_ids) or "none"
                self.problems.append(f"cluster {cluster.name!r}: no such cluster (known: {known})")
                continue
            cluster_id = state.cluster_ids[cluster.name]
            self.plan_node_pools(cluster.name, cluster_id, cluster.node_pools)
            self.claimed = self.claimed_projects(cluster)
            listed: set[str] = set()
            for dept in cluster.departments:
                current = self.match_department(cluster.name, dept)
                if current is not None:
                    listed.add(current.id)
                self.plan_department(cluster.name, cluster_id, dept, current)
            if cluster.prune:
                for unit in list(state.departments.values()):
                    if (
                        unit.cluster == cluster.name
                        and unit.id not in listed
                        and not unit.protected
                    ):
                        self.delete_department(unit)

    def stale_id(self, kind: str, name: str, wanted: str, by_name: Any) -> Any:
        """An id of the file that the control plane no longer has (the object was
        replaced, perhaps by an earlier apply): the object of that name when there is one,
        with a warning to update the file, else a problem."""
        if by_name is None:
            self.problems.append(f"{kind} {name}: no {kind} with id {wanted!r}")
            return None
        self.warnings.append(
            f"{kind} {name}: no {kind} has id {wanted!r} any more; matched by name, whose id "
            f"is {by_name.id!r}: update the file"
        )
        return by_name

    def claimed_projects(self, cluster: Cluster) -> set[str]:
        """The ids of the cluster's projects that the file lists, wherever it lists them:
        a project it moves to another department is replaced there, not pruned here."""
        claimed = set()
        for dept in cluster.departments:
            for project in dept.projects:
                unit = self.state.projects.get(project.id or "") or self.state.project_named(
                    cluster.name, project.name
                )
                if unit is not None:
                    claimed.add(unit.id)
        return claimed

    def check_quotas(self) -> None:
        for cluster, dept, current, seen in self.quota_checks:
            self.check_department(cluster, dept, current, seen)

    def match_department(self, cluster: str, dept: Department) -> Any:
        state = self.state
        if dept.id is not None:
            current = state.departments.get(dept.id)
            if current is None or current.cluster != cluster:
                return self.stale_id(
                    "department",
                    f"{cluster}/{dept.name}",
                    dept.id,
                    state.department_named(cluster, dept.name),
                )
            if current.name != dept.name:
                self.problems.append(
                    f"department {dept.name!r} (id {dept.id}): the control plane cannot rename "
                    f"department {current.name!r}; create a new one and move its projects"
                )
            return current
        return state.department_named(cluster, dept.name)

    def plan_department(
        self, cluster: str, cluster_id: str, dept: Department, current: Any
    ) -> None:
        name = f"{cluster}/{dept.name}"
        key = f"department:{name}"
        ok = self.pools(cluster, dept, f"department {name}")
        pool_waits = self.pool_waits(cluster, dept)
        early: Optional[str] = None
        late_change: Optional[Change] = None
        if current is None:
            change = self.add(Change("create", "department", name, fields=self._fields_of(dept)))
            body = self.body(dept, None, normalise_quota(dept.quota or {}) if ok else None, cluster)
            early = self.step(
                Step(
                    f"create {key}",
                    change,
                    "create",
                    _create_department(cluster_id, dept.name, body),
                    after=pool_waits,
                    record=_record(key),
                    undo=_undo("departments", key),
                )
            )
            self.maker[f"{cluster}:{dept.name}"] = early
        else:
            self.ids[key] = current.id
            fields = _unit_changes(dept, current)
            if fields and ok:
                change = self.add(Change("update", "department", name, current.id, fields))
                after = normalise_quota(dept.quota) if dept.quota is not None else current.quota
                raised = _mix(current.quota, after, max)
                # An unmanaged quota is sent back as the control plane has it.
                managed = raised if dept.quota is not None else None
                if raised != current.quota or any(not f.field.startswith("quota.") for f in fields):
                    early = self.step(
                        Step(
                            f"update {key}",
                            change,
                            "update" if raised == after else "raise quota",
                            _put("departments", key, self.body(dept, current, managed, cluster)),
                            after=pool_waits,
                        )
                    )
                if raised != after:
                    late_change = change
        project_keys: list[str] = []
        self.lowering.setdefault(key, [])
        seen: set[str] = set()
        for project in dept.projects:
            self.plan_project(cluster, cluster_id, dept, project, key, early, project_keys, seen)
        if current is not None and dept.prune:
            for unit in self.state.projects_of(current.id):
                if unit.id not in seen | self.claimed and not unit.protected:
                    gone = self.delete_project(unit)
                    project_keys.append(gone)
                    self.lowering[key].append(gone)
        if late_change is not None:
            assert current is not None and dept.quota is not None
            after = normalise_quota(dept.quota)
            self.step(
                Step(
                    f"lower {key}",
                    late_change,
                    "lower quota",
                    _put("departments", key, self.body(dept, current, after, cluster)),
                    after=[*project_keys, *([early] if early else [])],
                )
            )
        if self.check_quota:
            self.quota_checks.append((cluster, dept, current, seen))

    def plan_project(
        self,
        cluster: str,
        cluster_id: str,
        dept: Department,
        project: Project,
        dept_key: str,
        dept_step: Optional[str],
        project_keys: list[str],
        seen: set[str],
    ) -> None:
        state = self.state
        name = f"{cluster}/{dept.name}/{project.name}"
        key = f"project:{cluster}/{project.name}"
        ok = self.pools(cluster, project, f"project {name}")
        current = None
        replaced = None
        if project.id is not None:
            current = state.projects.get(project.id)
            if current is None or current.cluster != cluster:
                current = self.stale_id(
                    "project", name, project.id, state.project_named(cluster, project.name)
                )
                if current is None:
                    return
        else:
            current = state.project_named(cluster, project.name)
        if current is not None and (current.name != project.name or current.parent != dept.name):
            replaced, current = current, None
        if replaced is not None:
            seen.add(replaced.id)
            self.leaving.add(replaced.id)
        waits = [*([dept_step] if dept_step else []), *self.pool_waits(cluster, project)]
        if current is None:
            fields = self._fields_of(project)
            if replaced is not None:
                moved = replaced.parent != dept.name
                fields.insert(
                    0,
                    FieldChange(
                        "department" if moved else "name",
                        replaced.parent if moved else replaced.name,
                        dept.name if moved else project.name,
                    ),
                )
                reason = (
                    f"the control plane cannot {'move' if moved else 'rename'} a project: "
                    f"project {replaced.name} (id {replaced.id}) is deleted with its "
                    "access rules, then made again"
                )
                change = self.add(Change("replace", "project", name, replaced.id, fields, reason))
                old_key = f"project-old:{replaced.id}"
                self.ids[old_key] = replaced.id
                old_scope = f"{cluster}:{replaced.parent}/{replaced.name}"
                self.replaced_scopes[old_scope] = old_key
                gone = self.step(
                    Step(
                        f"delete {old_key}",
                        change,
                        "delete old",
                        _delete("projects", old_key),
                        after=["@rule-deletes:" + old_scope],
                    )
                )
                waits.append(gone)
                old_dept = f"department:{cluster}/{replaced.parent}"
                self.lowering.setdefault(old_dept, []).append(gone)
            else:
                change = self.add(Change("create", "project", name, fields=fields))
            body = self.body(
                project, None, normalise_quota(project.quota or {}) if ok else None, cluster
            )
            made = self.step(
                Step(
                    f"create {key}",
                    change,
                    "create",
                    _create_project(cluster_id, dept_key, project.name, body),
                    after=[*waits, "@siblings-lowering:" + dept_key],
                    record=_record(key),
                    undo=_undo("projects", key),
                )
            )
            project_keys.append(made)
            self.maker[f"{cluster}:{dept.name}/{project.name}"] = made
            return
        seen.add(current.id)
        self.ids[key] = current.id
        fields = _unit_changes(project, current)
        if not fields or not ok:
            return
        change = self.add(Change("update", "project", name, current.id, fields))
        after = normalise_quota(project.quota) if project.quota is not None else current.quota
        lowered = _mix(current.quota, after, min)
        final = after if project.quota is not None else None
        if lowered != current.quota:
            low = self.step(
                Step(
                    f"lower {key}",
                    change,
                    "lower quota" if lowered != after else "update",
                    _put("projects", key, self.body(project, current, lowered, cluster)),
                )
            )
            project_keys.append(low)
            self.lowering[dept_key].append(low)
        if lowered != after or lowered == current.quota:
            project_keys.append(
                self.step(
                    Step(
                        f"update {key}",
                        change,
                        "raise quota" if lowered != current.quota else "update",
                        _put("projects", key, self.body(project, current, final, cluster)),
                        after=[*waits, "@siblings-lowering:" + dept_key],
                    )
                )
            )

    def _fields_of(self, unit: OrgUnit) -> list[FieldChange]:
        fields = []
        if unit.description:
            fields.append(FieldChange("description", None, unit.description))
        for pool, values in normalise_quota(unit.quota or {}).items():
            for key, value in values.items():
                fields.append(FieldChange(f"quota.{pool}.{key}", None, value))
        if unit.default_node_pools is not None:
            fields.append(FieldChange("defaultNodePools", None, unit.default_node_pools))
        for key, value in (unit.scheduling_rules or {}).items():
            fields.append(FieldChange(f"schedulingRules.{key}", None, value))
        return fields

    def delete_project(self, unit: Any) -> str:
        self.leaving.add(unit.id)
        key = f"project-old:{unit.id}"
        self.ids[key] = unit.id
        change = self.add(
            Change("delete", "project", f"{unit.cluster}/{unit.parent}/{unit.name}", unit.id)
        )
        scope = f"{unit.cluster}:{unit.parent}/{unit.name}"
        return self.step(
            Step(
                f"delete {key}",
                change,
                "delete",
                _delete("projects", key),
                after=["@rule-deletes:" + scope],
            )
        )

    def delete_department(self, unit: Any) -> None:
        keys = []
        for project in self.state.projects_of(unit.id):
            if project.id in self.claimed:
                # Listed under another department: its replacement deletes it.
                keys.append(f"delete project-old:{project.id}")
            elif not project.protected:
                keys.append(self.delete_project(project))
        key = f"department-old:{unit.id}"
        self.ids[key] = unit.id
        change = self.add(Change("delete", "department", f"{unit.cluster}/{unit.name}", unit.id))
        self.step(
            Step(
                f"delete {key}",
                change,
                "delete",
                _delete("departments", key),
                after=[*keys, f"@rule-deletes:{unit.cluster}:{unit.name}"],
            )
        )

    def check_department(
        self, cluster: str, dept: Department, current: Any, seen: set[str]
    ) -> None:
        """The control plane's rule: a department's projects together deserve no more of a
        node pool than the department does (cpu and memory only where it states them)."""
        budget = (
            normalise_quota(dept.quota)
            if dept.quota is not None
            else (current.quota if current is not None else {})
        )
        shares: list[tuple[str, Quota]] = []
        for project in dept.projects:
            existing = self.state.project_named(cluster, project.name)
            quota = (
                project.quota
                if project.quota is not None
                else (
                    existing.quota if existing is not None and existing.parent == dept.name else {}
                )
            )
            shares.append((project.name, normalise_quota(quota)))
        if current is not None and not dept.prune:
            for unit in self.state.projects_of(current.id):
                if unit.id not in seen and unit.id not in self.leaving:
                    shares.append((unit.name, unit.quota))
        pools = sorted({p for _, q in shares for p in q})
        for pool in pools:
            for resource in RESOURCES:
                parts = [(n, q.get(pool, {}).get(resource, 0.0)) for n, q in shares]
                total = sum(v for _, v in parts)
                limit = budget.get(pool, {}).get(resource)
                if limit is None and resource == "gpu":
                    limit = 0.0
                if limit is None or total <= limit + 1e-9:
                    continue
                detail = ", ".join(f"{n} {_show(v)}" for n, v in parts if v)
                unit_name = {"gpu": "GPUs", "cpu": "CPU millicores", "memory": "MB of memory"}
                self.quota_problems.append(
                    f"department {cluster}/{dept.name}, node pool {pool}: its projects would "
                    f"deserve {_show(total)} {unit_name[resource]} ({detail}), more than the "
                    f"department's {_show(limit)}"
                )

    # Users, service accounts, access rules ---------------------------------------------

    def plan_subjects(self) -> None:
        state = self.state
        wanted = set()
        for user in self.org.users:
            wanted.add(user.email.lower())
            if user.email.lower() not in state.users:
                change = self.add(Change("create", "user", user.email))
                key = f"user:{user.email.lower()}"
                self.maker[f"user:{user.email}"] = self.step(
                    Step(
                        f"create {key}",
                        change,
                        "create",
                        _create_user(user.email),
                        record=_record(key),
                        undo=_undo("users", key),
                    )
                )
        if self.org.prune.users:
            for email, raw in state.users.items():
                if (
                    email in wanted
                    or raw.get("createdBy") == "system"
                    or not raw.get("isLocal", True)
                ):
                    continue
                if self.kept(("user", str(raw["username"])), f"user {raw['username']}"):
                    continue
                key = f"user-old:{raw['id']}"
                self.ids[key] = str(raw["id"])
                change = self.add(Change("delete", "user", str(raw["username"]), str(raw["id"])))
                self.step(
                    Step(
                        f"delete {key}",
                        change,
                        "delete",
                        _delete("users", key),
                        after=[f"@subject-deletes:user:{raw['username']}"],
                    )
                )
        names = set()
        for account in self.org.service_accounts:
            names.add(account.name)
            raw_account = state.service_accounts.get(account.name)
            key = f"service-account:{account.name}"
            if raw_account is None:
                fields = (
                    []
                    if account.enabled is None
                    else [FieldChange("enabled", None, account.enabled)]
                )
                change = self.add(Change("create", "service-account", account.name, fields=fields))
                made = self.step(
                    Step(
                        f"create {key}",
                        change,
                        "create",
                        _create_account(account.name),
                        record=_record_account(key),
                        undo=_undo("service_accounts", key, "-id"),
                    )
                )
                self.maker[f"service-account:{account.name}"] = made
                if account.enabled is False:
                    self.step(
                        Step(
                            f"disable {key}",
                            change,
                            "disable",
                            _patch_account(key, enabled=False),
                            after=[made],
                        )
                    )
                continue
            self.ids[key] = str(raw_account.get("clientId") or account.name)
            self.ids[key + "-id"] = str(raw_account["id"])
            if (
                account.enabled is not None
                and bool(raw_account.get("enabled", True)) != account.enabled
            ):
                change = self.add(
                    Change(
                        "update",
                        "service-account",
                        account.name,
                        str(raw_account["id"]),
                        [FieldChange("enabled", raw_account.get("enabled"), account.enabled)],
                    )
                )
                self.step(
                    Step(
                        f"update {key}",
                        change,
                        "update",
                        _patch_account(key, enabled=account.enabled),
                    )
                )
        if self.org.prune.service_accounts:
            for name, raw in state.service_accounts.items():
                if name in names or raw.get("createdBy") == "system":
                    continue
                client_id = str(raw.get("clientId") or name)
                if self.kept(("service-account", client_id), f"service account {name}"):
                    continue
                key = f"service-account-old:{raw['id']}"
                self.ids[key + "-id"] = str(raw["id"])
                change = self.add(Change("delete", "service-account", name, str(raw["id"])))
                self.step(
                    Step(
                        f"delete {key}",
                        change,
                        "delete",
                        _delete("service_accounts", key + "-id"),
                        after=[f"@subject-deletes:service-account:{name}"],
                    )
                )

    def kept(self, subject: tuple[str, str], name: str) -> bool:
        """Whether a prune spares ``subject`` because it is the caller (with a warning)."""
        if subject not in self.state.own_subjects:
            return False
        self.warnings.append(f"{name}: kept, though the file does not list it: it is the caller")
        return True

    def canonical(self, rule: AccessRule) -> Optional[AccessRule]:
        cluster, kind, dept, project = parse_scope(rule.scope, self.clusters)
        if kind == "tenant":
            scope = "tenant"
        elif cluster is None:
            self.problems.append(f"access rule {rule}: name the cluster of its scope")
            return None
        elif kind == "cluster":
            scope = f"{cluster}:cluster"
        else:
            scope = f"{cluster}:{dept}" + (f"/{project}" if project else "")
        return AccessRule(rule.subject_type, rule.subject, rule.role, scope)

    def plan_rules(self) -> None:
        state = self.state
        current = {rule: raw for rule, raw in state.rules}
        wanted = []
        for listed in self.org.access_rules:
            rule = self.canonical(listed)
            if rule is None:
                continue
            wanted.append(rule)
            if rule.role not in state.role_ids:
                known = ", ".join(sorted(state.role_ids))
                self.problems.append(
                    f"access rule {listed}: no role {rule.role!r} (known: {known})"
                )
        wanted_set = set(wanted)
        deletes: list[tuple[AccessRule, Mapping[str, Any]]] = []
        for rule, raw in state.rules:
            if rule in wanted_set and rule.scope not in self.replaced_scopes:
                continue
            if rule.scope in self.replaced_scopes:
                continue  # goes with its project
            if self.org.prune.access_rules and raw.get("createdBy") != "system":
                if str(raw["id"]) in state.own_rules:
                    self.warnings.append(
                        f"access rule {self.rule_name(rule)}: kept, though the file does not "
                        "list it: it grants the caller"
                    )
                    continue
                deletes.append((rule, raw))
        for rule, raw in deletes:
            key = f"rule-old:{raw['id']}"
            self.ids[key] = str(raw["id"])
            change = self.add(Change("delete", "access-rule", self.rule_name(rule), str(raw["id"])))
            made = self.step(Step(f"delete {key}", change, "delete", _delete("access_rules", key)))
            self.rule_deletes.setdefault(rule.scope, []).append(made)
            subject = f"{rule.subject_type}:{rule.subject}"
            self.rule_deletes.setdefault(f"subject:{subject}", []).append(made)
        for rule in wanted:
            if rule in current and rule.scope not in self.replaced_scopes:
                continue
            scope_call = self.scope_of(rule)
            if scope_call is None or rule.role not in state.role_ids:
                continue
            scope_type, scope_key, waits = scope_call
            subject_wait = self.maker.get(f"{rule.subject_type}:{rule.subject}")
            change = self.add(Change("create", "access-rule", self.rule_name(rule)))
            self.step(
                Step(
                    f"create rule {len(self.steps)}",
                    change,
                    "create",
                    _create_rule(rule, state.role_ids[rule.role], scope_type, scope_key),
                    after=[*waits, *([subject_wait] if subject_wait else [])],
                    record=_record(f"rule:{len(self.steps)}"),
                    undo=_undo("access_rules", f"rule:{len(self.steps)}"),
                )
            )
        self.warn_unknown_subjects([r for r in wanted if r not in current])

    def warn_unknown_subjects(self, wanted: list[AccessRule]) -> None:
        """Rules for a user or service account that neither the file nor the control plane
        has: the control plane will refuse them (an SSO user exists once signed in)."""
        known = {
            "user": set(self.state.users) | {u.email.lower() for u in self.org.users},
            "service-account": set(self.state.service_accounts)
            | {a.name for a in self.org.service_accounts},
        }
        for rule in wanted:
            names = known.get(rule.subject_type)
            subject = rule.subject.lower() if rule.subject_type == "user" else rule.subject
            if names is not None and subject not in names:
                self.warnings.append(
                    f"access rule {self.rule_name(rule)}: {rule.subject_type} {rule.subject} is "
                    "neither in the file nor on the control plane"
                )

    def rule_name(self, rule: AccessRule) -> str:
        scope = rule.scope
        if len(self.clusters) == 1 and ":" in scope:
            scope = scope.split(":", 1)[1]
        return f"{rule.subject_type}:{rule.subject} → {rule.role} @ {scope}"

    def scope_of(self, rule: AccessRule) -> Optional[tuple[str, str, list[str]]]:
        """(scope type, ids key or literal id, steps to wait for) of a rule's scope."""
        state = self.state
        if rule.scope == "tenant":
            return "tenant", "=" + state.tenant_id, []
        cluster, path = rule.scope.split(":", 1)
        if cluster not in state.cluster_ids:
            self.problems.append(f"access rule {rule}: no cluster {cluster!r}")
            return None
        if path == "cluster":
            return "cluster", "=" + state.cluster_ids[cluster], []
        dept, _, project = path.partition("/")
        maker = self.maker.get(rule.scope)
        if project:
            key = f"project:{cluster}/{project}"
            if maker is None and key not in self.ids:
                unit = state.project_named(cluster, project)
                if unit is None or unit.parent != dept:
                    self.problems.append(f"access rule {self.rule_name(rule)}: no project {path}")
                    return None
                self.ids[key] = unit.id
            return "project", key, [maker] if maker else []
        key = f"department:{cluster}/{dept}"
        if maker is None and key not in self.ids:
            found = state.department_named(cluster, dept)
            if found is None:
                self.problems.append(f"access rule {self.rule_name(rule)}: no department {dept}")
                return None
            self.ids[key] = found.id
        return "department", key, [maker] if maker else []

    # Finishing -------------------------------------------------------------------------

    def resolve(self) -> list[Step]:
        """Expand the placeholder dependencies and order the steps so that each comes
        after what it waits for (deletes of rules first, as the control plane needs)."""
        groups: dict[str, list[str]] = {}
        for dept_key, keys in self.lowering.items():
            groups["@siblings-lowering:" + dept_key] = keys
        for scope, keys in self.rule_deletes.items():
            if scope.startswith("subject:"):
                groups["@subject-deletes:" + scope[len("subject:") :]] = keys
            else:
                groups["@rule-deletes:" + scope] = keys
        by_key = {s.key: s for s in self.steps}
        for step in self.steps:
            expanded: list[str] = []
            for dep in step.after:
                if dep.startswith("@"):
                    expanded += [k for k in groups.get(dep, []) if k != step.key]
                elif dep in by_key and dep != step.key:
                    expanded.append(dep)
            step.after = list(dict.fromkeys(expanded))
        # Deletes of rules and objects before creates (freeing names and quota), then the
        # order of planning; a stable topological sort keeps it where it can.
        rank = {
            s.key: (0 if s.label.startswith("delete") else 1, i) for i, s in enumerate(self.steps)
        }
        ordered: list[Step] = []
        placed: set[str] = set()
        pending = sorted(self.steps, key=lambda s: rank[s.key])
        while pending:
            rest = []
            for step in pending:
                if all(dep in placed for dep in step.after):
                    ordered.append(step)
                    placed.add(step.key)
                else:
                    rest.append(step)
            if len(rest) == len(pending):  # pragma: no cover - the planner makes no cycles
                raise RuntimeError("the plan's steps wait on each other")
            pending = rest
        return ordered


def compute(org: Organisation, state: State, *, check_quota: bool = True) -> Plan:
    """The plan that makes ``state`` match ``org``; :class:`PlanError` (or
    :class:`QuotaError`) when it cannot be made."""
    planner = _Planner(org, state, check_quota)
    planner.plan_units()
    planner.check_quotas()
    planner.plan_subjects()
    planner.plan_rules()
    if planner.problems:
        raise PlanError(planner.problems + planner.quota_problems)
    if planner.quota_problems:
        raise QuotaError(planner.quota_problems)
    steps = planner.resolve()
    return Plan(planner.changes, steps, planner.ids, planner.warnings, org, check_quota)


def stale(plan: Plan, state: State) -> Optional[str]:
    """Why ``plan`` no longer fits the control plane's ``state`` (None when it does): the
    same file planned now gives other changes, as after a change made by someone else or
    a partly failed apply."""
    if plan.organisation is None:
        return None
    try:
        fresh = compute(plan.organisation, state, check_quota=plan.check_quota)
    except PlanError as error:
        return str(error)
    if [c.to_dict() for c in fresh.changes] == [c.to_dict() for c in plan.changes]:
        return None
    return fresh.summary()


class StalePlanError(PlanError):
    """The control plane changed since the plan was made: plan again."""

    def __init__(self, now: str) -> None:
        super().__init__(
            [
                f"the control plane changed since this plan was made (planned again: {now}): "
                "plan again, review, and apply the new plan"
            ]
        )


# The calls the steps make: plain functions of (client, ids), the same on both clients.


def _record(key: str) -> Callable[[Ids, Any], None]:
    def record(ids: Ids, answer: Any) -> None:
        ids[key] = str(answer["id"])

    return record


def _record_account(key: str) -> Callable[[Ids, Any], None]:
    def record(ids: Ids, answer: Any) -> None:
        ids[key] = str(answer.get("clientId") or answer["name"])
        ids[key + "-id"] = str(answer["id"])

    return record


def _undo(namespace: str, key: str, suffix: str = "") -> Call:
    def undo(client: Any, ids: Ids) -> Any:
        return getattr(client, namespace).delete(ids[key + suffix])

    return undo


def _delete(namespace: str, key: str) -> Call:
    def delete(client: Any, ids: Ids) -> Any:
        return getattr(client, namespace).delete(ids[key])

    return delete


def _bound(body: dict[str, Any], ids: Ids) -> dict[str, Any]:
    """``body`` with the ids of node pools made in this run in place of their keys."""
    resources = []
    for entry in body.get("resources", []):
        pool = entry.get("nodePool") or {}
        pool_id = str(pool.get("id", ""))
        if pool_id.startswith("@"):
            entry = {**entry, "nodePool": {**pool, "id": ids[pool_id[1:]]}}
        resources.append(entry)
    return {**body, "resources": resources}


def _put(namespace: str, key: str, body: dict[str, Any]) -> Call:
    def put(client: Any, ids: Ids) -> Any:
        return getattr(client, namespace).update(ids[key], body=_bound(body, ids))

    return put


def _create_department(cluster_id: str, name: str, body: dict[str, Any]) -> Call:
    def create(client: Any, ids: Ids) -> Any:
        return client.departments.create(
            body={**_bound(body, ids), "name": name, "clusterId": cluster_id}
        )

    return create


def _create_project(cluster_id: str, dept_key: str, name: str, body: dict[str, Any]) -> Call:
    def create(client: Any, ids: Ids) -> Any:
        return client.projects.create(
            body={
                **_bound(body, ids),
                "name": name,
                "clusterId": cluster_id,
                "parentId": ids[dept_key],
            }
        )

    return create


def _pool_fields(pool: NodePool) -> dict[str, Any]:
    """The wire fields of a node pool that the file manages."""
    fields: dict[str, Any] = {
        "labelKey": pool.label_key,
        "labelValue": pool.label_value,
        "overProvisioningRatio": pool.over_provisioning_ratio,
        "placementStrategy": pool.placement_strategy,
    }
    return {k: v for k, v in fields.items() if v is not None}


def _flat(fields: dict[str, Any]) -> dict[str, Any]:
    """``placementStrategy: {cpu: spread}`` as ``placementStrategy.cpu: spread``."""
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if isinstance(value, dict):
            out.update({f"{key}.{k}": v for k, v in sorted(value.items())})
        else:
            out[key] = value
    return out


def _create_pool(body: dict[str, Any]) -> Call:
    def create(client: Any, ids: Ids) -> Any:
        return client.node_pools.create(body=body)

    return create


def _patch_pool(key: str, fields: dict[str, Any]) -> Call:
    def patch(client: Any, ids: Ids) -> Any:
        return client.node_pools.patch(ids[key], body=fields)

    return patch


def _create_user(email: str) -> Call:
    def create(client: Any, ids: Ids) -> Any:
        return client.users.create(email=email)

    return create


def _create_account(name: str) -> Call:
    def create(client: Any, ids: Ids) -> Any:
        return client.service_accounts.create(name=name)

    return create


def _patch_account(key: str, *, enabled: bool) -> Call:
    def patch(client: Any, ids: Ids) -> Any:
        return client.service_accounts.patch(ids[key + "-id"], enabled=enabled)

    return patch


def _create_rule(rule: AccessRule, role_id: int, scope_type: str, scope_key: str) -> Call:
    def create(client: Any, ids: Ids) -> Any:
        scope_id = scope_key[1:] if scope_key.startswith("=") else ids[scope_key]
        subject = rule.subject
        if rule.subject_type == "service-account":
            subject = ids.get(f"service-account:{rule.subject}", rule.subject)
        return client.access_rules.create(
            subject_type=rule.subject_type,
            subject_id=subject,
            role_id=role_id,
            scope_type=scope_type,
            scope_id=scope_id,
        )

    return create
