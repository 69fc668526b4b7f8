//! Request dispatch: token routes first, then the bearer check, then the catalogue
//! routes the request and the operation id picks the handler.

use serde_json::{json, Map, Value};

use runai_admin_core::api::{match_template, Catalogue, Operation};

use super::listing::{Query, Row, Shape};
use super::reply::{ApiError, Reply};
use super::resources as wire;
use super::server::{Request, Shared};
use super::store::{now, temp_password, OrgUnit, Store, User};
use super::{auth, legacy, validate};

pub(super) type Answer = Result<Reply, ApiError>;

/// What a handler gets: the routed operation, its bound parameters and checked body.
pub(super) struct Call<'a> {
    pub shared: &'a Shared,
    pub op: &'static Operation,
    pub params: Vec<(String, String)>,
    pub query: Vec<(String, String)>,
    pub body: Value,
    /// Who the token was issued to; lands in `createdBy`/`updatedBy`.
    pub actor: String,
}

impl Call<'_> {
    pub fn param(&self, name: &str) -> &str {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    }

    pub fn query_value(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self, field: &str) -> Option<String> {
        self.body
            .get(field)
            .and_then(Value::as_str)
            .map(str::to_string)
    }

    /// `sortBy` values come straight from the operation's enum in the spec; each names a
    /// field of the listed rows.
    fn shape<'s>(&self, sortable: &'s [(&'s str, &'s str)], default_limit: usize) -> Shape<'s> {
        Shape {
            filter: self.op.query.iter().find_map(|q| q.filter.as_ref()),
            sortable,
            searchable: &["name", "username"],
            default_limit,
        }
    }

    fn sorts(&self) -> Vec<(&'static str, &'static str)> {
        self.op
            .query
            .iter()
            .find(|p| p.name == "sortBy")
            .and_then(|p| p.allowed.as_ref())
            .map(|allowed| {
                allowed
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|s| (s, s))
                    .collect()
            })
            .unwrap_or_default()
    }
}

pub(crate) fn handle(shared: &Shared, req: &Request) -> Reply {
    if let Some(reply) = auth::token_route(shared, req) {
        return reply;
    }
    let claims = match shared.authority.verify(req.authorization.as_deref()) {
        Ok(claims) => claims,
        Err(err) => return err.reply(),
    };
    let catalogue = Catalogue::get();
    let Some((op, params)) = catalogue.route(&req.method, &req.path) else {
        let path_known = catalogue
            .operations
            .iter()
            .any(|op| match_template(&op.path, &req.path).is_some());
        return if path_known {
            ApiError::new(
                405,
                format!("method {} not allowed on {}", req.method, req.path),
            )
        } else {
            ApiError::not_found(format!("no such route: {} {}", req.method, req.path))
        }
        .reply();
    };
    let query = req.query_pairs();
    let prepared = check_query(op, &query).and_then(|()| parse_body(catalogue, op, &req.body));
    let body = match prepared {
        Ok(body) => body,
        Err(err) => return err.reply(),
    };
    let call = Call {
        shared,
        op,
        params,
        query,
        body,
        actor: claims.email.unwrap_or(claims.sub),
    };
    dispatch(&call).unwrap_or_else(|err| err.reply())
}

/// Query parameters the operation declares must have the declared type and enum value.
fn check_query(op: &Operation, query: &[(String, String)]) -> Result<(), ApiError> {
    for (name, value) in query {
        let Some(param) = op.query.iter().find(|p| &p.name == name) else {
            continue;
        };
        let ok = match param.kind.as_deref() {
            Some("integer") => value.parse::<i64>().is_ok(),
            Some("number") => value.parse::<f64>().is_ok(),
            Some("boolean") => value == "true" || value == "false",
            _ => true,
        };
        if !ok {
            return Err(ApiError::bad_request(format!(
                "query parameter {name}: expected {}, got {value:?}",
                param.kind.as_deref().unwrap_or("a value")
            )));
        }
        if let Some(allowed) = &param.allowed {
            if !allowed.iter().any(|a| a.as_str() == Some(value.as_str())) {
                let names: Vec<&str> = allowed.iter().filter_map(Value::as_str).collect();
                return Err(ApiError::bad_request(format!(
                    "query parameter {name}: expected one of [{}], got {value:?}",
                    names.join(", ")
                )));
            }
        }
    }
    Ok(())
}

