//! Token issuing and checking: the v1 JSON and v2 OAuth2 token endpoints, the seed-era
//! Keycloak realm and `/v1/k8s/auth/login`, and the bearer check every other route needs.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::distr::{Alphanumeric, SampleString};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::reply::{ApiError, Reply};
use super::server::{Request, Shared};

/// The seeded admin user.
pub const ADMIN_EMAIL: &str = "admin@example.com";
/// Password of the seeded admin user. The fake serves tests and demos on the loopback
/// interface, so a readable, documented value is more useful than a random one.
pub const ADMIN_PASSWORD: &str = "administrator";
/// The seed-era Keycloak realm the fake answers for.
pub const REALM: &str = "runai";
/// The seeded tenant.
pub const TENANT_ID: i64 = 1001;
/// Client id of the seeded application (its secret is random per server).
const APP_CLIENT_ID: &str = "runai-admin-fake-app";

#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Claims {
    pub sub: String,
    pub exp: u64,
    pub iat: u64,
    pub iss: String,
    pub tenant_id: i64,
    pub jti: String,
    /// `expire_tokens()` bumps the server's generation; older tokens stop working.
    pub generation: u64,
    /// `access` or `id`: an id token is not a bearer credential.
    pub typ: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

struct RefreshGrant {
    subject: String,
    email: Option<String>,
    generation: u64,
}

pub(crate) struct Authority {
    issuer: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
    pub client_id: String,
    pub client_secret: String,
    lifetime: Mutex<Duration>,
    generation: AtomicU64,
    refresh: Mutex<HashMap<String, RefreshGrant>>,
}

pub(crate) struct Issued {
    pub access: String,
    pub id: String,
    pub refresh: String,
    pub expires_in: u64,
}

fn now_secs() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

fn random_string(len: usize) -> String {
    Alphanumeric.sample_string(&mut rand::rng(), len)
}

impl Authority {
    pub fn new(issuer: String, lifetime: Duration) -> std::io::Result<Authority> {
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        let key_error = |e: jsonwebtoken::errors::Error| std::io::Error::other(e.to_string());
        Ok(Authority {
            issuer,
            encoding: EncodingKey::from_secret(&key).map_err(key_error)?,
            decoding: DecodingKey::from_secret(&key).map_err(key_error)?,
            client_id: APP_CLIENT_ID.to_string(),
            client_secret: random_string(32),
            lifetime: Mutex::new(lifetime),
            generation: AtomicU64::new(0),
            refresh: Mutex::new(HashMap::new()),
        })
    }

