//! `/api/v1/user-applications` and `/api/v1/administration/user-applications`
//! (deprecated): access keys under their former name. The same keys as
//! `/api/v1/access-keys`, through the same store operations; only the shapes differ
//! (bare arrays for the lists, `secret` rather than `clientSecret` on creation).

use serde_json::{json, Value};

use crate::context::{Access, Answer, Call};
use crate::reply::Reply;
use crate::routes::access_keys::{add, filtered, find, new_secret, own, remove};
use crate::wire::access_keys::{access_key, access_key_for_administrators};

/// `None` when the operation is not one of this area's.
pub(crate) fn handle(call: &Call<'_>, store: &mut Access<'_>) -> Option<Answer> {
    // `UserApp` and `UserAppAdministration` have the fields of `AccessKey1` and
    // `AccessKeyAdministration`, under the same names.
    let answer = match call.op.id.as_str() {
        "get_user_applications" => {
            let apps: Vec<Value> = own(call, store).map(access_key).collect();
            Ok(Reply::json(200, &Value::Array(apps)))
        }
        "get_user_application_by_id" => {
            find(call, store, app_id(call)).map(|k| Reply::json(200, &access_key(k)))
        }
        "create_user_application" => store.write().and_then(|store| add(call, store)).map(|k| {
            let body = json!({
                "id": k.id,
                "name": k.name,
                "clientId": k.client_id,
                "secret": k.secret,
                "createdAt": k.created_at,
            });
            Reply::json(201, &body)
        }),
        "delete_user_application_by_id" => store
            .write()
            .and_then(|store| remove(call, store, app_id(call), false))
            .map(|()| Reply::empty(204)),
        "regenerate_user_application_secret" => store
            .write()
            .and_then(|store| new_secret(call, store, app_id(call)))
            .map(|secret| Reply::json(200, &json!({"clientSecret": secret}))),
        "get_user_applications_administration" => {
            let apps: Vec<Value> = filtered(call, store)
                .map(access_key_for_administrators)
                .collect();
            Ok(Reply::json(200, &Value::Array(apps)))
        }
        "delete_user_application_by_id_administration" => store
            .write()
            .and_then(|store| remove(call, store, app_id(call), true))
            .map(|()| Reply::empty(204)),
        _ => return None,
    };
    Some(answer)
}

fn app_id<'c>(call: &'c Call<'_>) -> &'c str {
    call.param("appId")
}
