//! The seed-era (`/v1/k8s`) objects: `Cluster`, `Project2`, `Department2`, `User` and
//! `NodeType` built from the store, and the seed-era request fields (`deservedGpus`,
//! `nodePoolsResources`, `interactiveJobTimeLimitSecs`, `nodeAffinity`, ...) mapped onto a
//! stored project. A seed-era user's `roles` are read from, and written as, access rules.

use serde_json::{json, Map, Value};

use crate::error::ApiError;
use runai_admin_core::api::Catalogue;

use crate::roles;
use crate::seed::TENANT_ID;
use crate::store::{AccessRule, Cluster, NodeType, OrgUnit, Store, User};
use crate::wire::org_units::namespace;
use crate::wire::resources::{normalise_resources, pool_of, PoolQuotaStatus, StatusOf, UnitStatus};

const MIB: f64 = 1_048_576.0;
const MB: f64 = 1e6;

/// How a seed-era answer is rendered: the caller's `memoryUnitMb` and whether
/// `permissions`/`departmentAdmins` are included (`excludePermissions` not true).
#[derive(Clone, Copy)]
pub(crate) struct Render {
    pub memory_mb: bool,
    pub permissions: bool,
}

/// The seed-era scheduling fields and the `schedulingRules` keys they stand for.
const RULES: [(&str, &str); 5] = [
    (
        "interactiveJobTimeLimitSecs",
        "interactiveJobTimeLimitSeconds",
    ),
    (
        "interactiveJobMaxIdleDurationSecs",
        "interactiveJobMaxIdleDurationSeconds",
    ),
    (
        "interactivePreemptibleJobMaxIdleDurationSecs",
        "interactiveJobPreemptIdleDurationSeconds",
    ),
    ("trainingJobTimeLimitSecs", "trainingJobTimeLimitSeconds"),
    (
        "trainingJobMaxIdleDurationSecs",
        "trainingJobMaxIdleDurationSeconds",
    ),
];

/// Seed-era ids are integers; the store's are their decimal strings.
pub(crate) fn legacy_id(id: &str) -> Value {
    id.parse::<i64>().map_or_else(|_| json!(id), |n| json!(n))
}

/// A stored memory amount (`units` MB, GB or Mib) in MiB, the seed era's unit, or in MB.
pub(crate) fn memory_out(value: f64, units: &str, mb: bool) -> f64 {
    let from = match units {
        "GB" => 1e9,
        "Mib" => MIB,
        _ => MB,
    };
    let to = if mb { MB } else { MIB };
    if from == to {
        value
    } else {
        (value * from / to * 1000.0).round() / 1000.0
    }
}

/// One resource kind of a stored `Resources` entry, in seed-era units.
fn amount(entry: &Value, kind: &str, field: &str, mb: bool) -> Option<f64> {
    let stored = entry.get(kind)?;
    let value = stored.get(field).and_then(Value::as_f64)?;
    if kind == "memory" {
        let units = stored.get("units").and_then(Value::as_str).unwrap_or("MB");
        Some(memory_out(value, units, mb))
    } else {
        Some(value)
    }
}

/// Sum of one field over the node pools; `None` when no pool sets it.
fn sum(resources: &[Value], kind: &str, field: &str, mb: bool) -> Option<f64> {
    let values: Vec<f64> = resources
        .iter()
        .filter_map(|r| amount(r, kind, field, mb))
        .collect();
    (!values.is_empty()).then(|| values.iter().sum())
}

/// The seed era spells "no limit" -1: any pool without a limit makes the total unlimited.
fn max_allowed(resources: &[Value], kind: &str, mb: bool) -> f64 {
    let limits: Option<Vec<f64>> = resources
        .iter()
        .map(|r| amount(r, kind, "limit", mb))
        .collect();
    match limits {
        Some(limits) if !limits.is_empty() => limits.iter().sum(),
        _ => -1.0,
    }
}

/// `Resource1` of one kind of a stored entry; `None` when the entry leaves the kind out.
fn resource1(entry: &Value, kind: &str, mb: bool) -> Option<Value> {
    entry.get(kind).filter(|v| v.is_object())?;
    let mut out = Map::new();
    if let Some(deserved) = amount(entry, kind, "deserved", mb) {
        out.insert("deserved".into(), json!(deserved));
    }
    let limit = amount(entry, kind, "limit", mb).unwrap_or(-1.0);
    out.insert("maxAllowed".into(), json!(limit));
    if let Some(weight) = amount(entry, kind, "overQuotaWeight", mb) {
        out.insert("overQuotaWeight".into(), json!(weight));
    }
    Some(Value::Object(out))
}