/// The JSON body, validated against the operation's schema (`Value::Null` when absent).
fn parse_body(catalogue: &Catalogue, op: &Operation, raw: &[u8]) -> Result<Value, ApiError> {
    let Some(spec) = &op.body else {
        return Ok(Value::Null);
    };
    if raw.iter().all(u8::is_ascii_whitespace) {
        return if spec.required {
            Err(ApiError::bad_request("request body is required"))
        } else {
            Ok(Value::Null)
        };
    }
    let body: Value = serde_json::from_slice(raw)
        .map_err(|e| ApiError::bad_request(format!("request body is not valid JSON: {e}")))?;
    let schema = spec
        .schema
        .as_deref()
        .and_then(|name| catalogue.schema(name))
        .or(spec.inline.as_ref());
    if let Some(schema) = schema {
        validate::validate(catalogue, schema, &body).map_err(|message| {
            ApiError::bad_request(message).with_details(format!(
                "the request body does not match the {} schema",
                spec.schema.as_deref().unwrap_or("operation's")
            ))
        })?;
    }
    Ok(body)
}

fn dispatch(call: &Call<'_>) -> Answer {
    let mut store = call.shared.store();
    let store = &mut *store;
    match call.op.id.as_str() {
        "get_clusters" | "legacy_get_clusters" => list_clusters(call, store),
        "get_cluster_by_uuid" => {
            let cluster = existing_cluster(store, call.param("clusterUuid"))?;
            let full = call.query_value("verbosity") != Some("metadata");
            Ok(Reply::json(200, &wire::cluster(cluster, full)))
        }
        "create_cluster" => create_cluster(call, store),
        "updateCluster" => update_cluster(call, store),
        "delete_cluster" => {
            let uuid = call.param("clusterUuid");
            if !store.remove_cluster(uuid) {
                return Err(no_cluster(uuid));
            }
            Ok(Reply::json(
                202,
                &json!({"code": 202, "message": "cluster deletion requested"}),
            ))
        }
        "get_cluster_install_info_by_uuid" => install_info(call, store),
        "get_cluster_metrics" => {
            existing_cluster(store, call.param("clusterUuid"))?;
            Ok(Reply::json(200, &json!({"measurements": []})))
        }

        "get_departments" => list_departments(call, store),
        "count_departments" => {
            let rows = department_rows(store);
            count(call, rows)
        }
        "get_department" => {
            let unit = existing_department(store, call.param("departmentId"))?;
            Ok(Reply::json(200, &wire::department(store, unit, false)))
        }
        "create_department" => create_department(call, store),
        "update_department" => update_org_unit(call, store, Kind::Department),
        "delete_department" => delete_department(call, store),
        "update_department_resources" | "patch_department_resources" => {
            resources(call, store, Kind::Department)
        }
        "get_department_metrics" => {
            existing_department(store, call.param("departmentId"))?;
            Ok(Reply::json(200, &json!({"measurements": []})))
        }
        "get_departments_telemetry" | "get_projects_telemetry" => Ok(Reply::json(
            200,
            &json!({
                "type": call.query_value("telemetryType").unwrap_or("GPU_QUOTA"),
                "timestamp": now(),
                "values": [],
            }),
        )),

        "get_projects" => list_projects(call, store),
        "count_projects" => {
            let rows = project_rows(store);
            count(call, rows)
        }
        "get_project" => {
            let unit = existing_project(store, call.param("projectId"))?;
            Ok(Reply::json(200, &wire::project(store, unit)))
        }
        "create_project" => create_project(call, store),
        "update_project" => update_org_unit(call, store, Kind::Project),
        "delete_project" => {
            let id = call.param("projectId");
            existing_project(store, id)?;
            store.projects.retain(|p| p.id != id);
            Ok(Reply::empty(202))
        }
        "update_project_resources" | "patch_project_resources" => {
            resources(call, store, Kind::Project)
        }
        "get_project_metrics" => {
            existing_project(store, call.param("projectId"))?;
            Ok(Reply::json(200, &json!({"measurements": []})))
        }

        "get_users" => list_users(call, store),
        "count_users" => {
            let rows = store.users.iter().map(wire::user_row).collect();
            count(call, rows)
        }
        "get_user_by_id" => {
            let user = existing_user(store, call.param("userId"))?;
            Ok(Reply::json(200, &wire::user(user)))
        }
        "create_user" => create_user(call, store),
        "delete_user_by_id" => {
            let id = call.param("userId");
            existing_user(store, id)?;
            store.users.retain(|u| u.id != id);
            Ok(Reply::empty(204))
        }
        "reset_user_password" => {
            let user = store
                .user_mut(call.param("userId"))
                .ok_or_else(|| no_user(call.param("userId")))?;
            user.password = temp_password();
            user.updated_at = now();
            Ok(Reply::json(200, &json!({"tempPassword": user.password})))
        }
        "logout_user" => {
            existing_user(store, call.param("userId"))?;
            Ok(Reply::empty(200))
        }
        "change_user_password" => change_password(call, store),

        other => legacy::dispatch(call, store).unwrap_or_else(|| {
            Err(ApiError::new(
                501,
                format!("operation {other} is not implemented by the fake control plane"),
            ))
        }),
    }
}

