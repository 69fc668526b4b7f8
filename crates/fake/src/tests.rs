//! The fake control plane over real HTTP, as a client sees it.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{json, Value};

use super::*;
use runai_admin_core::api::Catalogue;

mod access;
mod audit;
mod clusters;
mod infrastructure;
mod legacy;
mod metrics;
mod users;

fn http() -> reqwest::Client {
    // reqwest is built without a default TLS provider; it wants one even for plain http.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .http1_only()
        .build()
        .expect("client")
}

struct Harness {
    server: FakeServer,
    http: reqwest::Client,
    token: String,
}

async fn token_for(http: &reqwest::Client, server: &FakeServer) -> String {
    let response = http
        .post(format!("{}/api/v1/token", server.url()))
        .header("content-type", "application/json")
        .body(
            json!({"grantType": "client_credentials", "clientID": server.client_id(), "clientSecret": server.client_secret()})
                .to_string(),
        )
        .send()
        .await
        .expect("token request");
    assert_eq!(response.status(), 200);
    let body: Value = serde_json::from_slice(&response.bytes().await.expect("body")).expect("json");
    body["accessToken"]
        .as_str()
        .expect("accessToken")
        .to_string()
}

/// POST a form and read the answer: status and JSON body (null when not JSON).
async fn post_form(
    http: &reqwest::Client,
    url: impl reqwest::IntoUrl,
    fields: &[(&str, &str)],
) -> (u16, Value) {
    let response = http.post(url).form(fields).send().await.expect("send");
    let status = response.status().as_u16();
    let bytes = response.bytes().await.expect("body");
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn harness() -> Harness {
    let server = FakeServer::start(FakeConfig::default()).expect("server starts");
    let http = http();
    let token = token_for(&http, &server).await;
    // The sign-in is in the audit log; a test that reads the log from its own `now()` on
    // starts in a later millisecond (the stamps' precision).
    tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    Harness {
        server,
        http,
        token,
    }
}

impl Harness {
    async fn send(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        self.send_as(&self.token, method, path, body).await
    }

    /// A request with another caller's token.
    async fn send_as(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{}", self.server.url(), path))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let bytes = response.bytes().await.expect("body");
        let value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        (status, value)
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.send(Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(Method::POST, path, Some(body)).await
    }

    async fn put(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(Method::PUT, path, Some(body)).await
    }

    async fn delete(&self, path: &str) -> (u16, Value) {
        self.send(Method::DELETE, path, None).await
    }

    async fn create_project(&self, name: &str, gpus: f64) -> Value {
        let (status, body) = self
            .post(
                "/api/v1/org-unit/projects",
                json!({"name": name, "clusterId": self.server.cluster_id(), "resources": [{"gpu": {"deserved": gpus}}]}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body
    }
}

/// Every answer must conform to the spec's schema for it, in structure (`validate_shape`
/// says why formats are left out).
fn assert_conforms(schema: &str, value: &Value) {
    let catalogue = Catalogue::get();
    let schema_value = catalogue.schema(schema).expect("schema exists");
    if let Err(err) = validate::validate_shape(catalogue, schema_value, value) {
        panic!("answer does not conform to {schema}: {err}\n{value:#}");
    }
}

// ---------------------------------------------------------------- tokens

#[tokio::test]
async fn v1_token_grants_and_bad_credentials() {
    let server = FakeServer::start(FakeConfig::default()).expect("start");
    let http = http();
    let url = format!("{}/api/v1/token", server.url());
    let post = |body: Value| {
        let http = http.clone();
        let url = url.clone();
        async move {
            let r = http
                .post(url)
                .header("content-type", "application/json")
                .body(body.to_string())
                .send()
                .await
                .expect("send");
            let status = r.status().as_u16();
            (
                status,
                serde_json::from_slice::<Value>(&r.bytes().await.expect("b")).expect("json"),
            )
        }
    };
    let (status, body) = post(json!({"grantType": "client_credentials", "clientID": server.client_id(), "clientSecret": server.client_secret()})).await;
    assert_eq!(status, 200);
    assert_conforms("TokenResponse", &body);
    assert_eq!(body["expiresIn"], 3600);
    for key in ["accessToken", "idToken", "refreshToken"] {
        assert!(body[key].as_str().is_some_and(|s| !s.is_empty()), "{key}");
    }
    // The official SDK's spelling of the deprecated app grant.
    let (status, _) = post(json!({"grantType": "app_token", "AppId": server.client_id(), "AppSecret": server.client_secret()})).await;
    assert_eq!(status, 200);
    let (status, user) =
        post(json!({"grantType": "password", "username": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
            .await;
    assert_eq!(status, 200);
    let (status, refreshed) =
        post(json!({"grantType": "refresh_token", "refreshToken": user["refreshToken"]})).await;
    assert_eq!(status, 200);
    assert_ne!(refreshed["accessToken"], user["accessToken"]);

    let (status, err) = post(json!({"grantType": "client_credentials", "clientID": server.client_id(), "clientSecret": "wrong"})).await;
    assert_eq!(status, 401);
    assert_eq!(err["code"], 401);
    assert_eq!(
        post(json!({"grantType": "password", "username": ADMIN_EMAIL, "password": "nope"}))
            .await
            .0,
        401
    );
    assert_eq!(
        post(json!({"grantType": "refresh_token", "refreshToken": "made-up"}))
            .await
            .0,
        401
    );
    assert_eq!(
        post(json!({"clientID": "x", "clientSecret": "y"})).await.0,
        400
    );
    assert_eq!(
        post(json!({"grantType": "client_credentials", "clientID": "x"}))
            .await
            .0,
        400
    );
    assert_eq!(
        post(json!({"grantType": "exchange_token", "externalToken": "t"}))
            .await
            .0,
        400
    );
    assert_eq!(
        post(json!({"grantType": "external_token_exchange"}))
            .await
            .0,
        400
    );
}

#[tokio::test]
async fn v2_oauth_token_endpoint() {
    let server = FakeServer::start(FakeConfig::default()).expect("start");
    let http = http();
    let url = format!("{}/api/v2/token", server.url());
    let (status, body) = post_form(
        &http,
        &url,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &server.client_id()),
            ("client_secret", &server.client_secret()),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert_conforms("OAuth2TokenResponse", &body);
    assert_eq!(body["token_type"], "Bearer");
    let (status, _) = post_form(
        &http,
        &url,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", body["refresh_token"].as_str().expect("rt")),
        ],
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = post_form(
        &http,
        &url,
        &[
            ("grant_type", "password"),
            ("username", ADMIN_EMAIL),
            ("password", ADMIN_PASSWORD),
        ],
    )
    .await;
    assert_eq!(status, 200);

    let (status, err) = post_form(
        &http,
        &url,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &server.client_id()),
            ("client_secret", "bad"),
        ],
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(err["error"], "invalid_client");
    let (status, err) = post_form(&http, &url, &[("client_id", "x")]).await;
    assert_eq!(status, 400);
    assert_eq!(err["error"], "invalid_request");
}

#[tokio::test]
async fn seed_era_keycloak_and_login() {
    let server = FakeServer::start(FakeConfig::default()).expect("start");
    let http = http();
    let keycloak = |realm: &str| {
        format!(
            "{}/auth/realms/{realm}/protocol/openid-connect/token",
            server.url()
        )
    };
    let (status, body) = post_form(
        &http,
        keycloak(REALM),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &server.client_id()),
            ("client_secret", &server.client_secret()),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["token_type"], "bearer");
    assert!(body["refresh_expires_in"].is_number() && body["scope"].is_string());
    let token = body["access_token"].as_str().expect("token").to_string();
    let r = http
        .get(format!("{}/v1/k8s/clusters", server.url()))
        .bearer_auth(&token)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 200);
    let clusters: Value = serde_json::from_slice(&r.bytes().await.expect("b")).expect("json");
    assert_eq!(clusters[0]["clusterUuid"], server.cluster_id().as_str());
    assert_eq!(clusters[0]["name"], "cluster-1");
    assert_eq!(clusters[0]["tenantId"], TENANT_ID);
    assert!(clusters[0]["createdAt"].is_string() && clusters[0]["description"].is_string());

    let (status, _) = post_form(
        &http,
        keycloak(REALM),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &server.client_id()),
            ("client_secret", "bad"),
        ],
    )
    .await;
    assert_eq!(status, 401);
    let (status, _) = post_form(
        &http,
        keycloak("other"),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &server.client_id()),
            ("client_secret", &server.client_secret()),
        ],
    )
    .await;
    assert_eq!(status, 404);

    let login = format!("{}/v1/k8s/auth/login", server.url());
    let r = http
        .post(&login)
        .header("content-type", "application/json")
        .body(json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}).to_string())
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 200);
    let body: Value = serde_json::from_slice(&r.bytes().await.expect("b")).expect("json");
    assert_eq!(body["token_type"], "bearer");
    assert!(
        body["access_token"].is_string()
            && body["expires_in"].is_number()
            && body["tenant_id"].is_number()
    );
    let r = http
        .post(&login)
        .header("content-type", "application/json")
        .body(json!({"email": ADMIN_EMAIL, "password": "x"}).to_string())
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 401);
}

