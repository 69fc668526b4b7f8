//! Node pool shapes: `Nodepool` of `/api/v1/node-pools` and the seed era's `NodePool1`,
//! the rows their listings filter and sort on, and what a body may set on a pool.

use serde_json::{json, Map, Value};

use crate::error::ApiError;
use crate::listing::Row;
use crate::seed::TENANT_ID;
use crate::store::{NodePool, Store};
use crate::wire::legacy::legacy_id;

/// The label the default pool is shown to select: the schema requires a non-empty label
/// key and value, and the default pool really holds whatever no other pool selects.
const DEFAULT_SELECTOR: (&str, &str) = ("run.ai/node-pool", "default");

/// Body fields a create, PUT or PATCH writes as sent, besides the label selector.
pub(crate) const SETTINGS: [&str; 7] = [
    "overProvisioningRatio",
    "placementStrategy",
    "gpuNetworkAccelerationLabelKey",
    "gpuNetworkAccelerationDetection",
    "gpuResourceOptimization",
    "schedulingConfiguration",
    "networkTopologyId",
];

/// The label selector a pool is shown with.
pub(crate) fn selector(pool: &NodePool) -> (String, String) {
    pool.selector.clone().unwrap_or_else(|| {
        (
            DEFAULT_SELECTOR.0.to_string(),
            DEFAULT_SELECTOR.1.to_string(),
        )
    })
}

/// The label key and value a body sends (blank or null count as not sent).
pub(crate) fn label_halves(body: &Value) -> (Option<String>, Option<String>) {
    let half = |field: &str| {
        body.get(field)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    (half("labelKey"), half("labelValue"))
}

/// The label selector a body sets: both halves or neither; `None` when it sets none.
pub(crate) fn selector_of(body: &Value) -> Result<Option<(String, String)>, ApiError> {
    match label_halves(body) {
        (Some(key), Some(value)) => Ok(Some((key, value))),
        (None, None) => Ok(None),
        (Some(_), None) => Err(ApiError::bad_request(
            "body.labelValue: required with labelKey",
        )),
        (None, Some(_)) => Err(ApiError::bad_request(
            "body.labelKey: required with labelValue",
        )),
    }
}

/// The settings a body sends, the ones it sends as null removed.
pub(crate) fn apply_settings(settings: &mut Map<String, Value>, body: &Value) {
    for name in SETTINGS {
        match body.get(name) {
            Some(Value::Null) => {
                settings.remove(name);
            }
            Some(value) => {
                settings.insert(name.to_string(), value.clone());
            }
            None => {}
        }
    }
}

/// The network topology the pool's nodes are placed by, if any.
pub(crate) fn topology_id(pool: &NodePool) -> Option<&str> {
    pool.settings
        .get("networkTopologyId")
        .and_then(Value::as_str)
}

/// `Ready` with nodes, `Empty` without.
pub(crate) fn phase(store: &Store, pool: &NodePool) -> &'static str {
    if store.nodes_in(pool).next().is_some() {
        "Ready"
    } else {
        "Empty"
    }
}

fn node_names(store: &Store, pool: &NodePool) -> Vec<String> {
    store.nodes_in(pool).map(|n| n.name.clone()).collect()
}

fn setting(pool: &NodePool, name: &str) -> Option<Value> {
    pool.settings.get(name).filter(|v| !v.is_null()).cloned()
}

fn placement(pool: &NodePool) -> Value {
    setting(pool, "placementStrategy")
        .or_else(|| {
            setting(pool, "schedulingConfiguration")
                .and_then(|c| c.get("placementStrategy").cloned())
        })
        .unwrap_or_else(|| json!({"cpu": "binpack", "gpu": "binpack"}))
}

fn optimisation(pool: &NodePool) -> Value {
    setting(pool, "gpuResourceOptimization").unwrap_or_else(|| {
        json!({
            "swapEnabled": false,
            "cpuSwapMemorySize": null,
            "reservedGpuMemoryForSwapOperations": null,
            "nodeLevelSchedulerEnabled": false,
        })
    })
}