    pub fn expire_all(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.refresh
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    pub fn set_lifetime(&self, lifetime: Duration) {
        *self.lifetime.lock().unwrap_or_else(PoisonError::into_inner) = lifetime;
    }

    /// Whole seconds, rounded up, at least 1: what `expiresIn` and `exp` both honour.
    fn lifetime_secs(&self) -> u64 {
        let lifetime = *self.lifetime.lock().unwrap_or_else(PoisonError::into_inner);
        (lifetime.as_secs_f64().ceil() as u64).max(1)
    }

    fn app_matches(&self, id: &str, secret: &str) -> bool {
        id == self.client_id && secret == self.client_secret
    }

    fn issue(&self, subject: &str, email: Option<&str>) -> Result<Issued, ApiError> {
        let now = now_secs();
        let expires_in = self.lifetime_secs();
        let generation = self.generation.load(Ordering::SeqCst);
        let claims = |typ: &str| Claims {
            sub: subject.to_string(),
            // Rounded up so that a token is never shorter-lived than announced.
            exp: (now + expires_in as f64).ceil() as u64,
            iat: now.floor() as u64,
            iss: self.issuer.clone(),
            tenant_id: TENANT_ID,
            jti: uuid::Uuid::new_v4().to_string(),
            generation,
            typ: typ.to_string(),
            email: email.map(str::to_string),
        };
        let header = Header::new(Algorithm::HS256);
        let sign = |c: &Claims| {
            jsonwebtoken::encode(&header, c, &self.encoding)
                .map_err(|e| ApiError::new(500, format!("could not sign a token: {e}")))
        };
        let access = sign(&claims("access"))?;
        let id = sign(&claims("id"))?;
        let refresh = random_string(48);
        self.refresh
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(
                refresh.clone(),
                RefreshGrant {
                    subject: subject.to_string(),
                    email: email.map(str::to_string),
                    generation,
                },
            );
        Ok(Issued {
            access,
            id,
            refresh,
            expires_in,
        })
    }

    fn redeem_refresh(&self, token: &str) -> Option<(String, Option<String>)> {
        let grants = self.refresh.lock().unwrap_or_else(PoisonError::into_inner);
        let grant = grants.get(token)?;
        (grant.generation == self.generation.load(Ordering::SeqCst))
            .then(|| (grant.subject.clone(), grant.email.clone()))
    }

    /// Check an `Authorization` header value; the error is the 401 message.
    pub fn verify(&self, authorization: Option<&str>) -> Result<Claims, ApiError> {
        let header = authorization.ok_or_else(|| {
            ApiError::unauthorized("missing Authorization header; send 'Bearer <token>'")
        })?;
        let token = header
            .split_once(' ')
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .ok_or_else(|| {
                ApiError::unauthorized("Authorization header is not 'Bearer <token>'")
            })?;
        let mut validation = Validation::new(Algorithm::HS256);
        // Expiry is checked below to the fraction of a second, without jsonwebtoken's leeway.
        validation.validate_exp = false;
        validation.required_spec_claims.clear();
        validation.set_issuer(&[self.issuer.as_str()]);
        let claims = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .map_err(|_| ApiError::unauthorized("invalid token"))?
            .claims;
        if claims.typ != "access" {
            return Err(ApiError::unauthorized("not an access token"));
        }
        if now_secs() >= claims.exp as f64 {
            return Err(ApiError::unauthorized("token expired"));
        }
        if claims.generation != self.generation.load(Ordering::SeqCst) {
            return Err(ApiError::unauthorized("token revoked"));
        }
        Ok(claims)
    }
}

/// The answer of a token route, or `None` when the path is not one.
pub(crate) fn token_route(shared: &Shared, req: &Request) -> Option<Reply> {
    let path = req.path.trim_end_matches('/');
    let keycloak_realm = path
        .strip_prefix("/auth/realms/")
        .and_then(|rest| rest.strip_suffix("/protocol/openid-connect/token"))
        .filter(|realm| !realm.contains('/'));
    let route: fn(&Shared, &Request) -> Reply = match (path, keycloak_realm) {
        ("/api/v1/token", _) => token_v1,
        ("/api/v2/token", _) => token_v2,
        ("/v1/k8s/auth/login", _) => legacy_login,
        (_, Some(_)) => keycloak,
        _ => return None,
    };
    if !req.method.eq_ignore_ascii_case("POST") {
        return Some(ApiError::new(405, "method not allowed; use POST").reply());
    }
    Some(route(shared, req))
}

fn json_object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::bad_request("request body must be a JSON object")),
        Err(e) => Err(ApiError::bad_request(format!(
            "request body is not valid JSON: {e}"
        ))),
    }
}

fn form(body: &[u8]) -> HashMap<String, String> {
    form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn user_login(shared: &Shared, username: &str, password: &str) -> bool {
    shared.store().login(username, password)
}

/// `POST /api/v1/token`. Field names match case-insensitively: the official SDK sends
/// `AppId`/`AppSecret` where the spec says `appID`/`appSecret`.
fn token_v1(shared: &Shared, req: &Request) -> Reply {
    match token_v1_inner(shared, req) {
        Ok(issued) => Reply::json(
            200,
            &json!({
                "accessToken": issued.access,
                "expiresIn": issued.expires_in,
                "idToken": issued.id,
                "refreshToken": issued.refresh,
            }),
        ),
        Err(err) => err.reply(),
    }
}

fn token_v1_inner(shared: &Shared, req: &Request) -> Result<Issued, ApiError> {
    let body = json_object(&req.body)?;
    let fields: HashMap<String, String> = body
        .iter()
        .filter_map(|(k, v)| v.as_str().map(|v| (k.to_ascii_lowercase(), v.to_string())))
        .collect();
    let field = |name: &str| -> Result<&str, ApiError> {
        fields
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| ApiError::bad_request(format!("missing field: {name}")))
    };
    let grant = field("granttype")
        .map_err(|_| ApiError::bad_request("missing field: grantType"))?
        .to_string();
    let authority = &shared.authority;
    match grant.as_str() {
        "client_credentials" | "app_token" => {
            let (id_key, secret_key) = if grant == "app_token" {
                ("appid", "appsecret")
            } else {
                ("clientid", "clientsecret")
            };
            let (id, secret) = (field(id_key)?, field(secret_key)?);
            if !authority.app_matches(id, secret) {
                return Err(ApiError::unauthorized("invalid client credentials"));
            }
            authority.issue(id, None)
        }
        "password" => {
            let (username, password) = (field("username")?, field("password")?);
            if !user_login(shared, username, password) {
                return Err(ApiError::unauthorized("invalid username or password"));
            }
            authority.issue(username, Some(username))
        }
        "refresh_token" => {
            let token = field("refreshtoken")?;
            let (subject, email) = authority
                .redeem_refresh(token)
                .ok_or_else(|| ApiError::unauthorized("invalid or revoked refresh token"))?;
            authority.issue(&subject, email.as_deref())
        }
        "exchange_token" | "external_token_exchange" => Err(ApiError::bad_request(format!(
            "grant type {grant} needs an identity provider; the fake control plane has none"
        ))),
        other => Err(ApiError::bad_request(format!(
            "unsupported grant type: {other}"
        ))),
    }
}

