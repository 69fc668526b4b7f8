//! The permission check every catalogue call passes before its route runs: the
//! permission the operation needs (`access::need`), the scope it acts on (its path
//! parameters, else the body of a create), and the caller's rules. A call that acts on no
//! one scope (a list, a count, an access-rule batch) is let through when the caller holds
//! the permission somewhere; its route then keeps to what `Call::reach` covers, a batch
//! item by item.

use serde_json::{Map, Value};

use crate::access::{self, Need};
use crate::context::Call;
use crate::error::ApiError;
use crate::listing::Row;
use crate::scopes::{Reach, Scope};
use crate::store::Store;
use crate::wire::access::scope_of;

enum Target {
    Scope(Scope),
    /// Wherever the caller holds the permission.
    Anywhere,
}

/// `Ok(Some(reach))` for a call that acts wherever the caller may, `Ok(None)` for one
/// that is allowed outright; a 403 otherwise.
pub(crate) fn check(call: &Call<'_>, store: &Store) -> Result<Option<Reach>, ApiError> {
    let Some(need) = access::need(call.op) else {
        return Ok(None);
    };
    let reach = access::reach(store, &call.subject, need.resource, need.action);
    match target(call, store, need) {
        Target::Anywhere if !reach.is_empty() => Ok(Some(reach)),
        Target::Scope(scope) if reach.covers(&scope) => Ok(None),
        Target::Anywhere => Err(denied(call, need, "any scope")),
        Target::Scope(scope) => Err(denied(
            call,
            need,
            &format!("{} {}", scope.kind(), scope.id()),
        )),
    }
}

fn denied(call: &Call<'_>, need: Need, place: &str) -> ApiError {
    ApiError::new(
        403,
        format!(
            "{} may not {} {} in {place}",
            call.subject.actor(),
            need.action,
            need.resource
        ),
    )
    .with_details(format!(
        "no access rule of the caller grants {} on {} there",
        need.action, need.resource
    ))
}

fn text<'v>(map: Option<&'v Map<String, Value>>, field: &str) -> Option<&'v str> {
    map.and_then(|m| m.get(field)).and_then(Value::as_str)
}

