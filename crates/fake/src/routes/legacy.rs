//! `/v1/k8s`, the seed-era operations the current spec still carries (deprecated): the
//! cluster, project and department listings, project create/update/delete, department
//! admins and the install file. They act on the same store as the `/api/v1` operations.
//! Their metrics are in `routes::metrics`.

use serde_json::{json, Map, Value};

use crate::context::{Answer, Call};
use crate::error::ApiError;
use crate::lookup::{department_in, existing_cluster, free_unit_name, project_in};
use crate::reply::Reply;
use crate::store::{now, Store};
use crate::wire::legacy::{self as seed, Render};

/// `None` when the operation is not one of this area's.
pub(crate) fn handle(call: &Call<'_>, store: &mut Store) -> Option<Answer> {
    let answer = match call.op.id.as_str() {
        "legacy_get_clusters" => list_clusters(store),
        "getProjects" => list_projects(call, store),
        "getProject" => get_project(call, store),
        "createProject" => create_project(call, store),
        "updateProject" => update_project(call, store),
        "deleteProject" => delete_project(call, store),
        "getDepartments" => list_departments(call, store),
        "getInstallFile" => install_file(call, store),
        "updateDepartmentAdmins" => update_admins(call, store),
        _ => return None,
    };
    Some(answer)
}

fn render(call: &Call<'_>) -> Render {
    Render {
        memory_mb: call.query_value("memoryUnitMb") == Some("true"),
        permissions: call.query_value("excludePermissions") != Some("true"),
    }
}

fn cluster_id(call: &Call<'_>, store: &Store, param: &str) -> Result<String, ApiError> {
    existing_cluster(store, call.param(param)).map(|c| c.uuid.clone())
}

/// A seed-era integer id from the body, as the store spells it.
fn body_id(call: &Call<'_>, field: &str) -> Option<String> {
    call.body
        .get(field)
        .and_then(Value::as_f64)
        .map(|n| format!("{n}"))
}

fn list_clusters(store: &Store) -> Answer {
    let items: Vec<Value> = store.clusters.iter().map(seed::cluster).collect();
    Ok(Reply::json(200, &Value::Array(items)))
}

fn list_projects(call: &Call<'_>, store: &Store) -> Answer {
    let cluster = cluster_id(call, store, "clusterId")?;
    let items: Vec<Value> = store
        .projects
        .iter()
        .filter(|p| p.cluster_id == cluster)
        .map(|p| seed::project2(store, p, render(call)))
        .collect();
    Ok(Reply::json(200, &Value::Array(items)))
}

fn get_project(call: &Call<'_>, store: &Store) -> Answer {
    let cluster = cluster_id(call, store, "clusterId")?;
    let unit = project_in(store, &cluster, call.param("id"))?;
    Ok(Reply::json(200, &seed::project2(store, unit, render(call))))
}

fn list_departments(call: &Call<'_>, store: &Store) -> Answer {
    let cluster = cluster_id(call, store, "clusterId")?;
    let items: Vec<Value> = store
        .departments
        .iter()
        .filter(|d| d.cluster_id == cluster)
        .map(|d| seed::department2(store, d, render(call)))
        .collect();
    Ok(Reply::json(200, &Value::Array(items)))
}

/// `permissions` as sent, unless `excludePermissions` says to ignore them.
fn permissions(call: &Call<'_>) -> Option<Value> {
    call.body
        .get("permissions")
        .filter(|p| p.is_object() && render(call).permissions)
        .cloned()
}

fn create_project(call: &Call<'_>, store: &mut Store) -> Answer {
    let cluster = cluster_id(call, store, "clusterId")?;
    let department = body_id(call, "departmentId").unwrap_or_default();
    let parent = department_in(store, &cluster, &department)?.id.clone();
    let name = call.required_name()?;
    free_unit_name(&store.projects, "project", &cluster, &name)?;
    let resources = seed::resources_in(store, &cluster, &call.body)?;
    let mut fields = Map::new();
    seed::apply_fields(&mut fields, &call.body);
    if let Some(namespace) = call.text("namespace").filter(|n| !n.is_empty()) {
        fields.insert("requestedNamespace".into(), json!(namespace));
    }
    if let Some(permissions) = permissions(call) {
        fields.insert("permissions".into(), permissions);
    }
    let unit = store.new_org_unit(name, cluster, Some(parent), resources, fields, call.actor());
    let body = seed::project2(store, &unit, render(call));
    store.projects.push(unit);
    Ok(Reply::json(200, &body))
}

