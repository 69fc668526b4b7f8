//! `/v1/k8s/setting`: the tenant's seed-era settings, all of them, whether one is on, and
//! the update of one value. The spec's update body makes both fields optional; an update
//! needs them, so a missing one is a 400 naming it.
//!
//! A key no setting has reads as off: the spec gives the by-key read no error answer, and
//! the answer is whether the setting is enabled, which an unknown one is not. Updating an
//! unknown key is the 404 the spec lists.

use serde_json::{json, Value};

use crate::context::{Access, Answer, Call};
use crate::error::ApiError;
use crate::reply::Reply;
use crate::store::Store;
use crate::wire::tenant_settings::{enabled, setting, value_as};

/// `None` when the operation is not one of this area's.
pub(crate) fn handle(call: &Call<'_>, store: &mut Access<'_>) -> Option<Answer> {
    let answer = match call.op.id.as_str() {
        "getTenantSettings" => {
            let all: Vec<Value> = store.tenant_settings.iter().map(setting).collect();
            Ok(Reply::json(200, &Value::Array(all)))
        }
        "getTenantSettingsByKey" => {
            let key = call.param("settingKey");
            let on = store
                .tenant_settings
                .iter()
                .find(|s| s.key == key)
                .is_some_and(enabled);
            Ok(Reply::json(200, &json!(on)))
        }
        "updateTenantSetting" => store.write().and_then(|store| update(call, store)),
        _ => return None,
    };
    Some(answer)
}

fn update(call: &Call<'_>, store: &mut Store) -> Answer {
    let key = match call.body.get("key") {
        Some(Value::String(key)) if !key.is_empty() => key.as_str(),
        _ => return Err(ApiError::bad_request("body.key: required field is missing")),
    };
    let value = call
        .body
        .get("value")
        .ok_or_else(|| ApiError::bad_request("body.value: required field is missing"))?;
    let target = store
        .tenant_settings
        .iter_mut()
        .find(|s| s.key == key)
        .ok_or_else(|| ApiError::not_found(format!("tenant setting {key:?} not found")))?;
    target.value = value_as(target.kind, value).ok_or_else(|| {
        ApiError::bad_request(format!(
            "body.value: setting {key:?} takes a {} value, got {value}",
            target.kind
        ))
    })?;
    Ok(Reply::json(200, &json!({"msg": "done"})))
}
