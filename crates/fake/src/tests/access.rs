//! Access control over HTTP: a user signed in with the password grant may do what their
//! rules grant in their scopes and is refused elsewhere with the control plane's 403; a
//! service account's secret and tokens stop working when it is rotated or deleted.

use reqwest::Method;
use serde_json::{json, Value};

use super::{assert_conforms, harness, Harness};

/// A user signed in with the password grant, calling the harness's server.
struct User<'h> {
    h: &'h Harness,
    token: String,
}

impl User<'_> {
    async fn get(&self, path: &str) -> (u16, Value) {
        self.h.send_as(&self.token, Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.h
            .send_as(&self.token, Method::POST, path, Some(body))
            .await
    }
}

/// A department with one project; their ids.
async fn department_with_project(h: &Harness, name: &str) -> (String, String) {
    let cluster = h.server.cluster_id();
    let (status, dept) = h
        .post(
            "/api/v1/org-unit/departments",
            json!({"name": name, "clusterId": cluster, "resources": []}),
        )
        .await;
    assert_eq!(status, 201, "{dept}");
    let dept = dept["id"].as_str().expect("id").to_string();
    let (status, project) = h
        .post(
            "/api/v1/org-unit/projects",
            json!({"name": format!("{name}-p"), "clusterId": cluster, "parentId": dept, "resources": []}),
        )
        .await;
    assert_eq!(status, 201, "{project}");
    (dept, project["id"].as_str().expect("id").to_string())
}

/// A new user holding `role` on the scope, signed in.
async fn user_with<'h>(h: &'h Harness, email: &str, role: i64, scope: (&str, &str)) -> User<'h> {
    let (status, user) = h.post("/api/v1/users", json!({"email": email})).await;
    assert_eq!(status, 201, "{user}");
    let rule = json!({"subjectId": email, "subjectType": "user", "roleId": role,
                      "scopeType": scope.0, "scopeId": scope.1});
    let (status, created) = h.post("/api/v1/authorization/access-rules", rule).await;
    assert_eq!(status, 201, "{created}");
    assert_conforms("AccessRule", &created);
    let (status, token) = h
        .post(
            "/api/v1/token",
            json!({"grantType": "password", "username": email, "password": user["tempPassword"]}),
        )
        .await;
    assert_eq!(status, 200, "{token}");
    User {
        h,
        token: token["accessToken"].as_str().expect("token").to_string(),
    }
}

fn refused(status: u16, body: &Value) {
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["code"], 403);
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert!(body["details"].is_string());
}

#[tokio::test]
async fn an_l1_researcher_reads_their_project_only() {
    let h = harness().await;
    let (_, mine) = department_with_project(&h, "a").await;
    let (other_dept, other) = department_with_project(&h, "b").await;
    let user = user_with(&h, "r@example.com", 5, ("project", &mine)).await;
    assert_eq!(
        user.get(&format!("/api/v1/org-unit/projects/{mine}"))
            .await
            .0,
        200
    );
    let (status, body) = user
        .get(&format!("/api/v1/org-unit/projects/{other}"))
        .await;
    refused(status, &body);
    let (status, body) = user
        .get(&format!("/api/v1/org-unit/departments/{other_dept}"))
        .await;
    refused(status, &body);
    let (status, page) = user.get("/api/v1/org-unit/projects").await;
    assert_eq!(status, 200);
    let ids: Vec<&Value> = page["projects"]
        .as_array()
        .expect("items")
        .iter()
        .map(|p| &p["id"])
        .collect();
    assert_eq!(ids, [&json!(mine)]);
    let (status, body) = user.get("/api/v1/users").await;
    refused(status, &body);
    // What a caller may ask about themselves needs no permission.
    let (status, rules) = user.get("/api/v1/authorization/me/access-rules").await;
    assert_eq!(status, 200);
    assert_conforms("MeAccessRulesResponse", &rules);
    assert_eq!(rules["accessRules"]["totalRecords"], 1);
}

