//! The `/api/v1/clusters` shape: `DisplayedCluster`, with or without its status.

use serde_json::{json, Map, Value};

use crate::seed::TENANT_ID;
use crate::store::{now, Cluster};

pub(crate) fn cluster(cluster: &Cluster, with_status: bool) -> Value {
    let mut map = Map::new();
    map.insert("uuid".into(), json!(cluster.uuid));
    map.insert("tenantId".into(), json!(TENANT_ID));
    map.insert("name".into(), json!(cluster.name));
    map.insert("createdAt".into(), json!(cluster.created_at));
    map.insert("domain".into(), json!(cluster.domain));
    map.insert("version".into(), json!(cluster.version));
    if with_status {
        let status = if cluster.connected {
            json!({
                "state": "Connected",
                "conditions": [{
                    "type": "Available",
                    "status": "True",
                    "reason": "ClusterAvailable",
                    "message": "cluster is connected and reporting",
                    "lastTransitionTime": cluster.created_at,
                }],
                "operands": {},
                "platform": {"type": "vanilla", "kubeVersion": "v1.30.4"},
                "config": {"workloadOwnershipProtection": false, "subdomainEnabled": false, "ingressClass": "nginx"},
                "dependencies": {"required": {}, "optional": {}},
            })
        } else {
            json!({"state": "WaitingToConnect", "conditions": [], "operands": {}})
        };
        map.insert("status".into(), status);
    }
    map.insert("updatedAt".into(), json!(cluster.updated_at));
    map.insert("deletedAt".into(), Value::Null);
    map.insert(
        "lastLiveness".into(),
        if cluster.connected {
            json!(now())
        } else {
            Value::Null
        },
    );
    map.insert(
        "deleteRequestedAt".into(),
        json!(cluster.delete_requested_at),
    );
    Value::Object(map)
}
