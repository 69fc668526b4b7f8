//! `/v1/k8s`, the seed-era API: the operations the current spec still carries
//! (deprecated: the cluster, project and department listings, project
//! create/update/delete, department admins, the install file) and the seed era's own
//! (`legacy_*`: clusters, projects, departments, users and node types by id). They act on
//! the same store as the `/api/v1` operations: a project, department or user made in one
//! era is seen in the other, a user's seed-era roles and a project's permitted users are
//! access rules. Their metrics are in `routes::metrics`.

use serde_json::{json, Map, Value};

use crate::access::may_grant;
use crate::context::{Access, Answer, Call};
use crate::error::ApiError;
use crate::lookup::{
    department_in, existing_cluster, existing_department, existing_project, existing_user,
    free_cluster_name, free_unit_name, project_in,
};
use crate::reply::Reply;
use crate::roles::role;
use crate::routes::{departments, users};
use crate::scopes::Scope;
use crate::seed::TENANT_ID;
use crate::store::{now, NodeType, OrgUnit, Store, Units};
use crate::wire::legacy::{self as seed, Render};
use crate::wire::usage::Usage;

/// `None` when the operation is not one of this area's.
pub(crate) fn handle(call: &Call<'_>, store: &mut Access<'_>) -> Option<Answer> {
    let answer = match call.op.id.as_str() {
        "legacy_get_clusters" => list_clusters(store),
        "legacy_create_cluster" => store.write().and_then(|store| create_cluster(call, store)),
        "legacy_get_cluster" => get_cluster(call, store),
        "legacy_delete_cluster" => store.write().and_then(|store| delete_cluster(call, store)),
        // The seed era's own lists share these paths; either operation may name them.
        "getProjects" | "legacy_get_projects" => list_projects(call, store),
        "getProject" => get_project(call, store),
        "createProject" => store.write().and_then(|store| create_project(call, store)),
        "updateProject" => store.write().and_then(|store| update_project(call, store)),
        "deleteProject" => store.write().and_then(|store| delete_project(call, store)),
        "legacy_create_project" => store
            .write()
            .and_then(|store| seed_create_project(call, store)),
        "legacy_get_project" => seed_get_project(call, store),
        "legacy_update_project" => store
            .write()
            .and_then(|store| seed_update_project(call, store)),
        "legacy_delete_project" => store
            .write()
            .and_then(|store| seed_delete_project(call, store)),
        "getDepartments" | "legacy_get_departments" => list_departments(call, store),
        "legacy_create_department" => store
            .write()
            .and_then(|store| create_department(call, store)),
        "legacy_get_department" => get_department(call, store),
        "legacy_update_department" => store
            .write()
            .and_then(|store| update_department(call, store)),
        "legacy_delete_department" => store
            .write()
            .and_then(|store| delete_department(call, store)),
        "getInstallFile" | "legacy_get_install_file" => install_file(call, store),
        "updateDepartmentAdmins" => store.write().and_then(|store| update_admins(call, store)),
        "legacy_get_users" => list_users(store),
        "legacy_create_user" => store.write().and_then(|store| create_user(call, store)),
        "legacy_get_user" => get_user(call, store),
        "legacy_update_user" => store.write().and_then(|store| update_user(call, store)),
        "legacy_delete_user" => store.write().and_then(|store| delete_user(call, store)),
        "legacy_get_node_types" => list_node_types(call, store),
        "legacy_create_node_type" => store
            .write()
            .and_then(|store| create_node_type(call, store)),
        "legacy_get_node_type" => get_node_type(call, store),
        "legacy_update_node_type" => store
            .write()
            .and_then(|store| update_node_type(call, store)),
        "legacy_delete_node_type" => store
            .write()
            .and_then(|store| delete_node_type(call, store)),
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

/// A seed-era project with its status now.
fn project_body(call: &Call<'_>, store: &Store, unit: &OrgUnit) -> Value {
    let usage = Usage::new(store);
    let status_of = usage.status_now();
    seed::project2(store, unit, render(call), &status_of)
}

/// A seed-era department, its projects with their status now.
fn department_body(call: &Call<'_>, store: &Store, unit: &OrgUnit) -> Value {
    let usage = Usage::new(store);
    let status_of = usage.status_now();
    seed::department2(store, unit, render(call), &status_of)
}

/// The cluster the path names: `clusterId` in the document's paths, `cluster_uuid` in
/// the seed era's.
fn cluster_id(call: &Call<'_>, store: &Store, param: &str) -> Result<String, ApiError> {
    let named = Some(call.param(param))
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| call.param("cluster_uuid"));
    existing_cluster(store, named).map(|c| c.uuid.clone())
}

/// The cluster a seed-era body names (`clusterUuid`), which must exist.
fn body_cluster(call: &Call<'_>, store: &Store) -> Result<String, ApiError> {
    let uuid = call.text("clusterUuid").unwrap_or_default();
    store
        .cluster(&uuid)
        .map(|c| c.uuid.clone())
        .ok_or_else(|| ApiError::bad_request(format!("body.clusterUuid: no cluster {uuid}")))
}

/// A replacing PUT names the object's cluster again; it cannot move the object.
fn same_cluster(call: &Call<'_>, cluster: &str) -> Result<(), ApiError> {
    match call.text("clusterUuid") {
        Some(named) if named != cluster => Err(ApiError::bad_request(format!(
            "body.clusterUuid: {named} is not the object's cluster {cluster}; objects do not move"
        ))),
        _ => Ok(()),
    }
}

/// The seed era answers deletions with a line of text.
fn text(message: String) -> Answer {
    Ok(Reply::file(
        "text/plain; charset=utf-8",
        message.into_bytes(),
    ))
}

/// A seed-era integer id from the path; anything else names nothing (404).
fn path_number(call: &Call<'_>, param: &str, noun: &str) -> Result<i64, ApiError> {
    let raw = call.param(param);
    raw.parse()
        .map_err(|_| ApiError::not_found(format!("{noun} {raw} not found")))
}

/// A seed-era integer id from the body, as the store spells it.
fn body_id(call: &Call<'_>, field: &str) -> Option<String> {
    call.body
        .get(field)
        .and_then(Value::as_f64)
        .map(|n| format!("{n}"))
}

fn list_clusters(store: &Store) -> Answer {
    let items: Vec<Value> = store
        .clusters
        .iter()
        .map(|c| seed::cluster(store, c))
        .collect();
    Ok(Reply::json(200, &Value::Array(items)))
}

fn create_cluster(call: &Call<'_>, store: &mut Store) -> Answer {
    let name = call.required_name()?;
    free_cluster_name(store, &name, None)?;
    let uuid = store.add_cluster(name, None, None, false, call.actor());
    if let Some(description) = call.text("description").filter(|d| !d.is_empty()) {
        store
            .seed_era
            .cluster_descriptions
            .insert(uuid.clone(), description);
    }
    Ok(Reply::json(
        200,
        &seed::cluster(store, existing_cluster(store, &uuid)?),
    ))
}

fn get_cluster(call: &Call<'_>, store: &Store) -> Answer {
    let cluster = existing_cluster(store, call.param("cluster_uuid"))?;
    Ok(Reply::json(200, &seed::cluster(store, cluster)))
}

/// The seed era removes a cluster at once, with everything in it.
fn delete_cluster(call: &Call<'_>, store: &mut Store) -> Answer {
    let uuid = existing_cluster(store, call.param("cluster_uuid"))?
        .uuid
        .clone();
    store.remove_cluster(&uuid);
    text(format!("cluster {uuid} deleted"))
}

fn list_projects(call: &Call<'_>, store: &Store) -> Answer {
    let cluster = cluster_id(call, store, "clusterId")?;
    let usage = Usage::new(store);
    let status_of = usage.status_now();
    let items: Vec<Value> = store
        .projects
        .iter()
        .filter(|p| p.cluster_id == cluster)
        .map(|p| seed::project2(store, p, render(call), &status_of))
        .collect();
    Ok(Reply::json(200, &Value::Array(items)))
}

fn get_project(call: &Call<'_>, store: &Store) -> Answer {
    let cluster = cluster_id(call, store, "clusterId")?;
    let unit = project_in(store, &cluster, call.param("id"))?;
    Ok(Reply::json(200, &project_body(call, store, unit)))
}

fn list_departments(call: &Call<'_>, store: &Store) -> Answer {
    let cluster = cluster_id(call, store, "clusterId")?;
    let usage = Usage::new(store);
    let status_of = usage.status_now();
    let items: Vec<Value> = store
        .departments
        .iter()
        .filter(|d| d.cluster_id == cluster)
        .map(|d| seed::department2(store, d, render(call), &status_of))
        .collect();
    Ok(Reply::json(200, &Value::Array(items)))
}

/// A seed-era project's `permissions.users` are its researchers: each name that is a user
/// of the tenant (by id or e-mail) becomes that user's L1 researcher rule on the project,
/// and a PUT's list replaces them; names that are no user are kept as written.
struct Researchers {
    emails: Vec<String>,
    /// The permissions as written, but for the users that became rules.
    rest: Value,
}

/// What the call's `permissions` ask for, checked: the caller must be able to grant the
/// researcher role where the project lives (its department).
fn researchers(
    call: &Call<'_>,
    store: &Store,
    department: &str,
) -> Result<Option<Researchers>, ApiError> {
    if !render(call).permissions {
        return Ok(None);
    }
    let mut rest = permissions(call).unwrap_or_else(|| json!({}));
    let named: Vec<Value> = rest
        .get("users")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut emails = Vec::new();
    let mut others = Vec::new();
    for name in named {
        let user = name.as_str().and_then(|n| {
            store
                .users
                .iter()
                .find(|u| u.id == n || u.username.eq_ignore_ascii_case(n))
        });
        match user {
            Some(user) if !emails.contains(&user.username) => emails.push(user.username.clone()),
            Some(_) => {}
            None => others.push(name),
        }
    }
    if !emails.is_empty() {
        let researcher = seed::seed_role_id("researcher").and_then(role);
        let scope = Scope::Department(department.to_string());
        if !researcher.is_some_and(|r| may_grant(store, &call.subject, r, &scope)) {
            return Err(ApiError::new(
                403,
                format!(
                    "{} may not make researchers in department {department}",
                    call.actor()
                ),
            ));
        }
    }
    if let Some(map) = rest.as_object_mut() {
        map.insert("users".into(), Value::Array(others));
    }
    Ok(Some(Researchers { emails, rest }))
}

/// Write checked `Researchers` onto the project: its researcher rules replaced.
fn set_researchers(call: &Call<'_>, store: &mut Store, project: &str, wanted: Researchers) {
    let old: Vec<i64> = seed::project_researchers(store, project)
        .map(|r| r.id)
        .collect();
    for rule in old {
        store.delete_access_rule(rule);
    }
    if let Some(researcher) = seed::seed_role_id("researcher") {
        for email in &wanted.emails {
            let scope = ("project", project);
            store.add_access_rule(("user", email), researcher, scope, call.actor());
        }
    }
    if let Some(mut unit) = store.project_mut(project) {
        unit.fields.insert("permissions".into(), wanted.rest);
    }
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
    add_project(call, store, cluster)
}

/// A project from a seed-era body, in `cluster`: both eras' creates.
fn add_project(call: &Call<'_>, store: &mut Store, cluster: String) -> Answer {
    let department = body_id(call, "departmentId").unwrap_or_default();
    let parent = department_in(store, &cluster, &department)?.id.clone();
    let name = call.required_name()?;
    free_unit_name(&store.projects, "project", &cluster, &name)?;
    let resources = seed::resources_in(store, &cluster, &call.body)?;
    let researchers = researchers(call, store, &parent)?;
    let mut fields = Map::new();
    seed::apply_fields(&mut fields, &call.body);
    if let Some(namespace) = call.text("namespace").filter(|n| !n.is_empty()) {
        fields.insert("requestedNamespace".into(), json!(namespace));
    }
    let unit = store.new_org_unit(name, cluster, Some(parent), resources, fields, call.actor());
    let id = unit.id.clone();
    store.projects.push(unit);
    if let Some(researchers) = researchers {
        set_researchers(call, store, &id, researchers);
    }
    let unit = existing_project(store, &id)?;
    Ok(Reply::json(200, &project_body(call, store, unit)))
}

/// The seed era's PUT sends every editable field: what it omits is removed.
fn update_project(call: &Call<'_>, store: &mut Store) -> Answer {
    let cluster = cluster_id(call, store, "clusterId")?;
    let id = call.param("id");
    project_in(store, &cluster, id)?;
    replace_project(call, store, id)?;
    let unit = project_in(store, &cluster, id)?;
    Ok(Reply::json(200, &project_body(call, store, unit)))
}

/// Write a seed-era body over a stored project: quotas, settings and permissions.
fn replace_project(call: &Call<'_>, store: &mut Store, id: &str) -> Result<(), ApiError> {
    let unit = existing_project(store, id)?;
    let (cluster, department) = (unit.cluster_id.clone(), unit.parent_id.clone());
    let resources = seed::resources_in(store, &cluster, &call.body)?;
    let researchers = researchers(call, store, &department.unwrap_or_default())?;
    if let Some(mut unit) = store.project_mut(id) {
        seed::apply_fields(&mut unit.fields, &call.body);
        unit.resources = resources;
        unit.updated_at = now();
        unit.updated_by = call.actor().to_string();
    }
    if let Some(researchers) = researchers {
        set_researchers(call, store, id, researchers);
    }
    Ok(())
}

/// Answers the project as it was.
fn delete_project(call: &Call<'_>, store: &mut Store) -> Answer {
    let cluster = cluster_id(call, store, "clusterId")?;
    let id = call.param("id");
    let body = project_body(call, store, project_in(store, &cluster, id)?);
    store.projects.retain(|p| p.id != id);
    Ok(Reply::json(200, &body))
}

/// The cluster and the name a replacing PUT gives the department or project `id` of
/// `units`: the cluster stays, and a new name must be free in it.
fn replacing_name(
    call: &Call<'_>,
    units: &Units,
    noun: &str,
    id: &str,
) -> Result<(String, String), ApiError> {
    let unit = units
        .get(id)
        .ok_or_else(|| ApiError::not_found(format!("{noun} {id} not found")))?;
    same_cluster(call, &unit.cluster_id)?;
    let name = call.required_name()?;
    if name != unit.name {
        free_unit_name(units, noun, &unit.cluster_id, &name)?;
    }
    Ok((unit.cluster_id.clone(), name))
}

// ---- the seed era's projects by id --------------------------------------------------

fn seed_create_project(call: &Call<'_>, store: &mut Store) -> Answer {
    let cluster = body_cluster(call, store)?;
    add_project(call, store, cluster)
}

fn seed_get_project(call: &Call<'_>, store: &Store) -> Answer {
    let unit = existing_project(store, call.param("projectId"))?;
    Ok(Reply::json(200, &project_body(call, store, unit)))
}

/// Every editable field, the name and department included; the cluster stays.
fn seed_update_project(call: &Call<'_>, store: &mut Store) -> Answer {
    let id = call.param("projectId");
    existing_project(store, id)?;
    let (cluster, name) = replacing_name(call, &store.projects, "project", id)?;
    let department = body_id(call, "departmentId").unwrap_or_default();
    let parent = department_in(store, &cluster, &department)
        .map_err(|e| ApiError::bad_request(format!("body.departmentId: {}", e.message)))?
        .id
        .clone();
    replace_project(call, store, id)?;
    if let Some(mut unit) = store.project_mut(id) {
        unit.name = name;
        unit.parent_id = Some(parent);
    }
    seed_get_project(call, store)
}

fn seed_delete_project(call: &Call<'_>, store: &mut Store) -> Answer {
    let id = call.param("projectId");
    let body = project_body(call, store, existing_project(store, id)?);
    store.projects.retain(|p| p.id != id);
    Ok(Reply::json(200, &body))
}

// ---- the seed era's departments by id -----------------------------------------------

fn create_department(call: &Call<'_>, store: &mut Store) -> Answer {
    let cluster = body_cluster(call, store)?;
    let name = call.required_name()?;
    free_unit_name(&store.departments, "department", &cluster, &name)?;
    let resources = seed::resources_in(store, &cluster, &call.body)?;
    let unit = store.new_org_unit(name, cluster, None, resources, Map::new(), call.actor());
    let body = department_body(call, store, &unit);
    store.departments.push(unit);
    Ok(Reply::json(200, &body))
}

fn get_department(call: &Call<'_>, store: &Store) -> Answer {
    let unit = existing_department(store, call.param("departmentId"))?;
    Ok(Reply::json(200, &department_body(call, store, unit)))
}

/// The name and quotas as sent: a quota left out is removed.
fn update_department(call: &Call<'_>, store: &mut Store) -> Answer {
    let id = call.param("departmentId");
    existing_department(store, id)?;
    let (cluster, name) = replacing_name(call, &store.departments, "department", id)?;
    let resources = seed::resources_in(store, &cluster, &call.body)?;
    if let Some(mut unit) = store.department_mut(id) {
        unit.name = name;
        unit.resources = resources;
        unit.updated_at = now();
        unit.updated_by = call.actor().to_string();
    }
    get_department(call, store)
}

/// As `/api/v1`'s deletion: refused while the department has projects.
fn delete_department(call: &Call<'_>, store: &mut Store) -> Answer {
    departments::delete(call, store)?;
    text(format!("department {} deleted", call.param("departmentId")))
}

// ---- the seed era's users -----------------------------------------------------------

fn list_users(store: &Store) -> Answer {
    let items: Vec<Value> = store.users.iter().map(|u| seed::user(store, u)).collect();
    Ok(Reply::json(200, &Value::Array(items)))
}

fn get_user(call: &Call<'_>, store: &Store) -> Answer {
    let user = existing_user(store, call.param("userId"))?;
    Ok(Reply::json(200, &seed::user(store, user)))
}

/// What a seed-era user body asks for: its roles, and the access rules holding them, each
/// role on the whole tenant (`permitAllClusters`) or on each permitted cluster, every one
/// checked before any is written, and none the caller could not grant.
struct SeedGrants {
    roles: Vec<String>,
    rules: Vec<(i64, Scope)>,
}

fn seed_grants(call: &Call<'_>, store: &Store) -> Result<SeedGrants, ApiError> {
    let names = |field: &str| -> Vec<String> {
        call.body
            .get(field)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut scopes = Vec::new();
    if call.body.get("permitAllClusters").and_then(Value::as_bool) == Some(true) {
        scopes.push(Scope::Tenant);
    } else {
        for (i, uuid) in names("permittedClusters").into_iter().enumerate() {
            if store.cluster(&uuid).is_none() {
                return Err(ApiError::bad_request(format!(
                    "body.permittedClusters[{i}]: no cluster {uuid}"
                )));
            }
            scopes.push(Scope::Cluster(uuid));
        }
    }
    let mut grants = Vec::new();
    let roles = names("roles");
    for (i, name) in roles.iter().enumerate() {
        let id = seed::seed_role_id(name).ok_or_else(|| {
            ApiError::bad_request(format!("body.roles[{i}]: unknown role {name:?}"))
        })?;
        for scope in &scopes {
            let allowed = role(id).is_some_and(|r| may_grant(store, &call.subject, r, scope));
            if !allowed {
                return Err(ApiError::new(
                    403,
                    format!("{} may not grant the role {name} there", call.actor()),
                ));
            }
            grants.push((id, scope.clone()));
        }
    }
    Ok(SeedGrants {
        roles,
        rules: grants,
    })
}

/// Write the user's seed-era settings: their rules replace the seed-era rules they had.
fn set_user_settings(call: &Call<'_>, store: &mut Store, id: &str, grants: SeedGrants) {
    let Some(email) = store.user(id).map(|u| u.username.clone()) else {
        return;
    };
    let old: Vec<i64> = seed::seed_rules(store, &email).map(|r| r.id).collect();
    for rule in old {
        store.delete_access_rule(rule);
    }
    let tenant = TENANT_ID.to_string();
    if grants.rules.is_empty() && !grants.roles.is_empty() {
        store
            .seed_era
            .unscoped_roles
            .insert(id.to_string(), grants.roles);
    } else {
        store.seed_era.unscoped_roles.remove(id);
    }
    for (role_id, scope) in grants.rules {
        let target = match &scope {
            Scope::Cluster(uuid) => ("cluster", uuid.as_str()),
            _ => ("tenant", tenant.as_str()),
        };
        store.add_access_rule(("user", &email), role_id, target, call.actor());
    }
    let due = call
        .body
        .get("needToChangePassword")
        .and_then(Value::as_bool)
        == Some(true);
    let pending = &mut store.seed_era.password_change_due;
    if due {
        pending.insert(id.to_string());
    } else {
        pending.remove(id);
    }
}

fn create_user(call: &Call<'_>, store: &mut Store) -> Answer {
    let email = call.text("email").filter(|e| !e.is_empty());
    let email = email.ok_or_else(|| ApiError::bad_request("body.email: must not be empty"))?;
    let password = call.text("password").filter(|p| !p.is_empty());
    let password =
        password.ok_or_else(|| ApiError::bad_request("body.password: must not be empty"))?;
    let grants = seed_grants(call, store)?;
    let id = users::add(store, email, password, call.actor())?.id.clone();
    set_user_settings(call, store, &id, grants);
    let user = existing_user(store, &id)?;
    Ok(Reply::json(200, &seed::user(store, user)))
}

/// Roles, clusters and the password-change flag as sent; the e-mail names the user and
/// cannot change; a password replaces the old one, none keeps it.
fn update_user(call: &Call<'_>, store: &mut Store) -> Answer {
    let id = call.param("userId");
    let user = existing_user(store, id)?;
    if let Some(email) = call
        .text("email")
        .filter(|e| !e.eq_ignore_ascii_case(&user.username))
    {
        return Err(ApiError::bad_request(format!(
            "body.email: {email:?} is not the user's e-mail; it cannot change"
        )));
    }
    let grants = seed_grants(call, store)?;
    set_user_settings(call, store, id, grants);
    if let Some(user) = store.user_mut(id) {
        if let Some(password) = call.text("password").filter(|p| !p.is_empty()) {
            user.password = password;
        }
        user.updated_at = now();
    }
    get_user(call, store)
}

fn delete_user(call: &Call<'_>, store: &mut Store) -> Answer {
    let id = call.param("userId");
    users::remove(call, store, id)?;
    store.seed_era.password_change_due.remove(id);
    store.seed_era.unscoped_roles.remove(id);
    text(format!("user {id} deleted"))
}

// ---- the seed era's node types ------------------------------------------------------

fn node_type_at(store: &Store, id: i64) -> Result<&NodeType, ApiError> {
    store
        .seed_era
        .node_types
        .iter()
        .find(|t| t.id == id)
        .ok_or_else(|| ApiError::not_found(format!("node type {id} not found")))
}

/// Node type names are unique per cluster; `except` is the one being renamed.
fn free_node_type_name(
    store: &Store,
    cluster: &str,
    name: &str,
    except: Option<i64>,
) -> Result<(), ApiError> {
    let taken = store
        .seed_era
        .node_types
        .iter()
        .any(|t| t.cluster_id == cluster && t.name == name && Some(t.id) != except);
    if taken {
        return Err(ApiError::conflict(format!(
            "a node type named {name:?} already exists in cluster {cluster}"
        )));
    }
    Ok(())
}

fn list_node_types(call: &Call<'_>, store: &Store) -> Answer {
    let cluster = cluster_id(call, store, "cluster_uuid")?;
    let items: Vec<Value> = store
        .seed_era
        .node_types
        .iter()
        .filter(|t| t.cluster_id == cluster)
        .map(seed::node_type)
        .collect();
    Ok(Reply::json(200, &Value::Array(items)))
}

fn create_node_type(call: &Call<'_>, store: &mut Store) -> Answer {
    let cluster = body_cluster(call, store)?;
    let name = call.required_name()?;
    free_node_type_name(store, &cluster, &name, None)?;
    let node_type = NodeType {
        id: store.seed_era.next_node_type_id(),
        name,
        cluster_id: cluster,
        created_at: now(),
    };
    let body = seed::node_type(&node_type);
    store.seed_era.node_types.push(node_type);
    Ok(Reply::json(200, &body))
}

fn get_node_type(call: &Call<'_>, store: &Store) -> Answer {
    let id = path_number(call, "nodeTypeId", "node type")?;
    Ok(Reply::json(200, &seed::node_type(node_type_at(store, id)?)))
}

fn update_node_type(call: &Call<'_>, store: &mut Store) -> Answer {
    let id = path_number(call, "nodeTypeId", "node type")?;
    let cluster = node_type_at(store, id)?.cluster_id.clone();
    same_cluster(call, &cluster)?;
    let name = call.required_name()?;
    free_node_type_name(store, &cluster, &name, Some(id))?;
    if let Some(node_type) = store.seed_era.node_types.iter_mut().find(|t| t.id == id) {
        node_type.name = name;
    }
    get_node_type(call, store)
}

fn delete_node_type(call: &Call<'_>, store: &mut Store) -> Answer {
    let id = path_number(call, "nodeTypeId", "node type")?;
    node_type_at(store, id)?;
    store.seed_era.node_types.retain(|t| t.id != id);
    text(format!("node type {id} deleted"))
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
    if let Some(mut unit) = store.department_mut(id) {
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
