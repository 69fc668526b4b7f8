//! Turn a Python-style call (positional path parameters, snake_case keywords) into the
//! HTTP request the operation describes, or say precisely which argument is wrong. Nothing
//! is sent until every argument has passed.

use bytes::Bytes;
use serde_json::{Map, Value};

use super::{CallName, Operation, Param};
use crate::error::{CoreError, CoreResult};
use crate::http::{Request, RequestBody};

/// The keyword that sends a raw wire body as is (merged under any field keywords).
pub const RAW_BODY: &str = "body";

pub fn bind(
    op: &Operation,
    mut positional: Vec<Value>,
    mut keywords: Vec<(String, Value)>,
) -> CoreResult<Request> {
    let call = CallName(op);
    take_path_keywords(op, call, &mut positional, &mut keywords)?;
    let path = bind_path(op, call, positional)?;
    let mut query = Vec::new();
    let mut fields = Map::new();
    let mut raw_body: Option<Value> = None;

    for (key, value) in keywords {
        if key == RAW_BODY && op.body.is_some() {
            raw_body = Some(value);
        } else if let Some(param) = op.query.iter().find(|p| p.py == key) {
            if !value.is_null() {
                check_value(call, param, &value)?;
                check_filter(call, param, &value)?;
                push_query(&mut query, param, &value);
            }
        } else if let Some(field) = op
            .body
            .as_ref()
            .and_then(|b| b.fields.iter().find(|f| f.py == key))
        {
            if value.is_null() && !field.nullable {
                continue;
            }
            check_value(call, field, &value)?;
            fields.insert(field.name.clone(), value);
        } else {
            return Err(CoreError::ArgumentType(unknown_keyword(op, call, &key)));
        }
    }

    for param in op.query.iter().filter(|p| p.required) {
        if !query.iter().any(|(name, _)| name == &param.name) {
            return Err(missing(call, &param.py));
        }
    }
    let body = build_body(op, call, raw_body, fields)?;
    Ok(Request {
        method: reqwest::Method::from_bytes(op.method.as_bytes())
            .map_err(|_| CoreError::Configuration(format!("{call}: bad method {}", op.method)))?,
        path,
        query,
        body,
    })
}

/// Path parameters may also be given by name (`get(project_id="42")`), after the
/// positional ones.
fn take_path_keywords(
    op: &Operation,
    call: CallName<'_>,
    positional: &mut Vec<Value>,
    keywords: &mut Vec<(String, Value)>,
) -> CoreResult<()> {
    for (i, param) in op.path_params.iter().enumerate() {
        let Some(at) = keywords.iter().position(|(k, _)| *k == param.py) else {
            continue;
        };
        if i < positional.len() {
            return Err(CoreError::ArgumentType(format!(
                "{call} got multiple values for argument '{}'",
                param.py
            )));
        }
        if i > positional.len() {
            break;
        }
        let (_, value) = keywords.remove(at);
        positional.push(value);
    }
    Ok(())
}

fn bind_path(op: &Operation, call: CallName<'_>, positional: Vec<Value>) -> CoreResult<String> {
    if positional.len() != op.path_params.len() {
        let names: Vec<&str> = op.path_params.iter().map(|p| p.py.as_str()).collect();
        return Err(CoreError::ArgumentType(format!(
            "{call} takes {} positional argument(s) ({}) but {} were given",
            op.path_params.len(),
            names.join(", "),
            positional.len()
        )));
    }
    let mut path = op.path.clone();
    for (param, value) in op.path_params.iter().zip(positional) {
        let text = match &value {
            Value::String(s) if !s.is_empty() => s.clone(),
            Value::Number(n) if n.is_i64() || n.is_u64() => n.to_string(),
            Value::String(_) => {
                return Err(CoreError::ArgumentValue(format!(
                    "{call}: {} must not be empty",
                    param.py
                )));
            }
            other => {
                return Err(CoreError::ArgumentType(format!(
                    "{call}: {} must be str or int, not {}",
                    param.py,
                    type_name(other)
                )));
            }
        };
        // URL parsers fold `.` and `..` segments (escaped or not) into another path.
        if text == "." || text == ".." {
            return Err(CoreError::ArgumentValue(format!(
                "{call}: {} must not be '.' or '..'",
                param.py
            )));
        }
        let encoded = percent_encoding::utf8_percent_encode(&text, PATH_SEGMENT).to_string();
        path = path.replace(&format!("{{{}}}", param.name), &encoded);
    }
    Ok(path)
}