/// The path parameter `name`, when the path has one.
fn path_param<'c>(call: &'c Call<'_>, name: &str) -> Option<&'c str> {
    call.params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The first of `fields` the body holds, as text: the seed era sends ids as numbers.
fn body_id(map: Option<&Map<String, Value>>, fields: &[&str]) -> Option<String> {
    fields.iter().find_map(|name| match map?.get(*name)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

/// For a path that names a node pool, a node, a node type or a network topology: the
/// cluster it is in, `None` inside when there is no such object. `None` for a path that
/// names none.
fn housing_cluster(call: &Call<'_>, store: &Store) -> Option<Option<String>> {
    let param = |name: &str| path_param(call, name);
    if let Some(id) = param("nodepoolId") {
        return Some(store.node_pool(id).map(|p| p.cluster_id.clone()));
    }
    if let Some(id) = param("nodeId") {
        let node = store.nodes.iter().find(|n| n.id == id);
        return Some(node.map(|n| n.cluster_id.clone()));
    }
    if let Some(id) = param("nodeTypeId") {
        let types = &store.seed_era.node_types;
        let node_type = types.iter().find(|t| t.id.to_string() == id);
        return Some(node_type.map(|t| t.cluster_id.clone()));
    }
    if let Some(id) = param("networkTopologyId") {
        let topology = store.network_topologies.iter().find(|t| t.id == id);
        return Some(topology.map(|t| t.cluster_id.clone()));
    }
    None
}

/// The scope the call acts on, from the most specific thing it names.
fn target(call: &Call<'_>, store: &Store, need: Need) -> Target {
    let param = |name: &str| path_param(call, name).map(str::to_string);
    let body = call.body.as_object();
    match need.resource {
        "roles" => return Target::Anywhere,
        "access_rules" => {
            // A batch acts on each of its items' scopes: the route checks every item on
            // its own (`Call::reach`) and answers per item, as the batch responses say.
            if call.op.path.contains("/batch") {
                return Target::Anywhere;
            }
            if let Some(id) = param("accessRuleId") {
                let rule = id.parse().ok().and_then(|id| store.access_rule(id));
                return Target::Scope(rule.map_or(Scope::Tenant, scope_of));
            }
            if let (Some(kind), Some(id)) = (text(body, "scopeType"), text(body, "scopeId")) {
                return Target::Scope(Scope::parse(kind, id).unwrap_or(Scope::Tenant));
            }
        }
        "project" => {
            if let Some(id) = param("projectId").or_else(|| param("id")) {
                return Target::Scope(Scope::Project(id));
            }
        }
        // Node pools, nodes, node types and topologies live in their cluster: the one
        // the object the path names is in, or the one a create names.
        resource if access::CLUSTER_WIDE.contains(&resource) => {
            if let Some(housed) = housing_cluster(call, store) {
                return Target::Scope(housed.map_or(Scope::Tenant, Scope::Cluster));
            }
            if need.action == "create" {
                if let Some(cluster) = body_id(body, &["clusterId", "clusterUuid"]) {
                    return Target::Scope(Scope::Cluster(cluster));
                }
            }
            // The nodes' telemetry asks about the cluster its query names.
            if let Some(cluster) = call.query_value("clusterId") {
                return Target::Scope(Scope::Cluster(cluster.to_string()));
            }
        }
        _ => {}
    }
    if let Some(id) = param("departmentId").or_else(|| param("department-id")) {
        return Target::Scope(Scope::Department(id));
    }
    if need.action == "create" && body.is_some() {
        // A new project lands in the department it names (`parentId`; the seed era's
        // `departmentId`, a number there), else its cluster's default department; a new
        // department in its cluster. The seed era names the cluster `clusterUuid`, or in
        // the path.
        let cluster = body_id(body, &["clusterId", "clusterUuid"]).or_else(|| param("clusterId"));
        match need.resource {
            "project" => {
                let department = body_id(body, &["parentId", "departmentId"]).or_else(|| {
                    cluster
                        .as_deref()
                        .and_then(|c| store.default_department(c))
                        .map(|d| d.id.clone())
                });
                if let Some(id) = department {
                    return Target::Scope(Scope::Department(id));
                }
            }
            "department" => {
                if let Some(uuid) = cluster {
                    return Target::Scope(Scope::Cluster(uuid));
                }
            }
            _ => {}
        }
    }
    if let Some(uuid) = ["clusterUuid", "clusterId", "cluster_uuid"]
        .iter()
        .find_map(|name| param(name))
    {
        return Target::Scope(Scope::Cluster(uuid));
    }
    // A list whose items sit in an object (`{"networkTopologies": [...]}`) lists too.
    let lists = call.op.returns_list || matches!(call.op.name.as_str(), "count" | "list");
    if lists && call.op.path.starts_with("/api/") {
        Target::Anywhere
    } else {
        Target::Scope(Scope::Tenant)
    }
}

/// The scope a listed object lives in; `None` for what is not scoped (roles).
fn row_scope(resource: &str, fields: &Map<String, Value>) -> Option<Scope> {
    let field = |name: &str| text(Some(fields), name).unwrap_or_default().to_string();
    Some(match resource {
        "roles" => return None,
        "project" => Scope::Project(field("id")),
        "department" => Scope::Department(field("id")),
        "cluster" => Scope::Cluster(field("uuid")),
        "nodepools" | "network-topologies" => Scope::Cluster(field("clusterId")),
        "nodes" => Scope::Cluster(field("clusterUuid")),
        "access_rules" => Scope::parse(&field("scopeType"), &field("scopeId"))?,
        _ => Scope::Tenant,
    })
}

/// Whether the caller may see an object in `scope` (always, when the call was allowed
/// outright).
pub(crate) fn sees(call: &Call<'_>, scope: &Scope) -> bool {
    call.reach.as_ref().is_none_or(|reach| reach.covers(scope))
}

/// The rows of a listing the caller may see.
pub(crate) fn visible(call: &Call<'_>, rows: Vec<Row>) -> Vec<Row> {
    let (Some(reach), Some(need)) = (&call.reach, access::need(call.op)) else {
        return rows;
    };
    rows.into_iter()
        .filter(|row| row_scope(need.resource, &row.fields).is_none_or(|s| reach.covers(&s)))
        .collect()
}
