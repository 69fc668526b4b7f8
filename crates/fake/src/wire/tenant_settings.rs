//! The seed-era tenant settings' shapes (`/v1/k8s/setting`): the `Setting` object, whose
//! `value` the spec types as text whatever the setting's type, whether a setting is on,
//! and a new value read as its setting's type.

use serde_json::{json, Value};

use crate::store::TenantSetting;

/// Where every tenant setting is kept: the tenant's own, as in the spec's example.
const SOURCE: &str = "Tenant";

pub(crate) fn setting(s: &TenantSetting) -> Value {
    json!({
        "key": s.key,
        "type": s.kind,
        "category": s.category,
        "label": s.label,
        "description": s.description,
        "source": SOURCE,
        "stage": s.stage,
        "active": s.active,
        "value": s.value,
    })
}

/// What `GET /v1/k8s/setting/{key}` answers: an active switch that is on, or an active
/// setting of another type.
pub(crate) fn enabled(s: &TenantSetting) -> bool {
    s.active && (s.kind != "Boolean" || s.value == "true")
}

/// The stored text of a new value for a setting of type `kind`, or `None` when the value
/// is not of that type. A value may come as JSON of its type or as the text the settings'
/// listing shows (`true`, `"true"`; `2.5`, `"2.5"`), so that a listed value can be sent
/// back as it is.
pub(crate) fn value_as(kind: &str, value: &Value) -> Option<String> {
    match (kind, value) {
        ("Boolean", Value::Bool(b)) => Some(b.to_string()),
        ("Boolean", Value::String(s)) if s == "true" || s == "false" => Some(s.clone()),
        ("Number", Value::Number(n)) => Some(n.to_string()),
        ("Number", Value::String(s)) => s
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .map(|_| s.trim().to_string()),
        ("String", Value::String(s)) => Some(s.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_read_as_their_settings_type() {
        assert_eq!(value_as("Boolean", &json!(true)).as_deref(), Some("true"));
        assert_eq!(
            value_as("Boolean", &json!("false")).as_deref(),
            Some("false")
        );
        assert_eq!(value_as("Boolean", &json!("yes")), None);
        assert_eq!(value_as("Boolean", &json!(1)), None);
        assert_eq!(value_as("Number", &json!(2.5)).as_deref(), Some("2.5"));
        assert_eq!(value_as("Number", &json!(" 3 ")).as_deref(), Some("3"));
        assert_eq!(value_as("Number", &json!("NaN")), None);
        assert_eq!(value_as("Number", &json!(true)), None);
        assert_eq!(
            value_as("String", &json!("a@b.c")).as_deref(),
            Some("a@b.c")
        );
        assert_eq!(value_as("String", &json!(3)), None);
        assert_eq!(value_as("Boolean", &Value::Null), None);
    }
}
