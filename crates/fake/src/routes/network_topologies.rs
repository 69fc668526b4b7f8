//! `/api/v1/network-topologies`: create, list, count, get and delete. A topology belongs
//! to a cluster that exists (404 otherwise); its name follows the spec's pattern and is
//! unique in its cluster, and its levels are node label keys, at least one and each once
//! (they become a Kubernetes topology object, which orders distinct node labels). The
//! spec lists no 409, so a taken name is a 400.

use std::collections::HashSet;

use serde_json::json;

use crate::context::{Access, Answer, Call};
use crate::error::ApiError;
use crate::listing::Row;
use crate::lookup::existing_cluster;
use crate::reply::Reply;
use crate::routes::paging;
use crate::store::{now, NetworkTopology, Store};
use crate::wire::network_topologies::{is_label_key, is_name, row, topology, API_SOURCE};
use crate::wire::node_pools::topology_id;

/// `None` when the operation is not one of this area's.
pub(crate) fn handle(call: &Call<'_>, store: &mut Access<'_>) -> Option<Answer> {
    let answer = match call.op.id.as_str() {
        "get_network_topologies" => list(call, store),
        "get_network_topologies_count" => paging::count(call, rows(store)),
        "get_network_topology_by_id" => {
            find(store, call).map(|t| Reply::json(200, &topology(store, t)))
        }
        "create_network_topology" => store.write().and_then(|store| create(call, store)),
        "delete_network_topology" => store.write().and_then(|store| delete(call, store)),
        _ => return None,
    };
    Some(answer)
}

fn rows(store: &Store) -> Vec<Row> {
    store
        .network_topologies
        .iter()
        .map(|t| row(store, t))
        .collect()
}

/// `{"networkTopologies": [...]}`, filtered; the operation has no paging.
fn list(call: &Call<'_>, store: &Store) -> Answer {
    let (items, _) = paging::counted(call, rows(store))?;
    Ok(Reply::json(200, &json!({ "networkTopologies": items })))
}

fn find<'s>(store: &'s Store, call: &Call<'_>) -> Result<&'s NetworkTopology, ApiError> {
    let id = call.param("networkTopologyId");
    store
        .network_topologies
        .iter()
        .find(|t| t.id == id)
        .ok_or_else(|| ApiError::not_found(format!("network topology {id} not found")))
}

fn create(call: &Call<'_>, store: &mut Store) -> Answer {
    let name = call.required_name()?;
    if !is_name(&name) {
        return Err(ApiError::bad_request(format!(
            "body.name: {name:?} must be lowercase letters, digits and '-', start with a \
             letter and end with a letter or digit"
        )));
    }
    let levels = call.texts("levels");
    if levels.is_empty() {
        return Err(ApiError::bad_request(
            "body.levels: a topology needs at least one level",
        ));
    }
    let mut seen = HashSet::new();
    for (i, level) in levels.iter().enumerate() {
        if !is_label_key(level) {
            return Err(ApiError::bad_request(format!(
                "body.levels[{i}]: {level:?} is not a node label key"
            )));
        }
        if !seen.insert(level.as_str()) {
            return Err(ApiError::bad_request(format!(
                "body.levels[{i}]: {level:?} is already a level of this topology"
            )));
        }
    }
    let cluster_id = call.text("clusterId").unwrap_or_default();
    existing_cluster(store, &cluster_id)?;
    if store
        .network_topologies
        .iter()
        .any(|t| t.cluster_id == cluster_id && t.name == name)
    {
        return Err(ApiError::bad_request(format!(
            "body.name: a network topology named {name:?} already exists in cluster {cluster_id}"
        )));
    }
    let made = NetworkTopology {
        id: uuid::Uuid::new_v4().to_string(),
        name,
        cluster_id,
        levels,
        source: API_SOURCE.to_string(),
        created_at: now(),
        created_by: call.actor().to_string(),
    };
    let answer = topology(store, &made);
    store.network_topologies.push(made);
    Ok(Reply::json(201, &answer))
}

/// The spec gives the deletion no answer but 204 for a topology that exists (no 400 or
/// 409 for one in use), so a topology goes even while node pools use it: they are left
/// with none, as if each had been set to null.
fn delete(call: &Call<'_>, store: &mut Store) -> Answer {
    let id = find(store, call)?.id.clone();
    store.network_topologies.retain(|t| t.id != id);
    for pool in &mut store.node_pools {
        if topology_id(pool) == Some(id.as_str()) {
            pool.settings.remove("networkTopologyId");
        }
    }
    Ok(Reply::empty(204))
}
