//! The `/api/v1/org-unit` shapes: `Project`, `Department` and `DepartmentForList`, and
//! the rows their listings filter and sort on.

use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::listing::Row;
use crate::store::{OrgUnit, Priority, Store};
use crate::wire::resources::{
    node_pool_quota_statuses, pool_of, total, total_resources, PoolQuotaStatus, QuotaFigures,
    StatusOf, TotalResources, UnitStatus,
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

static NULL: Value = Value::Null;
static NO_TEXT: Value = Value::String(String::new());
static TRUE: Value = Value::Bool(true);

// The shapes below borrow from the store and serialise as they are sent: a page of 500
// projects is written straight into the reply, with no JSON tree built and dropped per
// project. Where a tree is wanted (the rows listings filter on), `serde_json::to_value`
// makes it from the same shape.

/// `OvertimeData`: no workloads, no averages.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OvertimeData {
    range24h_data: (),
    range7d_data: (),
    range30d_data: (),
}

const OVERTIME_DATA: OvertimeData = OvertimeData {
    range24h_data: (),
    range7d_data: (),
    range30d_data: (),
};

fn field_or_null<'a>(unit: &'a OrgUnit, name: &str) -> &'a Value {
    unit.fields.get(name).unwrap_or(&NULL)
}

/// What a department or project says of itself and can change with an update.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Updatable<'a> {
    description: &'a Value,
    scheduling_rules: &'a Value,
    default_node_pools: &'a Value,
    node_types: &'a Value,
}

impl<'a> Updatable<'a> {
    fn of(unit: &'a OrgUnit) -> Updatable<'a> {
        Updatable {
            description: unit
                .fields
                .get("description")
                .filter(|d| !d.is_null())
                .unwrap_or(&NO_TEXT),
            scheduling_rules: field_or_null(unit, "schedulingRules"),
            default_node_pools: field_or_null(unit, "defaultNodePools"),
            node_types: field_or_null(unit, "nodeTypes"),
        }
    }
}

/// Who made the unit and last changed it, and when.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Stamps<'a> {
    created_at: &'a str,
    updated_at: &'a str,
    created_by: &'a str,
    updated_by: &'a str,
}

impl<'a> Stamps<'a> {
    fn of(unit: &'a OrgUnit) -> Stamps<'a> {
        Stamps {
            created_at: &unit.created_at,
            updated_at: &unit.updated_at,
            created_by: &unit.created_by,
            updated_by: &unit.updated_by,
        }
    }
}

/// A department or project named by id and name (a project's parent, a department's
/// children).
#[derive(Serialize)]
struct UnitRef<'a> {
    id: &'a str,
    name: &'a str,
}

impl<'a> UnitRef<'a> {
    fn of(unit: &'a OrgUnit) -> UnitRef<'a> {
        UnitRef {
            id: &unit.id,
            name: &unit.name,
        }
    }
}

/// The project's namespace: the requested one, else `runai-<name>`.
pub(crate) fn namespace(unit: &OrgUnit) -> String {
    unit.fields
        .get("requestedNamespace")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| format!("runai-{}", unit.name))
}

/// `Project`, with its status figures at an instant.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Project<'a> {
    #[serde(flatten)]
    updatable: Updatable<'a>,
    id: &'a str,
    name: &'a str,
    cluster_id: &'a str,
    parent_id: &'a str,
    requested_namespace: &'a Value,
    enforce_runai_scheduler: &'a Value,
    status: ProjectStatus<'a>,
    total_resources: TotalResources,
    #[serde(flatten)]
    stamps: Stamps<'a>,
    parent: Option<UnitRef<'a>>,
    effective: Effective<'a>,
    overtime_data: OvertimeData,
    resources: &'a [Value],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ProjectStatus<'a> {
    namespace: String,
    phase: &'static str,
    phase_message: &'static str,
    last_updated_time: &'a str,
    node_pool_quota_statuses: Vec<PoolQuotaStatus>,
    quota_status: QuotaFigures,
    additional_status_data: (),
}

/// What applies to a project's workloads: its own settings, else its department's.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Effective<'a> {
    scheduling_rules: &'a Value,
    default_node_pools: &'a Value,
    node_types: &'a Value,
}

