//! `/api/v1/security/settings`: the tenant's security settings, all at once or by key,
//! and the update of one. A key's body is checked against that key's own schema: the
//! spec's body is `anyOf` the three, which any object satisfies, so it alone would let
//! an idle timeout of zero through under `browserSessionTimeout` when sent with an
//! `idpAlias` beside it.

use serde_json::{Map, Value};

use runai_admin_core::api::Catalogue;

use crate::context::{Access, Answer, Call};
use crate::error::ApiError;
use crate::reply::Reply;
use crate::store::Store;
use crate::validate;

/// Each key and the schema of its value.
const KEYS: [(&str, &str); 3] = [
    ("autoRedirectSSO", "AutoRedirectSsoSetting"),
    ("browserSessionTimeout", "BrowserSessionTimeoutSetting"),
    ("logoutRedirectUri", "LogoutRedirectUriSetting"),
];

/// `None` when the operation is not one of this area's.
pub(crate) fn handle(call: &Call<'_>, store: &mut Access<'_>) -> Option<Answer> {
    let answer = match call.op.id.as_str() {
        "get_security_settings" => Ok(Reply::json(
            200,
            &Value::Object(store.security_settings.clone()),
        )),
        "get_security_setting_by_key" => get(call, store),
        "update_security_setting_by_key" => store.write().and_then(|store| update(call, store)),
        _ => return None,
    };
    Some(answer)
}

/// The key and its schema's name; an unknown key is a 404 (the path's enum is the
/// router's business only for queries).
fn key_of<'c>(call: &'c Call<'_>) -> Result<(&'c str, &'static str), ApiError> {
    let key = call.param("key");
    KEYS.iter()
        .find(|(k, _)| *k == key)
        .map(|(_, schema)| (key, *schema))
        .ok_or_else(|| ApiError::not_found(format!("security setting {key:?} not found")))
}

fn get(call: &Call<'_>, store: &Store) -> Answer {
    let (key, _) = key_of(call)?;
    let setting = store
        .security_settings
        .get(key)
        .cloned()
        .unwrap_or_else(|| Value::Object(Map::new()));
    Ok(Reply::json(200, &setting))
}

/// The fields the key's schema names replace the stored ones where the body gives them
/// (`null` included: every field is nullable); fields of other keys are ignored, as the
/// schemas do not forbid them.
fn update(call: &Call<'_>, store: &mut Store) -> Answer {
    let (key, schema_name) = key_of(call)?;
    let catalogue = Catalogue::get();
    let schema = catalogue
        .schema(schema_name)
        .ok_or_else(|| ApiError::new(501, format!("{}: no schema {schema_name}", call.op.id)))?;
    validate::validate(catalogue, schema, &call.body).map_err(|message| {
        ApiError::bad_request(message).with_details(format!(
            "the request body does not match the {schema_name} schema"
        ))
    })?;
    check_patterns(key, &call.body)?;
    let fields = schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect::<Vec<_>>())
        .unwrap_or_default();
    let stored = store
        .security_settings
        .entry(key.to_string())
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(stored) = stored {
        for field in fields {
            if let Some(value) = call.body.get(&field) {
                // The empty URI, which the pattern allows, means no redirect: it is kept
                // as `null`, since the spec's pattern read literally refuses "" in answers.
                let value = match value.as_str() {
                    Some("") if field == "uri" => Value::Null,
                    _ => value.clone(),
                };
                stored.insert(field, value);
            }
        }
    }
    Ok(Reply::empty(200))
}

/// The schemas' patterns, which the general body check leaves aside (it has no regex
/// engine): an identity provider's alias is `[a-z0-9_-]*`, and a logout redirect is an
/// http(s) address or empty. The spec writes the latter as a JavaScript regex literal
/// (`/…/`), which read as a plain pattern would match nothing; its body is checked.
fn check_patterns(key: &str, body: &Value) -> Result<(), ApiError> {
    let bad = |field: &str, why: &str| Err(ApiError::bad_request(format!("body.{field}: {why}")));
    match key {
        "autoRedirectSSO" => {
            if let Some(alias) = body.get("idpAlias").and_then(Value::as_str) {
                let fits = alias
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
                if !fits {
                    return bad("idpAlias", "must match ^[a-z0-9_-]*$");
                }
            }
        }
        "logoutRedirectUri" => {
            if let Some(uri) = body.get("uri").and_then(Value::as_str) {
                if !is_redirect_uri(uri) {
                    return bad("uri", "must be an http(s) address or empty");
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// `^(https?://)?([a-zA-Z0-9.-]+\.[a-zA-Z]{2,})(:[0-9]{1,5})?(/[^\s]*)?$|^$`, by hand.
pub(crate) fn is_redirect_uri(uri: &str) -> bool {
    if uri.is_empty() {
        return true;
    }
    let rest = uri
        .strip_prefix("https://")
        .or_else(|| uri.strip_prefix("http://"))
        .unwrap_or(uri);
    let (authority, path) = match rest.find('/') {
        Some(at) => rest.split_at(at),
        None => (rest, ""),
    };
    if path.chars().any(char::is_whitespace) {
        return false;
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    let port_fits =
        port.is_none_or(|p| (1..=5).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()));
    let host_chars = host
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    // The greedy `[a-zA-Z0-9.-]+` backs off to the last dot: a non-empty name before it,
    // two letters or more after it.
    let host_fits = host.rsplit_once('.').is_some_and(|(name, tld)| {
        !name.is_empty() && tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic())
    });
    port_fits && host_chars && host_fits
}

#[cfg(test)]
mod tests {
    use super::is_redirect_uri;

    #[test]
    fn redirect_uris_as_the_spec_pattern_reads() {
        for good in [
            "",
            "https://example.com/logout-success",
            "http://a.example.org:8443",
            "example.com",
        ] {
            assert!(is_redirect_uri(good), "{good:?}");
        }
        for bad in [
            "ftp://example.com",
            "https://localhost",
            "https://example.c0m",
            "https://example.com:123456",
            "https://example.com/a b",
            "https://.com",
        ] {
            assert!(!is_redirect_uri(bad), "{bad:?}");
        }
    }
}
