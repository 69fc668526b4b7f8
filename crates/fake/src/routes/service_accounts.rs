//! `/api/v1/service-accounts`: create, list, get, enable or disable, delete, and
//! regenerate the secret. The secret is shown twice only, in the answers of creation and
//! of regeneration. Deleting or disabling an account, or regenerating its secret, revokes
//! every token and refresh grant issued to it so far.

use serde_json::{json, Value};

use crate::authority::Subject;
use crate::context::{Access, Answer, Call};
use crate::error::ApiError;
use crate::reply::Reply;
use crate::routes::paging;
use crate::seed::APP_CLIENT_ID;
use crate::store::{client_secret, now, ServiceAccount, Store};
use crate::wire::service_accounts::{service_account, service_account_row};

/// `None` when the operation is not one of this area's.
pub(crate) fn handle(call: &Call<'_>, store: &mut Access<'_>) -> Option<Answer> {
    let answer = match call.op.id.as_str() {
        "get_service_accounts" => list(call, store),
        "get_service_account_by_id" => get(call, store),
        "create_service_account" => store.write().and_then(|store| create(call, store)),
        "update_service_account_by_id" => store.write().and_then(|store| patch(call, store)),
        "delete_service_account_by_id" => store.write().and_then(|store| delete(call, store)),
        "regenerate_service_account_secret" => {
            store.write().and_then(|store| regenerate(call, store))
        }
        _ => return None,
    };
    Some(answer)
}

/// Every account as a row, paged; the deprecated applications list them the same way.
pub(crate) fn list(call: &Call<'_>, store: &Store) -> Answer {
    let rows = store.service_accounts.iter().map(service_account_row);
    paging::bare(call, rows.collect())
}

fn no_account(id: &str) -> ApiError {
    ApiError::not_found(format!("service account {id} not found"))
}

fn account_id<'c>(call: &'c Call<'_>) -> &'c str {
    call.param("serviceAccountId")
}

fn get(call: &Call<'_>, store: &Store) -> Answer {
    let account = find(store, account_id(call))?;
    Ok(Reply::json(200, &service_account(account)))
}

fn create(call: &Call<'_>, store: &mut Store) -> Answer {
    let account = add(call, store)?;
    let body = json!({
        "id": account.id,
        "name": account.name,
        "clientId": account.client_id,
        "clientSecret": account.secret,
    });
    Ok(Reply::json(201, &body))
}

fn patch(call: &Call<'_>, store: &mut Store) -> Answer {
    set_enabled(call, store, account_id(call))?;
    Ok(Reply::empty(200))
}

fn delete(call: &Call<'_>, store: &mut Store) -> Answer {
    remove(call, store, account_id(call))?;
    Ok(Reply::empty(204))
}

fn regenerate(call: &Call<'_>, store: &mut Store) -> Answer {
    let secret = new_secret(call, store, account_id(call))?;
    Ok(Reply::json(200, &json!({"clientSecret": secret})))
}

// The store operations below take the account's id rather than reading a path parameter,
// so that `routes::applications` (the accounts' former name and paths) shares them.

/// The account with this id, or 404.
pub(crate) fn find<'s>(store: &'s Store, id: &str) -> Result<&'s ServiceAccount, ApiError> {
    store.service_account(id).ok_or_else(|| no_account(id))
}

/// A new account named by the body, with its first secret. The client id is the name,
/// as the control plane's own example shows; names are unique in the tenant, and the
/// built-in application's client id is taken too.
pub(crate) fn add<'s>(
    call: &Call<'_>,
    store: &'s mut Store,
) -> Result<&'s ServiceAccount, ApiError> {
    let name = call.required_name()?;
    let taken = name == APP_CLIENT_ID
        || store
            .service_accounts
            .iter()
            .any(|a| a.name == name || a.client_id == name);
    if taken {
        return Err(ApiError::conflict(format!(
            "service account {name:?} already exists"
        )));
    }
    let created = now();
    store.service_accounts.push(ServiceAccount {
        id: uuid::Uuid::new_v4().to_string(),
        client_id: name.clone(),
        name,
        secret: client_secret(),
        enabled: true,
        created_by: call.actor().to_string(),
        created_at: created.clone(),
        updated_at: created,
        last_login: None,
    });
    store
        .service_accounts
        .last()
        .ok_or_else(|| ApiError::new(500, "the new service account is missing"))
}

/// `enabled` is the body's one field; disabling revokes the account's tokens, so that
/// enabling it again does not bring them back.
pub(crate) fn set_enabled(call: &Call<'_>, store: &mut Store, id: &str) -> Result<(), ApiError> {
    let account = store
        .service_account_mut(id)
        .ok_or_else(|| no_account(id))?;
    if let Some(enabled) = call.body.get("enabled").and_then(Value::as_bool) {
        if account.enabled && !enabled {
            call.shared
                .authority
                .revoke(&Subject::service_account(&account.client_id));
        }
        account.enabled = enabled;
        account.updated_at = now();
    }
    Ok(())
}

/// Revokes every token of the account. Its access rules go too (the router drops rules
/// whose subject is gone).
pub(crate) fn remove(call: &Call<'_>, store: &mut Store, id: &str) -> Result<(), ApiError> {
    let account = find(store, id)?;
    call.shared
        .authority
        .revoke(&Subject::service_account(&account.client_id));
    store.service_accounts.retain(|a| a.id != id);
    Ok(())
}

/// The account's new secret; the old one, and what it obtained, are refused from now on.
pub(crate) fn new_secret(call: &Call<'_>, store: &mut Store, id: &str) -> Result<String, ApiError> {
    let account = store
        .service_account_mut(id)
        .ok_or_else(|| no_account(id))?;
    account.secret = client_secret();
    account.updated_at = now();
    // A new secret is what one asks for when the old one leaked: what was obtained with
    // it (tokens and refresh grants) is cut off too.
    call.shared
        .authority
        .revoke(&Subject::service_account(&account.client_id));
    Ok(account.secret.clone())
}
