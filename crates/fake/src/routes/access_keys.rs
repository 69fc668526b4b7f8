//! `/api/v1/access-keys`: a user's own access keys (create, list, get, delete, regenerate
//! the secret), and `/api/v1/administration/access-keys`: every user's, to list and
//! delete. The secret is shown on creation and regeneration only; a key's tokens act as
//! its owner and end when the key is deleted (a regenerated secret refuses the old one,
//! as for service accounts).

use serde_json::{json, Value};

use crate::authority::Subject;
use crate::context::{Access, Answer, Call};
use crate::error::ApiError;
use crate::reply::Reply;
use crate::store::{client_secret, now, AccessKey, Store};
use crate::wire::access_keys::{access_key, access_key_for_administrators};

/// `None` when the operation is not one of this area's.
pub(crate) fn handle(call: &Call<'_>, store: &mut Access<'_>) -> Option<Answer> {
    let answer = match call.op.id.as_str() {
        "get_access_keys" => list(call, store),
        "create_access_key1" => store.write().and_then(|store| create(call, store)),
        "get_access_key_by_id1" => get(call, store),
        "delete_access_key_by_id" => store.write().and_then(|store| delete(call, store, false)),
        "regenerate_access_key_secret" => store.write().and_then(|store| regenerate(call, store)),
        "get_access_keys_administration" => list_all(call, store),
        "delete_access_key_by_id_administration" => {
            store.write().and_then(|store| delete(call, store, true))
        }
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

fn list(call: &Call<'_>, store: &Store) -> Answer {
    let keys: Vec<Value> = own(call, store).map(access_key).collect();
    Ok(Reply::json(200, &json!({"accessKeys": keys})))
}

fn list_all(call: &Call<'_>, store: &Store) -> Answer {
    let keys: Vec<Value> = filtered(call, store)
        .map(access_key_for_administrators)
        .collect();
    Ok(Reply::json(200, &json!({"accessKeys": keys})))
}

fn get(call: &Call<'_>, store: &Store) -> Answer {
    let key = find(call, store, key_id(call))?;
    Ok(Reply::json(200, &access_key(key)))
}

fn create(call: &Call<'_>, store: &mut Store) -> Answer {
    let key = add(call, store)?;
    let body = json!({
        "id": key.id,
        "name": key.name,
        "clientId": key.client_id,
        "clientSecret": key.secret,
        "createdAt": key.created_at,
    });
    Ok(Reply::json(201, &body))
}

fn delete(call: &Call<'_>, store: &mut Store, any_owner: bool) -> Answer {
    remove(call, store, key_id(call), any_owner)?;
    Ok(Reply::empty(204))
}

fn regenerate(call: &Call<'_>, store: &mut Store) -> Answer {
    let secret = new_secret(call, store, key_id(call))?;
    Ok(Reply::json(200, &json!({"clientSecret": secret})))
}

// The store operations below take the key's id rather than reading a path parameter, so
// that `routes::user_applications` (the keys' former name and paths) shares them.

/// The caller's own keys.
pub(crate) fn own<'s>(call: &Call<'_>, store: &'s Store) -> impl Iterator<Item = &'s AccessKey> {
    let email = owner(call).map(str::to_string);
    store.access_keys.iter().filter(move |k| {
        email
            .as_deref()
            .is_some_and(|e| k.owner.eq_ignore_ascii_case(e))
    })
}

/// Every user's keys; the `clientId` and `createdBy` query values pick keys by exact
/// value.
pub(crate) fn filtered<'s>(
    call: &Call<'_>,
    store: &'s Store,
) -> impl Iterator<Item = &'s AccessKey> {
    let query = |name: &str| {
        call.query_value(name)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let (client_id, created_by) = (query("clientId"), query("createdBy"));
    store
        .access_keys
        .iter()
        .filter(move |k| client_id.as_deref().is_none_or(|c| k.client_id == c))
        .filter(move |k| {
            created_by
                .as_deref()
                .is_none_or(|o| k.owner.eq_ignore_ascii_case(o))
        })
}

/// The index of the key with this id, if the caller may act on it: their own, or any
/// when `any_owner` (the administration paths). Another user's key is as good as absent
/// (404).
fn position(call: &Call<'_>, store: &Store, id: &str, any_owner: bool) -> Result<usize, ApiError> {
    store
        .access_keys
        .iter()
        .position(|k| k.id == id && (any_owner || owns(call, k)))
        .ok_or_else(|| no_key(id))
}

/// The caller's own key with this id, or 404.
pub(crate) fn find<'s>(
    call: &Call<'_>,
    store: &'s Store,
    id: &str,
) -> Result<&'s AccessKey, ApiError> {
    let at = position(call, store, id, false)?;
    store.access_keys.get(at).ok_or_else(|| no_key(id))
}

/// A new key of the caller's, named by the body, with its first secret. Names are unique
/// among the owner's keys; the client id is generated.
pub(crate) fn add<'s>(call: &Call<'_>, store: &'s mut Store) -> Result<&'s AccessKey, ApiError> {
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
    store.access_keys.push(AccessKey {
        id: uuid::Uuid::new_v4().to_string(),
        name,
        client_id: uuid::Uuid::new_v4().simple().to_string(),
        secret: client_secret(),
        owner: email.to_string(),
        created_at: now(),
        last_login: None,
    });
    store
        .access_keys
        .last()
        .ok_or_else(|| ApiError::new(500, "the new access key is missing"))
}

/// Removes the key and revokes every token issued through it.
pub(crate) fn remove(
    call: &Call<'_>,
    store: &mut Store,
    id: &str,
    any_owner: bool,
) -> Result<(), ApiError> {
    let at = position(call, store, id, any_owner)?;
    let key = store.access_keys.remove(at);
    call.shared
        .authority
        .revoke(&Subject::user_by_key(&key.owner, &key.client_id));
    Ok(())
}

/// The caller's key's new secret; the old one is refused from now on.
pub(crate) fn new_secret(call: &Call<'_>, store: &mut Store, id: &str) -> Result<String, ApiError> {
    let at = position(call, store, id, false)?;
    let key = store.access_keys.get_mut(at).ok_or_else(|| no_key(id))?;
    key.secret = client_secret();
    // As for a service account: what the old secret obtained is cut off with it.
    call.shared
        .authority
        .revoke(&Subject::user_by_key(&key.owner, &key.client_id));
    Ok(key.secret.clone())
}
