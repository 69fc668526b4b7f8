//! `/api/v1/authorization/permissions` and `/permitted-scopes`: what callers may do, from
//! their own access rules. Every signed-in caller may ask about themselves.

use serde_json::{json, Map, Value};

use crate::access::{reach, rules_of};
use crate::context::{Access, Answer, Call};
use crate::reply::Reply;
use crate::roles::{role, ACTIONS, RESOURCE_TYPES};
use crate::scopes::Reach;
use crate::store::Store;
use crate::wire::access::permission;

/// `None` when the operation is not one of this area's.
pub(crate) fn handle(call: &Call<'_>, store: &mut Access<'_>) -> Option<Answer> {
    let answer = match call.op.id.as_str() {
        "get_permissions" => Ok(summary(call, store)),
        "get_permitted_scopes" => Ok(permitted_scopes(call, store)),
        _ => return None,
    };
    Some(answer)
}

/// Per resource type, every action some rule of the caller grants, wherever it applies.
fn summary(call: &Call<'_>, store: &Store) -> Reply {
    let roles: Vec<_> = rules_of(store, &call.subject)
        .filter_map(|rule| role(rule.role_id))
        .collect();
    let permissions: Vec<Value> = RESOURCE_TYPES
        .iter()
        .filter_map(|(resource, _, _)| {
            let actions: Vec<&str> = ACTIONS
                .iter()
                .copied()
                .filter(|action| roles.iter().any(|r| r.grants(resource, action)))
                .collect();
            (!actions.is_empty()).then(|| permission(resource, &actions))
        })
        .collect();
    Reply::json(200, &Value::Array(permissions))
}

/// For each of the four actions (or the one asked for; the others answer no scope), every
/// scope where the caller may act on the resource type, the scopes inside a granted one
/// included.
fn permitted_scopes(call: &Call<'_>, store: &Store) -> Reply {
    let resource = call.text("resourceType").unwrap_or_default();
    let asked = call.text("action");
    let mut answer = Map::new();
    for action in ["create", "read", "update", "delete"] {
        let scopes = if asked.as_deref().is_none_or(|a| a == action) {
            reach(store, &call.subject, &resource, action)
        } else {
            Reach::default()
        };
        answer.insert(action.into(), scopes.to_json(store));
    }
    Reply::json(200, &json!(answer))
}