fn oauth_error(status: u16, error: &str, description: &str) -> Reply {
    Reply::json(
        status,
        &json!({"error": error, "error_description": description}),
    )
}

/// The OAuth2 grants shared by `/api/v2/token` and the Keycloak realm.
fn oauth_grant(shared: &Shared, fields: &HashMap<String, String>) -> Result<Issued, Reply> {
    let field = |name: &str| -> Result<&str, Reply> {
        fields
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| oauth_error(400, "invalid_request", &format!("missing {name}")))
    };
    let grant = field("grant_type")?;
    let authority = &shared.authority;
    let issued = match grant {
        "client_credentials" => {
            let (id, secret) = (field("client_id")?, field("client_secret")?);
            if !authority.app_matches(id, secret) {
                return Err(oauth_error(
                    401,
                    "invalid_client",
                    "client authentication failed",
                ));
            }
            authority.issue(id, None)
        }
        "password" => {
            let (username, password) = (field("username")?, field("password")?);
            if !user_login(shared, username, password) {
                return Err(oauth_error(
                    401,
                    "invalid_grant",
                    "invalid username or password",
                ));
            }
            authority.issue(username, Some(username))
        }
        "refresh_token" => {
            let token = field("refresh_token")?;
            let Some((subject, email)) = authority.redeem_refresh(token) else {
                return Err(oauth_error(
                    401,
                    "invalid_grant",
                    "invalid or revoked refresh token",
                ));
            };
            authority.issue(&subject, email.as_deref())
        }
        _ => {
            return Err(oauth_error(
                400,
                "unsupported_grant_type",
                &format!("grant type {grant} is not supported by the fake control plane"),
            ))
        }
    };
    issued.map_err(|e| oauth_error(500, "server_error", &e.message))
}

/// `POST /api/v2/token`, form-encoded OAuth2.
fn token_v2(shared: &Shared, req: &Request) -> Reply {
    match oauth_grant(shared, &form(&req.body)) {
        Ok(issued) => Reply::json(
            200,
            &json!({
                "access_token": issued.access,
                "token_type": "Bearer",
                "expires_in": issued.expires_in,
                "refresh_token": issued.refresh,
                "id_token": issued.id,
            }),
        ),
        Err(reply) => reply,
    }
}

/// `POST /auth/realms/{realm}/protocol/openid-connect/token`, the seed-era Keycloak.
fn keycloak(shared: &Shared, req: &Request) -> Reply {
    let realm = req
        .path
        .trim_end_matches('/')
        .trim_start_matches("/auth/realms/")
        .split('/')
        .next()
        .unwrap_or("");
    if realm != REALM {
        return Reply::json(404, &json!({"error": "Realm does not exist"}));
    }
    match oauth_grant(shared, &form(&req.body)) {
        Ok(issued) => Reply::json(
            200,
            &json!({
                "access_token": issued.access,
                "expires_in": issued.expires_in,
                "refresh_expires_in": 0,
                "token_type": "bearer",
                "not-before-policy": 0,
                "scope": "profile email",
            }),
        ),
        // Keycloak names a bad client secret `unauthorized_client`.
        Err(reply) if reply.status == 401 => oauth_error(
            401,
            "unauthorized_client",
            "Invalid client or Invalid client credentials",
        ),
        Err(reply) => reply,
    }
}

/// `POST /v1/k8s/auth/login` with `{email, password}`.
fn legacy_login(shared: &Shared, req: &Request) -> Reply {
    let result = json_object(&req.body).and_then(|body| {
        let text = |name: &str| {
            body.get(name)
                .and_then(Value::as_str)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
                .ok_or_else(|| ApiError::bad_request(format!("missing field: {name}")))
        };
        let (email, password) = (text("email")?, text("password")?);
        if !user_login(shared, &email, &password) {
            return Err(ApiError::unauthorized("invalid email or password"));
        }
        shared.authority.issue(&email, Some(&email))
    });
    match result {
        Ok(issued) => Reply::json(
            200,
            &json!({
                "tenant_id": TENANT_ID,
                "access_token": issued.access,
                "token_type": "bearer",
                "expires_in": issued.expires_in,
            }),
        ),
        Err(err) => err.reply(),
    }
}
