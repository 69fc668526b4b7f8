//! `/api/v1/me`: what callers do to their own account, changing their password.

use serde_json::json;

use crate::context::{Answer, Call};
use crate::error::ApiError;
use crate::reply::Reply;
use crate::store::{now, Store};

/// `None` when the operation is not one of this area's.
pub(crate) fn handle(call: &Call<'_>, store: &mut Store) -> Option<Answer> {
    match call.op.id.as_str() {
        "change_user_password" => Some(change_password(call, store)),
        _ => None,
    }
}

fn change_password(call: &Call<'_>, store: &mut Store) -> Answer {
    let current = call.text("currentPassword").unwrap_or_default();
    let new = call.text("newPassword").unwrap_or_default();
    let user = store
        .users
        .iter_mut()
        .find(|u| u.username.eq_ignore_ascii_case(call.actor()))
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
