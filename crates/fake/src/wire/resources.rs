//! `Resources` arrays, the quota of a department or project per node pool: what a
//! request sends made complete against the store (node pools by id and name, a GPU
//! quota), the PATCH merge, the sums, and the status figures (what is allocated and
//! requested) the answers show.

use serde::Serialize;
use serde_json::{json, Value};

use crate::error::ApiError;
use crate::store::{OrgUnit, Store};

/// GPUs, CPU millicores and memory in MB: the units of `QuotaStatusResource`.
#[derive(Default, Clone, Copy, Debug, PartialEq, Serialize)]
pub(crate) struct Amounts {
    pub gpu: f64,
    pub cpu: f64,
    pub memory: f64,
}

impl Amounts {
    fn add(&mut self, other: &Amounts) {
        self.gpu += other.gpu;
        self.cpu += other.cpu;
        self.memory += other.memory;
    }

    /// `memory` turns MB into the unit the answer states.
    fn in_unit(&self, memory: &dyn Fn(f64) -> f64) -> Amounts {
        Amounts {
            memory: memory(self.memory),
            ..*self
        }
    }
}

/// What a department or project holds in a node pool (or in all) at an instant: what is
/// allocated, the part of it within the deserved quota (no other unit may reclaim it),
/// and what its workloads request, allocated or still pending.
#[derive(Default, Clone, Copy, Debug, PartialEq, Serialize)]
pub(crate) struct QuotaFigures {
    pub allocated: Amounts,
    #[serde(rename = "allocatedNonPreemptible")]
    pub non_preemptible: Amounts,
    pub requested: Amounts,
}

impl QuotaFigures {
    pub fn add(&mut self, other: &QuotaFigures) {
        self.allocated.add(&other.allocated);
        self.non_preemptible.add(&other.non_preemptible);
        self.requested.add(&other.requested);
    }

    /// `QuotaStatus` (what serialises as it), memory in the unit `memory` converts MB to.
    pub fn in_unit(&self, memory: &dyn Fn(f64) -> f64) -> QuotaFigures {
        QuotaFigures {
            allocated: self.allocated.in_unit(memory),
            non_preemptible: self.non_preemptible.in_unit(memory),
            requested: self.requested.in_unit(memory),
        }
    }
}

/// A department's or project's status figures: per node pool (id, name) and in total.
#[derive(Default, Clone, Debug, PartialEq)]
pub(crate) struct UnitStatus {
    pub pools: Vec<(String, String, QuotaFigures)>,
    pub total: QuotaFigures,
}

/// Where answers get a unit's status figures now: the usage model, which sits above the
/// wire shapes and is built once per request (`Usage::status_now`).
pub(crate) type StatusOf<'a> = &'a dyn Fn(&OrgUnit) -> UnitStatus;

/// The node pool a `Resources` entry names: its id and name (empty when it names none).
pub(crate) fn pool_of(resource: &Value) -> (&str, &str) {
    let pool = resource.get("nodePool");
    let field = |name: &str| {
        pool.and_then(|p| p.get(name))
            .and_then(Value::as_str)
            .unwrap_or_default()
    };
    (field("id"), field("name"))
}

/// `QuotaStatusNodePool`: a unit's figures in one node pool.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PoolQuotaStatus {
    #[serde(flatten)]
    pub figures: QuotaFigures,
    pub node_pool_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_pool_id: Option<String>,
}

/// `QuotaStatusNodePool`s: one per node pool the unit (or a department's projects) has a
/// quota in.
pub(crate) fn node_pool_quota_statuses(
    pools: Vec<(String, String, QuotaFigures)>,
) -> Vec<PoolQuotaStatus> {
    pools
        .into_iter()
        .map(|(id, name, figures)| PoolQuotaStatus {
            figures,
            node_pool_name: name,
            node_pool_id: Some(id),
        })
        .collect()
}

/// The GPUs a quota deserves in one node pool (0 when it names the pool not at all).
pub(crate) fn deserved_gpus(resources: &[Value], pool_id: &str) -> f64 {
    resources
        .iter()
        .filter(|r| pool_of(r).0 == pool_id)
        .filter_map(|r| r.get("gpu")?.get("deserved")?.as_f64())
        .fold(0.0, |a, b| a + b)
}

/// Sum of one resource's `deserved` over the node pools; `None` (null) when no pool sets
/// it.
pub(crate) fn total(resources: &[Value], kind: &str) -> Option<f64> {
    resources
        .iter()
        .filter_map(|r| {
            r.get(kind)
                .and_then(|k| k.get("deserved"))
                .and_then(Value::as_f64)
        })
        .fold(None, |sum, v| Some(sum.unwrap_or(0.0) + v))
}

/// `TotalResources`: the quotas summed over the node pools.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TotalResources {
    pub gpu_quota: f64,
    pub cpu_quota: Option<f64>,
    pub memory_quota: Option<f64>,
}

pub(crate) fn total_resources(resources: &[Value]) -> TotalResources {
    TotalResources {
        gpu_quota: total(resources, "gpu").unwrap_or(0.0),
        cpu_quota: total(resources, "cpu"),
        memory_quota: total(resources, "memory"),
    }
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