/// `Project`, with its status figures now.
pub(crate) fn project<'a>(store: &'a Store, unit: &'a OrgUnit, status: UnitStatus) -> Project<'a> {
    let parent = unit
        .parent_id
        .as_deref()
        .and_then(|id| store.department(id));
    let inherited = |name: &str| {
        unit.fields
            .get(name)
            .filter(|v| !v.is_null())
            .or_else(|| parent.and_then(|d| d.fields.get(name)))
            .unwrap_or(&NULL)
    };
    Project {
        updatable: Updatable::of(unit),
        id: &unit.id,
        name: &unit.name,
        cluster_id: &unit.cluster_id,
        parent_id: unit.parent_id.as_deref().unwrap_or_default(),
        requested_namespace: field_or_null(unit, "requestedNamespace"),
        enforce_runai_scheduler: unit
            .fields
            .get("enforceRunaiScheduler")
            .filter(|v| v.is_boolean())
            .unwrap_or(&TRUE),
        status: ProjectStatus {
            namespace: namespace(unit),
            phase: "Ready",
            phase_message: "Project is ready",
            last_updated_time: &unit.updated_at,
            node_pool_quota_statuses: node_pool_quota_statuses(status.pools),
            quota_status: status.total,
            additional_status_data: (),
        },
        total_resources: total_resources(&unit.resources),
        stamps: Stamps::of(unit),
        parent: parent.map(UnitRef::of),
        effective: Effective {
            scheduling_rules: inherited("schedulingRules"),
            default_node_pools: inherited("defaultNodePools"),
            node_types: inherited("nodeTypes"),
        },
        overtime_data: OVERTIME_DATA,
        resources: &unit.resources,
    }
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

/// `Department`, or `DepartmentForList` (no aggregated resources, no per-pool status).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Department<'a> {
    #[serde(flatten)]
    updatable: Updatable<'a>,
    name: &'a str,
    cluster_id: &'a str,
    overtime_data: OvertimeData,
    id: &'a str,
    #[serde(flatten)]
    stamps: Stamps<'a>,
    children: Vec<UnitRef<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    projects_aggregated_resources: Option<Value>,
    status: DepartmentStatus,
    total_resources: TotalResources,
    resources: &'a [Value],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DepartmentStatus {
    #[serde(skip_serializing_if = "Option::is_none")]
    node_pool_quota_statuses: Option<Vec<PoolQuotaStatus>>,
    quota_status: QuotaFigures,
}

/// `Department`, or `DepartmentForList` when `for_list`, with its status figures now
/// (its projects' together).
pub(crate) fn department<'a>(
    store: &'a Store,
    unit: &'a OrgUnit,
    for_list: bool,
    status: UnitStatus,
) -> Department<'a> {
    Department {
        updatable: Updatable::of(unit),
        name: &unit.name,
        cluster_id: &unit.cluster_id,
        overtime_data: OVERTIME_DATA,
        id: &unit.id,
        stamps: Stamps::of(unit),
        children: store.projects_of(&unit.id).map(UnitRef::of).collect(),
        projects_aggregated_resources: (!for_list).then(|| aggregated_resources(store, unit)),
        status: DepartmentStatus {
            node_pool_quota_statuses: (!for_list).then(|| node_pool_quota_statuses(status.pools)),
            quota_status: status.total,
        },
        total_resources: total_resources(&unit.resources),
        resources: &unit.resources,
    }
}

/// A shape's JSON tree, for what works on trees (the rows listings filter and sort on).
fn tree(shape: &impl Serialize) -> Value {
    serde_json::to_value(shape).unwrap_or(Value::Null)
}

fn org_unit_fields(unit: &OrgUnit, status: &UnitStatus) -> Map<String, Value> {
    let mut fields = Map::new();
    fields.insert("id".into(), json!(unit.id));
    fields.insert("name".into(), json!(unit.name));
    fields.insert("clusterId".into(), json!(unit.cluster_id));
    fields.insert(
        "totalGpuQuota".into(),
        json!(total_resources(&unit.resources).gpu_quota),
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
        item: tree(&project(store, unit, status)),
    }
}

pub(crate) fn department_row(store: &Store, unit: &OrgUnit, status_of: StatusOf<'_>) -> Row {
    let status = status_of(unit);
    Row {
        fields: org_unit_fields(unit, &status),
        item: tree(&department(store, unit, true, status)),
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
