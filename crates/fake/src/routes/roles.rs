//! `/api/v1/authorization/roles`: the predefined roles, listed or one by id.

use serde_json::Value;

use crate::context::{Access, Answer, Call};
use crate::error::ApiError;
use crate::reply::Reply;
use crate::roles::{role, ROLES};
use crate::store::Store;
use crate::wire::access::role_v1;

/// `None` when the operation is not one of this area's.
pub(crate) fn handle(call: &Call<'_>, store: &mut Access<'_>) -> Option<Answer> {
    let answer = match call.op.id.as_str() {
        "get_roles_v1" => Ok(Reply::json(
            200,
            &Value::Array(ROLES.iter().map(|r| role_v1(store, r)).collect()),
        )),
        "get_role_v1" => get(call, store),
        _ => return None,
    };
    Some(answer)
}

fn get(call: &Call<'_>, store: &Store) -> Answer {
    let id = call.param("roleIdPath");
    let role = id
        .parse()
        .ok()
        .and_then(role)
        .ok_or_else(|| ApiError::not_found(format!("role {id} not found")))?;
    Ok(Reply::json(200, &role_v1(store, role)))
}