/// The seed era's PUT sends every editable field: what it omits is removed.
fn update_project(call: &Call<'_>, store: &mut Store) -> Answer {
    let cluster = cluster_id(call, store, "clusterId")?;
    let id = call.param("id");
    project_in(store, &cluster, id)?;
    let resources = seed::resources_in(store, &cluster, &call.body)?;
    let permissions = permissions(call);
    let replace_permissions = render(call).permissions;
    if let Some(unit) = store.project_mut(id) {
        seed::apply_fields(&mut unit.fields, &call.body);
        if replace_permissions {
            match permissions {
                Some(p) => unit.fields.insert("permissions".into(), p),
                None => unit.fields.remove("permissions"),
            };
        }
        unit.resources = resources;
        unit.updated_at = now();
        unit.updated_by = call.actor().to_string();
    }
    let unit = project_in(store, &cluster, id)?;
    Ok(Reply::json(200, &seed::project2(store, unit, render(call))))
}

/// Answers the project as it was.
fn delete_project(call: &Call<'_>, store: &mut Store) -> Answer {
    let cluster = cluster_id(call, store, "clusterId")?;
    let id = call.param("id");
    let body = seed::project2(store, project_in(store, &cluster, id)?, render(call));
    store.projects.retain(|p| p.id != id);
    Ok(Reply::json(200, &body))
}

fn update_admins(call: &Call<'_>, store: &mut Store) -> Answer {
    let cluster = cluster_id(call, store, "clusterId")?;
    let id = call.param("department-id");
    department_in(store, &cluster, id)?;
    if let Some(other) = body_id(call, "departmentId").filter(|other| other != id) {
        return Err(ApiError::bad_request(format!(
            "body.departmentId: {other} does not match department {id} of the path"
        )));
    }
    let admins = call
        .body
        .get("departmentAdmins")
        .filter(|a| a.is_array())
        .cloned()
        .unwrap_or_else(|| json!([]));
    if let Some(unit) = store.department_mut(id) {
        unit.fields
            .insert("departmentAdmins".into(), admins.clone());
        unit.updated_at = now();
        unit.updated_by = call.actor().to_string();
    }
    Ok(Reply::json(
        201,
        &json!({"departmentId": seed::legacy_id(id), "departmentAdmins": admins}),
    ))
}

/// The cluster's installation values file: YAML, or the same values as JSON with
/// `format=json`.
fn install_file(call: &Call<'_>, store: &Store) -> Answer {
    let cluster = existing_cluster(store, call.param("cluster_uuid"))?;
    let mut values = json!({
        "controlPlane": {"url": call.shared.url},
        "cluster": {"uid": cluster.uuid, "name": cluster.name, "url": cluster.domain.clone().unwrap_or_default()},
    });
    let mut global = Map::new();
    if let Some(cloud) = call.query_value("cloud") {
        global.insert("cloud".into(), json!(cloud));
    }
    if let Some(ips) = call.query_value("clusterip") {
        let ips: Vec<&str> = ips
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        global.insert("clusterIPs".into(), json!(ips));
    }
    if let (false, Some(map)) = (global.is_empty(), values.as_object_mut()) {
        map.insert("global".into(), Value::Object(global));
    }
    // Either way the answer is the file's text as a JSON string.
    let text = if call.query_value("format") == Some("json") {
        serde_json::to_string_pretty(&values).unwrap_or_default()
    } else {
        let mut text = String::from("# runai-cluster installation values (fake control plane)\n");
        yaml(&values, 0, &mut text);
        text
    };
    Ok(Reply::json(200, &Value::String(text)))
}

/// Block YAML for nested objects; scalars and arrays in flow style (JSON is valid YAML).
fn yaml(value: &Value, depth: usize, out: &mut String) {
    let Some(map) = value.as_object() else {
        return;
    };
    for (key, v) in map {
        out.push_str(&"  ".repeat(depth));
        out.push_str(key);
        out.push(':');
        if v.is_object() {
            out.push('\n');
            yaml(v, depth + 1, out);
        } else {
            out.push(' ');
            out.push_str(&v.to_string());
            out.push('\n');
        }
    }
}
