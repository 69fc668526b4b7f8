//! The fake control plane over real HTTP, as a client sees it.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{json, Value};

use super::*;
use crate::api::Catalogue;

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

async fn harness() -> Harness {
    let server = FakeServer::start(FakeConfig::default()).expect("server starts");
    let http = http();
    let token = token_for(&http, &server).await;
    Harness {
        server,
        http,
        token,
    }
}

impl Harness {
    async fn send(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{}", self.server.url(), path))
            .bearer_auth(&self.token);
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

/// Every answer must conform to the spec's schema for it.
fn assert_conforms(schema: &str, value: &Value) {
    let catalogue = Catalogue::get();
    let schema_value = catalogue.schema(schema).expect("schema exists");
    if let Err(err) = validate::validate(catalogue, schema_value, value) {
        panic!("answer does not conform to {schema}: {err}\n{value:#}");
    }
    // `required` is what a validator of requests checks; answers must carry them too.
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
    let r = http
        .post(&url)
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &server.client_id()),
            ("client_secret", &server.client_secret()),
        ])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 200);
    let body: Value = serde_json::from_slice(&r.bytes().await.expect("b")).expect("json");
    assert_conforms("OAuth2TokenResponse", &body);
    assert_eq!(body["token_type"], "Bearer");
    let r = http
        .post(&url)
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", body["refresh_token"].as_str().expect("rt")),
        ])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 200);
    let r = http
        .post(&url)
        .form(&[
            ("grant_type", "password"),
            ("username", ADMIN_EMAIL),
            ("password", ADMIN_PASSWORD),
        ])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 200);

    let r = http
        .post(&url)
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &server.client_id()),
            ("client_secret", "bad"),
        ])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 401);
    let err: Value = serde_json::from_slice(&r.bytes().await.expect("b")).expect("json");
    assert_eq!(err["error"], "invalid_client");
    let r = http
        .post(&url)
        .form(&[("client_id", "x")])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 400);
    let err: Value = serde_json::from_slice(&r.bytes().await.expect("b")).expect("json");
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
    let r = http
        .post(keycloak(REALM))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &server.client_id()),
            ("client_secret", &server.client_secret()),
        ])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 200);
    let body: Value = serde_json::from_slice(&r.bytes().await.expect("b")).expect("json");
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

    let r = http
        .post(keycloak(REALM))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &server.client_id()),
            ("client_secret", "bad"),
        ])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 401);
    let r = http
        .post(keycloak("other"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &server.client_id()),
            ("client_secret", &server.client_secret()),
        ])
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 404);

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
    let forged = jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &json!({"sub": "x", "exp": 4_000_000_000u64, "iat": 0, "iss": h.server.url(), "tenant_id": 1001, "jti": "j", "generation": 0, "typ": "access"}),
        &jsonwebtoken::EncodingKey::from_secret(b"not the server's key").expect("key"),
    )
    .expect("encode");
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