/// Everything but unreserved characters is escaped inside a path segment.
const PATH_SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

fn build_body(
    op: &Operation,
    call: CallName<'_>,
    raw: Option<Value>,
    fields: Map<String, Value>,
) -> CoreResult<Option<RequestBody>> {
    let Some(spec) = &op.body else {
        return Ok(None);
    };
    let value = if spec.kind == "array" {
        match raw {
            Some(Value::Array(items)) => Some(Value::Array(items)),
            Some(other) => {
                return Err(CoreError::ArgumentType(format!(
                    "{call}: body must be a list, not {}",
                    type_name(&other)
                )));
            }
            None => None,
        }
    } else {
        let mut object = match raw {
            Some(Value::Object(map)) => map,
            Some(Value::Null) | None => Map::new(),
            Some(other) => {
                return Err(CoreError::ArgumentType(format!(
                    "{call}: body must be a dict, not {}",
                    type_name(&other)
                )));
            }
        };
        object.extend(fields);
        for field in spec.fields.iter().filter(|f| f.required) {
            if !object.contains_key(&field.name) {
                return Err(missing(call, &field.py));
            }
        }
        (!object.is_empty() || spec.required).then_some(Value::Object(object))
    };
    match value {
        Some(value) if spec.media == FORM_MEDIA => form_fields(call, value).map(Some),
        Some(value) => {
            let bytes = serde_json::to_vec(&value).map_err(|e| {
                CoreError::ArgumentValue(format!("{call}: the body cannot be encoded: {e}"))
            })?;
            Ok(Some(RequestBody::Json(Bytes::from(bytes))))
        }
        None if spec.required => Err(missing(call, RAW_BODY)),
        None => Ok(None),
    }
}

/// The media type of a form-encoded body, as the catalogue records it from the spec.
const FORM_MEDIA: &str = "application/x-www-form-urlencoded";

/// A form body is flat: each field a scalar (sent as its text) or a list of scalars (the
/// field repeated). Values are never quoted in errors: these bodies carry secrets.
fn form_fields(call: CallName<'_>, value: Value) -> CoreResult<RequestBody> {
    let Value::Object(object) = value else {
        return Err(CoreError::ArgumentType(format!(
            "{call}: a form body must be a dict, not {}",
            type_name(&value)
        )));
    };
    let mut fields = Vec::with_capacity(object.len());
    for (name, value) in object {
        let items = match value {
            Value::Array(items) => items,
            other => vec![other],
        };
        for item in items {
            let text = match item {
                Value::Null => continue,
                Value::String(s) => s,
                Value::Bool(_) | Value::Number(_) => item.to_string(),
                other => {
                    return Err(CoreError::ArgumentType(format!(
                        "{call}: form field {name} must be a scalar or a list of scalars, not {}",
                        type_name(&other)
                    )));
                }
            };
            fields.push((name.clone(), text));
        }
    }
    Ok(RequestBody::Form(fields))
}

fn missing(call: CallName<'_>, name: &str) -> CoreError {
    CoreError::ArgumentType(format!("{call} missing required argument: '{name}'"))
}

fn unknown_keyword(op: &Operation, call: CallName<'_>, key: &str) -> String {
    let known: Vec<&str> = op
        .query
        .iter()
        .map(|p| p.py.as_str())
        .chain(
            op.body
                .iter()
                .flat_map(|b| b.fields.iter().map(|f| f.py.as_str())),
        )
        .chain(op.body.iter().map(|_| RAW_BODY))
        .collect();
    let hint = known
        .iter()
        .find(|k| {
            k.replace('_', "")
                .eq_ignore_ascii_case(&key.replace('_', ""))
        })
        .map(|k| format!(" (did you mean '{k}'?)"))
        .unwrap_or_default();
    if known.is_empty() {
        format!("{call} got an unexpected keyword argument '{key}'{hint}; it takes none")
    } else {
        format!(
            "{call} got an unexpected keyword argument '{key}'{hint}; it takes: {}",
            known.join(", ")
        )
    }
}