#[tokio::test]
async fn routes_need_a_valid_current_token() {
    let h = harness().await;
    let url = format!("{}/api/v1/clusters", h.server.url());
    let status = |r: reqwest::Response| r.status().as_u16();
    assert_eq!(status(h.http.get(&url).send().await.expect("s")), 401);
    assert_eq!(
        status(
            h.http
                .get(&url)
                .bearer_auth("garbage")
                .send()
                .await
                .expect("s")
        ),
        401
    );
    // Right shape, wrong key.
    let forged = jwt::Key::new(b"not the server's key")
        .expect("key")
        .sign(&json!({"sub": "x", "exp": 4_000_000_000u64, "iat": 0, "iss": h.server.url(), "tenant_id": 1001, "jti": "j", "generation": 0, "typ": "access"}))
        .expect("sign");
    assert_eq!(
        status(
            h.http
                .get(&url)
                .bearer_auth(&forged)
                .send()
                .await
                .expect("s")
        ),
        401
    );
    assert_eq!(
        status(
            h.http
                .get(&url)
                .bearer_auth(&h.token)
                .send()
                .await
                .expect("s")
        ),
        200
    );

    h.server.expire_tokens();
    let r = h
        .http
        .get(&url)
        .bearer_auth(&h.token)
        .send()
        .await
        .expect("s");
    assert_eq!(r.status(), 401);
    let err: Value = serde_json::from_slice(&r.bytes().await.expect("b")).expect("json");
    assert_eq!(err["code"], 401);
    let fresh = token_for(&h.http, &h.server).await;
    assert_eq!(
        status(
            h.http
                .get(&url)
                .bearer_auth(&fresh)
                .send()
                .await
                .expect("s")
        ),
        200
    );
}