fn node_pools_resources(unit: &OrgUnit, mb: bool) -> Value {
    let entries = unit.resources.iter().map(|r| {
        let (id, name) = pool_of(r);
        let mut map = Map::new();
        map.insert("id".into(), legacy_id(id));
        map.insert(
            "nodePool".into(),
            json!({"id": legacy_id(id), "name": name}),
        );
        for kind in ["gpu", "cpu", "memory"] {
            if let Some(resource) = resource1(r, kind, mb) {
                map.insert(kind.into(), resource);
            }
        }
        Value::Object(map)
    });
    Value::Array(entries.collect())
}

/// `AssignedResources`: the totals over the node pools.
fn assigned(resources: &[Value], mb: bool) -> Value {
    let mut map = Map::new();
    for kind in ["gpu", "cpu", "memory"] {
        let deserved = sum(resources, kind, "deserved", mb);
        if kind != "gpu" && deserved.is_none() {
            continue;
        }
        map.insert(
            kind.into(),
            json!({
                "deserved": deserved.unwrap_or(0.0),
                "maxAllowed": max_allowed(resources, kind, mb),
            }),
        );
    }
    Value::Object(map)
}

fn deserved_gpus(resources: &[Value]) -> f64 {
    sum(resources, "gpu", "deserved", false).unwrap_or(0.0)
}

/// The selected node types of one workload kind, as `NodeAffinity` and as the seed era's
/// comma-separated summary.
fn affinity(unit: &OrgUnit, workload: &str) -> (Value, String) {
    let names: Vec<&str> = unit
        .fields
        .get("nodeTypes")
        .and_then(|t| t.get(workload))
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let kind = if names.is_empty() {
        "no_limit"
    } else {
        "only_selected"
    };
    let selected: Vec<Value> = names.iter().map(|n| json!({"name": n})).collect();
    (
        json!({"affinityType": kind, "selectedTypes": selected}),
        names.join(","),
    )
}

/// The seed-era `/v1/k8s` Cluster.
pub(crate) fn cluster(store: &Store, cluster: &Cluster) -> Value {
    let description = store.seed_era.cluster_descriptions.get(&cluster.uuid);
    json!({
        "name": cluster.name,
        "clusterUuid": cluster.uuid,
        "tenantId": TENANT_ID,
        "createdAt": cluster.created_at,
        "description": description.map_or("", String::as_str),
    })
}

/// The predefined role a seed-era role name stands for (the table is in `roles`).
pub(crate) fn seed_role_id(name: &str) -> Option<i64> {
    roles::seed_era_role(name).map(|r| r.id)
}

/// The seed-era role names a seed-era `User` may carry, in the schema's order: its
/// `roles` enum in the catalogue, which is narrower than the roles table's seed-era names.
fn user_role_names() -> Vec<&'static str> {
    Catalogue::get()
        .operation("legacy_create_user")
        .and_then(|op| op.body.as_ref())
        .and_then(|body| body.inline.as_ref())
        .and_then(|schema| schema.pointer("/properties/roles/items/enum"))
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// The seed-era name of a role a seed-era `User` can speak of.
fn seed_role_name(role_id: i64) -> Option<&'static str> {
    roles::seed_era_name(role_id).filter(|name| user_role_names().contains(name))
}

/// The user's live rules the seed era can speak of: one of its roles on the whole tenant
/// (`permitAllClusters`) or on a cluster (`permittedClusters`).
pub(crate) fn seed_rules<'s>(
    store: &'s Store,
    email: &'s str,
) -> impl Iterator<Item = &'s AccessRule> {
    store.access_rules.iter().filter(move |r| {
        r.deleted_at.is_none()
            && r.subject_type == "user"
            && r.subject_id.eq_ignore_ascii_case(email)
            && matches!(r.scope_type.as_str(), "tenant" | "cluster")
            && seed_role_name(r.role_id).is_some()
    })
}

