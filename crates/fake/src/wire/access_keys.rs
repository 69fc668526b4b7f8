//! The access-key shapes: `AccessKey1` for the owner, `AccessKeyAdministration` (with
//! its owner) for administrators. Neither carries the secret.

use serde_json::{json, Value};

use crate::store::AccessKey;

pub(crate) fn access_key(key: &AccessKey) -> Value {
    json!({
        "id": key.id,
        "name": key.name,
        "clientId": key.client_id,
        "createdAt": key.created_at,
        "lastLogin": key.last_login,
    })
}

pub(crate) fn access_key_for_administrators(key: &AccessKey) -> Value {
    let mut value = access_key(key);
    if let Value::Object(fields) = &mut value {
        fields.insert("createdBy".into(), json!(key.owner));
    }
    value
}
