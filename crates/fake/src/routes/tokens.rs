//! The token routes, answered before any bearer check: `/api/v1/token` (JSON),
//! `/api/v2/token` (OAuth2 form), the seed-era Keycloak realm
//! (`/auth/realms/{realm}/protocol/openid-connect/token`), `/v1/k8s/auth/login` and the
//! deprecated `/v1/k8s/auth/oauth/apptoken`. Every grant they answer, given or refused, is
//! a sign-in in the audit log.

use std::collections::HashMap;

use serde_json::{json, Map, Value};

use crate::audit_log::AuditEntry;
use crate::authority::{Issued, Subject};
use crate::context::{Request, Shared};
use crate::error::ApiError;
use crate::reply::Reply;
use crate::seed::{REALM, TENANT_ID};
use crate::store::now;

/// The answer of a token route, or `None` when the path is not one.
pub(crate) fn route(shared: &Shared, req: &Request) -> Option<Reply> {
    let path = req.path.trim_end_matches('/');
    let keycloak_realm = path
        .strip_prefix("/auth/realms/")
        .and_then(|rest| rest.strip_suffix("/protocol/openid-connect/token"))
        .filter(|realm| !realm.contains('/'));
    let route: fn(&Shared, &Request) -> Reply = match (path, keycloak_realm) {
        ("/api/v1/token", _) => token_v1,
        ("/api/v2/token", _) => token_v2,
        ("/v1/k8s/auth/login", _) => legacy_login,
        ("/v1/k8s/auth/oauth/apptoken", _) => app_token,
        (_, Some(_)) => keycloak,
        _ => return None,
    };
    if !req.method.eq_ignore_ascii_case("POST") {
        return Some(ApiError::new(405, "method not allowed; use POST").into());
    }
    let reply = route(shared, req);
    record_sign_in(shared, req, &reply);
    Some(reply)
}

/// The body's fields that name who signs in (never its secrets), lower-cased, and whether
/// they name a user: JSON or form, whichever the route reads.
fn claimed(body: &[u8]) -> Option<(String, bool)> {
    let fields: HashMap<String, String> = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => map
            .into_iter()
            .filter_map(|(k, v)| Some((k.to_ascii_lowercase(), v.as_str()?.to_string())))
            .collect(),
        _ => form(body)
            .into_iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .collect(),
    };
    let pick = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| fields.get(*n).filter(|v| !v.is_empty()).cloned())
    };
    pick(&["username", "email"])
        .map(|user| (user, true))
        .or_else(|| pick(&["clientid", "client_id", "appid", "id"]).map(|app| (app, false)))
}

/// One audit entry per grant answered: the subject the issued token speaks for, or, when
/// refused, the one the request claimed to be. A path no grant lives at (an unknown
/// realm) is no sign-in.
fn record_sign_in(shared: &Shared, req: &Request, reply: &Reply) {
    if !matches!(reply.status, 200 | 400 | 401) {
        return;
    }
    let issued = serde_json::from_slice::<Value>(reply.body.at_hand())
        .ok()
        .and_then(|body| {
            ["accessToken", "access_token"]
                .iter()
                .find_map(|key| body.get(key)?.as_str().map(str::to_string))
        });
    let mut store = shared.store_mut();
    let signed_in = issued.and_then(|token| shared.authority.check(&token, &store).ok());
    let (subject, is_user) = match &signed_in {
        Some(subject) => (subject.actor().to_string(), subject.email.is_some()),
        None => claimed(&req.body).unwrap_or_else(|| ("unknown".into(), false)),
    };
    let entity_id = store
        .users
        .iter()
        .find(|u| is_user && u.username.eq_ignore_ascii_case(&subject))
        .map(|u| u.id.clone());
    store.audit_log.push(AuditEntry {
        id: uuid::Uuid::new_v4().to_string(),
        timestamp: now(),
        subject: subject.clone(),
        subject_type: if is_user { "User" } else { "App" },
        action: "sign-in",
        http_method: "POST".into(),
        url: format!("{}{}", shared.url, req.path),
        entity_type: if is_user { "user" } else { "application" }.into(),
        entity_id,
        entity_name: Some(subject),
        succeeded: reply.status == 200,
        http_status_code: reply.status,
        cluster_id: None,
        cluster_name: None,
        request_id: uuid::Uuid::new_v4().to_string(),
    });
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
    shared.store_mut().login(username, password)
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
        Err(err) => err.into(),
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
            let subject = authority
                .client(&mut shared.store_mut(), id, secret)
                .ok_or_else(|| ApiError::unauthorized("invalid client credentials"))?;
            issue(shared, subject)
        }
        "password" => {
            let (username, password) = (field("username")?, field("password")?);
            if !user_login(shared, username, password) {
                return Err(ApiError::unauthorized("invalid username or password"));
            }
            issue(shared, Subject::user(username))
        }
        "refresh_token" => {
            let token = field("refreshtoken")?;
            let subject = authority
                .redeem_refresh(token, &shared.store())
                .ok_or_else(|| ApiError::unauthorized("invalid or revoked refresh token"))?;
            issue(shared, subject)
        }
        "exchange_token" | "external_token_exchange" => Err(ApiError::bad_request(format!(
            "grant type {grant} needs an identity provider; the fake control plane has none"
        ))),
        other => Err(ApiError::bad_request(format!(
            "unsupported grant type: {other}"
        ))),
    }
}