/// The seed-era `User`; the password is never shown.
pub(crate) fn user(store: &Store, user: &User) -> Value {
    let mut clusters: Vec<&str> = Vec::new();
    let mut all_clusters = false;
    let mut held = Vec::new();
    for rule in seed_rules(store, &user.username) {
        held.extend(seed_role_name(rule.role_id));
        if rule.scope_type == "tenant" {
            all_clusters = true;
        } else if !clusters.contains(&rule.scope_id.as_str()) {
            clusters.push(&rule.scope_id);
        }
    }
    if let Some(unscoped) = store.seed_era.unscoped_roles.get(&user.id) {
        held.extend(unscoped.iter().map(String::as_str));
    }
    let roles: Vec<&str> = user_role_names()
        .into_iter()
        .filter(|seed| held.contains(seed))
        .collect();
    json!({
        "userId": user.id,
        "email": user.username,
        "roles": roles,
        "permittedClusters": clusters,
        "permitAllClusters": all_clusters,
        "needToChangePassword": store.seed_era.password_change_due.contains(&user.id),
        "lastLogin": user.last_login,
        "createdAt": user.created_at,
    })
}

/// The seed-era `NodeType`.
pub(crate) fn node_type(node_type: &NodeType) -> Value {
    json!({
        "id": node_type.id,
        "name": node_type.name,
        "tenantId": TENANT_ID,
        "clusterUuid": node_type.cluster_id,
        "createdAt": node_type.created_at,
    })
}

/// The seed era's `NodePoolsQuotaStatuses`: the same figures as `/api/v1`'s status, by
/// node pool name, memory in MiB (in MB when the caller asks for `memoryUnitMb`).
fn quota_statuses(status: &UnitStatus, mb: bool) -> Value {
    let memory = |megabytes: f64| memory_out(megabytes, "MB", mb);
    let statuses: Vec<PoolQuotaStatus> = status
        .pools
        .iter()
        .map(|(_, name, figures)| PoolQuotaStatus {
            figures: figures.in_unit(&memory),
            node_pool_name: name.clone(),
            node_pool_id: None,
        })
        .collect();
    json!(statuses)
}

/// The seed-era `Project2`.
pub(crate) fn project2(
    store: &Store,
    unit: &OrgUnit,
    render: Render,
    status_of: StatusOf<'_>,
) -> Value {
    let mb = render.memory_mb;
    let department_id = unit.parent_id.as_deref().unwrap_or_default();
    let department_name = store
        .department(department_id)
        .map(|d| d.name.clone())
        .unwrap_or_default();
    let namespace = namespace(unit);
    let mut map = Map::new();
    map.insert("id".into(), legacy_id(&unit.id));
    map.insert("name".into(), json!(unit.name));
    map.insert("tenantId".into(), json!(TENANT_ID));
    map.insert("clusterUuid".into(), json!(unit.cluster_id));
    map.insert("createdAt".into(), json!(unit.created_at));
    map.insert("departmentId".into(), legacy_id(department_id));
    map.insert("departmentName".into(), json!(department_name));
    map.insert("namespace".into(), json!(namespace));
    map.insert("phase".into(), json!("Ready"));
    map.insert(
        "status".into(),
        json!({
            "namespace": namespace,
            "message": "",
            "quotaStatuses": quota_statuses(&status_of(unit), mb),
        }),
    );
    map.insert("nodePoolsResources".into(), node_pools_resources(unit, mb));
    map.insert("deservedGpus".into(), json!(deserved_gpus(&unit.resources)));
    map.insert(
        "maxAllowedGpus".into(),
        json!(max_allowed(&unit.resources, "gpu", mb)),
    );
    if let Some(weight) = unit
        .resources
        .first()
        .and_then(|r| amount(r, "gpu", "overQuotaWeight", mb))
    {
        map.insert("gpuOverQuotaWeight".into(), json!(weight));
    }
    map.insert("resources".into(), assigned(&unit.resources, mb));
    if let Some(pools) = unit.fields.get("defaultNodePools").filter(|v| v.is_array()) {
        map.insert("defaultNodePools".into(), pools.clone());
    }
    let rules = unit.fields.get("schedulingRules");
    for (seed, modern) in RULES {
        if let Some(secs) = rules.and_then(|r| r.get(modern)).filter(|v| v.is_number()) {
            map.insert(seed.into(), secs.clone());
        }
    }
    let (train, train_names) = affinity(unit, "training");
    let (interactive, interactive_names) = affinity(unit, "workspace");
    map.insert(
        "nodeAffinity".into(),
        json!({"train": train, "interactive": interactive}),
    );
    map.insert("trainNodeAffinity".into(), json!(train_names));
    map.insert("interactiveNodeAffinity".into(), json!(interactive_names));
    if render.permissions {
        let mut permissions = unit
            .fields
            .get("permissions")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_else(|| {
                let empty = json!({"users": [], "groups": [], "applications": []});
                empty.as_object().cloned().unwrap_or_default()
            });
        let kept = permissions.remove("users");
        permissions.insert("users".into(), permitted_users(store, unit, kept));
        map.insert("permissions".into(), Value::Object(permissions));
    }
    Value::Object(map)
}

