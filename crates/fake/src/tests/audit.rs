//! The audit log over HTTP: changes leave entries, reads do not, and the two operations
//! answer within a time range in the spec's shapes.

use reqwest::Method;
use serde_json::{json, Value};

use super::{assert_conforms, harness, Harness};
use crate::store::now;

/// The log's entries from `start` on, with more query pairs.
async fn log_since(h: &Harness, start: &str, more: &str) -> (u16, Value) {
    let end = now();
    h.get(&format!("/api/v1/audit/log?start={start}&end={end}&{more}"))
        .await
}

fn entries(body: &Value) -> Vec<Value> {
    for item in body["audit_logs"].as_array().expect("audit_logs") {
        assert_conforms("AuditLog", item);
    }
    assert_eq!(body["logs"], body["audit_logs"], "both keys hold the page");
    body["audit_logs"].as_array().cloned().unwrap_or_default()
}

fn field<'v>(entries: &'v [Value], key: &str) -> Vec<&'v str> {
    entries.iter().filter_map(|e| e[key].as_str()).collect()
}

#[tokio::test]
async fn changes_leave_entries_and_reads_do_not() {
    let h = harness().await;
    let start = now();
    let cluster = h.server.cluster_id();
    let (status, dept) = h
        .post(
            "/api/v1/org-unit/departments",
            json!({"name": "physics", "clusterId": cluster, "resources": []}),
        )
        .await;
    assert_eq!(status, 201, "{dept}");
    let id = dept["id"].as_str().expect("id").to_string();
    let path = format!("/api/v1/org-unit/departments/{id}");
    let (status, body) = h
        .put(
            &path,
            json!({"name": "physics", "clusterId": cluster, "resources": [], "description": "optics"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    for _ in 0..3 {
        assert_eq!(h.get(&path).await.0, 200);
    }
    assert_eq!(h.delete(&path).await.0, 204);
    // A failed change is recorded with its outcome.
    assert_eq!(h.delete(&path).await.0, 404);

    let (status, body) = log_since(&h, &start, "").await;
    assert_eq!(status, 200, "{body}");
    let logs = entries(&body);
    assert_eq!(body["total"], 4);
    assert_eq!(
        field(&logs, "action"),
        ["create", "update", "delete", "delete"]
    );
    assert_eq!(
        field(&logs, "http_method"),
        ["POST", "PUT", "DELETE", "DELETE"]
    );
    assert_eq!(
        field(&logs, "result"),
        ["Succeeded", "Succeeded", "Succeeded", "Failed"]
    );
    let codes: Vec<u64> = logs
        .iter()
        .filter_map(|e| e["http_status_code"].as_u64())
        .collect();
    assert_eq!(codes, [201, 200, 204, 404]);
    assert_eq!(field(&logs, "entity_id"), [id.as_str(); 4]);
    // A deleted object's name is looked up before it goes; one that is no more has none.
    assert_eq!(field(&logs, "entity_name"), ["physics"; 3]);
    for entry in &logs {
        assert_eq!(entry["entity_type"], "department");
        assert_eq!(entry["subject"], h.server.client_id());
        assert_eq!(entry["subject_type"], "App");
        let stamp = entry["timestamp"].as_str().expect("timestamp");
        assert!(stamp >= start.as_str(), "{stamp} before {start}");
    }
    // Where the object lived, while it did.
    assert_eq!(field(&logs, "cluster_id"), [cluster.as_str(); 3]);
    assert_eq!(field(&logs, "cluster_name"), ["cluster-1"; 3]);
    assert!(field(&logs, "url")[0].ends_with("/api/v1/org-unit/departments"));
    assert!(field(&logs, "url")[1].ends_with(&path));
}

#[tokio::test]
async fn the_time_range_filters_sorting_and_paging_select_entries() {
    let h = harness().await;
    let before = now();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let start = now();
    for name in ["a", "b", "c"] {
        h.create_project(name, 0.0).await;
    }
    // Outside the range: before it starts.
    let (status, body) = h
        .get(&format!(
            "/api/v1/audit/log?start=2000-01-01T00:00:00Z&end={before}"
        ))
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(entries(&body).iter().all(|e| e["entity_name"] != "a"));
    // Bounds with an offset mean the same instant.
    let (status, body) = h
        .get("/api/v1/audit/log?start=2000-01-01T02:00:00%2B02:00&end=2000-01-01T00:00:00Z")
        .await;
    assert_eq!((status, body["total"].clone()), (200, json!(0)), "{body}");
    // A range that ends before it starts holds nothing (the spec refuses no range).
    let (status, body) = h
        .get(&format!(
            "/api/v1/audit/log?start={start}&end=2000-01-01T00:00:00Z"
        ))
        .await;
    assert_eq!((status, body["total"].clone()), (200, json!(0)), "{body}");

    let (_, body) = log_since(&h, &start, "filterBy=entity_name==b").await;
    assert_eq!(field(&entries(&body), "entity_name"), ["b"]);
    let (_, body) = log_since(&h, &start, "filterBy=entity_type==project,action==create").await;
    assert_eq!(body["total"], 3);
    let (_, body) = log_since(&h, &start, "sortBy=entity_name&sortOrder=desc").await;
    assert_eq!(field(&entries(&body), "entity_name"), ["c", "b", "a"]);
    let (_, body) = log_since(&h, &start, "numberOfSamples=2").await;
    assert_eq!(field(&entries(&body), "entity_name"), ["a", "b"]);
    assert_eq!(
        (body["total"].clone(), body["next"].clone()),
        (json!(3), json!(2))
    );
    let (_, body) = log_since(&h, &start, "numberOfSamples=2&offset=2").await;
    assert_eq!(field(&entries(&body), "entity_name"), ["c"]);
    assert!(body.get("next").is_none());
}

#[tokio::test]
async fn the_download_holds_the_same_entries_in_either_format() {
    let h = harness().await;
    let start = now();
    for name in ["x", "y"] {
        h.create_project(name, 0.0).await;
    }
    let end = now();
    let (_, listed) = log_since(&h, &start, "").await;
    let listed = entries(&listed);
    let url = |format: &str| {
        format!(
            "{}/api/v1/audit/log/file?start={start}&end={end}&file_type={format}",
            h.server.url()
        )
    };
    let fetch = |format: &'static str| {
        let request = h
            .http
            .request(Method::GET, url(format))
            .bearer_auth(&h.token);
        async move {
            let response = request.send().await.expect("send");
            assert_eq!(response.status(), 200);
            let headers = response.headers().clone();
            assert_eq!(headers["content-type"], "application/octet-stream");
            let disposition = headers["content-disposition"].to_str().expect("text");
            assert!(disposition.ends_with(&format!(".{}\"", format.to_lowercase())));
            response.text().await.expect("text")
        }
    };
    let file: Value = serde_json::from_str(&fetch("JSON").await).expect("json");
    assert_eq!(file, Value::Array(listed.clone()));
    let csv = fetch("CSV").await;
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[0].starts_with("id,timestamp,tenant_id,subject,"));
    for (line, entry) in lines[1..].iter().zip(&listed) {
        assert!(
            line.starts_with(entry["id"].as_str().expect("id")),
            "{line}"
        );
        assert!(line.contains(",create,POST,"), "{line}");
    }
}