pub fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "None",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

fn python_type(kind: &str) -> &'static str {
    match kind {
        "string" => "str",
        "integer" => "int",
        "number" => "float",
        "boolean" => "bool",
        "array" => "list",
        "object" => "dict",
        _ => "object",
    }
}

fn matches_kind(kind: &str, value: &Value) -> bool {
    match kind {
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => true,
    }
}

fn check_value(call: CallName<'_>, param: &Param, value: &Value) -> CoreResult<()> {
    if value.is_null() {
        return if param.nullable {
            Ok(())
        } else {
            Err(CoreError::ArgumentType(format!(
                "{call}: {} must not be None",
                param.py
            )))
        };
    }
    if let Some(kind) = &param.kind {
        // A single string is accepted where a list of strings is expected (filter_by="name==x").
        let single_for_list =
            kind == "array" && param.items.as_deref() == Some("string") && value.is_string();
        if !matches_kind(kind, value) && !single_for_list {
            return Err(CoreError::ArgumentType(format!(
                "{call}: {} must be {}, not {}",
                param.py,
                python_type(kind),
                type_name(value)
            )));
        }
        if let (Some(item_kind), Value::Array(items)) = (&param.items, value) {
            if let Some((i, bad)) = items
                .iter()
                .enumerate()
                .find(|(_, v)| !matches_kind(item_kind, v))
            {
                return Err(CoreError::ArgumentType(format!(
                    "{call}: {}[{i}] must be {}, not {}",
                    param.py,
                    python_type(item_kind),
                    type_name(bad)
                )));
            }
        }
    }
    check_bounds(call, param, value)?;
    if let Some(allowed) = &param.allowed {
        if !allowed.contains(value) {
            let names: Vec<String> = allowed.iter().map(Value::to_string).collect();
            return Err(CoreError::ArgumentValue(format!(
                "{call}: {} must be one of {}, not {value}",
                param.py,
                names.join(", ")
            )));
        }
    }
    Ok(())
}

/// Numbers stay within the bounds the spec gives (a page size within the largest page, say).
fn check_bounds(call: CallName<'_>, param: &Param, value: &Value) -> CoreResult<()> {
    let Some(number) = value.as_f64() else {
        return Ok(());
    };
    let shown = |bound: f64| {
        Value::from(bound)
            .to_string()
            .trim_end_matches(".0")
            .to_string()
    };
    if let Some(min) = param.minimum.filter(|&min| number < min) {
        return Err(CoreError::ArgumentValue(format!(
            "{call}: {} must be at least {}, not {value}",
            param.py,
            shown(min)
        )));
    }
    if let Some(max) = param.maximum.filter(|&max| number > max) {
        return Err(CoreError::ArgumentValue(format!(
            "{call}: {} must be at most {}, not {value}",
            param.py,
            shown(max)
        )));
    }
    Ok(())
}

/// Arrays go out as repeated keys (`a=1&a=2`) or, where the spec says `explode: false`
/// (every array of this API), as one comma-joined value (`a=1,2`).
fn push_query(query: &mut Vec<(String, String)>, param: &Param, value: &Value) {
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    match value {
        Value::Array(items) if param.explode => {
            query.extend(items.iter().map(|item| (param.name.clone(), text(item))));
        }
        Value::Array(items) => {
            let joined: Vec<String> = items.iter().map(text).collect();
            query.push((param.name.clone(), joined.join(",")));
        }
        other => query.push((param.name.clone(), text(other))),
    }
}