#[tokio::test]
async fn short_token_lifetimes_are_honoured() {
    let server = FakeServer::start(FakeConfig {
        token_lifetime: Duration::from_millis(1500),
        ..FakeConfig::default()
    })
    .expect("start");
    let http = http();
    let r = http
        .post(format!("{}/api/v1/token", server.url()))
        .body(json!({"grantType": "client_credentials", "clientID": server.client_id(), "clientSecret": server.client_secret()}).to_string())
        .send()
        .await
        .expect("send");
    let body: Value = serde_json::from_slice(&r.bytes().await.expect("b")).expect("json");
    assert_eq!(body["expiresIn"], 2, "1.5 s rounds up");
    server.set_token_lifetime(Duration::from_secs(1));
    let token = token_for(&http, &server).await;
    let url = format!("{}/api/v1/clusters", server.url());
    assert_eq!(
        http.get(&url)
            .bearer_auth(&token)
            .send()
            .await
            .expect("s")
            .status(),
        200
    );
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(
        http.get(&url)
            .bearer_auth(&token)
            .send()
            .await
            .expect("s")
            .status(),
        401
    );
}

#[tokio::test]
async fn token_claims() {
    let h = harness().await;
    let payload = h.token.split('.').nth(1).expect("payload");
    use base64::Engine;
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .expect("b64"),
    )
    .expect("json");
    assert_eq!(claims["iss"], h.server.url().as_str());
    assert_eq!(claims["tenant_id"], TENANT_ID);
    assert_eq!(claims["sub"], h.server.client_id().as_str());
    let (iat, exp) = (
        claims["iat"].as_u64().expect("iat"),
        claims["exp"].as_u64().expect("exp"),
    );
    assert!((3600..=3601).contains(&(exp - iat)));
    assert!(claims["jti"].is_string());
}

// ---------------------------------------------------------------- objects

#[tokio::test]
async fn clusters_crud_and_seed() {
    let h = harness().await;
    let (status, list) = h.get("/api/v1/clusters").await;
    assert_eq!(status, 200);
    let seeded = &list[0];
    assert_conforms("DisplayedCluster", seeded);
    assert_eq!(seeded["uuid"], h.server.cluster_id().as_str());
    assert_eq!(
        (seeded["name"].as_str(), seeded["version"].as_str()),
        (Some("cluster-1"), Some("2.21.0"))
    );
    assert_eq!(seeded["status"]["state"], "Connected");

    let (status, created) = h
        .post(
            "/api/v1/clusters",
            json!({"name": "edge", "version": "2.20.0"}),
        )
        .await;
    assert_eq!(status, 201);
    assert_conforms("DisplayedCluster", &created);
    let uuid = created["uuid"].as_str().expect("uuid").to_string();
    assert_eq!(
        h.post("/api/v1/clusters", json!({"name": "edge"})).await.0,
        409
    );
    assert_eq!(
        h.post("/api/v1/clusters", json!({"domain": "x"})).await.0,
        400
    );

    let (status, body) = h
        .put(
            &format!("/api/v1/clusters/{uuid}"),
            json!({"name": "edge-2"}),
        )
        .await;
    assert_eq!((status, body), (204, Value::Null));
    let (status, got) = h.get(&format!("/api/v1/clusters/{uuid}")).await;
    assert_eq!(status, 200);
    assert_eq!(got["name"], "edge-2");
    // A new cluster comes with a default department.
    let (_, departments) = h
        .get(&format!(
            "/api/v1/org-unit/departments?filterBy=clusterId=={uuid}"
        ))
        .await;
    assert_eq!(departments["departments"][0]["name"], "default");

    let (status, info) = h
        .get(&format!(
            "/api/v1/clusters/{uuid}/cluster-install-info?version=2.20.0"
        ))
        .await;
    assert_eq!(status, 200);
    assert_conforms("ClusterInstallationInfoResponse", &info);
    let window = "start=2026-01-01T00:00:00Z&end=2026-01-02T00:00:00Z";
    let (status, metrics) = h
        .get(&format!(
            "/api/v1/clusters/{uuid}/metrics?{window}&metricType=GPU_UTILIZATION"
        ))
        .await;
    assert_eq!(status, 200);
    assert_conforms("GroupedMetricsResponse", &metrics);

    // Graceful deletion requests are `tests::clusters`' business.
    let forced = format!("/api/v1/clusters/{uuid}?force=true");
    assert_eq!(h.delete(&forced).await, (204, Value::Null));
    let (status, err) = h.get(&format!("/api/v1/clusters/{uuid}")).await;
    assert_eq!(status, 404);
    assert_eq!(err["code"], 404);
    assert!(
        err["message"].as_str().is_some_and(|m| m.contains(&uuid)),
        "{err}"
    );
    assert_eq!(
        h.get("/api/v1/clusters").await.1.as_array().map(Vec::len),
        Some(1)
    );
    assert_eq!(h.delete(&format!("/api/v1/clusters/{uuid}")).await.0, 404);
}

