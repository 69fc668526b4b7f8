//! `/api/v1/access-keys`: a user's own access keys (create, list, get, delete, regenerate
//! the secret), and `/api/v1/administration/access-keys`: every user's, to list and
//! delete. The secret is shown on creation and regeneration only; a key's tokens act as
//! its owner and end when the key is deleted (a regenerated secret refuses the old one,
//! as for service accounts).

use serde_json::{json, Value};

use crate::authority::Subject;
use crate::context::{Answer, Call};
use crate::error::ApiError;
use crate::reply::Reply;
use crate::store::{client_secret, now, AccessKey, Store};
use crate::wire::access_keys::{access_key, access_key_for_administrators};

/// `None` when the operation is not one of this area's.
pub(crate) fn handle(call: &Call<'_>, store: &mut Store) -> Option<Answer> {
    let answer = match call.op.id.as_str() {
        "get_access_keys" => list(call, store),
        "create_access_key1" => create(call, store),
        "get_access_key_by_id1" => get(call, store),
        "delete_access_key_by_id" => delete(call, store, false),
        "regenerate_access_key_secret" => regenerate(call, store),
        "get_access_keys_administration" => list_all(call, store),
        "delete_access_key_by_id_administration" => delete(call, store, true),
        _ => return None,
    };
    Some(answer)
}

/// The caller's email: access keys belong to users. Applications and service accounts
/// have none (they have a secret of their own).
fn owner<'c>(call: &'c Call<'_>) -> Option<&'c str> {
    call.subject.email.as_deref()
}

fn owns(call: &Call<'_>, key: &AccessKey) -> bool {
    owner(call).is_some_and(|email| key.owner.eq_ignore_ascii_case(email))
}

fn no_key(id: &str) -> ApiError {
    ApiError::not_found(format!("access key {id} not found"))
}

fn key_id<'c>(call: &'c Call<'_>) -> &'c str {
    call.param("accessKeyId")
}

/// The index of the key the path names, if the caller may act on it: their own, or any
/// on the administration paths. Another user's key is as good as absent (404).
fn find(call: &Call<'_>, store: &Store, any_owner: bool) -> Result<usize, ApiError> {
    let id = key_id(call);
    store
        .access_keys
        .iter()
        .position(|k| k.id == id && (any_owner || owns(call, k)))
        .ok_or_else(|| no_key(id))
}

fn list(call: &Call<'_>, store: &Store) -> Answer {
    let keys: Vec<Value> = store
        .access_keys
        .iter()
        .filter(|k| owns(call, k))
        .map(access_key)
        .collect();
    Ok(Reply::json(200, &json!({"accessKeys": keys})))
}

/// `clientId` and `createdBy` pick keys by exact value.
fn list_all(call: &Call<'_>, store: &Store) -> Answer {
    let query = |name: &str| call.query_value(name).filter(|v| !v.is_empty());
    let keys: Vec<Value> = store
        .access_keys
        .iter()
        .filter(|k| query("clientId").is_none_or(|c| k.client_id == c))
        .filter(|k| query("createdBy").is_none_or(|o| k.owner.eq_ignore_ascii_case(o)))
        .map(access_key_for_administrators)
        .collect();
    Ok(Reply::json(200, &json!({"accessKeys": keys})))
}

fn get(call: &Call<'_>, store: &Store) -> Answer {
    let at = find(call, store, false)?;
    let key = store
        .access_keys
        .get(at)
        .ok_or_else(|| no_key(key_id(call)))?;
    Ok(Reply::json(200, &access_key(key)))
}

/// Names are unique among the owner's keys; the client id is generated.
fn create(call: &Call<'_>, store: &mut Store) -> Answer {
    let Some(email) = owner(call) else {
        return Err(ApiError::new(
            403,
            format!(
                "{} is not a user; access keys belong to users",
                call.actor()
            ),
        ));
    };
    let name = call.required_name()?;
    if store
        .access_keys
        .iter()
        .any(|k| k.owner.eq_ignore_ascii_case(email) && k.name == name)
    {
        return Err(ApiError::conflict(format!(
            "you already have an access key named {name:?}"
        )));
    }
    let key = AccessKey {
        id: uuid::Uuid::new_v4().to_string(),
        name,
        client_id: uuid::Uuid::new_v4().simple().to_string(),
        secret: client_secret(),
        owner: email.to_string(),
        created_at: now(),
        last_login: None,
    };
    let body = json!({
        "id": key.id,
        "name": key.name,
        "clientId": key.client_id,
        "clientSecret": key.secret,
        "createdAt": key.created_at,
    });
    store.access_keys.push(key);
    Ok(Reply::json(201, &body))
}

fn delete(call: &Call<'_>, store: &mut Store, any_owner: bool) -> Answer {
    let at = find(call, store, any_owner)?;
    let key = store.access_keys.remove(at);
    call.shared
        .authority
        .revoke(&Subject::user_by_key(&key.owner, &key.client_id));
    Ok(Reply::empty(204))
}

fn regenerate(call: &Call<'_>, store: &mut Store) -> Answer {
    let at = find(call, store, false)?;
    let key = store
        .access_keys
        .get_mut(at)
        .ok_or_else(|| no_key(key_id(call)))?;
    key.secret = client_secret();
    // As for a service account: what the old secret obtained is cut off with it.
    call.shared
        .authority
        .revoke(&Subject::user_by_key(&key.owner, &key.client_id));
    Ok(Reply::json(200, &json!({"clientSecret": key.secret})))
}
