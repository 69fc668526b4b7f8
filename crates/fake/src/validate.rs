//! Request body validation against the catalogue's schemas: the OpenAPI 3.0 subset the
//! Administrator API uses. Errors name the offending field by its path from `body`.

use serde_json::Value;

use runai_admin_core::api::Catalogue;

/// Deep enough for every real schema; guards against a cyclic `$ref` on odd input.
const MAX_DEPTH: usize = 64;

pub(crate) fn validate(catalogue: &Catalogue, schema: &Value, value: &Value) -> Result<(), String> {
    check(catalogue, schema, value, "body", 0)
}

fn resolve<'a>(catalogue: &'a Catalogue, reference: &str) -> Option<&'a Value> {
    reference
        .strip_prefix("#/components/schemas/")
        .and_then(|name| catalogue.schema(name))
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn nullable(catalogue: &Catalogue, schema: &Value, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return true;
    }
    if schema.get("nullable").and_then(Value::as_bool) == Some(true) {
        return true;
    }
    schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| resolve(catalogue, r))
        .is_some_and(|target| nullable(catalogue, target, depth + 1))
}

/// The type a schema pins down, directly or through `$ref`/`allOf`.
fn declared_type<'a>(catalogue: &'a Catalogue, schema: &'a Value, depth: usize) -> Option<&'a str> {
    if depth > MAX_DEPTH {
        return None;
    }
    if let Some(t) = schema.get("type").and_then(Value::as_str) {
        return Some(t);
    }
    if let Some(target) = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| resolve(catalogue, r))
    {
        return declared_type(catalogue, target, depth + 1);
    }
    schema
        .get("allOf")
        .and_then(Value::as_array)
        .and_then(|all| {
            all.iter()
                .find_map(|s| declared_type(catalogue, s, depth + 1))
        })
}

fn type_matches(expected: &str, value: &Value) -> bool {
    match expected {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "number" => value.is_number(),
        "integer" => value
            .as_f64()
            .is_some_and(|n| n.fract() == 0.0 && value.is_number()),
        _ => true,
    }
}

fn check(
    catalogue: &Catalogue,
    schema: &Value,
    value: &Value,
    path: &str,
    depth: usize,
) -> Result<(), String> {
    if depth > MAX_DEPTH || !schema.is_object() {
        return Ok(());
    }
    if value.is_null() {
        if nullable(catalogue, schema, depth) {
            return Ok(());
        }
        return match declared_type(catalogue, schema, depth) {
            Some(t) => Err(format!("{path}: expected {t}, got null")),
            None => Ok(()),
        };
    }
    if let Some(target) = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| resolve(catalogue, r))
    {
        check(catalogue, target, value, path, depth + 1)?;
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for part in all {
            check(catalogue, part, value, path, depth + 1)?;
        }
    }
    for key in ["oneOf", "anyOf"] {
        // Loosely: one matching alternative is enough for either keyword.
        if let Some(alternatives) = schema.get(key).and_then(Value::as_array) {
            let mut first_error = None;
            let mut any = alternatives.is_empty();
            for alternative in alternatives {
                match check(catalogue, alternative, value, path, depth + 1) {
                    Ok(()) => {
                        any = true;
                        break;
                    }
                    Err(e) => {
                        first_error.get_or_insert(e);
                    }
                }
            }
            if !any {
                return Err(
                    first_error.unwrap_or_else(|| format!("{path}: matches no alternative"))
                );
            }
        }
    }
    if let Some(expected) = schema.get("type").and_then(Value::as_str) {
        if !type_matches(expected, value) {
            return Err(format!("{path}: expected {expected}, got {}", kind(value)));
        }
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
        if !allowed.contains(value) {
            let names: Vec<String> = allowed.iter().map(Value::to_string).collect();
            return Err(format!(
                "{path}: expected one of [{}], got {value}",
                names.join(", ")
            ));
        }
    }
    check_bounds(schema, value, path)?;
    match value {
        Value::Object(map) => {
            if let Some(required) = schema.get("required").and_then(Value::as_array) {
                for name in required.iter().filter_map(Value::as_str) {
                    if !map.contains_key(name) {
                        return Err(format!("{path}.{name}: required field is missing"));
                    }
                }
            }
            let properties = schema.get("properties").and_then(Value::as_object);
            if let Some(properties) = properties {
                for (name, property) in properties {
                    if let Some(v) = map.get(name) {
                        check(catalogue, property, v, &format!("{path}.{name}"), depth + 1)?;
                    }
                }
            }
            if let Some(extra) = schema.get("additionalProperties").filter(|s| s.is_object()) {
                for (name, v) in map {
                    if properties.is_none_or(|p| !p.contains_key(name)) {
                        check(catalogue, extra, v, &format!("{path}.{name}"), depth + 1)?;
                    }
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    check(
                        catalogue,
                        item_schema,
                        item,
                        &format!("{path}[{i}]"),
                        depth + 1,
                    )?;
                }
            }
        }
        _ => {}
    }
    Ok(())
}