#[tokio::test]
async fn departments_crud() {
    let h = harness().await;
    let cluster = h.server.cluster_id();
    let (status, default) = h.get("/api/v1/org-unit/departments/1").await;
    assert_eq!(status, 200);
    assert_conforms("Department", &default);
    assert_eq!(
        (default["name"].as_str(), default["clusterId"].as_str()),
        (Some("default"), Some(cluster.as_str()))
    );

    let (status, dept) = h
        .post(
            "/api/v1/org-unit/departments",
            json!({"name": "physics", "clusterId": cluster, "description": "d",
                   "resources": [{"gpu": {"deserved": 4}, "cpu": {"deserved": 2000}}]}),
        )
        .await;
    assert_eq!(status, 201, "{dept}");
    assert_conforms("Department", &dept);
    let id = dept["id"].as_str().expect("id").to_string();
    assert!(id.parse::<u64>().is_ok(), "numeric id: {id}");
    assert_eq!(dept["resources"][0]["nodePool"]["name"], "default");
    assert!(dept["resources"][0]["nodePool"]["id"].is_string());
    assert_eq!(dept["totalResources"]["gpuQuota"], 4.0);
    assert_eq!(
        h.post(
            "/api/v1/org-unit/departments",
            json!({"name": "physics", "clusterId": cluster, "resources": []})
        )
        .await
        .0,
        409
    );
    assert_eq!(
        h.post(
            "/api/v1/org-unit/departments",
            json!({"name": "x", "clusterId": uuid::Uuid::new_v4().to_string(), "resources": []})
        )
        .await
        .0,
        404
    );
    // A clusterId that is no uuid at all is a malformed body.
    assert_eq!(
        h.post(
            "/api/v1/org-unit/departments",
            json!({"name": "x", "clusterId": "no-such-cluster", "resources": []})
        )
        .await
        .0,
        400
    );

    let (status, updated) = h
        .put(
            &format!("/api/v1/org-unit/departments/{id}"),
            json!({"description": "new", "resources": [{"gpu": {"deserved": 6}}]}),
        )
        .await;
    assert_eq!(status, 200);
    assert_conforms("Department", &updated);
    assert_eq!(updated["description"], "new");
    assert_eq!(
        h.get(&format!("/api/v1/org-unit/departments/{id}")).await.1["totalResources"]["gpuQuota"],
        6.0
    );

    let (status, resources) = h
        .send(
            Method::PATCH,
            &format!("/api/v1/org-unit/departments/{id}/resources"),
            Some(json!([{"cpu": {"deserved": 500}}])),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        resources[0]["gpu"]["deserved"], 6,
        "PATCH keeps what it does not name"
    );
    assert_eq!(resources[0]["cpu"]["deserved"], 500);
    let (status, resources) = h
        .put(
            &format!("/api/v1/org-unit/departments/{id}/resources"),
            json!([{"gpu": {"deserved": 1}}]),
        )
        .await;
    assert_eq!(status, 200);
    assert!(resources[0].get("cpu").is_none(), "PUT replaces");

    let (status, list) = h.get("/api/v1/org-unit/departments").await;
    assert_eq!(status, 200);
    for item in list["departments"].as_array().expect("array") {
        assert_conforms("DepartmentForList", item);
    }
    assert_eq!(
        h.get("/api/v1/org-unit/departments/count").await.1,
        json!({"count": 2})
    );

    // A department with projects is not deleted under them.
    let (_, project) = h
        .post(
            "/api/v1/org-unit/projects",
            json!({"name": "p", "clusterId": cluster, "parentId": id, "resources": []}),
        )
        .await;
    assert_eq!(
        h.get(&format!("/api/v1/org-unit/departments/{id}")).await.1["children"][0]["name"],
        "p"
    );
    assert_eq!(
        h.delete(&format!("/api/v1/org-unit/departments/{id}"))
            .await
            .0,
        409
    );
    assert_eq!(
        h.delete(&format!(
            "/api/v1/org-unit/projects/{}",
            project["id"].as_str().expect("id")
        ))
        .await
        .0,
        202
    );
    assert_eq!(
        h.delete(&format!("/api/v1/org-unit/departments/{id}"))
            .await,
        (204, Value::Null)
    );
    assert_eq!(
        h.get(&format!("/api/v1/org-unit/departments/{id}")).await.0,
        404
    );
}