fn no_cluster(uuid: &str) -> ApiError {
    ApiError::not_found(format!("cluster {uuid} not found"))
}

fn no_user(id: &str) -> ApiError {
    ApiError::not_found(format!("user {id} not found"))
}

pub(super) fn existing_cluster<'s>(
    store: &'s Store,
    uuid: &str,
) -> Result<&'s super::store::Cluster, ApiError> {
    store.cluster(uuid).ok_or_else(|| no_cluster(uuid))
}

pub(super) fn existing_department<'s>(store: &'s Store, id: &str) -> Result<&'s OrgUnit, ApiError> {
    store
        .department(id)
        .ok_or_else(|| ApiError::not_found(format!("department {id} not found")))
}

pub(super) fn existing_project<'s>(store: &'s Store, id: &str) -> Result<&'s OrgUnit, ApiError> {
    store
        .project(id)
        .ok_or_else(|| ApiError::not_found(format!("project {id} not found")))
}

fn existing_user<'s>(store: &'s Store, id: &str) -> Result<&'s User, ApiError> {
    store.user(id).ok_or_else(|| no_user(id))
}

fn list_clusters(call: &Call<'_>, store: &Store) -> Answer {
    let legacy = call.op.id == "legacy_get_clusters";
    let full = call.query_value("verbosity") != Some("metadata");
    let items: Vec<Value> = store
        .clusters
        .iter()
        .map(|c| {
            if legacy {
                wire::legacy_cluster(c)
            } else {
                wire::cluster(c, full)
            }
        })
        .collect();
    Ok(Reply::json(200, &Value::Array(items)))
}

/// The body's `name`, which every created object needs.
pub(super) fn required_name(call: &Call<'_>) -> Result<String, ApiError> {
    call.text("name")
        .filter(|name| !name.is_empty())
        .ok_or_else(|| ApiError::bad_request("body.name: must not be empty"))
}

/// Names are unique per cluster for clusters themselves, departments and projects.
fn free_cluster_name(store: &Store, name: &str, except: Option<&str>) -> Result<(), ApiError> {
    if store
        .clusters
        .iter()
        .any(|c| c.name == name && Some(c.uuid.as_str()) != except)
    {
        return Err(ApiError::conflict(format!(
            "a cluster named {name:?} already exists"
        )));
    }
    Ok(())
}

pub(super) fn free_unit_name(
    store: &Store,
    kind: Kind,
    cluster_id: &str,
    name: &str,
) -> Result<(), ApiError> {
    if kind
        .units(store)
        .iter()
        .any(|u| u.cluster_id == cluster_id && u.name == name)
    {
        return Err(ApiError::conflict(format!(
            "a {} named {name:?} already exists in cluster {cluster_id}",
            kind.noun()
        )));
    }
    Ok(())
}

fn create_cluster(call: &Call<'_>, store: &mut Store) -> Answer {
    let name = required_name(call)?;
    free_cluster_name(store, &name, None)?;
    let uuid = store.add_cluster(
        name,
        call.text("domain"),
        call.text("version"),
        false,
        &call.actor,
    );
    let cluster = existing_cluster(store, &uuid)?;
    Ok(Reply::json(201, &wire::cluster(cluster, true)))
}

fn update_cluster(call: &Call<'_>, store: &mut Store) -> Answer {
    let uuid = call.param("clusterUuid");
    existing_cluster(store, uuid)?;
    let name = required_name(call)?;
    free_cluster_name(store, &name, Some(uuid))?;
    if let Some(cluster) = store.cluster_mut(uuid) {
        cluster.name = name;
        cluster.updated_at = now();
    }
    Ok(Reply::empty(204))
}