#[tokio::test]
async fn a_department_administrator_creates_projects_in_their_department_only() {
    let h = harness().await;
    let (mine, _) = department_with_project(&h, "a").await;
    let (other, _) = department_with_project(&h, "b").await;
    let user = user_with(&h, "d@example.com", 2, ("department", &mine)).await;
    let cluster = h.server.cluster_id();
    let project = |parent: &str| json!({"name": format!("new-{parent}"), "clusterId": cluster, "parentId": parent, "resources": []});
    let (status, created) = user.post("/api/v1/org-unit/projects", project(&mine)).await;
    assert_eq!(status, 201, "{created}");
    let (status, body) = user
        .post("/api/v1/org-unit/projects", project(&other))
        .await;
    refused(status, &body);
    // Nor may they hand out more than they hold.
    let rule = json!({"subjectId": "d@example.com", "subjectType": "user", "roleId": 1,
                      "scopeType": "department", "scopeId": mine});
    let (status, body) = user.post("/api/v1/authorization/access-rules", rule).await;
    refused(status, &body);
}

#[tokio::test]
async fn roles_and_permitted_scopes_conform() {
    let h = harness().await;
    let (status, roles) = h.get("/api/v1/authorization/roles").await;
    assert_eq!(status, 200);
    assert_conforms("RolesV1", &roles);
    let (status, scopes) = h
        .post(
            "/api/v1/authorization/permitted-scopes",
            json!({"resourceType": "department", "action": "update"}),
        )
        .await;
    assert_eq!(status, 200);
    assert_conforms("PermittedScopesActions", &scopes);
    assert_eq!(scopes["update"]["tenants"], json!(["1001"]));
    assert_eq!(scopes["create"]["tenants"], json!([]));
}

/// A token for client credentials at `/api/v1/token`: its status, and the access token.
async fn client_token(h: &Harness, id: &str, secret: &str) -> (u16, String) {
    let body = json!({"grantType": "client_credentials", "clientID": id, "clientSecret": secret});
    let (status, answer) = h.post("/api/v1/token", body).await;
    let token = answer["accessToken"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    (status, token)
}

#[tokio::test]
async fn a_service_accounts_secret_and_tokens_end_with_rotation_and_deletion() {
    let h = harness().await;
    let (status, created) = h
        .post("/api/v1/service-accounts", json!({"name": "ci"}))
        .await;
    assert_eq!(status, 201, "{created}");
    assert_conforms("ServiceAccountPostResponse", &created);
    let (id, client_id) = (created["id"].as_str().expect("id"), "ci");
    let first = created["clientSecret"]
        .as_str()
        .expect("secret")
        .to_string();
    let (status, fetched) = h.get(&format!("/api/v1/service-accounts/{id}")).await;
    assert_eq!(status, 200);
    assert_conforms("ServiceAccount", &fetched);
    assert!(fetched.get("clientSecret").is_none());

    let (status, early) = client_token(&h, client_id, &first).await;
    assert_eq!(status, 200);
    let mine = "/api/v1/authorization/me/access-rules";
    assert_eq!(h.send_as(&early, Method::GET, mine, None).await.0, 200);

    let (status, rotated) = h
        .post(&format!("/api/v1/service-accounts/{id}/secret"), json!({}))
        .await;
    assert_eq!(status, 200);
    let second = rotated["clientSecret"]
        .as_str()
        .expect("secret")
        .to_string();
    assert_eq!(client_token(&h, client_id, &first).await.0, 401);
    let (status, late) = client_token(&h, client_id, &second).await;
    assert_eq!(status, 200);

    assert_eq!(
        h.delete(&format!("/api/v1/service-accounts/{id}")).await.0,
        204
    );
    for token in [&early, &late] {
        let (status, refused) = h.send_as(token, Method::GET, mine, None).await;
        assert_eq!(status, 401, "{refused}");
    }
    assert_eq!(client_token(&h, client_id, &second).await.0, 401);

    let recorded = format!("{:?}", h.server.requests());
    assert!(!recorded.contains(&first) && !recorded.contains(&second));
}
