//! Request body validation against the catalogue's schemas: the OpenAPI 3.0 subset the
//! Administrator API uses. Errors name the offending field by its path from `body`. The
//! formats checked here (`has_format`) are the ones the router's query check uses.

use serde_json::Value;

use runai_admin_core::api::Catalogue;

/// Deep enough for every real schema; guards against a cyclic `$ref` on odd input.
const MAX_DEPTH: usize = 64;

/// Properties, by schema and name, whose declared `format` the control plane does not hold
/// to. The access-rule batch names rules by their own ids, which are integers (the rule's
/// `id`, the `accessRuleId` path parameter) sent as strings; the uuid format of the
/// `IdsList` schema it shares with other batches fits no access rule.
const LOOSE_FORMATS: [(&str, &str); 1] = [("AccessRulesBatchFields", "ids")];

/// Required fields, by schema and name, that the schema never declares
/// (`IdpCreationRequest`'s `data`, `Mappers`' `alias`): the catalogue gives clients no
/// such argument, so the control plane cannot be asking for them.
const UNDECLARED_REQUIRED: [(&str, &str); 2] =
    [("IdpCreationRequest", "data"), ("Mappers", "alias")];

fn declares(catalogue: &Catalogue, schema: &Value, name: &str) -> bool {
    !UNDECLARED_REQUIRED.iter().any(|(owner, field)| {
        *field == name
            && catalogue
                .schema(owner)
                .is_some_and(|s| std::ptr::eq(s, schema))
    })
}

pub(crate) fn validate(catalogue: &Catalogue, schema: &Value, value: &Value) -> Result<(), String> {
    check(catalogue, schema, value, "body", 0, true)
}

/// The structure alone, formats aside: for the fake's own answers, whose numeric
/// department and project ids the spec marks uuid in places (the schemathesis run checks
/// formats, with that difference in its baseline).
#[cfg(test)]
pub(crate) fn validate_shape(
    catalogue: &Catalogue,
    schema: &Value,
    value: &Value,
) -> Result<(), String> {
    check(catalogue, schema, value, "body", 0, false)
}

/// Whether a value, as written (a query parameter, a body string, a body integer's
/// digits), has the `format` its schema gives: ids and times (`uuid`, `date-time`) and
/// integer widths (`int32`, `int64`). Any other format passes.
pub(crate) fn has_format(format: &str, text: &str) -> bool {
    match format {
        "uuid" => is_uuid(text),
        "date-time" => is_date_time(text),
        "int32" => text.parse::<i32>().is_ok(),
        "int64" => text.parse::<i64>().is_ok(),
        _ => true,
    }
}

/// A whole number's digits (`3.0` as `3`), for its width; `None` for a fraction, which the
/// type check judges.
fn integer_text(n: &serde_json::Number) -> Option<String> {
    if let Some(i) = n.as_i64() {
        return Some(i.to_string());
    }
    if let Some(u) = n.as_u64() {
        return Some(u.to_string());
    }
    let f = n.as_f64()?;
    // `{:.0}` writes any whole float in digits (`1e30` too), which no width then parses.
    (f.fract() == 0.0).then(|| format!("{f:.0}"))
}

/// An RFC 3339 date-time, as OpenAPI's `date-time` format means:
/// `2026-01-31T23:59:60.5+01:00` (`T` or `t`, `Z` or `z`, or an offset).
fn is_date_time(value: &str) -> bool {
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let Some((date, time)) = value.split_once(['T', 't']) else {
        return false;
    };
    let ymd: Vec<&str> = date.split('-').collect();
    let date_ok =
        matches!(ymd.as_slice(), [y, m, d] if digits(y, 4) && digits(m, 2) && digits(d, 2));
    let (clock, zone) = match time.strip_suffix(['Z', 'z']) {
        Some(clock) => (clock, None),
        None => match time.rfind(['+', '-']) {
            Some(at) => (&time[..at], Some(&time[at + 1..])),
            None => return false,
        },
    };
    let zone_ok = zone
        .is_none_or(|z| matches!(z.split_once(':'), Some((h, m)) if digits(h, 2) && digits(m, 2)));
    let (whole, fraction) = clock.split_once('.').unwrap_or((clock, "0"));
    let hms: Vec<&str> = whole.split(':').collect();
    let clock_ok = matches!(hms.as_slice(), [h, m, s] if digits(h, 2) && digits(m, 2) && digits(s, 2))
        && !fraction.is_empty()
        && fraction.bytes().all(|b| b.is_ascii_digit());
    date_ok && zone_ok && clock_ok
}