/// The fields `NodepoolSyncUpdateFields` and the create fields share.
fn settings_out(pool: &NodePool, map: &mut Map<String, Value>) {
    let (key, value) = selector(pool);
    map.insert("labelKey".into(), json!(key));
    map.insert("labelValue".into(), json!(value));
    map.insert(
        "overProvisioningRatio".into(),
        setting(pool, "overProvisioningRatio").unwrap_or(json!(1)),
    );
    map.insert("placementStrategy".into(), placement(pool));
    if let Some(key) = setting(pool, "gpuNetworkAccelerationLabelKey") {
        map.insert("gpuNetworkAccelerationLabelKey".into(), key);
    }
    map.insert(
        "gpuNetworkAccelerationDetection".into(),
        setting(pool, "gpuNetworkAccelerationDetection").unwrap_or(json!("Auto")),
    );
    map.insert("gpuResourceOptimization".into(), optimisation(pool));
    map.insert(
        "schedulingConfiguration".into(),
        setting(pool, "schedulingConfiguration").unwrap_or_else(
            || json!({"placementStrategy": placement(pool), "minGuaranteedRuntime": null}),
        ),
    );
}

/// `Nodepool`.
pub(crate) fn node_pool(store: &Store, pool: &NodePool) -> Value {
    let mut map = Map::new();
    map.insert("name".into(), json!(pool.name));
    map.insert("clusterId".into(), json!(pool.cluster_id));
    settings_out(pool, &mut map);
    let topology = topology_id(pool).and_then(|id| {
        store
            .network_topologies
            .iter()
            .find(|t| t.id == id)
            .map(|t| t.name.clone())
    });
    map.insert(
        "networkTopologyId".into(),
        topology_id(pool).map_or(Value::Null, |id| json!(id)),
    );
    map.insert("networkTopologyName".into(), json!(topology));
    let phase = phase(store, pool);
    map.insert("phase".into(), json!(phase));
    map.insert(
        "phaseMessage".into(),
        json!(if phase == "Empty" {
            "no node carries the pool's label"
        } else {
            ""
        }),
    );
    let mut status = Map::new();
    settings_out(pool, &mut status);
    status.insert("conditions".into(), json!([]));
    status.insert("gpuNetworkAccelerationDetected".into(), json!(false));
    status.insert("nodes".into(), json!(node_names(store, pool)));
    map.insert("status".into(), Value::Object(status));
    map.insert("id".into(), json!(pool.id));
    map.insert("tenantId".into(), json!(TENANT_ID));
    map.insert(
        "clusterName".into(),
        json!(store
            .cluster(&pool.cluster_id)
            .map(|c| c.name.clone())
            .unwrap_or_default()),
    );
    map.insert("createdBy".into(), json!(pool.created_by));
    map.insert("createdAt".into(), json!(pool.created_at));
    map.insert("updatedBy".into(), json!(pool.updated_by));
    map.insert("updatedAt".into(), json!(pool.updated_at));
    map.insert("deletedAt".into(), Value::Null);
    map.insert("isDefault".into(), json!(pool.is_default()));
    Value::Object(map)
}

/// A listing row: the `NodepoolSortFilterFields` as top-level fields.
pub(crate) fn node_pool_row(store: &Store, pool: &NodePool) -> Row {
    let item = node_pool(store, pool);
    let mut fields = Map::new();
    for name in [
        "name",
        "clusterId",
        "phase",
        "createdAt",
        "updatedAt",
        "networkTopologyName",
        "gpuNetworkAccelerationDetection",
        "gpuNetworkAccelerationLabelKey",
    ] {
        fields.insert(name.into(), item.get(name).cloned().unwrap_or(Value::Null));
    }
    fields.insert("gpuNetworkAccelerationDetected".into(), json!(false));
    let optimisation = optimisation(pool);
    for name in ["swapEnabled", "nodeLevelSchedulerEnabled"] {
        fields.insert(
            name.into(),
            optimisation.get(name).cloned().unwrap_or(Value::Null),
        );
    }
    Row { fields, item }
}

/// The seed era's `NodePool1`: a numeric id and its nodes as a JSON string.
pub(crate) fn legacy_node_pool(store: &Store, pool: &NodePool) -> Value {
    let (key, value) = selector(pool);
    let nodes = serde_json::to_string(&node_names(store, pool)).unwrap_or_default();
    json!({
        "id": legacy_id(&pool.id),
        "name": pool.name,
        "clusterId": pool.cluster_id,
        "labelKey": key,
        "labelValue": value,
        "overProvisioningRatio": setting(pool, "overProvisioningRatio").unwrap_or(json!(1)),
        "placementStrategy": placement(pool),
        "status": phase(store, pool),
        "statusMessage": "",
        "nodes": nodes,
        "createdAt": pool.created_at,
        "updatedAt": pool.updated_at,
        "createdBy": pool.created_by,
        "updatedBy": pool.updated_by,
        "isDefault": pool.is_default(),
    })
}