fn check_bounds(schema: &Value, value: &Value, path: &str) -> Result<(), String> {
    if let Some(n) = value.as_f64() {
        if let Some(min) = schema.get("minimum").and_then(Value::as_f64) {
            if n < min {
                return Err(format!("{path}: must be at least {min}, got {n}"));
            }
        }
        if let Some(max) = schema.get("maximum").and_then(Value::as_f64) {
            if n > max {
                return Err(format!("{path}: must be at most {max}, got {n}"));
            }
        }
    }
    if let Some(s) = value.as_str() {
        let len = s.chars().count() as u64;
        if let Some(min) = schema.get("minLength").and_then(Value::as_u64) {
            if len < min {
                return Err(format!("{path}: must be at least {min} characters long"));
            }
        }
        if let Some(max) = schema.get("maxLength").and_then(Value::as_u64) {
            if len > max {
                return Err(format!("{path}: must be at most {max} characters long"));
            }
        }
        // The only pattern a request body of our scope carries is the user email's; other
        // patterns are not checked (no regex engine in the fake).
        if schema
            .get("pattern")
            .and_then(Value::as_str)
            .is_some_and(|p| p.contains('@'))
            && !is_email(s)
        {
            return Err(format!("{path}: not a valid email address: {s:?}"));
        }
    }
    Ok(())
}

/// `^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\.[a-zA-Z]{2,}$`, by hand.
pub(crate) fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._%+-".contains(c));
    let Some((host, tld)) = domain.rsplit_once('.') else {
        return false;
    };
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-".contains(c));
    let tld_ok = tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic());
    local_ok && host_ok && tld_ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema(name: &str) -> &'static Value {
        Catalogue::get().schema(name).expect("schema")
    }

    #[test]
    fn a_valid_project_request_passes() {
        let body = json!({
            "name": "team-a",
            "clusterId": "71f69d83-ba66-4822-adf5-55ce55efd210",
            "resources": [{"gpu": {"deserved": 2}, "nodePool": {"id": "1"}}],
        });
        validate(Catalogue::get(), schema("ProjectCreationRequest"), &body).expect("valid");
    }

    #[test]
    fn errors_name_the_nested_field() {
        let body = json!({
            "name": "team-a",
            "clusterId": "x",
            "resources": [{"gpu": {"deserved": "two"}}],
        });
        let err = validate(Catalogue::get(), schema("ProjectCreationRequest"), &body).unwrap_err();
        assert!(
            err.starts_with("body.resources[0].gpu.deserved: expected number"),
            "{err}"
        );
    }

    #[test]
    fn required_fields_and_nullability() {
        let err = validate(
            Catalogue::get(),
            schema("ProjectCreationRequest"),
            &json!({"name": "a"}),
        )
        .unwrap_err();
        assert!(err.contains("required"), "{err}");
        let body = json!({"name": "a", "clusterId": "c", "resources": [], "schedulingRules": null, "nodeTypes": null});
        validate(Catalogue::get(), schema("ProjectCreationRequest"), &body)
            .expect("nullable fields");
        let err = validate(
            Catalogue::get(),
            schema("ProjectCreationRequest"),
            &json!({"name": null, "clusterId": "c", "resources": []}),
        )
        .unwrap_err();
        assert_eq!(err, "body.name: expected string, got null");
    }

    #[test]
    fn enums_minimums_and_emails() {
        let bad_units = json!([{"memory": {"deserved": 1, "units": "TB"}}]);
        let err = validate(
            Catalogue::get(),
            schema("ResourcesUpdateRequest"),
            &bad_units,
        )
        .unwrap_err();
        assert!(
            err.starts_with("body[0].memory.units: expected one of"),
            "{err}"
        );
        let low = json!({"name": "a", "clusterId": "c", "resources": [], "schedulingRules": {"trainingJobTimeLimitSeconds": 0}});
        let err = validate(Catalogue::get(), schema("ProjectCreationRequest"), &low).unwrap_err();
        assert!(
            err.starts_with("body.schedulingRules.trainingJobTimeLimitSeconds: must be at least 1"),
            "{err}"
        );
        assert!(is_email("a.b+c@example.co"));
        assert!(!is_email("a@b"));
        assert!(!is_email("@example.com"));
        assert!(!is_email("a@@example.com"));
        let err = validate(
            Catalogue::get(),
            schema("UserCreationRequest1"),
            &json!({"email": "nope"}),
        )
        .unwrap_err();
        assert!(err.starts_with("body.email: not a valid email"), "{err}");
    }
}