/// `8-4-4-4-12` hexadecimal digits, as OpenAPI's `uuid` format means.
fn is_uuid(value: &str) -> bool {
    let groups: Vec<&str> = value.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Whether `schema`'s property `name` is held to its format. Schemas are told apart by
/// identity: a `$ref` resolves to the catalogue's own copy.
fn format_held(catalogue: &Catalogue, schema: &Value, name: &str) -> bool {
    !LOOSE_FORMATS.iter().any(|(owner, property)| {
        *property == name
            && catalogue
                .schema(owner)
                .is_some_and(|s| std::ptr::eq(s, schema))
    })
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

/// `formats`: whether formats are checked (not below a `LOOSE_FORMATS` property).
fn check(
    catalogue: &Catalogue,
    schema: &Value,
    value: &Value,
    path: &str,
    depth: usize,
    formats: bool,
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
        check(catalogue, target, value, path, depth + 1, formats)?;
    }
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        for part in all {
            check(catalogue, part, value, path, depth + 1, formats)?;
        }
    }
    for key in ["oneOf", "anyOf"] {
        // Loosely: one matching alternative is enough for either keyword.
        if let Some(alternatives) = schema.get(key).and_then(Value::as_array) {
            let mut first_error = None;
            let mut any = alternatives.is_empty();
            for alternative in alternatives {
                match check(catalogue, alternative, value, path, depth + 1, formats) {
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
    if let Some(format) = schema
        .get("format")
        .and_then(Value::as_str)
        .filter(|_| formats)
    {
        let held = match value {
            Value::String(text) => has_format(format, text),
            Value::Number(n) => integer_text(n).is_none_or(|digits| has_format(format, &digits)),
            _ => true,
        };
        if !held {
            return Err(format!("{path}: expected {format}, got {value}"));
        }
    }
    match value {
        Value::Object(map) => {
            if let Some(required) = schema.get("required").and_then(Value::as_array) {
                for name in required.iter().filter_map(Value::as_str) {
                    if !map.contains_key(name) && declares(catalogue, schema, name) {
                        return Err(format!("{path}.{name}: required field is missing"));
                    }
                }
            }
            let properties = schema.get("properties").and_then(Value::as_object);
            if let Some(properties) = properties {
                for (name, property) in properties {
                    if let Some(v) = map.get(name) {
                        let formats = formats && format_held(catalogue, schema, name);
                        let at = format!("{path}.{name}");
                        check(catalogue, property, v, &at, depth + 1, formats)?;
                    }
                }
            }
            if let Some(extra) = schema.get("additionalProperties").filter(|s| s.is_object()) {
                for (name, v) in map {
                    if properties.is_none_or(|p| !p.contains_key(name)) {
                        let at = format!("{path}.{name}");
                        check(catalogue, extra, v, &at, depth + 1, formats)?;
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
                        formats,
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

    const CLUSTER: &str = "71f69d83-ba66-4822-adf5-55ce55efd210";

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
            "clusterId": CLUSTER,
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
        let body = json!({"name": "a", "clusterId": CLUSTER, "resources": [], "schedulingRules": null, "nodeTypes": null});
        validate(Catalogue::get(), schema("ProjectCreationRequest"), &body)
            .expect("nullable fields");
        let err = validate(
            Catalogue::get(),
            schema("ProjectCreationRequest"),
            &json!({"name": null, "clusterId": CLUSTER, "resources": []}),
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
        let low = json!({"name": "a", "clusterId": CLUSTER, "resources": [], "schedulingRules": {"trainingJobTimeLimitSeconds": 0}});
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

    /// An access rule to create, with the cluster and role id given.
    fn rule(cluster: &str, role: Value) -> Result<(), String> {
        let body = json!({"subjectId": "a@example.com", "subjectType": "user", "roleId": role,
                          "scopeId": "1", "scopeType": "department", "clusterId": cluster});
        validate(Catalogue::get(), schema("AccessRuleCreationFields"), &body)
    }

    #[test]
    fn string_formats_are_checked_as_in_the_query() {
        rule(CLUSTER, json!(1)).expect("a uuid");
        let err = rule("cluster-1", json!(1)).unwrap_err();
        assert_eq!(err, "body.clusterId: expected uuid, got \"cluster-1\"");
        let batch =
            json!({"payload": {"roleId": 1, "clusterId": "x", "subjects": [], "scopes": []}});
        let err = validate(
            Catalogue::get(),
            schema("AccessRulesBatchCreateFields"),
            &batch,
        )
        .unwrap_err();
        assert!(
            err.starts_with("body.payload.clusterId: expected uuid"),
            "{err}"
        );
        assert!(has_format("date-time", "2026-01-31T23:59:60.5+01:00"));
        assert!(has_format("date-time", "2026-01-31t10:00:00z"));
        assert!(!has_format("date-time", "2026-01-31 10:00:00Z"));
        assert!(!has_format("uuid", &CLUSTER[1..]));
        assert!(has_format("double", "anything"));
    }

    #[test]
    fn integers_fit_their_width() {
        let err = rule(CLUSTER, json!(2_147_483_648_i64)).unwrap_err();
        assert_eq!(err, "body.roleId: expected int32, got 2147483648");
        rule(CLUSTER, json!(3.0)).expect("a whole float fits");
        assert!(rule(CLUSTER, json!(1e30)).is_err());
        assert!(has_format("int64", "-9223372036854775808"));
        assert!(!has_format("int64", "9223372036854775808"));
    }

    #[test]
    fn the_access_rule_batch_names_rules_by_their_integer_ids() {
        let fields = schema("AccessRulesBatchFields");
        let body = json!({"ids": ["12", "", CLUSTER], "action": "delete"});
        validate(Catalogue::get(), fields, &body).expect("ids as given");
        // Elsewhere the same ids list keeps its format.
        let ids = schema("IdsList");
        let err = validate(Catalogue::get(), ids, &json!(["12"])).unwrap_err();
        assert!(err.starts_with("body[0]: expected uuid"), "{err}");
    }
}
