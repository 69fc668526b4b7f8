//! The wire shape of each kind of object, built from the store: `DisplayedCluster`,
//! `Project`, `Department`/`DepartmentForList`, `User2`, the seed-era cluster, and the
//! fields each kind exposes to filtering and sorting.

use serde_json::{json, Map, Value};

use super::auth::TENANT_ID;
use super::listing::Row;
use super::reply::ApiError;
use super::store::{Cluster, OrgUnit, Store, User};

/// Averages over time windows: the fake runs no workloads, so they are all zero.
const OVERTIME_FIELDS: [&str; 9] = [
    "avgGpuAllocation24h",
    "avgGpuUtilization24h",
    "avgGpuMemoryUtilization24h",
    "avgGpuAllocation7d",
    "avgGpuUtilization7d",
    "avgGpuMemoryUtilization7d",
    "avgGpuAllocation30d",
    "avgGpuUtilization30d",
    "avgGpuMemoryUtilization30d",
];

fn zero_quota_status() -> Value {
    json!({
        "allocated": {"gpu": 0, "cpu": 0, "memory": 0},
        "allocatedNonPreemptible": {"gpu": 0, "cpu": 0, "memory": 0},
        "requested": {"gpu": 0, "cpu": 0, "memory": 0},
    })
}

pub(super) fn pool_of(resource: &Value) -> (String, String) {
    let pool = resource.get("nodePool");
    let field = |name: &str| {
        pool.and_then(|p| p.get(name))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    (field("id"), field("name"))
}

pub(super) fn node_pool_quota_statuses(resources: &[Value]) -> Value {
    Value::Array(
        resources
            .iter()
            .map(|r| {
                let (id, name) = pool_of(r);
                let mut status = zero_quota_status();
                if let Some(map) = status.as_object_mut() {
                    map.insert("nodePoolName".into(), Value::String(name));
                    map.insert("nodePoolId".into(), Value::String(id));
                }
                status
            })
            .collect(),
    )
}

/// Sum of one resource's `deserved` over the node pools; null when no pool sets it.
pub(super) fn total(resources: &[Value], kind: &str) -> Value {
    let values: Vec<f64> = resources
        .iter()
        .filter_map(|r| {
            r.get(kind)
                .and_then(|k| k.get("deserved"))
                .and_then(Value::as_f64)
        })
        .collect();
    if values.is_empty() {
        Value::Null
    } else {
        json!(values.iter().sum::<f64>())
    }
}

fn total_resources(resources: &[Value]) -> Value {
    let gpu = match total(resources, "gpu") {
        Value::Null => json!(0.0),
        gpu => gpu,
    };
    json!({
        "gpuQuota": gpu,
        "cpuQuota": total(resources, "cpu"),
        "memoryQuota": total(resources, "memory"),
    })
}

fn overtime_data() -> Value {
    json!({"range24hData": null, "range7dData": null, "range30dData": null})
}

fn field_or_null(unit: &OrgUnit, name: &str) -> Value {
    unit.fields.get(name).cloned().unwrap_or(Value::Null)
}

fn updatable_fields(unit: &OrgUnit) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert(
        "description".into(),
        unit.fields
            .get("description")
            .cloned()
            .filter(|d| !d.is_null())
            .unwrap_or_else(|| Value::String(String::new())),
    );
    for name in ["schedulingRules", "defaultNodePools", "nodeTypes"] {
        map.insert(name.into(), field_or_null(unit, name));
    }
    map
}

fn stamps(map: &mut Map<String, Value>, unit: &OrgUnit) {
    map.insert("createdAt".into(), json!(unit.created_at));
    map.insert("updatedAt".into(), json!(unit.updated_at));
    map.insert("createdBy".into(), json!(unit.created_by));
    map.insert("updatedBy".into(), json!(unit.updated_by));
}

/// The project's namespace: the requested one, else `runai-<name>`.
pub(super) fn namespace(unit: &OrgUnit) -> String {
    unit.fields
        .get("requestedNamespace")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| format!("runai-{}", unit.name))
}