/// The project's researchers: the users its seed-era researcher rules name.
pub(crate) fn project_researchers<'s>(
    store: &'s Store,
    project_id: &'s str,
) -> impl Iterator<Item = &'s AccessRule> {
    let researcher = seed_role_id("researcher");
    store.access_rules.iter().filter(move |r| {
        r.deleted_at.is_none()
            && r.subject_type == "user"
            && Some(r.role_id) == researcher
            && r.scope_type == "project"
            && r.scope_id == project_id
    })
}

/// A project's `permissions.users`: its researchers by user id, then the names written
/// that are no user of the tenant (`kept`), as they were written.
fn permitted_users(store: &Store, unit: &OrgUnit, kept: Option<Value>) -> Value {
    let mut users: Vec<Value> = project_researchers(store, &unit.id)
        .map(|rule| {
            let user = store
                .users
                .iter()
                .find(|u| u.username.eq_ignore_ascii_case(&rule.subject_id));
            json!(user.map_or(&rule.subject_id, |u| &u.id))
        })
        .collect();
    if let Some(Value::Array(kept)) = kept {
        for name in kept {
            if !users.contains(&name) {
                users.push(name);
            }
        }
    }
    Value::Array(users)
}

/// The seed-era `Department2`, with its projects.
pub(crate) fn department2(
    store: &Store,
    unit: &OrgUnit,
    render: Render,
    status_of: StatusOf<'_>,
) -> Value {
    let mb = render.memory_mb;
    let deserved = deserved_gpus(&unit.resources);
    let max = max_allowed(&unit.resources, "gpu", mb);
    let projects: Vec<&OrgUnit> = store.projects_of(&unit.id).collect();
    // Folded from +0.0: an empty float `sum()` is -0.0, which would print as "-0".
    let projects_deserved = projects
        .iter()
        .map(|p| deserved_gpus(&p.resources))
        .fold(0.0, |a, b| a + b);
    let mut map = Map::new();
    map.insert("id".into(), legacy_id(&unit.id));
    map.insert("name".into(), json!(unit.name));
    map.insert("tenantId".into(), json!(TENANT_ID));
    map.insert("clusterUuid".into(), json!(unit.cluster_id));
    map.insert("createdAt".into(), json!(unit.created_at));
    map.insert("deservedGpus".into(), json!(deserved));
    map.insert("maxAllowedGpus".into(), json!(max));
    map.insert("allowOverQuota".into(), json!(max < 0.0 || max > deserved));
    map.insert("nodePoolsResources".into(), node_pools_resources(unit, mb));
    map.insert("resources".into(), assigned(&unit.resources, mb));
    map.insert(
        "projects".into(),
        Value::Array(
            projects
                .iter()
                .map(|p| project2(store, p, render, status_of))
                .collect(),
        ),
    );
    map.insert(
        "projectsDeservedGpus".into(),
        json!(projects_deserved.to_string()),
    );
    if render.permissions {
        map.insert(
            "departmentAdmins".into(),
            unit.fields
                .get("departmentAdmins")
                .filter(|a| a.is_array())
                .cloned()
                .unwrap_or_else(|| json!([])),
        );
    }
    Value::Object(map)
}

/// A seed-era `Resource1` as a stored `Resource`: `maxAllowed` (-1: none) becomes `limit`,
/// memory is in MiB.
fn resource_in(value: &Value, kind: &str) -> Value {
    let number = |field: &str| value.get(field).and_then(Value::as_f64);
    let mut out = Map::new();
    let deserved = number("deserved").or((kind == "gpu").then_some(0.0));
    out.insert("deserved".into(), json!(deserved));
    out.insert(
        "limit".into(),
        json!(number("maxAllowed").filter(|m| *m >= 0.0)),
    );
    out.insert("overQuotaWeight".into(), json!(number("overQuotaWeight")));
    if kind == "memory" {
        out.insert("units".into(), json!("Mib"));
    }
    Value::Object(out)
}

