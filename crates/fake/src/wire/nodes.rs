//! The `Node` shape of `/api/v1/nodes` and the rows its listings filter and sort on.

use serde_json::{json, Map, Value};

use crate::listing::Row;
use crate::store::{Node, Store};

/// `Node`: its pool is the one that holds it now.
pub(crate) fn node(store: &Store, node: &Node) -> Value {
    let pool = store
        .pool_of_node(node)
        .map(|p| p.name.clone())
        .unwrap_or_default();
    let ready = node.status == "Ready";
    let gpu_info = node
        .gpu_type
        .as_ref()
        .filter(|_| node.gpu_count > 0)
        .map_or(
            Value::Null,
            |kind| json!({"gpuType": kind, "gpuCount": node.gpu_count}),
        );
    json!({
        "id": node.id,
        "name": node.name,
        "clusterUuid": node.cluster_id,
        "status": node.status,
        "conditions": [{
            "type": "Ready",
            "reason": if ready { "KubeletReady" } else { "KubeletNotReady" },
            "message": if ready { "kubelet is posting ready status" } else { "kubelet stopped posting node status" },
        }],
        "taints": [],
        "nodePool": pool,
        "gpuInfo": gpu_info,
        "nvLinkDomainUid": node.nvlink_domain,
        "nvLinkCliqueId": node.nvlink_clique,
        "createdAt": node.created_at,
        "updatedAt": node.updated_at,
    })
}

/// A listing row: the `NodeFilterSortFields` as top-level fields.
pub(crate) fn node_row(store: &Store, n: &Node) -> Row {
    let item = node(store, n);
    let mut fields = Map::new();
    for name in [
        "name",
        "status",
        "nodePool",
        "nvLinkDomainUid",
        "nvLinkCliqueId",
        "clusterUuid",
    ] {
        fields.insert(name.into(), item.get(name).cloned().unwrap_or(Value::Null));
    }
    fields.insert("gpuType".into(), json!(n.gpu_type));
    Row { fields, item }
}