fn install_info(call: &Call<'_>, store: &Store) -> Answer {
    let cluster = existing_cluster(store, call.param("clusterUuid"))?;
    let cluster_url = call
        .query_value("remoteClusterUrl")
        .map(str::to_string)
        .or_else(|| cluster.domain.clone())
        .unwrap_or_default();
    let version = call
        .query_value("version")
        .map(str::to_string)
        .or_else(|| cluster.version.clone())
        .unwrap_or_else(|| "2.21.0".into());
    Ok(Reply::json(
        200,
        &json!({
            "installationStr": format!(
                "helm upgrade -i runai-cluster runai/runai-cluster -n runai --create-namespace --version {version} --set controlPlane.url={} --set cluster.uid={} --set cluster.url={cluster_url}",
                call.shared.url, cluster.uuid
            ),
            "repositoryName": "runai",
            "chartRepoURL": "https://runai.jfrog.io/artifactory/api/helm/run-ai-charts",
            "clientSecret": temp_password(),
        }),
    ))
}

fn department_rows(store: &Store) -> Vec<Row> {
    store
        .departments
        .iter()
        .map(|d| wire::department_row(store, d))
        .collect()
}

fn project_rows(store: &Store) -> Vec<Row> {
    store
        .projects
        .iter()
        .map(|p| wire::project_row(store, p))
        .collect()
}

fn count(call: &Call<'_>, rows: Vec<Row>) -> Answer {
    let shape = call.shape(&[], 50);
    let query = Query::parse(&call.query, &shape)?;
    let n = query.select(rows, shape.searchable).len();
    Ok(Reply::json(200, &json!({"count": n})))
}

/// A paged object answer: `{"<key>": [...], "next": <offset>}`, `next` only when more remain.
fn paged(call: &Call<'_>, rows: Vec<Row>, key: &str) -> Answer {
    let sorts = call.sorts();
    let shape = call.shape(&sorts, 50);
    let query = Query::parse(&call.query, &shape)?;
    let (items, next) = query.page(query.select(rows, shape.searchable));
    let mut body = Map::new();
    body.insert(key.into(), Value::Array(items));
    if let Some(next) = next {
        body.insert("next".into(), json!(next));
    }
    Ok(Reply::json(200, &Value::Object(body)))
}

fn list_departments(call: &Call<'_>, store: &Store) -> Answer {
    paged(call, department_rows(store), "departments")
}

fn list_projects(call: &Call<'_>, store: &Store) -> Answer {
    paged(call, project_rows(store), "projects")
}

/// Users answer a bare array (`Users1`): the page has no `next`.
fn list_users(call: &Call<'_>, store: &Store) -> Answer {
    let sorts = call.sorts();
    let shape = call.shape(&sorts, super::listing::MAX_LIMIT);
    let query = Query::parse(&call.query, &shape)?;
    let rows = store.users.iter().map(wire::user_row).collect();
    let (items, _) = query.page(query.select(rows, shape.searchable));
    Ok(Reply::json(200, &Value::Array(items)))
}

#[derive(Clone, Copy, PartialEq)]
pub(super) enum Kind {
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

    fn units(self, store: &Store) -> &[OrgUnit] {
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

    fn find_mut<'s>(self, store: &'s mut Store, id: &str) -> Option<&'s mut OrgUnit> {
        match self {
            Kind::Department => store.department_mut(id),
            Kind::Project => store.project_mut(id),
        }
    }

    fn render(self, store: &Store, unit: &OrgUnit) -> Value {
        match self {
            Kind::Department => wire::department(store, unit, false),
            Kind::Project => wire::project(store, unit),
        }
    }
}

fn writable_fields(call: &Call<'_>, kind: Kind) -> Map<String, Value> {
    kind.writable()
        .iter()
        .filter_map(|name| call.body.get(*name).map(|v| (name.to_string(), v.clone())))
        .collect()
}

/// Create a department or project after the checks both share: a cluster that exists and
/// a name that is free in it.
fn new_org_unit(
    call: &Call<'_>,
    store: &mut Store,
    kind: Kind,
    parent_id: Option<String>,
) -> Answer {
    let name = required_name(call)?;
    let cluster_id = call.text("clusterId").unwrap_or_default();
    free_unit_name(store, kind, &cluster_id, &name)?;
    let resources = wire::normalise_resources(store, &cluster_id, call.body.get("resources"))?;
    let mut fields = writable_fields(call, kind);
    if let Some(namespace) = call
        .body
        .get("requestedNamespace")
        .filter(|_| kind == Kind::Project)
    {
        fields.insert("requestedNamespace".into(), namespace.clone());
    }
    let unit = store.new_org_unit(name, cluster_id, parent_id, resources, fields, &call.actor);
    let body = kind.render(store, &unit);
    match kind {
        Kind::Department => store.departments.push(unit),
        Kind::Project => store.projects.push(unit),
    }
    Ok(Reply::json(201, &body))
}

