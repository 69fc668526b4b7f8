//! `/api/v1/idps`: the tenant's identity providers (SAML, OIDC, OpenShift v4) and their
//! mappers. A provider's alias is its type, as the spec's examples show (`oidc` is both),
//! so there is one provider per type: a second is a 409. The type's data (`samlData`,
//! `oidcData`, `ocpData`) is required and checked where the general body check cannot:
//! the patterns of its addresses, scopes and mandatory claim.

use serde_json::{json, Map, Value};

use crate::context::{Access, Answer, Call};
use crate::error::ApiError;
use crate::reply::Reply;
use crate::routes::security_settings::is_redirect_uri;
use crate::seed::REALM;
use crate::store::{Idp, Store};

/// Each type, the field of its data, and the data's fields that hold an address.
const TYPES: [(&str, &str, &[&str]); 3] = [
    ("saml", "samlData", &["metadataXmlUrl"]),
    ("oidc", "oidcData", &["discoverDocumentUrl"]),
    ("openshift-v4", "ocpData", &["idpBaseUrl"]),
];

/// What a secret reads as once written.
const MASKED: &str = "**********";

/// The fields a mapper names.
const MAPPERS: [&str; 5] = ["gid", "uid", "groups", "supplementaryGroups", "email"];

/// `None` when the operation is not one of this area's.
pub(crate) fn handle(call: &Call<'_>, store: &mut Access<'_>) -> Option<Answer> {
    let answer = match call.op.id.as_str() {
        "get_idps" => {
            let idps: Vec<Value> = store.idps.iter().map(|i| idp(call, i)).collect();
            Ok(Reply::json(200, &Value::Array(idps)))
        }
        "get_idp" => existing(call, store).map(|i| Reply::json(200, &idp(call, i))),
        "create_idp" => store.write().and_then(|store| create(call, store)),
        "update_idp" => store.write().and_then(|store| update(call, store)),
        "delete_idp" => store.write().and_then(|store| delete(call, store)),
        "get_idp_mappers" => existing(call, store).map(|i| Reply::json(200, &mappers(i))),
        "update_idp_mappers" => store.write().and_then(|store| update_mappers(call, store)),
        _ => return None,
    };
    Some(answer)
}

fn no_idp(alias: &str) -> ApiError {
    ApiError::not_found(format!("identity provider {alias:?} not found"))
}

fn existing<'s>(call: &Call<'_>, store: &'s Store) -> Result<&'s Idp, ApiError> {
    let alias = call.param("idp");
    store
        .idps
        .iter()
        .find(|i| i.alias == alias)
        .ok_or_else(|| no_idp(alias))
}

/// `Idp1`. Secrets are never shown again (masked, as the identity provider does); the
/// SAML fields read from the provider's metadata are not known to the fake and left out.
fn idp(call: &Call<'_>, idp: &Idp) -> Value {
    let broker = format!(
        "{}/auth/realms/{REALM}/broker/{}/endpoint",
        call.shared.url, idp.alias
    );
    let mut answer = Map::new();
    answer.insert("alias".into(), json!(idp.alias));
    answer.insert("type".into(), json!(idp.kind));
    answer.insert("redirectUri".into(), json!(broker));
    answer.insert("mappers".into(), mappers(idp));
    if let Some(name) = &idp.name {
        answer.insert("name".into(), json!(name));
    }
    let data = &idp.data;
    // The fields kept as written, when they were.
    let kept = |fields: &[&str], into: &mut Map<String, Value>| {
        for field in fields {
            if let Some(v) = data.get(*field) {
                into.insert((*field).to_string(), v.clone());
            }
        }
    };
    let mut shown = Map::new();
    let field = match idp.kind.as_str() {
        "saml" => {
            let descriptor = format!("{broker}/descriptor");
            shown.insert("serviceProviderMetadataUrl".into(), json!(descriptor));
            kept(&["entityId"], &mut shown);
            "samlData"
        }
        "oidc" => {
            shown.insert("clientSecret".into(), json!(MASKED));
            kept(
                &[
                    "clientId",
                    "discoverDocumentUrl",
                    "scopes",
                    "mandatoryClaim",
                ],
                &mut shown,
            );
            "oidcData"
        }
        _ => {
            shown.insert("clientSecret".into(), json!(MASKED));
            kept(&["idpBaseUrl", "clientId", "scopes"], &mut shown);
            "ocpData"
        }
    };
    answer.insert(field.into(), Value::Object(shown));
    Value::Object(answer)
}

/// `Mappers`, whose schema requires an `alias` it does not declare: the provider's.
fn mappers(idp: &Idp) -> Value {
    let mut answer = idp.mappers.clone();
    answer.insert("alias".into(), json!(idp.alias));
    Value::Object(answer)
}

/// The mapper fields the body names (a mapper's fields are claim names).
fn mapper_fields(body: &Value) -> Map<String, Value> {
    MAPPERS
        .iter()
        .filter_map(|f| Some((f.to_string(), body.get(*f)?.clone())))
        .collect()
}

