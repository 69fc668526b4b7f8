//! What the department and project routes share: create, PUT and the resources routes
//! differ only in which of the two kinds they act on. The area of
//! `/api/v1/org-unit/priorities` too: the over-quota priorities both kinds' resources name.

use serde_json::{json, Map, Value};

use crate::context::{Access, Answer, Call};
use crate::error::ApiError;
use crate::lookup::{existing_department, existing_project, free_unit_name};
use crate::reply::Reply;
use crate::store::{now, OrgUnit, Store, UnitMut, Units};
use crate::wire::org_units as wire;
use crate::wire::resources::{deserved_gpus, normalise_resources, patch_resources};
use crate::wire::usage::Usage;

#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Kind {
    Department,
    Project,
}

impl Kind {
    fn noun(self) -> &'static str {
        match self {
            Kind::Department => "department",
            Kind::Project => "project",
        }
    }

    fn id_param(self) -> &'static str {
        match self {
            Kind::Department => "departmentId",
            Kind::Project => "projectId",
        }
    }

    /// Fields a create or a PUT writes as sent (PUT drops the ones it omits).
    fn writable(self) -> &'static [&'static str] {
        match self {
            Kind::Department => &[
                "description",
                "schedulingRules",
                "defaultNodePools",
                "nodeTypes",
            ],
            Kind::Project => &[
                "description",
                "schedulingRules",
                "defaultNodePools",
                "nodeTypes",
                "enforceRunaiScheduler",
            ],
        }
    }

    fn units(self, store: &Store) -> &Units {
        match self {
            Kind::Department => &store.departments,
            Kind::Project => &store.projects,
        }
    }

    fn find<'s>(self, store: &'s Store, id: &str) -> Result<&'s OrgUnit, ApiError> {
        match self {
            Kind::Department => existing_department(store, id),
            Kind::Project => existing_project(store, id),
        }
    }

    fn find_mut<'s>(self, store: &'s mut Store, id: &str) -> Option<UnitMut<'s>> {
        match self {
            Kind::Department => store.department_mut(id),
            Kind::Project => store.project_mut(id),
        }
    }

    /// The unit's answer, with its status now.
    /// The answer showing `unit` as one department or project, with its status now.
    pub(crate) fn reply(self, code: u16, usage: &Usage<'_>, unit: &OrgUnit) -> Reply {
        let status = usage.status_now()(unit);
        match self {
            Kind::Department => {
                Reply::json(code, &wire::department(usage.store, unit, false, status))
            }
            Kind::Project => Reply::json(code, &wire::project(usage.store, unit, status)),
        }
    }
}

fn writable_fields(call: &Call<'_>, kind: Kind) -> Map<String, Value> {
    kind.writable()
        .iter()
        .filter_map(|name| call.body.get(*name).map(|v| (name.to_string(), v.clone())))
        .collect()
}

/// Create a department or project after the checks both share: a name that is free in
/// the cluster and resources in its node pools. The caller checked the cluster.
pub(crate) fn create(
    call: &Call<'_>,
    store: &mut Store,
    kind: Kind,
    parent_id: Option<String>,
) -> Answer {
    let name = call.required_name()?;
    let cluster_id = call.text("clusterId").unwrap_or_default();
    free_unit_name(kind.units(store), kind.noun(), &cluster_id, &name)?;
    let resources = normalise_resources(store, &cluster_id, call.body.get("resources"))?;
    within_department(store, kind, None, parent_id.as_deref(), &resources)?;
    let mut fields = writable_fields(call, kind);
    if let Some(namespace) = call
        .body
        .get("requestedNamespace")
        .filter(|_| kind == Kind::Project)
    {
        fields.insert("requestedNamespace".into(), namespace.clone());
    }
    let unit = store.new_org_unit(name, cluster_id, parent_id, resources, fields, call.actor());
    let id = unit.id.clone();
    match kind {
        Kind::Department => store.departments.push(unit),
        Kind::Project => store.projects.push(unit),
    }
    // Rendered once stored: the usage model schedules the stored projects only.
    let unit = kind.find(store, &id)?;
    Ok(kind.reply(201, &Usage::new(store), unit))
}

