//! The `/api/v1` metrics endpoints take only the metric types their spec names.

use super::{assert_conforms, harness};
use runai_admin_core::api::Catalogue;

const WINDOW: &str = "start=2026-01-01T00:00:00Z&end=2026-01-02T00:00:00Z";

fn spec_values(schema: &str) -> Vec<String> {
    Catalogue::get()
        .schema(schema)
        .and_then(|s| s["enum"].as_array())
        .expect("an enum")
        .iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn unknown_metric_types_are_refused_with_the_allowed_ones() {
    let h = harness().await;
    let cluster = h.server.cluster_id();
    let cluster_types = spec_values("MetricsType");
    let unit_types = spec_values("OrgUnitMetricType");
    let cases = [
        (
            format!("/api/v1/clusters/{cluster}/metrics"),
            &cluster_types,
        ),
        ("/api/v1/org-unit/departments/1/metrics".into(), &unit_types),
    ];
    for (path, allowed) in cases {
        let known = &allowed[0];
        let (status, body) = h.get(&format!("{path}?{WINDOW}&metricType={known}")).await;
        assert_eq!(status, 200, "{path}: {body}");
        assert_conforms("GroupedMetricsResponse", &body);
        let every = allowed.join(",");
        assert_eq!(
            h.get(&format!("{path}?{WINDOW}&metricType={every}"))
                .await
                .0,
            200,
            "{path}"
        );

        for query in [
            "metricType=NOT_A_METRIC".to_string(),
            format!("metricType={known},NOT_A_METRIC"),
            format!("metricType={known}&metricType=NOT_A_METRIC"),
        ] {
            let (status, err) = h.get(&format!("{path}?{WINDOW}&{query}")).await;
            assert_eq!(status, 400, "{path}?{query}: {err}");
            assert_conforms("Error", &err);
            assert_eq!(err["code"], 400);
            let message = err["message"].as_str().unwrap_or_default();
            assert!(
                message.contains("metricType") && message.contains("NOT_A_METRIC"),
                "{err}"
            );
            let details = err["details"].as_str().unwrap_or_default();
            let listed: Vec<&str> = details
                .trim_start_matches("allowed values: ")
                .split(", ")
                .collect();
            assert_eq!(listed, *allowed, "{err}");
        }
    }

    // A project's metric types are the org units' ones, not the cluster's.
    let (status, project) = h
        .post(
            "/api/v1/org-unit/projects",
            serde_json::json!({"name": "p", "clusterId": cluster, "resources": [{"gpu": {"deserved": 1}}]}),
        )
        .await;
    assert_eq!(status, 201, "{project}");
    let id = project["id"].as_str().expect("id");
    let only_cluster = cluster_types
        .iter()
        .find(|t| !unit_types.contains(t))
        .expect("a cluster-only metric type");
    let (status, err) = h
        .get(&format!(
            "/api/v1/org-unit/projects/{id}/metrics?{WINDOW}&metricType={only_cluster}"
        ))
        .await;
    assert_eq!(status, 400, "{err}");
    assert_eq!(
        h.get(&format!(
            "/api/v1/org-unit/projects/{id}/metrics?{WINDOW}&metricType={}",
            unit_types[0]
        ))
        .await
        .0,
        200
    );
    // A refused type is refused before the object is looked up.
    let (status, _) = h
        .get(&format!(
            "/api/v1/org-unit/projects/999/metrics?{WINDOW}&metricType=NOT_A_METRIC"
        ))
        .await;
    assert_eq!(status, 400);
}