#[tokio::test]
async fn projects_crud() {
    let h = harness().await;
    let project = h.create_project("team-a", 2.0).await;
    assert_conforms("Project", &project);
    let id = project["id"].as_str().expect("id").to_string();
    assert_eq!(project["parentId"], "1", "the cluster's default department");
    assert_eq!(project["parent"]["name"], "default");
    assert_eq!(project["status"]["phase"], "Ready");
    assert_eq!(project["totalResources"]["gpuQuota"], 2.0);
    assert_eq!(project["resources"][0]["nodePool"]["name"], "default");
    let second = h.create_project("team-b", 1.0).await;
    assert_eq!(
        second["id"].as_str().and_then(|s| s.parse::<u64>().ok()),
        id.parse::<u64>().ok().map(|n| n + 1)
    );

    let (status, got) = h.get(&format!("/api/v1/org-unit/projects/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(got["name"], "team-a");
    let (status, updated) = h
        .put(
            &format!("/api/v1/org-unit/projects/{id}"),
            json!({"description": "ml", "resources": [{"gpu": {"deserved": 3}}], "schedulingRules": {"trainingJobTimeLimitSeconds": 60}}),
        )
        .await;
    assert_eq!(status, 200);
    assert_conforms("Project", &updated);
    assert_eq!(
        updated["effective"]["schedulingRules"]["trainingJobTimeLimitSeconds"],
        60
    );
    assert_eq!(
        h.get(&format!("/api/v1/org-unit/projects/{id}")).await.1["description"],
        "ml"
    );

    assert_eq!(
        h.post(
            "/api/v1/org-unit/projects",
            json!({"name": "team-a", "clusterId": h.server.cluster_id(), "resources": []})
        )
        .await
        .0,
        409
    );
    assert_eq!(h.post("/api/v1/org-unit/projects", json!({"name": "z", "clusterId": h.server.cluster_id(), "parentId": "999", "resources": []})).await.0, 404);
    assert_eq!(h.get("/api/v1/org-unit/projects/999").await.0, 404);
    assert_eq!(
        h.put("/api/v1/org-unit/projects/999", json!({"resources": []}))
            .await
            .0,
        404
    );

    let (status, body) = h.delete(&format!("/api/v1/org-unit/projects/{id}")).await;
    assert_eq!(status, 202);
    assert_eq!(body, Value::Null);
    assert_eq!(
        h.get(&format!("/api/v1/org-unit/projects/{id}")).await.0,
        404
    );
    assert_eq!(
        h.get("/api/v1/org-unit/projects/count").await.1,
        json!({"count": 1})
    );

    let (status, legacy) = h
        .get(&format!(
            "/v1/k8s/clusters/{}/projects",
            h.server.cluster_id()
        ))
        .await;
    assert_eq!(status, 200);
    assert_eq!(legacy[0]["name"], "team-b");
}

#[tokio::test]
async fn bodies_are_validated_against_the_spec() {
    let h = harness().await;
    let (status, err) = h
        .post(
            "/api/v1/org-unit/projects",
            json!({"name": "p", "clusterId": h.server.cluster_id(), "resources": [{"gpu": {"deserved": "lots"}}]}),
        )
        .await;
    assert_eq!(status, 400);
    assert_eq!(err["code"], 400);
    let message = err["message"].as_str().expect("message");
    assert!(
        message.starts_with("body.resources[0].gpu.deserved: expected number"),
        "{message}"
    );
    assert!(err["details"].is_string());

    let (status, err) = h
        .post(
            "/api/v1/org-unit/projects",
            json!({"clusterId": h.server.cluster_id(), "resources": []}),
        )
        .await;
    assert_eq!(status, 400);
    assert!(
        err["message"].as_str().expect("m").contains("body.name"),
        "{err}"
    );
    let (status, err) = h
        .post("/api/v1/users", json!({"email": "not-an-email"}))
        .await;
    assert_eq!(status, 400);
    assert!(
        err["message"].as_str().expect("m").contains("body.email"),
        "{err}"
    );
    let (status, _) = h.send(Method::POST, "/api/v1/clusters", None).await;
    assert_eq!(status, 400);
    let (status, _) = h.get("/api/v1/org-unit/projects?limit=many").await;
    assert_eq!(status, 400);
    let (status, _) = h.get("/api/v1/no/such/route").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn users_crud() {
    let h = harness().await;
    let (status, created) = h
        .post(
            "/api/v1/users",
            json!({"email": "ann@example.com", "notify": false}),
        )
        .await;
    assert_eq!(status, 201);
    assert_conforms("UserPostResponse", &created);
    let id = created["id"].as_str().expect("id").to_string();
    assert_eq!(
        h.post("/api/v1/users", json!({"email": "ANN@example.com"}))
            .await
            .0,
        409
    );

    let (status, user) = h.get(&format!("/api/v1/users/{id}")).await;
    assert_eq!(status, 200);
    assert_conforms("User2", &user);
    assert_eq!(user["username"], "ann@example.com");
    assert_eq!(user["createdBy"], h.server.client_id().as_str());

    // The temporary password logs in.
    let http = &h.http;
    let r = http
        .post(format!("{}/api/v1/token", h.server.url()))
        .body(json!({"grantType": "password", "username": "ann@example.com", "password": created["tempPassword"]}).to_string())
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 200);

    let (status, list) = h.get("/api/v1/users").await;
    assert_eq!(status, 200);
    assert_conforms("Users1", &list);
    assert_eq!(list.as_array().map(Vec::len), Some(2));
    assert_eq!(
        h.get("/api/v1/users/count?search=ann").await.1,
        json!({"count": 1})
    );
    let (status, reset) = h
        .post(&format!("/api/v1/users/{id}/password"), json!({}))
        .await;
    assert_eq!(status, 200);
    assert!(reset["tempPassword"].is_string() && reset["tempPassword"] != created["tempPassword"]);
    assert_eq!(
        h.post(&format!("/api/v1/users/{id}/logout"), json!({}))
            .await
            .0,
        200
    );

    assert_eq!(
        h.delete(&format!("/api/v1/users/{id}")).await,
        (204, Value::Null)
    );
    assert_eq!(h.get(&format!("/api/v1/users/{id}")).await.0, 404);
    assert_eq!(h.delete(&format!("/api/v1/users/{id}")).await.0, 404);
}

// ---------------------------------------------------------------- listing

async fn names(h: &Harness, query: &str) -> (u16, Vec<String>, Option<u64>) {
    let (status, body) = h.get(&format!("/api/v1/org-unit/projects?{query}")).await;
    let names = body["projects"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| p["name"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    (status, names, body["next"].as_u64())
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn pagination_with_next() {
    let h = harness().await;
    for i in 0..5 {
        h.create_project(&format!("p{i}"), 1.0).await;
    }
    assert_eq!(
        names(&h, "limit=2").await,
        (200, strings(&["p0", "p1"]), Some(2))
    );
    assert_eq!(
        names(&h, "limit=2&offset=2").await,
        (200, strings(&["p2", "p3"]), Some(4))
    );
    assert_eq!(
        names(&h, "limit=2&offset=4").await,
        (200, strings(&["p4"]), None)
    );
    assert_eq!(names(&h, "offset=10").await, (200, vec![], None));
    let (_, all, next) = names(&h, "").await;
    assert_eq!((all.len(), next), (5, None));
    let (status, refused) = h.get("/api/v1/org-unit/projects?limit=501").await;
    assert_eq!(status, 400);
    // The bounds are the spec's, as the catalogue records them.
    assert!(
        refused["message"]
            .as_str()
            .is_some_and(|m| m.contains("limit") && m.contains("[1, 500]")),
        "{refused}"
    );
    assert_eq!(h.get("/api/v1/org-unit/projects?limit=0").await.0, 400);
    assert_eq!(h.get("/api/v1/org-unit/projects?limit=500").await.0, 200);
    // Users answer a bare array, paged by offset/limit.
    let (status, users) = h.get("/api/v1/users?limit=1").await;
    assert_eq!((status, users.as_array().map(Vec::len)), (200, Some(1)));
}

#[tokio::test]
async fn filter_operators() {
    let h = harness().await;
    for (name, gpus) in [
        ("alpha", 1.0),
        ("beta", 2.0),
        ("gamma", 10.0),
        ("alphabet", 3.0),
    ] {
        h.create_project(name, gpus).await;
    }
    let cases = [
        ("name==beta", vec!["beta"]),
        ("name!=beta", vec!["alpha", "gamma", "alphabet"]),
        ("totalGpuQuota<=2", vec!["alpha", "beta"]),
        ("totalGpuQuota>=3", vec!["gamma", "alphabet"]),
        ("name=@ph", vec!["alpha", "alphabet"]),
        ("name!@ph", vec!["beta", "gamma"]),
        ("name=^al", vec!["alpha", "alphabet"]),
        ("name=$ta", vec!["beta"]),
        (
            "name=@a,totalGpuQuota>=2",
            vec!["beta", "gamma", "alphabet"],
        ),
        (
            "parentName==default",
            vec!["alpha", "beta", "gamma", "alphabet"],
        ),
        ("phase==Ready", vec!["alpha", "beta", "gamma", "alphabet"]),
    ];
    for (filter, expected) in cases {
        let query = format!(
            "filterBy={}",
            percent_encoding::utf8_percent_encode(filter, percent_encoding::NON_ALPHANUMERIC)
        );
        let (status, got, _) = names(&h, &query).await;
        assert_eq!((status, got), (200, strings(&expected)), "{filter}");
    }
    // Repeated parameters combine like commas.
    let (_, got, _) = names(&h, "filterBy=name%3D%40a&filterBy=totalGpuQuota%3C%3D2").await;
    assert_eq!(got, strings(&["alpha", "beta"]));
    let (_, count) = h
        .get("/api/v1/org-unit/projects/count?filterBy=name%3D%5Eal")
        .await;
    assert_eq!(count, json!({"count": 2}));
    assert_eq!(
        h.get("/api/v1/org-unit/projects?filterBy=name~x").await.0,
        400
    );
    assert_eq!(
        h.get("/api/v1/org-unit/projects?filterBy=colour%3D%3Dred")
            .await
            .0,
        400
    );
    assert_eq!(
        h.get("/api/v1/org-unit/departments?filterBy=name%3D%3Ddefault")
            .await
            .1["departments"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
}

#[tokio::test]
async fn sort_and_search() {
    let h = harness().await;
    for (name, gpus) in [("bravo", 5.0), ("alpha", 10.0), ("charlie", 1.0)] {
        h.create_project(name, gpus).await;
    }
    assert_eq!(
        names(&h, "sortBy=name").await.1,
        strings(&["alpha", "bravo", "charlie"])
    );
    assert_eq!(
        names(&h, "sortBy=name&sortOrder=desc").await.1,
        strings(&["charlie", "bravo", "alpha"])
    );
    assert_eq!(
        names(&h, "sortBy=totalGpuQuota").await.1,
        strings(&["charlie", "bravo", "alpha"])
    );
    assert_eq!(
        h.get("/api/v1/org-unit/projects?sortBy=colour").await.0,
        400
    );
    assert_eq!(h.get("/api/v1/org-unit/projects?sortOrder=up").await.0, 400);
    assert_eq!(names(&h, "search=RAV").await.1, strings(&["bravo"]));
    assert_eq!(
        h.get("/api/v1/org-unit/projects/count?search=a").await.1,
        json!({"count": 3})
    );
    let (_, users) = h
        .get("/api/v1/users?sortBy=username&sortOrder=desc&search=admin")
        .await;
    assert_eq!(users[0]["username"], ADMIN_EMAIL);
}

/// What the spec says of a query parameter is what the fake checks, and no more.
#[tokio::test]
async fn query_parameters_as_the_spec_says() {
    let h = harness().await;
    h.create_project("alpha", 1.0).await;
    // An empty filterBy is the empty array: no filter.
    assert_eq!(
        names(&h, "filterBy=").await,
        (200, strings(&["alpha"]), None)
    );
    assert_eq!(h.get("/api/v1/users/count?filterBy=").await.0, 200);
    // offset is an int32.
    assert_eq!(names(&h, "offset=2147483647").await.0, 200);
    assert_eq!(names(&h, "offset=2147483648").await.0, 400);
    // It has no minimum: below zero is the start.
    assert_eq!(
        names(&h, "offset=-2147483648").await,
        (200, strings(&["alpha"]), None)
    );
    // A required parameter is required.
    let telemetry = "/api/v1/org-unit/projects/telemetry";
    let (status, refused) = h.get(telemetry).await;
    assert_eq!(status, 400, "{refused}");
    assert!(refused["message"]
        .as_str()
        .is_some_and(|m| m.contains("telemetryType")));
    let ok = format!("{telemetry}?telemetryType=GPU_QUOTA");
    assert_eq!(h.get(&ok).await.0, 200);
    // An array's items have their enum; a uuid is a uuid.
    assert_eq!(
        h.get(&format!("{ok}&groupBy=ClusterId,ParentId")).await.0,
        200
    );
    assert_eq!(h.get(&format!("{ok}&groupBy=ClusterId,TRUE")).await.0, 400);
    let three = format!("{ok}&groupBy=ClusterId,ParentId,NodepoolId");
    assert_eq!(h.get(&three).await.0, 400, "at most 2 items");
    assert_eq!(
        h.get(&format!("{ok}&groupBy=")).await.0,
        200,
        "the empty array"
    );
    assert_eq!(h.get(&format!("{ok}&clusterId=not-a-uuid")).await.0, 400);
    // A date-time is RFC 3339's.
    let metrics = format!(
        "/api/v1/org-unit/projects/{}/metrics?metricType=GPU_QUOTA",
        h.get("/api/v1/org-unit/projects").await.1["projects"][0]["id"]
            .as_str()
            .expect("a project")
    );
    for (window, status) in [
        (
            "start=2026-01-01T00:00:00Z&end=2026-01-02T00:00:00.5%2B01:00",
            200,
        ),
        ("start=2026-01-01&end=2026-01-02T00:00:00Z", 400),
        (
            "start=2026-01-01 00:00:00.211&end=2026-01-02T00:00:00Z",
            400,
        ),
        ("start=q&end=2026-01-02T00:00:00Z", 400),
    ] {
        let (got, body) = h.get(&format!("{metrics}&{window}")).await;
        assert_eq!(got, status, "{window}: {body}");
    }
    let cluster = h.get("/api/v1/clusters").await.1[0]["uuid"].clone();
    let cluster = cluster.as_str().expect("the seed cluster has a uuid");
    assert_eq!(h.get(&format!("{ok}&clusterId={cluster}")).await.0, 200);
}

// ---------------------------------------------------------------- faults and recording

#[tokio::test]
async fn status_fault_with_retry_after_is_consumed() {
    let h = harness().await;
    h.server.inject(Fault {
        path_glob: "/api/v1/org-unit/**".into(),
        method: Some("GET".into()),
        status: Some(503),
        times: 2,
        retry_after: Some(2.0),
        ..Fault::default()
    });
    let url = format!("{}/api/v1/org-unit/projects", h.server.url());
    // Another method or path is not matched.
    assert_eq!(h.get("/api/v1/clusters").await.0, 200);
    for _ in 0..2 {
        let r = h
            .http
            .get(&url)
            .bearer_auth(&h.token)
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), 503);
        assert_eq!(
            r.headers().get("retry-after").and_then(|v| v.to_str().ok()),
            Some("2")
        );
        let body: Value = serde_json::from_slice(&r.bytes().await.expect("b")).expect("json");
        assert_eq!(body["code"], 503);
    }
    assert_eq!(
        h.get("/api/v1/org-unit/projects").await.0,
        200,
        "used up after `times`"
    );

    h.server.inject(Fault {
        path_glob: "/api/v1/token".into(),
        status: Some(429),
        retry_after: Some(0.5),
        body: Some(json!({"code": 429, "message": "slow down"})),
        ..Fault::default()
    });
    let r = h
        .http
        .post(format!("{}/api/v1/token", h.server.url()))
        .body("{}")
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 429);
    assert_eq!(
        r.headers().get("retry-after").and_then(|v| v.to_str().ok()),
        Some("0.5")
    );
    let body: Value = serde_json::from_slice(&r.bytes().await.expect("b")).expect("json");
    assert_eq!(body["message"], "slow down");
}

#[tokio::test]
async fn first_queued_match_wins() {
    let h = harness().await;
    h.server.inject(Fault {
        path_glob: "/api/v1/clusters".into(),
        status: Some(500),
        ..Fault::default()
    });
    h.server.inject(Fault {
        path_glob: "/api/**".into(),
        status: Some(502),
        ..Fault::default()
    });
    assert_eq!(h.get("/api/v1/clusters").await.0, 500);
    assert_eq!(h.get("/api/v1/clusters").await.0, 502);
    assert_eq!(h.get("/api/v1/clusters").await.0, 200);
}

#[tokio::test]
async fn delay_fault() {
    let h = harness().await;
    h.server.inject(Fault {
        path_glob: "/api/v1/clusters".into(),
        delay: Some(Duration::from_millis(1500)),
        ..Fault::default()
    });
    let started = Instant::now();
    assert_eq!(
        h.get("/api/v1/clusters").await.0,
        200,
        "then the normal answer"
    );
    assert!(started.elapsed() >= Duration::from_millis(1500));
    // Used up: the next answer comes without the delay (the bound leaves room for a
    // loaded machine).
    let started = Instant::now();
    assert_eq!(h.get("/api/v1/clusters").await.0, 200);
    assert!(started.elapsed() < Duration::from_millis(1500), "consumed");
}

#[tokio::test]
async fn drop_connection_fault() {
    let h = harness().await;
    h.server.inject(Fault {
        path_glob: "/api/v1/*".into(),
        drop_connection: true,
        ..Fault::default()
    });
    let result = h
        .http
        .get(format!("{}/api/v1/clusters", h.server.url()))
        .bearer_auth(&h.token)
        .send()
        .await;
    assert!(result.is_err(), "no response: {result:?}");
    assert_eq!(h.get("/api/v1/clusters").await.0, 200);
    let recorded = h.server.requests();
    let statuses: Vec<u16> = recorded
        .iter()
        .filter(|r| r.path == "/api/v1/clusters")
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, vec![0, 200]);
}

#[tokio::test]
async fn requests_are_recorded_without_secrets() {
    let h = harness().await;
    h.get("/api/v1/org-unit/projects?limit=5&filterBy=name%3D%40x")
        .await;
    h.create_project("recorded", 1.0).await;
    let recorded = h.server.requests();
    assert_eq!(
        recorded
            .iter()
            .map(|r| (r.method.as_str(), r.path.as_str(), r.status))
            .collect::<Vec<_>>(),
        vec![
            ("POST", "/api/v1/token", 200),
            ("GET", "/api/v1/org-unit/projects", 200),
            ("POST", "/api/v1/org-unit/projects", 201),
        ]
    );
    let token_request = &recorded[0];
    let body = String::from_utf8_lossy(&token_request.body);
    assert!(!body.contains(&h.server.client_secret()), "{body}");
    assert!(body.contains("\"clientSecret\":\"***\""), "{body}");
    assert!(body.contains(&h.server.client_id()));
    assert_eq!(recorded[1].query, "limit=5&filterBy=name%3D%40x");
    let auth: Vec<&str> = recorded[1]
        .headers
        .iter()
        .filter(|(k, _)| k == "authorization")
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(auth, vec!["Bearer ***"]);
    assert!(recorded
        .iter()
        .all(|r| r.headers.iter().all(|(_, v)| !v.contains(&h.token))));
    assert!(String::from_utf8_lossy(&recorded[2].body).contains("recorded"));

    let r = h
        .http
        .post(format!("{}/api/v2/token", h.server.url()))
        .form(&[
            ("grant_type", "password"),
            ("username", ADMIN_EMAIL),
            ("password", ADMIN_PASSWORD),
        ])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 200);
    let last = h.server.requests().pop().expect("recorded");
    let body = String::from_utf8_lossy(&last.body).into_owned();
    assert!(
        !body.contains(ADMIN_PASSWORD) && body.contains("password=***"),
        "{body}"
    );

    h.server.clear_requests();
    assert!(h.server.requests().is_empty());
}

#[tokio::test]
async fn servers_are_independent_and_stop() {
    let a = FakeServer::start(FakeConfig::default()).expect("a");
    let b = FakeServer::start(FakeConfig::default()).expect("b");
    assert_ne!(a.port(), b.port());
    assert_ne!(a.client_secret(), b.client_secret());
    assert_eq!(a.url(), format!("http://127.0.0.1:{}", a.port()));
    let http = http();
    let token = token_for(&http, &a).await;
    // A token from one server means nothing to another.
    let r = http
        .get(format!("{}/api/v1/clusters", b.url()))
        .bearer_auth(&token)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 401);
    a.stop();
    a.stop();
    assert!(http
        .get(format!("{}/api/v1/clusters", a.url()))
        .send()
        .await
        .is_err());
}

#[test]
fn starts_outside_any_runtime() {
    let server = FakeServer::start(FakeConfig::default()).expect("start");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt");
    let status = runtime.block_on(async {
        http()
            .get(format!("{}/api/v1/clusters", server.url()))
            .send()
            .await
            .expect("send")
            .status()
    });
    assert_eq!(status, 401);
    drop(server);
}

#[test]
fn the_public_handle_can_be_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<FakeServer>();
    assert_send_sync::<Fault>();
    assert_send_sync::<RecordedRequest>();
}

/// Every operation of the catalogue reaches an area that answers it: none is a 501. A
/// request with made-up path values and an empty body is refused (400, 404, ...) by the
/// area or the checks before it, never left unimplemented.
#[tokio::test]
async fn every_operation_is_implemented() {
    let h = harness().await;
    let mut unimplemented = Vec::new();
    for op in &Catalogue::get().operations {
        let path = op
            .path
            .split('/')
            .map(|part| if part.starts_with('{') { "1" } else { part })
            .collect::<Vec<_>>()
            .join("/");
        let method = Method::from_bytes(op.method.as_bytes()).expect("a method");
        let body = op.body.as_ref().map(|_| json!({}));
        let (status, _) = h.send(method, &path, body).await;
        if status == 501 {
            unimplemented.push(op.id.as_str());
        }
    }
    assert!(unimplemented.is_empty(), "{unimplemented:?}");
    assert_eq!(h.send(Method::PATCH, "/api/v1/clusters", None).await.0, 405);
}