fn create_department(call: &Call<'_>, store: &mut Store) -> Answer {
    let cluster_id = call.text("clusterId").unwrap_or_default();
    existing_cluster(store, &cluster_id)?;
    new_org_unit(call, store, Kind::Department, None)
}

fn create_project(call: &Call<'_>, store: &mut Store) -> Answer {
    let cluster_id = call.text("clusterId").unwrap_or_default();
    existing_cluster(store, &cluster_id)?;
    let parent = match call.text("parentId") {
        Some(id) => existing_department(store, &id)?,
        None => store.default_department(&cluster_id).ok_or_else(|| {
            ApiError::not_found(format!(
                "cluster {cluster_id} has no department to hold the project"
            ))
        })?,
    };
    if parent.cluster_id != cluster_id {
        return Err(ApiError::bad_request(format!(
            "body.parentId: department {} belongs to another cluster",
            parent.id
        )));
    }
    let parent_id = parent.id.clone();
    new_org_unit(call, store, Kind::Project, Some(parent_id))
}

fn update_org_unit(call: &Call<'_>, store: &mut Store, kind: Kind) -> Answer {
    let id = call.param(kind.id_param()).to_string();
    let cluster_id = kind.find(store, &id)?.cluster_id.clone();
    let resources = wire::normalise_resources(store, &cluster_id, call.body.get("resources"))?;
    let fields = writable_fields(call, kind);
    if let Some(unit) = kind.find_mut(store, &id) {
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
        unit.updated_by = call.actor.clone();
    }
    let unit = kind.find(store, &id)?;
    Ok(Reply::json(200, &kind.render(store, unit)))
}

fn resources(call: &Call<'_>, store: &mut Store, kind: Kind) -> Answer {
    let id = call.param(kind.id_param()).to_string();
    let unit = kind.find(store, &id)?;
    let resources = if call.op.method.eq_ignore_ascii_case("PATCH") {
        wire::patch_resources(store, &unit.cluster_id, &unit.resources, &call.body)?
    } else {
        wire::normalise_resources(store, &unit.cluster_id, Some(&call.body))?
    };
    if let Some(unit) = kind.find_mut(store, &id) {
        unit.resources = resources.clone();
        unit.updated_at = now();
        unit.updated_by = call.actor.clone();
    }
    Ok(Reply::json(200, &Value::Array(resources)))
}

fn delete_department(call: &Call<'_>, store: &mut Store) -> Answer {
    let id = call.param("departmentId");
    let unit = existing_department(store, id)?;
    // Refuse rather than cascade: deleting a department must not silently take projects.
    if store.projects_of(id).next().is_some() {
        return Err(ApiError::conflict(format!(
            "department {:?} still has projects; delete them first",
            unit.name
        )));
    }
    store.departments.retain(|d| d.id != id);
    Ok(Reply::empty(204))
}

fn create_user(call: &Call<'_>, store: &mut Store) -> Answer {
    let email = call.text("email").unwrap_or_default();
    if store
        .users
        .iter()
        .any(|u| u.username.eq_ignore_ascii_case(&email))
    {
        return Err(ApiError::conflict(format!("user {email:?} already exists")));
    }
    let created = now();
    let user = User {
        id: uuid::Uuid::new_v4().to_string(),
        username: email,
        password: temp_password(),
        created_by: call.actor.clone(),
        created_at: created.clone(),
        updated_at: created,
        last_login: None,
    };
    let body = json!({"id": user.id, "username": user.username, "tempPassword": user.password});
    store.users.push(user);
    Ok(Reply::json(201, &body))
}

fn change_password(call: &Call<'_>, store: &mut Store) -> Answer {
    let current = call.text("currentPassword").unwrap_or_default();
    let new = call.text("newPassword").unwrap_or_default();
    let user = store
        .users
        .iter_mut()
        .find(|u| u.username.eq_ignore_ascii_case(&call.actor))
        .ok_or_else(|| ApiError::new(403, "only a user can change their own password"))?;
    if user.password != current {
        return Err(ApiError::bad_request(
            "body.currentPassword: does not match",
        ));
    }
    if new.is_empty() {
        return Err(ApiError::bad_request("body.newPassword: must not be empty"));
    }
    user.password = new;
    user.updated_at = now();
    Ok(Reply::json(200, &json!({})))
}