/// The stored entry of one seed-era node pool assignment (or of the top-level fields).
fn entry_in(source: &Value, pool_id: Option<String>) -> Value {
    let mut entry = Map::new();
    if let Some(id) = pool_id {
        entry.insert("nodePool".into(), json!({"id": id}));
    }
    for kind in ["gpu", "cpu", "memory"] {
        match source.get(kind).filter(|v| v.is_object()) {
            Some(resource) => {
                entry.insert(kind.into(), resource_in(resource, kind));
            }
            None if kind == "gpu" => {
                entry.insert(kind.into(), resource_in(&json!({}), kind));
            }
            None => {}
        }
    }
    Value::Object(entry)
}

/// The stored resources a seed-era create or update asks for: `nodePoolsResources` per
/// node pool; else the default node pool gets `resources` with `deservedGpus`,
/// `maxAllowedGpus` and `gpuOverQuotaWeight` over it.
pub(crate) fn resources_in(
    store: &Store,
    cluster_id: &str,
    body: &Value,
) -> Result<Vec<Value>, ApiError> {
    let pools = body
        .get("nodePoolsResources")
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty());
    let entries = match pools {
        Some(pools) => {
            let mut entries = Vec::new();
            for (i, pool) in pools.iter().enumerate() {
                let id = pool
                    .get("nodePool")
                    .and_then(|n| n.get("id"))
                    .and_then(Value::as_f64)
                    .map(|id| format!("{id}"))
                    .unwrap_or_default();
                if !store.node_pools_of(cluster_id).any(|p| p.id == id) {
                    return Err(ApiError::bad_request(format!(
                        "body.nodePoolsResources[{i}].nodePool.id: no node pool {id} in cluster {cluster_id}"
                    )));
                }
                entries.push(entry_in(pool, Some(id)));
            }
            entries
        }
        None => {
            let mut gpu = body
                .get("resources")
                .and_then(|r| r.get("gpu"))
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            for (seed, field) in [
                ("deservedGpus", "deserved"),
                ("maxAllowedGpus", "maxAllowed"),
                ("gpuOverQuotaWeight", "overQuotaWeight"),
            ] {
                if let Some(value) = body.get(seed).filter(|v| v.is_number()) {
                    gpu.insert(field.into(), value.clone());
                }
            }
            let mut source = body
                .get("resources")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            source.insert("gpu".into(), Value::Object(gpu));
            vec![entry_in(&Value::Object(source), None)]
        }
    };
    normalise_resources(store, cluster_id, Some(&Value::Array(entries)))
}

fn selected_names(affinity: Option<&Value>) -> Option<Value> {
    let affinity = affinity?;
    if affinity.get("affinityType").and_then(Value::as_str) != Some("only_selected") {
        return None;
    }
    let names: Vec<Value> = affinity
        .get("selectedTypes")
        .and_then(Value::as_array)?
        .iter()
        .filter_map(|t| {
            t.get("name")
                .and_then(Value::as_str)
                .map(str::to_string)
                .or_else(|| t.get("id").map(Value::to_string))
        })
        .map(Value::String)
        .collect();
    Some(Value::Array(names))
}

/// Write the seed-era settings of `body` over a project's stored fields: scheduling
/// limits, default node pools, node affinity. Like the seed era's PUT, what the body
/// leaves out is removed; modern-only settings (`description`, other rules) stay.
pub(crate) fn apply_fields(fields: &mut Map<String, Value>, body: &Value) {
    let mut rules = fields
        .get("schedulingRules")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for (seed, modern) in RULES {
        rules.remove(modern);
        if let Some(secs) = body.get(seed).and_then(Value::as_f64).filter(|s| *s >= 1.0) {
            rules.insert(modern.into(), json!(secs.round() as i64));
        }
    }
    let rules = if rules.is_empty() {
        Value::Null
    } else {
        Value::Object(rules)
    };
    fields.insert("schedulingRules".into(), rules);

    match body.get("defaultNodePools").filter(|v| v.is_array()) {
        Some(pools) => fields.insert("defaultNodePools".into(), pools.clone()),
        None => fields.remove("defaultNodePools"),
    };

    let mut types = fields
        .get("nodeTypes")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let affinity = body.get("nodeAffinity");
    for (seed, modern) in [("train", "training"), ("interactive", "workspace")] {
        match selected_names(affinity.and_then(|a| a.get(seed))) {
            Some(names) => types.insert(modern.into(), names),
            None => types.remove(modern),
        };
    }
    let types = if types.is_empty() {
        Value::Null
    } else {
        Value::Object(types)
    };
    fields.insert("nodeTypes".into(), types);
}