pub(crate) fn project(store: &Store, unit: &OrgUnit) -> Value {
    let parent = unit
        .parent_id
        .as_deref()
        .and_then(|id| store.department(id));
    let mut map = updatable_fields(unit);
    map.insert("id".into(), json!(unit.id));
    map.insert("name".into(), json!(unit.name));
    map.insert("clusterId".into(), json!(unit.cluster_id));
    map.insert(
        "parentId".into(),
        json!(unit.parent_id.clone().unwrap_or_default()),
    );
    map.insert(
        "requestedNamespace".into(),
        field_or_null(unit, "requestedNamespace"),
    );
    map.insert(
        "enforceRunaiScheduler".into(),
        unit.fields
            .get("enforceRunaiScheduler")
            .filter(|v| v.is_boolean())
            .cloned()
            .unwrap_or(Value::Bool(true)),
    );
    map.insert(
        "status".into(),
        json!({
            "namespace": namespace(unit),
            "phase": "Ready",
            "phaseMessage": "Project is ready",
            "lastUpdatedTime": unit.updated_at,
            "nodePoolQuotaStatuses": node_pool_quota_statuses(&unit.resources),
            "quotaStatus": zero_quota_status(),
            "additionalStatusData": null,
        }),
    );
    map.insert("totalResources".into(), total_resources(&unit.resources));
    stamps(&mut map, unit);
    map.insert(
        "parent".into(),
        parent.map_or(Value::Null, |d| json!({"id": d.id, "name": d.name})),
    );
    // What applies to workloads: the project's own settings, else its department's.
    let inherited = |name: &str| {
        unit.fields
            .get(name)
            .filter(|v| !v.is_null())
            .or_else(|| parent.and_then(|d| d.fields.get(name)))
            .cloned()
            .unwrap_or(Value::Null)
    };
    map.insert(
        "effective".into(),
        json!({
            "schedulingRules": inherited("schedulingRules"),
            "defaultNodePools": inherited("defaultNodePools"),
            "nodeTypes": inherited("nodeTypes"),
        }),
    );
    map.insert("overtimeData".into(), overtime_data());
    map.insert("resources".into(), Value::Array(unit.resources.clone()));
    Value::Object(map)
}

/// Per node pool, the sum of what the department's projects deserve.
fn aggregated_resources(store: &Store, unit: &OrgUnit) -> Value {
    let projects: Vec<&OrgUnit> = store.projects_of(&unit.id).collect();
    let aggregated = store
        .node_pools_of(&unit.cluster_id)
        .map(|pool| {
            let in_pool: Vec<Value> = projects
                .iter()
                .flat_map(|p| p.resources.iter())
                .filter(|r| pool_of(r).0 == pool.id)
                .cloned()
                .collect();
            json!({
                "nodePool": {"id": pool.id, "name": pool.name},
                "gpu": {"deserved": total(&in_pool, "gpu")},
                "cpu": {"deserved": total(&in_pool, "cpu")},
                "memory": {"deserved": total(&in_pool, "memory"), "units": "MB"},
            })
        })
        .collect();
    Value::Array(aggregated)
}

/// `Department`, or `DepartmentForList` when `for_list`.
pub(crate) fn department(store: &Store, unit: &OrgUnit, for_list: bool) -> Value {
    let mut map = updatable_fields(unit);
    map.insert("name".into(), json!(unit.name));
    map.insert("clusterId".into(), json!(unit.cluster_id));
    map.insert("overtimeData".into(), overtime_data());
    map.insert("id".into(), json!(unit.id));
    stamps(&mut map, unit);
    let children: Vec<Value> = store
        .projects_of(&unit.id)
        .map(|p| json!({"id": p.id, "name": p.name}))
        .collect();
    map.insert("children".into(), Value::Array(children));
    let status = if for_list {
        json!({"quotaStatus": zero_quota_status()})
    } else {
        map.insert(
            "projectsAggregatedResources".into(),
            aggregated_resources(store, unit),
        );
        json!({
            "nodePoolQuotaStatuses": node_pool_quota_statuses(&unit.resources),
            "quotaStatus": zero_quota_status(),
        })
    };
    map.insert("status".into(), status);
    map.insert("totalResources".into(), total_resources(&unit.resources));
    map.insert("resources".into(), Value::Array(unit.resources.clone()));
    Value::Object(map)
}

