//! The users listing's deprecated `filter`: users picked by attribute.

use serde_json::{json, Value};

use super::{assert_conforms, harness, Harness};

async fn usernames(h: &Harness, query: &str) -> (u16, Value) {
    let (status, body) = h.get(&format!("/api/v1/users?{query}")).await;
    if status != 200 {
        return (status, body);
    }
    assert_conforms("Users1", &body);
    let mut names: Vec<&str> = body
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|u| u["username"].as_str())
        .collect();
    names.sort_unstable();
    (status, json!(names))
}

#[tokio::test]
async fn the_deprecated_filter_picks_users_by_attribute() {
    let h = harness().await;
    for email in ["ann@example.com", "bob@example.com"] {
        let (status, body) = h.post("/api/v1/users", json!({"email": email})).await;
        assert_eq!(status, 201, "{body}");
    }
    let everyone = json!(["admin@example.com", "ann@example.com", "bob@example.com"]);
    // The fake's users are all local.
    assert_eq!(
        usernames(&h, "filter=runai.is_local:true").await,
        (200, everyone.clone())
    );
    assert_eq!(
        usernames(&h, "filter=runai.is_local%3Afalse").await,
        (200, json!([]))
    );
    // No user carries an attribute the fake does not know.
    assert_eq!(
        usernames(&h, "filter=runai.team:ml").await,
        (200, json!([]))
    );
    assert_eq!(usernames(&h, "filter=").await, (200, everyone));
    // It narrows what the other listing parameters select.
    assert_eq!(
        usernames(&h, "filter=runai.is_local:true&filterBy=username%3D%40ann").await,
        (200, json!(["ann@example.com"]))
    );
    assert_eq!(
        usernames(&h, "filter=runai.is_local:true&search=bob").await,
        (200, json!(["bob@example.com"]))
    );
    let (status, page) = h
        .get("/api/v1/users?filter=runai.is_local:true&limit=2&offset=2")
        .await;
    assert_eq!((status, page.as_array().map(Vec::len)), (200, Some(1)));

    let (status, err) = h.get("/api/v1/users?filter=is_local").await;
    assert_eq!(status, 400, "{err}");
    assert_conforms("Error", &err);
    assert!(
        err["message"]
            .as_str()
            .is_some_and(|m| m.contains("filter") && m.contains("<attribute>:<value>")),
        "{err}"
    );
}
