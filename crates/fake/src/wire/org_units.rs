//! The `/api/v1/org-unit` shapes: `Project`, `Department` and `DepartmentForList`, and
//! the rows their listings filter and sort on.

use serde_json::{json, Map, Value};

use crate::listing::Row;
use crate::store::{OrgUnit, Priority, Store};
use crate::wire::resources::{
    node_pool_quota_statuses, pool_of, quota_status, total, total_resources, StatusOf, UnitStatus,
};

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
pub(crate) fn namespace(unit: &OrgUnit) -> String {
    unit.fields
        .get("requestedNamespace")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| format!("runai-{}", unit.name))
}

/// `Project`, with its status figures now.
pub(crate) fn project(store: &Store, unit: &OrgUnit, status: &UnitStatus) -> Value {
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
            "nodePoolQuotaStatuses": node_pool_quota_statuses(status),
            "quotaStatus": quota_status(status),
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

/// `Department`, or `DepartmentForList` when `for_list`, with its status figures now
/// (its projects' together).
pub(crate) fn department(
    store: &Store,
    unit: &OrgUnit,
    for_list: bool,
    status: &UnitStatus,
) -> Value {
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
    let shown = if for_list {
        json!({"quotaStatus": quota_status(status)})
    } else {
        map.insert(
            "projectsAggregatedResources".into(),
            aggregated_resources(store, unit),
        );
        json!({
            "nodePoolQuotaStatuses": node_pool_quota_statuses(status),
            "quotaStatus": quota_status(status),
        })
    };
    map.insert("status".into(), shown);
    map.insert("totalResources".into(), total_resources(&unit.resources));
    map.insert("resources".into(), Value::Array(unit.resources.clone()));
    Value::Object(map)
}

fn org_unit_fields(unit: &OrgUnit, status: &UnitStatus) -> Map<String, Value> {
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
    // What the status shows, so that sorting and filtering agree with it.
    fields.insert("gpuAllocated".into(), json!(status.total.allocated.gpu));
    fields.insert("createdAt".into(), json!(unit.created_at));
    for name in OVERTIME_FIELDS {
        fields.insert(name.into(), json!(0));
    }
    fields
}

pub(crate) fn project_row(store: &Store, unit: &OrgUnit, status_of: StatusOf<'_>) -> Row {
    let status = status_of(unit);
    let mut fields = org_unit_fields(unit, &status);
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
        item: project(store, unit, &status),
    }
}

pub(crate) fn department_row(store: &Store, unit: &OrgUnit, status_of: StatusOf<'_>) -> Row {
    let status = status_of(unit);
    Row {
        fields: org_unit_fields(unit, &status),
        item: department(store, unit, true, &status),
    }
}

/// `Priority`: one of the tenant's over-quota priorities.
pub(crate) fn priority(priority: &Priority) -> Value {
    json!({
        "name": priority.name,
        "value": priority.value,
        "isDefault": priority.is_default,
    })
}
