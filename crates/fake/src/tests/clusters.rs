//! Deleting a cluster: forced or old clusters go at once, current ones are only marked,
//! and listings hide the marked ones unless asked for them.

use serde_json::{json, Value};

use super::{assert_conforms, harness, Harness};

async fn new_cluster(h: &Harness, name: &str, version: &str) -> String {
    let (status, created) = h
        .post(
            "/api/v1/clusters",
            json!({"name": name, "version": version}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    created["uuid"].as_str().expect("uuid").to_string()
}

/// The uuids a cluster listing answers.
async fn listed(h: &Harness, query: &str) -> Vec<String> {
    let (status, list) = h.get(&format!("/api/v1/clusters{query}")).await;
    assert_eq!(status, 200, "{list}");
    let items = list.as_array().expect("array");
    for item in items {
        assert_conforms("DisplayedCluster", item);
    }
    items
        .iter()
        .filter_map(|c| c["uuid"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn a_deletion_request_marks_the_cluster_and_hides_it_from_plain_listings() {
    let h = harness().await;
    let seeded = h.server.cluster_id();
    let uuid = new_cluster(&h, "edge", "2.21.0").await;
    let path = format!("/api/v1/clusters/{uuid}");

    let (status, accepted) = h.delete(&path).await;
    assert_eq!(status, 202, "{accepted}");
    assert_conforms("HttpResponse", &accepted);
    assert_eq!(accepted["code"], 202);

    let (status, marked) = h.get(&path).await;
    assert_eq!(status, 200, "{marked}");
    assert_conforms("DisplayedCluster", &marked);
    let requested_at = marked["deleteRequestedAt"].clone();
    assert!(requested_at.is_string(), "{marked}");
    assert_eq!(marked["deletedAt"], Value::Null);

    assert_eq!(listed(&h, "").await, vec![seeded.clone()]);
    assert_eq!(
        listed(&h, "?includeRequestedForDelete=false").await,
        vec![seeded.clone()]
    );
    assert_eq!(
        listed(&h, "?includeRequestedForDelete=true").await,
        vec![seeded.clone(), uuid.clone()]
    );
    assert_eq!(
        listed(&h, "?includeRequestedForDelete=true&verbosity=metadata").await,
        vec![seeded.clone(), uuid.clone()]
    );
    let (_, all) = h
        .get("/api/v1/clusters?includeRequestedForDelete=true")
        .await;
    assert_eq!(all[0]["deleteRequestedAt"], Value::Null, "{all}");
    assert_eq!(all[1]["deleteRequestedAt"], requested_at, "{all}");

    // Asking again changes nothing: the mark keeps the time of the first request.
    assert_eq!(h.delete(&format!("{path}?force=false")).await.0, 202);
    assert_eq!(h.get(&path).await.1["deleteRequestedAt"], requested_at);

    // Forcing removes the marked cluster with everything in it.
    assert_eq!(
        h.delete(&format!("{path}?force=true")).await,
        (204, Value::Null)
    );
    assert_eq!(h.get(&path).await.0, 404);
    assert_eq!(
        listed(&h, "?includeRequestedForDelete=true").await,
        vec![seeded]
    );
    let (_, departments) = h
        .get(&format!(
            "/api/v1/org-unit/departments?filterBy=clusterId=={uuid}"
        ))
        .await;
    assert_eq!(departments["departments"], json!([]), "{departments}");
    assert_eq!(h.delete(&path).await.0, 404);
}

#[tokio::test]
async fn forced_or_pre_2_20_deletions_remove_the_cluster_at_once() {
    let h = harness().await;
    let current = new_cluster(&h, "current", "2.20.0").await;
    let old = new_cluster(&h, "old", "2.19.7").await;
    for uuid in [&current, &old] {
        let query = if uuid == &current { "?force=true" } else { "" };
        let path = format!("/api/v1/clusters/{uuid}");
        assert_eq!(
            h.delete(&format!("{path}{query}")).await,
            (204, Value::Null),
            "{uuid}"
        );
        assert_eq!(h.get(&path).await.0, 404);
    }
    assert_eq!(
        listed(&h, "?includeRequestedForDelete=true").await,
        vec![h.server.cluster_id()]
    );
    let (status, err) = h
        .delete("/api/v1/clusters/00000000-0000-0000-0000-000000000000")
        .await;
    assert_eq!((status, &err["code"]), (404, &json!(404)), "{err}");
}
