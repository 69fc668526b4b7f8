//! Node pools, nodes and their metrics: pools claim nodes by label, quotas hold pools, and
//! the synthetic usage keeps its rules.

use reqwest::Method;
use serde_json::{json, Value};

use super::{assert_conforms, harness};

const WINDOW: &str = "start=2026-01-01T00:00:00Z&end=2026-01-01T06:00:00Z&numberOfSamples=37";

fn names(values: &Value) -> Vec<String> {
    let mut out: Vec<String> = values
        .as_array()
        .expect("array")
        .iter()
        .map(|v| v.as_str().expect("name").to_string())
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn the_seeded_cluster_has_gpu_nodes_in_two_pools() {
    let h = harness().await;
    let (status, body) = h.get("/api/v1/node-pools").await;
    assert_eq!(status, 200);
    let pools = body["nodepools"].as_array().expect("pools");
    assert_eq!(pools.len(), 2);
    for pool in pools {
        assert_conforms("Nodepool", pool);
    }
    let h100 = pools.iter().find(|p| p["name"] == "h100").expect("h100");
    assert_eq!(
        names(&h100["status"]["nodes"]),
        ["h100-node-1", "h100-node-2"]
    );
    assert_eq!(h100["isDefault"], false);
    let (_, nodes) = h.get("/api/v1/nodes?filterBy=gpuType=@H100").await;
    let nodes = nodes["nodes"].as_array().expect("nodes");
    assert_eq!(nodes.len(), 2);
    for node in nodes {
        assert_conforms("Node", node);
        assert_eq!(node["gpuInfo"]["gpuCount"], 8);
        assert_eq!(node["nodePool"], "h100");
    }
    let (_, count) = h.get("/api/v1/nodes/count").await;
    assert_eq!(count["count"], 5);
}

#[tokio::test]
async fn a_pool_claims_the_nodes_its_label_selects_and_gives_them_back() {
    let h = harness().await;
    let cluster = h.server.cluster_id();
    let (status, pool) = h
        .send(
            Method::POST,
            "/api/v1/node-pools",
            Some(json!({"name": "a100", "clusterId": cluster, "labelKey": "nvidia.com/gpu.product", "labelValue": "NVIDIA-A100-SXM4-40GB"})),
        )
        .await;
    assert_eq!(status, 201, "{pool}");
    assert_eq!(
        names(&pool["status"]["nodes"]),
        ["a100-node-1", "a100-node-2"]
    );
    let (_, default) = h.get("/api/v1/node-pools?filterBy=name==default").await;
    assert_eq!(
        names(&default["nodepools"][0]["status"]["nodes"]),
        ["cpu-node-1"]
    );

    let id = pool["id"].as_str().expect("id");
    let (status, _) = h
        .send(Method::DELETE, &format!("/api/v1/node-pools/{id}"), None)
        .await;
    assert_eq!(status, 202);
    let (_, default) = h.get("/api/v1/node-pools?filterBy=name==default").await;
    assert_eq!(
        names(&default["nodepools"][0]["status"]["nodes"]),
        ["a100-node-1", "a100-node-2", "cpu-node-1"]
    );
}

#[tokio::test]
async fn projects_stay_within_their_department_where_the_tenant_asks_for_it() {
    let h = harness().await;
    let cluster = h.server.cluster_id();
    let h100 = || json!({"id": "2", "name": "h100"});
    let (status, dept) = h
        .send(
            Method::POST,
            "/api/v1/org-unit/departments",
            Some(json!({"name": "physics", "clusterId": cluster, "resources": [{"nodePool": h100(), "gpu": {"deserved": 8}}]})),
        )
        .await;
    assert_eq!(status, 201, "{dept}");
    let project = |name: &str, gpus: u32| json!({"name": name, "clusterId": cluster, "parentId": dept["id"], "resources": [{"nodePool": h100(), "gpu": {"deserved": gpus}}]});
    // Off by default: the spec only recommends it.
    let (status, _) = h
        .send(
            Method::POST,
            "/api/v1/org-unit/projects",
            Some(project("big", 10)),
        )
        .await;
    assert_eq!(status, 201);
    h.server
        .state
        .shared
        .store_mut()
        .projects_within_department_quota = true;
    let (status, err) = h
        .send(
            Method::POST,
            "/api/v1/org-unit/projects",
            Some(project("more", 1)),
        )
        .await;
    assert_eq!(status, 400, "{err}");
    assert!(
        err["message"]
            .as_str()
            .unwrap_or_default()
            .contains("physics"),
        "{err}"
    );
    // Nor may the department give up what its projects already deserve.
    let resources = format!(
        "/api/v1/org-unit/departments/{}/resources",
        dept["id"].as_str().expect("id")
    );
    let lower = |gpus: u32| Some(json!([{"nodePool": h100(), "gpu": {"deserved": gpus}}]));
    let (status, err) = h.send(Method::PATCH, &resources, lower(9)).await;
    assert_eq!(status, 400, "{err}");
    assert_eq!(h.send(Method::PATCH, &resources, lower(10)).await.0, 200);
}

#[tokio::test]
async fn node_and_pool_metrics_keep_their_rules_and_repeat() {
    let h = harness().await;
    let cluster = h.server.cluster_id();
    let (_, nodes) = h.get("/api/v1/nodes?filterBy=name==h100-node-1").await;
    let node = nodes["nodes"][0]["id"].as_str().expect("id").to_string();
    let every_node_metric = crate::wire::usage::spec_enum("NodeMetricType").join(",");
    let path = format!("/api/v1/nodes/{node}/metrics?{WINDOW}&metricType={every_node_metric}");
    let (status, first) = h.get(&path).await;
    assert_eq!(status, 200, "{first}");
    assert_conforms("MetricsResponse", &first);
    assert_eq!(
        h.get(&path).await.1,
        first,
        "the same request, the same series"
    );
    for m in first["measurements"].as_array().expect("measurements") {
        let kind = m["type"].as_str().expect("type");
        let values = m["values"].as_array().expect("values");
        assert_eq!(values.len(), 37, "{kind}");
        for v in values {
            let x: f64 = v["value"].as_str().expect("text").parse().expect("number");
            assert!(x >= 0.0, "{kind}: {x}");
            if kind.contains("UTILIZATION")
                || kind.contains("ACTIVITY")
                || kind.contains("OCCUPANCY")
            {
                assert!(x <= 100.0, "{kind}: {x}");
            }
            if kind == "GPU_ALLOCATION_PER_GPU" {
                assert!(x == 0.0 || x == 1.0);
            }
        }
    }
    let every_pool_metric = crate::wire::usage::spec_enum("MetricsType").join(",");
    let path = format!(
        "/api/v1/clusters/{cluster}/nodepools/h100/metrics?{WINDOW}&metricType={every_pool_metric}"
    );
    let (status, pool) = h.get(&path).await;
    assert_eq!(status, 200, "{pool}");
    let series = |kind: &str| -> Vec<f64> {
        pool["measurements"]
            .as_array()
            .expect("measurements")
            .iter()
            .find(|m| m["type"] == kind)
            .expect(kind)["values"]
            .as_array()
            .expect("values")
            .iter()
            .map(|v| v["value"].as_str().expect("text").parse().expect("number"))
            .collect()
    };
    let (total, allocated, free) = (
        series("TOTAL_GPU"),
        series("ALLOCATED_GPU"),
        series("UNALLOCATED_GPU"),
    );
    for i in 0..total.len() {
        assert_eq!(total[i], 16.0);
        assert!(allocated[i] <= total[i]);
        assert_eq!(allocated[i] + free[i], total[i]);
    }
    let (status, _) = h
        .get(&format!(
            "/api/v1/clusters/{cluster}/nodepools/nope/metrics?{WINDOW}&metricType=TOTAL_GPU"
        ))
        .await;
    assert_eq!(status, 404);
    let (status, _) = h
        .get(&format!(
            "/api/v1/nodes/{node}/metrics?{WINDOW}&metricType=TOTAL_GPU"
        ))
        .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn telemetry_groups_what_the_nodes_report() {
    let h = harness().await;
    let (status, body) = h
        .get("/api/v1/nodes/telemetry?telemetryType=TOTAL_GPUS&groupBy=Nodepool")
        .await;
    assert_eq!(status, 200, "{body}");
    assert_conforms("TelemetryResponse", &body);
    let by_pool: Vec<(String, String)> = body["values"]
        .as_array()
        .expect("values")
        .iter()
        .map(|v| {
            (
                v["groups"][0]["value"].as_str().expect("pool").to_string(),
                v["value"].as_str().expect("value").to_string(),
            )
        })
        .collect();
    assert_eq!(
        by_pool,
        [
            ("default".to_string(), "8".to_string()),
            ("h100".into(), "16".into())
        ]
    );
    let (status, _) = h
        .get("/api/v1/nodes/telemetry?telemetryType=TOTAL_GPUS&nodepoolName=nope")
        .await;
    assert_eq!(status, 404);
}

#[test]
fn node_pool_and_node_operations_need_their_resource_types() {
    let need = |id: &str| {
        let op = runai_admin_core::api::Catalogue::get()
            .operations
            .iter()
            .find(|op| op.id == id)
            .expect("in the catalogue");
        crate::access::need(op).map(|n| (n.resource, n.action))
    };
    for (id, resource, action) in [
        ("get_nodepools", "nodepools", "read"),
        ("create_nodepool", "nodepools", "create"),
        ("patch_nodepool", "nodepools", "update"),
        ("delete_nodepool", "nodepools", "delete"),
        ("get_nodepool_metrics", "nodepools", "read"),
        ("createNodePool", "nodepools", "create"),
        ("updateNodePoolLabels", "nodepools", "update"),
        ("get_tenant_nodes", "nodes", "read"),
        ("count_nodes", "nodes", "read"),
        ("get_node_metrics", "nodes", "read"),
        ("get_node_telemetry", "nodes", "read"),
    ] {
        assert_eq!(need(id), Some((resource, action)), "{id}");
    }
}
