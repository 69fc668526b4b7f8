//! `/api/v1/node-pools`, and the seed era's `/v1/k8s/clusters/{clusterId}/node-pools`
//! acting on the same pools: a pool selects its cluster's nodes by one label, the default
//! pool holds the rest. Deleting a pool that a department's or project's quota still uses
//! is refused; the zero quotas that merely name it go with it.

use serde_json::{json, Map, Value};

use crate::context::{Access, Answer, Call};
use crate::error::ApiError;
use crate::lookup::existing_cluster;
use crate::reply::Reply;
use crate::routes::paging;
use crate::store::{now, NodePool, OrgUnit, Store};
use crate::wire::node_pools::{self as wire, apply_settings, label_halves, selector_of};
use crate::wire::resources::pool_of;

/// `None` when the operation is not one of this area's.
pub(crate) fn handle(call: &Call<'_>, store: &mut Access<'_>) -> Option<Answer> {
    let answer = match call.op.id.as_str() {
        "get_nodepools" => paging::paged(call, rows(store)),
        "count_nodepools" => paging::count(call, rows(store)),
        "get_nodepool" => existing(store, call.param("nodepoolId"))
            .map(|pool| Reply::json(200, &wire::node_pool(store, pool))),
        "create_nodepool" => store.write().and_then(|store| create(call, store)),
        "update_nodepool" => store.write().and_then(|store| change(call, store, call.param("nodepoolId"), true)),
        "patch_nodepool" => store.write().and_then(|store| change(call, store, call.param("nodepoolId"), false)),
        "delete_nodepool" => store.write().and_then(|store| delete(store, call.param("nodepoolId"))).map(|name| {
            Reply::json(
                202,
                &json!({"code": 202, "message": format!("deletion of node pool {name:?} accepted")}),
            )
        }),
        "getNodePools" => legacy_list(call, store),
        "createNodePool" => store.write().and_then(|store| legacy_create(call, store)),
        "updateNodePool" | "updateNodePoolLabels" => store.write().and_then(|store| legacy_change(call, store)),
        "deleteNodePool" => legacy_pool(call, store)
            .and_then(|id| store.write().and_then(|store| delete(store, &id)))
            .map(|_| Reply::empty(202)),
        _ => return None,
    };
    Some(answer)
}

fn rows(store: &Store) -> Vec<crate::listing::Row> {
    store
        .node_pools
        .iter()
        .map(|p| wire::node_pool_row(store, p))
        .collect()
}

fn existing<'s>(store: &'s Store, id: &str) -> Result<&'s NodePool, ApiError> {
    store
        .node_pool(id)
        .ok_or_else(|| ApiError::not_found(format!("node pool {id} not found")))
}

/// Add the pool the body describes once its name is free in the cluster (else
/// `taken_status`) and its label is one no other pool selects by; its id.
fn add(
    call: &Call<'_>,
    store: &mut Store,
    cluster_id: String,
    name: String,
    taken_status: u16,
) -> Result<String, ApiError> {
    if store.node_pools_of(&cluster_id).any(|p| p.name == name) {
        return Err(ApiError::new(
            taken_status,
            format!("a node pool named {name:?} already exists in cluster {cluster_id}"),
        ));
    }
    let selector =
        selector_of(&call.body)?.ok_or_else(|| ApiError::bad_request("body.labelKey: required"))?;
    check_selector(store, None, &cluster_id, &selector)?;
    check_topology(store, &cluster_id, &call.body)?;
    let mut settings = Map::new();
    apply_settings(&mut settings, &call.body);
    Ok(store.add_node_pool(name, cluster_id, Some(selector), settings, call.actor()))
}

/// No two pools of a cluster select by the same label; the default pool selects by none.
fn check_selector(
    store: &Store,
    pool: Option<&NodePool>,
    cluster_id: &str,
    selector: &(String, String),
) -> Result<(), ApiError> {
    let pool_id = pool.map(|p| p.id.as_str());
    if let Some(other) = store
        .node_pools_of(cluster_id)
        .find(|p| Some(p.id.as_str()) != pool_id && p.selector.as_ref() == Some(selector))
    {
        return Err(ApiError::bad_request(format!(
            "body.labelKey: node pool {:?} already selects nodes by {}={}",
            other.name, selector.0, selector.1
        )));
    }
    Ok(())
}

fn create(call: &Call<'_>, store: &mut Store) -> Answer {
    let name = call.required_name()?;
    let cluster_id = call.text("clusterId").unwrap_or_default();
    if store.cluster(&cluster_id).is_none() {
        return Err(ApiError::bad_request(format!(
            "body.clusterId: no cluster {cluster_id}"
        )));
    }
    // The current API documents no 409: a name taken is a bad request there.
    let id = add(call, store, cluster_id, name, 400)?;
    let pool = existing(store, &id)?;
    Ok(Reply::json(201, &wire::node_pool(store, pool)))
}

/// A pool's `networkTopologyId` names a topology of the pool's own cluster; null takes
/// the pool out of any.
fn check_topology(store: &Store, cluster_id: &str, body: &Value) -> Result<(), ApiError> {
    let id = match body.get("networkTopologyId") {
        None | Some(Value::Null) => return Ok(()),
        Some(Value::String(id)) => id,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "body.networkTopologyId: {other} is not a network topology id"
            )))
        }
    };
    match store.network_topologies.iter().find(|t| &t.id == id) {
        Some(t) if t.cluster_id == cluster_id => Ok(()),
        Some(t) => Err(ApiError::bad_request(format!(
            "body.networkTopologyId: network topology {:?} is in cluster {}, not in the node pool's cluster {cluster_id}",
            t.name, t.cluster_id
        ))),
        None => Err(ApiError::bad_request(format!(
            "body.networkTopologyId: no network topology {id}"
        ))),
    }
}