/// The type's data from a creation or update body, checked.
fn data_of(call: &Call<'_>, kind: &str) -> Result<Value, ApiError> {
    let (_, field, addresses) = TYPES
        .iter()
        .find(|(t, _, _)| *t == kind)
        .ok_or_else(|| ApiError::bad_request(format!("body.type: unknown type {kind:?}")))?;
    let data = call
        .body
        .get(*field)
        .filter(|d| d.is_object())
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "body.{field}: required for a provider of type {kind}"
            ))
        })?;
    for address in *addresses {
        if let Some(uri) = data.get(*address).and_then(Value::as_str) {
            if uri.is_empty() || !is_redirect_uri(uri) {
                return Err(ApiError::bad_request(format!(
                    "body.{field}.{address}: must be an http(s) address"
                )));
            }
        }
    }
    if let Some(scopes) = data.get("scopes").and_then(Value::as_array) {
        if !scopes.iter().filter_map(Value::as_str).all(is_scope_list) {
            return Err(ApiError::bad_request(format!(
                "body.{field}.scopes: each must be scope names separated by single spaces"
            )));
        }
    }
    if let Some(claim) = data.get("mandatoryClaim").filter(|c| !c.is_null()) {
        let name_fits = claim
            .get("claim")
            .and_then(Value::as_str)
            .is_some_and(|c| c.chars().any(|ch| ch.is_ascii_alphabetic()));
        let values_fit = claim
            .get("values")
            .and_then(Value::as_array)
            .is_some_and(|vs| {
                vs.iter().filter_map(Value::as_str).all(|v| {
                    !v.chars().any(char::is_whitespace)
                        && v.chars().any(|c| c.is_ascii_alphabetic())
                })
            });
        if !(name_fits && values_fit) {
            return Err(ApiError::bad_request(format!(
                "body.{field}.mandatoryClaim: the claim and each value need a letter, values no spaces"
            )));
        }
    }
    // A SAML provider's metadata comes from the address or the file its type names.
    if kind == "saml" {
        let source = match data.get("metadataXmlType").and_then(Value::as_str) {
            Some("file") => "metadataXmlFile",
            _ => "metadataXmlUrl",
        };
        if data
            .get(source)
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            return Err(ApiError::bad_request(format!(
                "body.samlData.{source}: required for the metadata"
            )));
        }
    }
    Ok(data.clone())
}

/// `^([a-zA-Z0-9-._:]+)(\s[a-zA-Z0-9-._:]+)*$`, by hand.
fn is_scope_list(text: &str) -> bool {
    let name = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | ':'))
    };
    text.split(char::is_whitespace).all(name)
}

fn create(call: &Call<'_>, store: &mut Store) -> Answer {
    let kind = call.text("type").unwrap_or_default();
    let data = data_of(call, &kind)?;
    if store.idps.iter().any(|i| i.alias == kind) {
        return Err(ApiError::conflict(format!(
            "an identity provider of type {kind} already exists"
        )));
    }
    let mappers = call
        .body
        .get("mappers")
        .map(mapper_fields)
        .unwrap_or_default();
    store.idps.push(Idp {
        alias: kind.clone(),
        kind: kind.clone(),
        name: call.text("name"),
        data,
        mappers,
    });
    Ok(Reply::json(201, &json!({"alias": kind})))
}

/// The type stays what it was (it is the alias); data and, when given, mappers are
/// replaced.
fn update(call: &Call<'_>, store: &mut Store) -> Answer {
    let alias = call.param("idp").to_string();
    let kind = call.text("type").unwrap_or_default();
    let data = data_of(call, &kind);
    let idp = store
        .idps
        .iter_mut()
        .find(|i| i.alias == alias)
        .ok_or_else(|| no_idp(&alias))?;
    if kind != idp.kind {
        return Err(ApiError::bad_request(format!(
            "body.type: the provider {alias:?} is of type {}",
            idp.kind
        )));
    }
    let data = data?;
    idp.data = data;
    if let Some(name) = call.text("name") {
        idp.name = Some(name);
    }
    if let Some(mappers) = call.body.get("mappers") {
        idp.mappers = mapper_fields(mappers);
    }
    Ok(Reply::empty(200))
}

/// A single sign-on redirect to the provider goes with it.
fn delete(call: &Call<'_>, store: &mut Store) -> Answer {
    let alias = existing(call, store)?.alias.clone();
    store.idps.retain(|i| i.alias != alias);
    if let Some(Value::Object(sso)) = store.security_settings.get_mut("autoRedirectSSO") {
        if sso.get("idpAlias").and_then(Value::as_str) == Some(alias.as_str()) {
            sso.insert("enabled".into(), json!(false));
            sso.insert("idpAlias".into(), json!(""));
        }
    }
    Ok(Reply::empty(200))
}

fn update_mappers(call: &Call<'_>, store: &mut Store) -> Answer {
    let alias = call.param("idp").to_string();
    let idp = store
        .idps
        .iter_mut()
        .find(|i| i.alias == alias)
        .ok_or_else(|| no_idp(&alias))?;
    idp.mappers = mapper_fields(&call.body);
    Ok(Reply::empty(202))
}

#[cfg(test)]
mod tests {
    use super::is_scope_list;

    #[test]
    fn scopes_are_names_separated_by_single_spaces() {
        for good in ["openid", "openid email profile", "api:read", "a.b-c_d"] {
            assert!(is_scope_list(good), "{good:?}");
        }
        for bad in ["", "openid  email", " openid", "openid ", "open/id"] {
            assert!(!is_scope_list(bad), "{bad:?}");
        }
    }
}