/// PUT: the writable fields and the resources are replaced by what the body sends.
pub(crate) fn update(call: &Call<'_>, store: &mut Store, kind: Kind) -> Answer {
    let id = call.param(kind.id_param()).to_string();
    let unit = kind.find(store, &id)?;
    let (cluster_id, parent_id) = (unit.cluster_id.clone(), unit.parent_id.clone());
    let resources = normalise_resources(store, &cluster_id, call.body.get("resources"))?;
    within_department(store, kind, Some(&id), parent_id.as_deref(), &resources)?;
    let fields = writable_fields(call, kind);
    if let Some(mut unit) = kind.find_mut(store, &id) {
        // What this PUT cannot express stays: the namespace, and the seed era's
        // permissions and department admins.
        let kept: Vec<(String, Value)> = ["requestedNamespace", "permissions", "departmentAdmins"]
            .iter()
            .filter_map(|k| unit.fields.get(*k).map(|v| (k.to_string(), v.clone())))
            .collect();
        unit.fields = fields;
        unit.fields.extend(kept);
        unit.resources = resources;
        unit.updated_at = now();
        unit.updated_by = call.actor().to_string();
    }
    let unit = kind.find(store, &id)?;
    Ok(kind.reply(200, &Usage::new(store), unit))
}

/// `…/resources`: PUT replaces the resources, PATCH merges into them.
pub(crate) fn resources(call: &Call<'_>, store: &mut Store, kind: Kind) -> Answer {
    let id = call.param(kind.id_param()).to_string();
    let unit = kind.find(store, &id)?;
    let resources = if call.op.method.eq_ignore_ascii_case("PATCH") {
        patch_resources(store, &unit.cluster_id, &unit.resources, &call.body)?
    } else {
        normalise_resources(store, &unit.cluster_id, Some(&call.body))?
    };
    within_department(
        store,
        kind,
        Some(&id),
        unit.parent_id.as_deref(),
        &resources,
    )?;
    if let Some(mut unit) = kind.find_mut(store, &id) {
        unit.resources = resources.clone();
        unit.updated_at = now();
        unit.updated_by = call.actor().to_string();
    }
    Ok(Reply::json(200, &Value::Array(resources)))
}

/// Where the tenant keeps projects within their department's quota
/// (`Store::projects_within_department_quota`): in every node pool, the GPUs a
/// department's projects deserve together may not exceed what the department deserves.
/// `unit_id` is the department or project being changed (`None` while it is created),
/// `parent_id` a project's department, `resources` its new quota.
fn within_department(
    store: &Store,
    kind: Kind,
    unit_id: Option<&str>,
    parent_id: Option<&str>,
    resources: &[Value],
) -> Result<(), ApiError> {
    if !store.projects_within_department_quota {
        return Ok(());
    }
    let department_id = match kind {
        Kind::Department => unit_id,
        Kind::Project => parent_id,
    };
    let Some(department) = department_id.and_then(|id| store.department(id)) else {
        return Ok(());
    };
    let department_resources = match kind {
        Kind::Department => resources,
        Kind::Project => &department.resources,
    };
    // Every project of the department with its quota as it would be after this change.
    let mut projects: Vec<&[Value]> = store
        .projects_of(&department.id)
        .filter(|p| kind == Kind::Department || Some(p.id.as_str()) != unit_id)
        .map(|p| p.resources.as_slice())
        .collect();
    if kind == Kind::Project {
        projects.push(resources);
    }
    for pool in store.node_pools_of(&department.cluster_id) {
        let wanted: f64 = projects.iter().map(|r| deserved_gpus(r, &pool.id)).sum();
        let allowed = deserved_gpus(department_resources, &pool.id);
        if wanted > allowed {
            return Err(ApiError::bad_request(format!(
                "body.resources: the projects of department {:?} would deserve {wanted} GPUs in node pool {:?}, more than the department's {allowed}",
                department.name, pool.name
            ))
            .with_details("the projects of a department may not together deserve more than it does"));
        }
    }
    Ok(())
}

/// `None` when the operation is not one of this area's.
pub(crate) fn handle(call: &Call<'_>, store: &mut Access<'_>) -> Option<Answer> {
    match call.op.id.as_str() {
        "get_priorities" => {
            let priorities: Vec<Value> = store.priorities.iter().map(wire::priority).collect();
            Some(Ok(Reply::json(200, &json!({"priorities": priorities}))))
        }
        _ => None,
    }
}