/// PUT (`replace`) sets the settings to what the body sends; PATCH merges them. Both set
/// the label selector when the body names one.
fn change(call: &Call<'_>, store: &mut Store, id: &str, replace: bool) -> Answer {
    update(store, id, &call.body, replace, call.actor())?;
    let pool = existing(store, id)?;
    Ok(Reply::json(200, &wire::node_pool(store, pool)))
}

fn update(
    store: &mut Store,
    id: &str,
    body: &Value,
    replace: bool,
    actor: &str,
) -> Result<(), ApiError> {
    let pool = existing(store, id)?;
    let selector = changed_selector(pool, body)?;
    if let Some(selector) = &selector {
        check_selector(store, Some(pool), &pool.cluster_id, selector)?;
    }
    check_topology(store, &pool.cluster_id, body)?;
    if let Some(pool) = store.node_pool_mut(id) {
        if replace {
            pool.settings.clear();
        }
        apply_settings(&mut pool.settings, body);
        if selector.is_some() {
            pool.selector = selector;
        }
        pool.updated_at = now();
        pool.updated_by = actor.to_string();
    }
    Ok(())
}

/// The selector a change gives the pool: a half the body leaves out (or sends as null)
/// stays as it was; `None` when the body names neither.
fn changed_selector(pool: &NodePool, body: &Value) -> Result<Option<(String, String)>, ApiError> {
    let (key, value) = label_halves(body);
    if key.is_none() && value.is_none() {
        return Ok(None);
    }
    if pool.is_default() {
        return Err(ApiError::bad_request(
            "body.labelKey: the default node pool holds the nodes no other pool selects; its label cannot be set",
        ));
    }
    let (old_key, old_value) = pool.selector.clone().unwrap_or_default();
    Ok(Some((key.unwrap_or(old_key), value.unwrap_or(old_value))))
}

/// The departments and projects whose quota in the pool is more than zero.
fn quota_users(store: &Store, pool_id: &str) -> Vec<String> {
    let uses = |unit: &OrgUnit| {
        unit.resources.iter().any(|r| {
            pool_of(r).0 == pool_id
                && ["gpu", "cpu", "memory"].iter().any(|kind| {
                    r.get(*kind)
                        .and_then(|k| k.get("deserved"))
                        .and_then(Value::as_f64)
                        .is_some_and(|d| d != 0.0)
                })
        })
    };
    let named = |noun: &str, units: &[OrgUnit]| -> Vec<String> {
        units
            .iter()
            .filter(|u| uses(u))
            .map(|u| format!("{noun} {:?}", u.name))
            .collect()
    };
    let mut users = named("department", &store.departments);
    users.extend(named("project", &store.projects));
    users
}

/// Remove a pool that no quota uses; its nodes fall back to the default pool. The name of
/// the removed pool.
fn delete(store: &mut Store, id: &str) -> Result<String, ApiError> {
    let pool = existing(store, id)?;
    if pool.is_default() {
        return Err(ApiError::bad_request(
            "the default node pool cannot be deleted",
        ));
    }
    let users = quota_users(store, id);
    if !users.is_empty() {
        return Err(ApiError::bad_request(format!(
            "node pool {:?} is still used by the quota of {}",
            pool.name,
            users.join(", ")
        ))
        .with_details("set their quota in this node pool to zero first"));
    }
    let name = pool.name.clone();
    let unquoted = |unit: &mut OrgUnit| unit.resources.retain(|r| pool_of(r).0 != id);
    store.departments.for_each_mut(unquoted);
    store.projects.for_each_mut(unquoted);
    store.node_pools.retain(|p| p.id != id);
    Ok(name)
}

// ----------------------------------------------------------------- the seed era

fn legacy_list(call: &Call<'_>, store: &Store) -> Answer {
    let cluster = existing_cluster(store, call.param("clusterId"))?;
    let pools: Vec<Value> = store
        .node_pools_of(&cluster.uuid)
        .map(|p| wire::legacy_node_pool(store, p))
        .collect();
    Ok(Reply::json(200, &Value::Array(pools)))
}

/// The pool the seed-era path names: its cluster, then its numeric id in that cluster.
fn legacy_pool(call: &Call<'_>, store: &Store) -> Result<String, ApiError> {
    let cluster = existing_cluster(store, call.param("clusterId"))?;
    let id = call.param("id");
    store
        .node_pools_of(&cluster.uuid)
        .find(|p| p.id == id)
        .map(|p| p.id.clone())
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "node pool {id} not found in cluster {}",
                cluster.uuid
            ))
        })
}

fn legacy_create(call: &Call<'_>, store: &mut Store) -> Answer {
    let cluster_id = existing_cluster(store, call.param("clusterId"))?
        .uuid
        .clone();
    let name = call.required_name()?;
    add(call, store, cluster_id, name, 409)?;
    Ok(Reply::empty(201))
}

fn legacy_change(call: &Call<'_>, store: &mut Store) -> Answer {
    let id = legacy_pool(call, store)?;
    update(store, &id, &call.body, false, call.actor())?;
    Ok(Reply::empty(202))
}
