//! `Resources` arrays, the quota of a department or project per node pool: what a
//! request sends made complete against the store (node pools by id and name, a GPU
//! quota), the PATCH merge, and the sums and zero statuses the answers show.

use serde_json::{json, Value};

use crate::error::ApiError;
use crate::store::Store;

/// The fake runs no workloads: nothing is ever allocated or requested.
pub(crate) fn zero_quota_status() -> Value {
    json!({
        "allocated": {"gpu": 0, "cpu": 0, "memory": 0},
        "allocatedNonPreemptible": {"gpu": 0, "cpu": 0, "memory": 0},
        "requested": {"gpu": 0, "cpu": 0, "memory": 0},
    })
}

pub(crate) fn pool_of(resource: &Value) -> (String, String) {
    let pool = resource.get("nodePool");
    let field = |name: &str| {
        pool.and_then(|p| p.get(name))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    (field("id"), field("name"))
}

pub(crate) fn node_pool_quota_statuses(resources: &[Value]) -> Value {
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

/// The GPUs a quota deserves in one node pool (0 when it names the pool not at all).
pub(crate) fn deserved_gpus(resources: &[Value], pool_id: &str) -> f64 {
    resources
        .iter()
        .filter(|r| pool_of(r).0 == pool_id)
        .filter_map(|r| r.get("gpu")?.get("deserved")?.as_f64())
        .fold(0.0, |a, b| a + b)
}

/// Sum of one resource's `deserved` over the node pools; null when no pool sets it.
pub(crate) fn total(resources: &[Value], kind: &str) -> Value {
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

pub(crate) fn total_resources(resources: &[Value]) -> Value {
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
