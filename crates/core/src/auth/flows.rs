//! One token request per flow. Each answers a token and, when the server says, its
//! lifetime; the cache turns that into a refresh time.

use std::time::Duration;

use bytes::Bytes;
use serde_json::json;

use crate::config::{AuthMethod, TokenEndpoint};
use crate::error::{CoreError, CoreResult};
use crate::http::{Request, RequestBody};
use crate::secret::Secret;

pub struct FetchedToken {
    pub token: Secret,
    /// Lifetime the server announced (`expiresIn` / `expires_in`).
    pub expires_in: Option<Duration>,
}

/// The request that obtains a token, or `None` for a fixed bearer token.
pub fn token_request(auth: &AuthMethod) -> CoreResult<Option<Request>> {
    let post = |path: String, body: RequestBody| Request {
        method: reqwest::Method::POST,
        path,
        query: Vec::new(),
        body: Some(body),
    };
    let json_body = |value: serde_json::Value| -> CoreResult<RequestBody> {
        serde_json::to_vec(&value)
            .map(|v| RequestBody::Json(Bytes::from(v)))
            .map_err(|e| CoreError::Configuration(format!("cannot encode the token request: {e}")))
    };
    Ok(Some(match auth {
        AuthMethod::Bearer(_) => return Ok(None),
        AuthMethod::ClientCredentials {
            client_id,
            client_secret,
            endpoint: TokenEndpoint::V1,
        } => post(
            "/api/v1/token".into(),
            json_body(json!({
                "grantType": "client_credentials",
                "clientID": client_id,
                "clientSecret": client_secret.expose(),
            }))?,
        ),
        AuthMethod::ClientCredentials {
            client_id,
            client_secret,
            endpoint: TokenEndpoint::V2,
        } => post(
            "/api/v2/token".into(),
            RequestBody::Form(vec![
                ("grant_type".into(), "client_credentials".into()),
                ("client_id".into(), client_id.clone()),
                ("client_secret".into(), client_secret.expose().to_string()),
            ]),
        ),
        AuthMethod::KeycloakRealm {
            realm,
            client_id,
            client_secret,
        } => post(
            format!(
                "/auth/realms/{}/protocol/openid-connect/token",
                percent_encoding::utf8_percent_encode(realm, percent_encoding::NON_ALPHANUMERIC)
            ),
            RequestBody::Form(vec![
                ("grant_type".into(), "client_credentials".into()),
                ("client_id".into(), client_id.clone()),
                ("client_secret".into(), client_secret.expose().to_string()),
            ]),
        ),
        AuthMethod::Password {
            email,
            password,
            legacy: false,
        } => post(
            "/api/v1/token".into(),
            json_body(json!({
                "grantType": "password",
                "username": email,
                "password": password.expose(),
            }))?,
        ),
        AuthMethod::Password {
            email,
            password,
            legacy: true,
        } => post(
            "/v1/k8s/auth/login".into(),
            json_body(json!({"email": email, "password": password.expose()}))?,
        ),
    }))
}

/// Lifetimes beyond a day are taken as a day: a refresh now and then costs nothing, and
/// an absurd number from a server must not overflow the clock.
pub const MAX_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// The token answers of every flow: camelCase from `/api/v1/token`, snake_case from the
/// OAuth2 endpoints. Read as a JSON tree, never into a typed struct: serde's type errors
/// quote the value they met, and a body that is the bare token (`"eyJ..."`) would put the
/// token in the error message.
const TOKEN_FIELDS: [&str; 2] = ["accessToken", "access_token"];
const LIFETIME_FIELDS: [&str; 2] = ["expiresIn", "expires_in"];

pub fn parse_token_answer(body: &[u8]) -> Result<FetchedToken, String> {
    // serde_json's syntax errors name a line and column, never the text they met.
    let answer: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| format!("the token answer is not JSON: {e}"))?;
    let fields = answer
        .as_object()
        .ok_or("the token answer is not a JSON object")?;
    let field = |names: [&str; 2]| names.iter().find_map(|name| fields.get(*name));
    let token = field(TOKEN_FIELDS)
        .and_then(serde_json::Value::as_str)
        .filter(|t| !t.is_empty())
        .ok_or("the token answer has no access token (accessToken or access_token)")?;
    let expires_in = field(LIFETIME_FIELDS).and_then(|v| {
        v.as_f64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            .filter(|s| s.is_finite() && *s > 0.0)
            .map(|s| Duration::try_from_secs_f64(s).map_or(MAX_LIFETIME, |d| d.min(MAX_LIFETIME)))
    });
    Ok(FetchedToken {
        token: Secret::new(token),
        expires_in,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_answer_spellings_parse() {
        let v1 = parse_token_answer(br#"{"accessToken":"a","expiresIn":60}"#).expect("v1");
        assert_eq!(v1.token.expose(), "a");
        assert_eq!(v1.expires_in, Some(Duration::from_secs(60)));
        let v2 =
            parse_token_answer(br#"{"access_token":"b","expires_in":"30","token_type":"Bearer"}"#)
                .expect("v2");
        assert_eq!(v2.token.expose(), "b");
        assert_eq!(v2.expires_in, Some(Duration::from_secs(30)));
        let huge = parse_token_answer(br#"{"accessToken":"a","expiresIn":1e300}"#).expect("huge");
        assert_eq!(huge.expires_in, Some(MAX_LIFETIME));
    }

    #[test]
    fn an_answer_without_token_is_an_error() {
        assert!(parse_token_answer(br#"{"expiresIn":60}"#).is_err());
    }

    #[test]
    fn request_debug_never_shows_the_secret() {
        let auth = AuthMethod::KeycloakRealm {
            realm: "runai".into(),
            client_id: "app".into(),
            client_secret: Secret::new("hunter2"),
        };
        let request = token_request(&auth).expect("ok").expect("a request");
        assert!(!format!("{request:?}").contains("hunter2"));
        assert!(format!("{auth:?}").contains("app"));
        assert!(!format!("{auth:?}").contains("hunter2"));
    }
}
