//! `/api/v1/apps` (deprecated): service accounts under their former name. The same
//! accounts as `/api/v1/service-accounts`, through the same store operations, so an
//! application made here is a service account and the reverse; only the shapes differ
//! (a bare array for the list, `secret` rather than `clientSecret`).

use serde_json::json;

use crate::context::{Access, Answer, Call};
use crate::reply::Reply;
use crate::routes::service_accounts::{add, find, list, new_secret, remove, set_enabled};
use crate::wire::service_accounts::service_account;

/// `None` when the operation is not one of this area's.
pub(crate) fn handle(call: &Call<'_>, store: &mut Access<'_>) -> Option<Answer> {
    let answer = match call.op.id.as_str() {
        // `Application` has the fields of `ServiceAccount`, under the same names.
        "get_applications" => list(call, store),
        "get_application_by_id" => {
            find(store, app_id(call)).map(|a| Reply::json(200, &service_account(a)))
        }
        "create_application" => store.write().and_then(|store| add(call, store)).map(|a| {
            let body = json!({
                "id": a.id,
                "name": a.name,
                "clientId": a.client_id,
                "secret": a.secret,
            });
            Reply::json(201, &body)
        }),
        "update_application_by_id" => store
            .write()
            .and_then(|store| set_enabled(call, store, app_id(call)))
            .map(|()| Reply::empty(200)),
        "delete_application_by_id" => store
            .write()
            .and_then(|store| remove(call, store, app_id(call)))
            .map(|()| Reply::empty(204)),
        "regenerate_application_secret" => store
            .write()
            .and_then(|store| new_secret(call, store, app_id(call)))
            .map(|secret| Reply::json(200, &json!({"secret": secret}))),
        _ => return None,
    };
    Some(answer)
}

fn app_id<'c>(call: &'c Call<'_>) -> &'c str {
    call.param("appId")
}