fn org_unit_fields(unit: &OrgUnit) -> Map<String, Value> {
    let mut fields = Map::new();
    fields.insert("id".into(), json!(unit.id));
    fields.insert("name".into(), json!(unit.name));
    fields.insert("clusterId".into(), json!(unit.cluster_id));
    fields.insert(
        "totalGpuQuota".into(),
        total_resources(&unit.resources)
            .get("gpuQuota")
            .cloned()
            .unwrap_or(Value::Null),
    );
    fields.insert("gpuAllocated".into(), json!(0));
    fields.insert("createdAt".into(), json!(unit.created_at));
    for name in OVERTIME_FIELDS {
        fields.insert(name.into(), json!(0));
    }
    fields
}

pub(crate) fn project_row(store: &Store, unit: &OrgUnit) -> Row {
    let mut fields = org_unit_fields(unit);
    let parent_id = unit.parent_id.clone().unwrap_or_default();
    let parent_name = store
        .department(&parent_id)
        .map(|d| d.name.clone())
        .unwrap_or_default();
    fields.insert("departmentId".into(), json!(parent_id));
    fields.insert("parentId".into(), json!(parent_id));
    fields.insert("parentName".into(), json!(parent_name));
    fields.insert("phase".into(), json!("Ready"));
    Row {
        fields,
        item: project(store, unit),
    }
}

pub(crate) fn department_row(store: &Store, unit: &OrgUnit) -> Row {
    Row {
        fields: org_unit_fields(unit),
        item: department(store, unit, true),
    }
}

pub(crate) fn cluster(cluster: &Cluster, with_status: bool) -> Value {
    let mut map = Map::new();
    map.insert("uuid".into(), json!(cluster.uuid));
    map.insert("tenantId".into(), json!(TENANT_ID));
    map.insert("name".into(), json!(cluster.name));
    map.insert("createdAt".into(), json!(cluster.created_at));
    map.insert("domain".into(), json!(cluster.domain));
    map.insert("version".into(), json!(cluster.version));
    if with_status {
        let status = if cluster.connected {
            json!({
                "state": "Connected",
                "conditions": [{
                    "type": "Available",
                    "status": "True",
                    "reason": "ClusterAvailable",
                    "message": "cluster is connected and reporting",
                    "lastTransitionTime": cluster.created_at,
                }],
                "operands": {},
                "platform": {"type": "vanilla", "kubeVersion": "v1.30.4"},
                "config": {"workloadOwnershipProtection": false, "subdomainEnabled": false, "ingressClass": "nginx"},
                "dependencies": {"required": {}, "optional": {}},
            })
        } else {
            json!({"state": "WaitingToConnect", "conditions": [], "operands": {}})
        };
        map.insert("status".into(), status);
    }
    map.insert("updatedAt".into(), json!(cluster.updated_at));
    map.insert("deletedAt".into(), Value::Null);
    map.insert(
        "lastLiveness".into(),
        if cluster.connected {
            json!(super::store::now())
        } else {
            Value::Null
        },
    );
    map.insert("deleteRequestedAt".into(), Value::Null);
    Value::Object(map)
}

/// The seed-era `/v1/k8s` Cluster.
pub(crate) fn legacy_cluster(cluster: &Cluster) -> Value {
    json!({
        "name": cluster.name,
        "clusterUuid": cluster.uuid,
        "tenantId": TENANT_ID,
        "createdAt": cluster.created_at,
        "description": "",
    })
}

pub(crate) fn user(user: &User) -> Value {
    json!({
        "id": user.id,
        "username": user.username,
        "createdBy": user.created_by,
        "createdAt": user.created_at,
        "updatedAt": user.updated_at,
        "lastLogin": user.last_login,
        "isLocal": true,
        "groups": [],
    })
}