/// Tokens for `subject`; a signing failure is the server's fault (500).
fn issue(shared: &Shared, subject: Subject) -> Result<Issued, ApiError> {
    shared
        .authority
        .issue(&subject)
        .map_err(|e| ApiError::new(500, e.to_string()))
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
            let Some(subject) = authority.client(&mut shared.store_mut(), id, secret) else {
                return Err(oauth_error(
                    401,
                    "invalid_client",
                    "client authentication failed",
                ));
            };
            issue(shared, subject)
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
            issue(shared, Subject::user(username))
        }
        "refresh_token" => {
            let token = field("refresh_token")?;
            let Some(subject) = authority.redeem_refresh(token, &shared.store()) else {
                return Err(oauth_error(
                    401,
                    "invalid_grant",
                    "invalid or revoked refresh token",
                ));
            };
            issue(shared, subject)
        }
        // The fake hands out no authorization codes: any code is one it never issued.
        "authorization_code" => {
            return Err(oauth_error(
                400,
                "invalid_grant",
                "the authorization code is invalid or expired",
            ))
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

/// A non-empty text field of a JSON body, or the 400 naming it.
fn required_text(body: &Map<String, Value>, name: &str) -> Result<String, ApiError> {
    body.get(name)
        .and_then(Value::as_str)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .ok_or_else(|| ApiError::bad_request(format!("missing field: {name}")))
}

/// `POST /v1/k8s/auth/login` with `{email, password}`.
fn legacy_login(shared: &Shared, req: &Request) -> Reply {
    let result = json_object(&req.body).and_then(|body| {
        let text = |name: &str| required_text(&body, name);
        let (email, password) = (text("email")?, text("password")?);
        if !user_login(shared, &email, &password) {
            return Err(ApiError::unauthorized("invalid email or password"));
        }
        issue(shared, Subject::user(&email))
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
        Err(err) => err.into(),
    }
}

/// `POST /v1/k8s/auth/oauth/apptoken` (deprecated) with `{id, name, secret}`: an
/// application's token. `id` is its client id (or, for a service account, its id too).
fn app_token(shared: &Shared, req: &Request) -> Reply {
    let result = json_object(&req.body).and_then(|body| {
        // Present, as the schema requires; an empty id or secret is a wrong one (401).
        let text = |name: &str| {
            body.get(name)
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| ApiError::bad_request(format!("missing field: {name}")))
        };
        let (id, _name, secret) = (text("id")?, text("name")?, text("secret")?);
        let mut store = shared.store_mut();
        let client_id = store
            .service_accounts
            .iter()
            .find(|a| a.id == id)
            .map_or(id, |a| a.client_id.clone());
        let subject = shared
            .authority
            .client(&mut store, &client_id, &secret)
            .ok_or_else(|| ApiError::unauthorized("invalid application credentials"))?;
        drop(store);
        issue(shared, subject)
    });
    match result {
        Ok(issued) => Reply::json(
            200,
            &json!({"access_token": issued.access, "id_token": issued.id}),
        ),
        Err(err) => err.into(),
    }
}