/// `filter_by` expressions are checked against the fields and operators the spec allows,
/// so a typo fails here, naming itself, rather than as a 400 from the server.
fn check_filter(call: CallName<'_>, param: &Param, value: &Value) -> CoreResult<()> {
    let Some(grammar) = &param.filter else {
        return Ok(());
    };
    let expressions: Vec<&str> = match value {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    for expression in expressions {
        grammar.parse(expression).map_err(|why| {
            CoreError::ArgumentValue(format!("{call}: {} {expression:?}: {why}", param.py))
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Catalogue;
    use serde_json::json;

    fn op(id: &str) -> &'static Operation {
        Catalogue::get().operation(id).expect("in catalogue")
    }

    fn kw(pairs: &[(&str, Value)]) -> Vec<(String, Value)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    fn body_json(request: &Request) -> Value {
        match &request.body {
            Some(RequestBody::Json(b)) => serde_json::from_slice(b).expect("json"),
            other => panic!("no json body: {other:?}"),
        }
    }

    #[test]
    fn keywords_become_wire_fields() {
        let request = bind(
            op("create_project"),
            vec![],
            kw(&[
                ("name", json!("p")),
                ("cluster_id", json!("c")),
                ("resources", json!([{"gpu": {"deserved": 2}}])),
            ]),
        )
        .expect("binds");
        assert_eq!(request.method, reqwest::Method::POST);
        assert_eq!(body_json(&request)["clusterId"], json!("c"));
    }

    #[test]
    fn path_parameters_are_positional_and_escaped() {
        let request = bind(op("get_project"), vec![json!("a/b")], vec![]).expect("binds");
        assert_eq!(request.path, "/api/v1/org-unit/projects/a%2Fb");
        let err = bind(op("get_project"), vec![], vec![]).expect_err("fails");
        assert!(err.to_string().contains("project_id"), "{err}");
    }

    #[test]
    fn path_parameters_may_be_named_but_not_twice_nor_dots() {
        let request =
            bind(op("get_project"), vec![], kw(&[("project_id", json!("7"))])).expect("binds");
        assert_eq!(request.path, "/api/v1/org-unit/projects/7");
        let err = bind(
            op("get_project"),
            vec![json!("7")],
            kw(&[("project_id", json!("8"))]),
        )
        .expect_err("twice");
        assert!(err.to_string().contains("multiple values"), "{err}");
        for dots in [".", ".."] {
            let err = bind(op("delete_project"), vec![json!(dots)], vec![]).expect_err("dots");
            assert!(matches!(err, CoreError::ArgumentValue(_)));
        }
    }

    #[test]
    fn unknown_keywords_name_themselves_and_suggest() {
        let err = bind(
            op("create_project"),
            vec![],
            kw(&[("clusterId", json!("c"))]),
        )
        .expect_err("fails");
        let text = err.to_string();
        assert!(matches!(err, CoreError::ArgumentType(_)));
        assert!(
            text.contains("'clusterId'") && text.contains("did you mean 'cluster_id'"),
            "{text}"
        );
    }

    #[test]
    fn wrong_types_and_values_name_the_field() {
        let err = bind(
            op("create_project"),
            vec![],
            kw(&[
                ("name", json!(3)),
                ("cluster_id", json!("c")),
                ("resources", json!([])),
            ]),
        )
        .expect_err("fails");
        assert!(
            matches!(&err, CoreError::ArgumentType(t) if t.contains("name must be str, not int")),
            "{err}"
        );
        let err = bind(
            op("get_projects"),
            vec![],
            kw(&[("sort_order", json!("up"))]),
        )
        .expect_err("fails");
        assert!(
            matches!(&err, CoreError::ArgumentValue(t) if t.contains("sort_order")),
            "{err}"
        );
    }

    #[test]
    fn numbers_keep_within_the_bounds_of_the_spec() {
        let op = op("get_projects");
        let paging = op.pagination.as_ref().expect("paginated");
        let limit = op
            .query
            .iter()
            .find(|q| q.name == paging.limit)
            .expect("limit parameter");
        let max = paging.max_page_size.expect("bounded");
        assert_eq!(limit.maximum, Some(max as f64));
        let over = kw(&[(limit.py.as_str(), json!(max + 1))]);
        let err = bind(op, vec![], over).expect_err("over the largest page");
        assert!(
            matches!(&err, CoreError::ArgumentValue(t) if t.contains(&format!("{} must be at most {max}", limit.py))),
            "{err}"
        );
        let err = bind(op, vec![], kw(&[(limit.py.as_str(), json!(0))])).expect_err("under");
        assert!(err.to_string().contains("at least 1"), "{err}");
        bind(op, vec![], kw(&[(limit.py.as_str(), json!(max))])).expect("the largest page");
    }

    #[test]
    fn missing_required_fields_are_reported_before_sending() {
        let err =
            bind(op("create_project"), vec![], kw(&[("name", json!("p"))])).expect_err("fails");
        assert!(err.to_string().contains("'cluster_id'"), "{err}");
    }

    #[test]
    fn filter_expressions_are_checked_before_sending() {
        let err = bind(
            op("get_projects"),
            vec![],
            kw(&[("filter_by", json!(["nmae==x"]))]),
        )
        .expect_err("fails");
        assert!(
            matches!(&err, CoreError::ArgumentValue(t) if t.contains("nmae==x") && t.contains("filterable fields")),
            "{err}"
        );
        let err = bind(
            op("get_users"),
            vec![],
            kw(&[("filter_by", json!("username!=x"))]),
        )
        .expect_err("fails");
        assert!(
            err.to_string()
                .contains("username must be followed by one of"),
            "{err}"
        );
    }

    #[test]
    fn list_queries_join_and_accept_one_string() {
        let projects = op("get_projects");
        let size = projects
            .pagination
            .as_ref()
            .and_then(|p| projects.query.iter().find(|q| q.name == p.limit))
            .expect("page size parameter");
        let request = bind(
            projects,
            vec![],
            kw(&[
                ("filter_by", json!(["name=@a", "clusterId==c"])),
                (size.py.as_str(), json!(10)),
            ]),
        )
        .expect("binds");
        assert_eq!(
            request.query,
            vec![
                ("filterBy".to_string(), "name=@a,clusterId==c".to_string()),
                (size.name.clone(), "10".to_string()),
            ]
        );
        let request = bind(
            op("get_projects"),
            vec![],
            kw(&[("filter_by", json!("name=@a"))]),
        )
        .expect("binds");
        assert_eq!(request.query.len(), 1);
    }

    #[test]
    fn form_bodies_are_sent_as_form_fields_from_the_catalogue_media() {
        let form = op("grant_token_v2");
        assert_eq!(
            form.body.as_ref().map(|b| b.media.as_str()),
            Some(FORM_MEDIA)
        );
        let request = bind(
            form,
            vec![],
            kw(&[
                ("grant_type", json!("client_credentials")),
                ("client_id", json!("app")),
                ("client_secret", json!("hunter2")),
            ]),
        )
        .expect("binds");
        let Some(RequestBody::Form(fields)) = &request.body else {
            panic!("not a form: {:?}", request.body);
        };
        assert!(fields.contains(&("client_secret".to_string(), "hunter2".to_string())));
        assert!(!format!("{request:?}").contains("hunter2"));
        let err = bind(
            form,
            vec![],
            kw(&[(
                "body",
                json!({"grant_type": "password", "password": {"x": "hunter2"}}),
            )]),
        )
        .expect_err("nested");
        let text = err.to_string();
        assert!(
            text.contains("form field password") && !text.contains("hunter2"),
            "{text}"
        );
        // A JSON operation's body stays JSON.
        let request = bind(
            op("grant_token"),
            vec![],
            kw(&[("grant_type", json!("client_credentials"))]),
        )
        .expect("binds");
        assert!(matches!(request.body, Some(RequestBody::Json(_))));
    }

    #[test]
    fn raw_body_is_sent_as_is_and_array_bodies_need_a_list() {
        let request = bind(
            op("create_cluster"),
            vec![],
            kw(&[("body", json!({"name": "c", "extra": 1}))]),
        )
        .expect("binds");
        assert_eq!(body_json(&request), json!({"name": "c", "extra": 1}));
        let err = bind(
            op("update_project_resources"),
            vec![json!("1")],
            kw(&[("body", json!({}))]),
        )
        .expect_err("fails");
        assert!(err.to_string().contains("must be a list"), "{err}");
    }
}
