//! `/api/v1/service-accounts`: create, list, get, enable or disable, delete, and
//! regenerate the secret. The secret is shown twice only, in the answers of creation and
//! of regeneration. Deleting or disabling an account, or regenerating its secret, revokes
//! every token and refresh grant issued to it so far.

use serde_json::{json, Value};

use crate::authority::Subject;
use crate::context::{Answer, Call};
use crate::error::ApiError;
use crate::reply::Reply;
use crate::routes::paging;
use crate::seed::APP_CLIENT_ID;
use crate::store::{client_secret, now, ServiceAccount, Store};
use crate::wire::service_accounts::{service_account, service_account_row};

/// `None` when the operation is not one of this area's.
pub(crate) fn handle(call: &Call<'_>, store: &mut Store) -> Option<Answer> {
    let answer = match call.op.id.as_str() {
        "get_service_accounts" => paging::bare(
            call,
            store
                .service_accounts
                .iter()
                .map(service_account_row)
                .collect(),
        ),
        "get_service_account_by_id" => get(call, store),
        "create_service_account" => create(call, store),
        "update_service_account_by_id" => patch(call, store),
        "delete_service_account_by_id" => delete(call, store),
        "regenerate_service_account_secret" => regenerate(call, store),
        _ => return None,
    };
    Some(answer)
}

fn no_account(id: &str) -> ApiError {
    ApiError::not_found(format!("service account {id} not found"))
}

fn account_id<'c>(call: &'c Call<'_>) -> &'c str {
    call.param("serviceAccountId")
}

fn get(call: &Call<'_>, store: &Store) -> Answer {
    let id = account_id(call);
    let account = store.service_account(id).ok_or_else(|| no_account(id))?;
    Ok(Reply::json(200, &service_account(account)))
}

/// The client id is the name, as the control plane's own example shows; names are unique
/// in the tenant, and the built-in application's client id is taken too.
fn create(call: &Call<'_>, store: &mut Store) -> Answer {
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
    let account = ServiceAccount {
        id: uuid::Uuid::new_v4().to_string(),
        client_id: name.clone(),
        name,
        secret: client_secret(),
        enabled: true,
        created_by: call.actor().to_string(),
        created_at: created.clone(),
        updated_at: created,
        last_login: None,
    };
    let body = json!({
        "id": account.id,
        "name": account.name,
        "clientId": account.client_id,
        "clientSecret": account.secret,
    });
    store.service_accounts.push(account);
    Ok(Reply::json(201, &body))
}

/// `enabled` is the one field; disabling revokes the account's tokens, so that enabling
/// it again does not bring them back.
fn patch(call: &Call<'_>, store: &mut Store) -> Answer {
    let id = account_id(call);
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
    Ok(Reply::empty(200))
}

/// Its access rules go too (the router drops rules whose subject is gone).
fn delete(call: &Call<'_>, store: &mut Store) -> Answer {
    let id = account_id(call);
    let account = store.service_account(id).ok_or_else(|| no_account(id))?;
    call.shared
        .authority
        .revoke(&Subject::service_account(&account.client_id));
    store.service_accounts.retain(|a| a.id != id);
    Ok(Reply::empty(204))
}

fn regenerate(call: &Call<'_>, store: &mut Store) -> Answer {
    let id = account_id(call);
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
    Ok(Reply::json(200, &json!({"clientSecret": account.secret})))
}
