//! The `/api/v1/users` shape: `User2`, and the row its listing filters and sorts on.

use serde_json::{json, Map, Value};

use crate::listing::Row;
use crate::store::User;

/// The user attributes the deprecated `filter` can name, and the row field of each. The
/// fake's users are all local.
pub(crate) const ATTRIBUTES: [(&str, &str); 1] = [("runai.is_local", "isLocal")];

pub(crate) fn user(user: &User) -> Value {
    json!({
        "id": user.id,
        "username": user.username,
        "createdBy": user.created_by,
        "createdAt": user.created_at,
        "updatedAt": user.updated_at,
        "lastLogin": user.last_login,
        "isLocal": true,
        "groups": [],
    })
}

pub(crate) fn user_row(u: &User) -> Row {
    let mut fields = Map::new();
    fields.insert("username".into(), json!(u.username));
    fields.insert("createdBy".into(), json!(u.created_by));
    fields.insert("lastLogin".into(), json!(u.last_login));
    fields.insert("creationTime".into(), json!(u.created_at));
    fields.insert("lastUpdated".into(), json!(u.updated_at));
    fields.insert("isLocal".into(), json!(true));
    fields.insert("type".into(), json!("local"));
    Row {
        fields,
        item: user(u),
    }
}
