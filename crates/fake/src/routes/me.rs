//! `/api/v1/me` and `/api/v1/authorization/me`: what callers do to their own account
//! (changing their password) and the access rules they hold.

use serde_json::json;

use crate::access::rules_of;
use crate::context::{Access, Answer, Call};
use crate::error::ApiError;
use crate::listing::Row;
use crate::lookup::user_by_email;
use crate::reply::Reply;
use crate::routes::paging;
use crate::store::{now, Store};
use crate::wire::access::{access_rule_row, me_access_rule};

/// `None` when the operation is not one of this area's.
pub(crate) fn handle(call: &Call<'_>, store: &mut Access<'_>) -> Option<Answer> {
    match call.op.id.as_str() {
        "change_user_password" => {
            Some(store.write().and_then(|store| change_password(call, store)))
        }
        "get_me_access_rules" => Some(access_rules(call, store)),
        "count_me_access_rules" => Some(paging::count(call, rules(call, store))),
        _ => None,
    }
}

fn change_password(call: &Call<'_>, store: &mut Store) -> Answer {
    let current = call.text("currentPassword").unwrap_or_default();
    let new = call.text("newPassword").unwrap_or_default();
    let id = user_by_email(store, call.actor()).map(|u| u.id.clone());
    let user = id
        .and_then(|id| store.user_mut(&id))
        .ok_or_else(|| ApiError::new(403, "only a user can change their own password"))?;
    if user.password != current {
        return Err(ApiError::bad_request(
            "body.currentPassword: does not match",
        ));
    }
    if new.is_empty() {
        return Err(ApiError::bad_request("body.newPassword: must not be empty"));
    }
    user.password = new;
    user.updated_at = now();
    Ok(Reply::json(200, &json!({})))
}

fn rules(call: &Call<'_>, store: &Store) -> Vec<Row> {
    rules_of(store, &call.subject)
        .map(|rule| access_rule_row(store, rule, me_access_rule(store, rule)))
        .collect()
}

/// `{"accessRules": {totalRecords, displayRecords, accessRules}}`.
fn access_rules(call: &Call<'_>, store: &Store) -> Answer {
    let (items, total) = paging::counted(call, rules(call, store))?;
    Ok(Reply::json(
        200,
        &json!({"accessRules": {
            "totalRecords": total,
            "displayRecords": items.len(),
            "accessRules": items,
        }}),
    ))
}