pub(crate) fn user_row(u: &User) -> Row {
    let mut fields = Map::new();
    fields.insert("username".into(), json!(u.username));
    fields.insert("createdBy".into(), json!(u.created_by));
    fields.insert("lastLogin".into(), json!(u.last_login));
    fields.insert("creationTime".into(), json!(u.created_at));
    fields.insert("lastUpdated".into(), json!(u.updated_at));
    fields.insert("isLocal".into(), json!(true));
    fields.insert("type".into(), json!("local"));
    Row {
        fields,
        item: user(u),
    }
}

/// Give every entry of a `ResourcesNullable` array an existing node pool of the cluster
/// (`{id, name}`, the default pool when absent) and a `gpu.deserved`.
pub(crate) fn normalise_resources(
    store: &Store,
    cluster_id: &str,
    input: Option<&Value>,
) -> Result<Vec<Value>, ApiError> {
    let entries = input.and_then(Value::as_array).cloned().unwrap_or_default();
    let mut out: Vec<Value> = Vec::new();
    for (i, entry) in entries.into_iter().enumerate() {
        let Value::Object(mut entry) = entry else {
            return Err(ApiError::bad_request(format!(
                "body.resources[{i}]: expected object"
            )));
        };
        let pool = match entry
            .get("nodePool")
            .and_then(|p| p.get("id"))
            .and_then(Value::as_str)
        {
            Some(id) => store
                .node_pools_of(cluster_id)
                .find(|p| p.id == id)
                .ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "body.resources[{i}].nodePool.id: no node pool {id:?} in cluster {cluster_id}"
                    ))
                })?,
            None => store.default_node_pool(cluster_id).ok_or_else(|| {
                ApiError::bad_request(format!("cluster {cluster_id} has no node pool"))
            })?,
        };
        if out.iter().any(|r| pool_of(r).0 == pool.id) {
            return Err(ApiError::bad_request(format!(
                "body.resources[{i}].nodePool: node pool {:?} appears twice",
                pool.name
            )));
        }
        entry.insert("nodePool".into(), json!({"id": pool.id, "name": pool.name}));
        let mut gpu = entry
            .get("gpu")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        if gpu.get("deserved").is_none_or(Value::is_null) {
            gpu.insert("deserved".into(), json!(0));
        }
        entry.insert("gpu".into(), Value::Object(gpu));
        out.push(Value::Object(entry));
    }
    if out.is_empty() {
        if let Some(pool) = store.default_node_pool(cluster_id) {
            out.push(
                json!({"nodePool": {"id": pool.id, "name": pool.name}, "gpu": {"deserved": 0}}),
            );
        }
    }
    Ok(out)
}

/// PATCH semantics: each entry replaces, in its node pool, the resource kinds it names
/// (`gpu`, `cpu`, `memory`, `priority`); other kinds and other node pools stay.
pub(crate) fn patch_resources(
    store: &Store,
    cluster_id: &str,
    current: &[Value],
    patch: &Value,
) -> Result<Vec<Value>, ApiError> {
    let originals = patch.as_array().cloned().unwrap_or_default();
    if originals.is_empty() {
        return Ok(current.to_vec());
    }
    let normalised = normalise_resources(store, cluster_id, Some(patch))?;
    let mut merged: Vec<Value> = current.to_vec();
    for (original, entry) in originals.iter().zip(normalised) {
        let pool_id = pool_of(&entry).0;
        match merged.iter_mut().find(|r| pool_of(r).0 == pool_id) {
            Some(Value::Object(existing)) => {
                if let (Some(original), Value::Object(entry)) = (original.as_object(), &entry) {
                    for key in original.keys().filter(|k| k.as_str() != "nodePool") {
                        if let Some(v) = entry.get(key) {
                            existing.insert(key.clone(), v.clone());
                        }
                    }
                }
            }
            _ => merged.push(entry),
        }
    }
    Ok(merged)
}
