//! From a request to the route that answers it: the token routes first, then the bearer
//! check, the catalogue's match of method and path, the query and body checked against
//! the operation, the caller's permission for it (`guard`), and finally the area that the
//! operation's path names. Operations no area implements answer 501 with their name.

use std::sync::OnceLock;

use serde_json::Value;

use runai_admin_core::api::{match_template, Catalogue, Operation};

use crate::audit::Attempt;
use crate::context::{Access, Answer, Call, Request, Shared};
use crate::error::ApiError;
use crate::guard;
use crate::reply::Reply;
use crate::routes::{
    access_keys, access_rules, clusters, departments, legacy, me, metrics, permissions, projects,
    roles, service_accounts, tokens, users,
};
use crate::routes::{applications, user_applications};
use crate::routes::{idps, org_units, security_settings};
use crate::routes::{network_topologies, reports, tenant_settings};
use crate::routes::{node_pools, nodes};
use crate::scopes::drop_orphaned_rules;
use crate::validate;

/// An area's entry point: `None` when it does not implement the operation.
type Area = fn(&Call<'_>, &mut Access<'_>) -> Option<Answer>;

/// Operation path prefixes and the area that serves them, as in the crate doc's table.
/// Metrics and telemetry paths go to `metrics` whatever their prefix.
const AREAS: [(&str, Area); 32] = [
    // A cluster's nodes before the cluster itself.
    ("/api/v1/clusters/{clusterUuid}/nodes", nodes::handle),
    ("/api/v1/clusters", clusters::handle),
    ("/api/v1/node-pools", node_pools::handle),
    ("/api/v1/nodes", nodes::handle),
    ("/api/v1/org-unit/departments", departments::handle),
    ("/api/v1/org-unit/projects", projects::handle),
    ("/api/v1/users", users::handle),
    ("/api/v1/me", me::handle),
    ("/api/v1/authorization/access-rules", access_rules::handle),
    ("/api/v1/authorization/roles", roles::handle),
    ("/api/v1/authorization/permissions", permissions::handle),
    (
        "/api/v1/authorization/permitted-scopes",
        permissions::handle,
    ),
    ("/api/v1/authorization/me", me::handle),
    ("/api/v1/audit", crate::routes::audit::handle),
    ("/api/v1/service-accounts", service_accounts::handle),
    ("/api/v1/access-keys", access_keys::handle),
    ("/api/v1/administration/access-keys", access_keys::handle),
    ("/api/v1/apps", applications::handle),
    ("/api/v1/user-applications", user_applications::handle),
    (
        "/api/v1/administration/user-applications",
        user_applications::handle,
    ),
    ("/api/v1/security/settings", security_settings::handle),
    ("/api/v1/org-unit/priorities", org_units::handle),
    ("/api/v1/idps", idps::handle),
    ("/api/v1/org-unit/reports", reports::handle),
    ("/api/v1/network-topologies", network_topologies::handle),
    // Before `/v1/k8s`: the seed-era settings are an area of their own.
    ("/v1/k8s/setting", tenant_settings::handle),
    // The seed era's node pools act on the same pools as /api/v1/node-pools.
    (
        "/v1/k8s/clusters/{clusterId}/node-pools",
        node_pools::handle,
    ),
    ("/api/v1/cli-exposer", crate::routes::cli::handle),
    ("/api/v1/cli", crate::routes::cli::handle),
    ("/api/v1/logo", crate::routes::logo::handle),
    // Before the rest of the seed era's paths.
    ("/v1/k8s/admin-cli", crate::routes::cli::handle),
    ("/v1/k8s", legacy::handle),
];

/// Areas whose reads change the store too: the report worker's clock moves one step on
/// every call of its area (`routes::reports`).
const CHANGING_READS: [&str; 1] = ["/api/v1/org-unit/reports"];

/// Whether a call may share the store with other readers: a GET, outside the areas whose
/// reads change it.
fn only_reads(op: &Operation) -> bool {
    op.method.eq_ignore_ascii_case("GET")
        && !CHANGING_READS
            .iter()
            .any(|prefix| op.path.starts_with(prefix))
}

fn area(path: &str) -> Option<Area> {
    if path.ends_with("/metrics") || path.ends_with("/telemetry") {
        return Some(metrics::handle);
    }
    AREAS
        .iter()
        .find(|(prefix, _)| {
            path.strip_prefix(prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
        .map(|(_, area)| *area)
}

pub(crate) fn handle(shared: &Shared, req: &Request) -> Reply {
    if let Some(reply) = tokens::route(shared, req) {
        return reply;
    }
    let subject = match req.bearer_token().and_then(|token| {
        shared
            .authority
            .check(token, &shared.store())
            .map_err(|why| ApiError::unauthorized(why.to_string()))
    }) {
        Ok(subject) => subject,
        Err(err) => return err.into(),
    };
    let catalogue = Catalogue::get();
    let Some((op, params)) = route(catalogue, &req.method, &req.path) else {
        let path_known = catalogue
            .operations
            .iter()
            .any(|op| match_template(&op.path, &req.path).is_some());
        return if path_known {
            ApiError::new(
                405,
                format!("method {} not allowed on {}", req.method, req.path),
            )
        } else {
            ApiError::not_found(format!("no such route: {} {}", req.method, req.path))
        }
        .into();
    };
    let query = req.query_pairs();
    let prepared = check_query(op, &query).and_then(|()| parse_body(catalogue, op, &req.body));
    // A change refused for its query or body is still an attempt the audit log records; its
    // body, when it is JSON at all, names what it was about.
    let (body, refused) = match prepared {
        Ok(body) => (body, None),
        Err(err) => (
            serde_json::from_slice(&req.body).unwrap_or(Value::Null),
            Some(err),
        ),
    };
    let mut call = Call {
        shared,
        op,
        params,
        query,
        body,
        subject,
        reach: None,
    };
    dispatch(&mut call, refused).unwrap_or_else(Reply::from)
}

/// `Catalogue::route`, with the same answer, from the operations of the request's method
/// and number of path segments only, their templates split once: matching all 161
/// templates was a quarter of a GET's time, splitting them again on every request a tenth.
fn route(
    catalogue: &'static Catalogue,
    method: &str,
    path: &str,
) -> Option<(&'static Operation, Vec<(String, String)>)> {
    static TEMPLATES: OnceLock<Vec<Template>> = OnceLock::new();
    let templates = TEMPLATES.get_or_init(|| {
        catalogue
            .operations
            .iter()
            .map(|op| Template {
                op,
                segments: split(&op.path)
                    .map(
                        |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                            Some(name) => Segment::Param(name),
                            None => Segment::Literal(s),
                        },
                    )
                    .collect(),
            })
            .collect()
    });
    let path: Vec<&str> = split(path).collect();
    // In catalogue order, so that among equally literal templates the first wins, as there.
    templates
        .iter()
        .filter(|t| t.segments.len() == path.len() && t.op.method.eq_ignore_ascii_case(method))
        .filter(|t| t.binds(&path))
        .min_by_key(|t| t.params())
        .map(|t| (t.op, t.bind(&path)))
}

fn split(path: &str) -> std::str::Split<'_, char> {
    path.trim_end_matches('/').split('/')
}

/// An operation's path template, split at its slashes.
struct Template {
    op: &'static Operation,
    segments: Vec<Segment>,
}

enum Segment {
    Literal(&'static str),
    /// `{name}`: any segment but an empty one.
    Param(&'static str),
}

impl Template {
    fn binds(&self, path: &[&str]) -> bool {
        self.segments.iter().zip(path).all(|(t, p)| match t {
            Segment::Literal(literal) => literal == p,
            Segment::Param(_) => !p.is_empty(),
        })
    }

    fn params(&self) -> usize {
        self.segments
            .iter()
            .filter(|s| matches!(s, Segment::Param(_)))
            .count()
    }

    /// The parameters' percent-decoded values, as `match_template` binds them.
    fn bind(&self, path: &[&str]) -> Vec<(String, String)> {
        self.segments
            .iter()
            .zip(path)
            .filter_map(|(t, p)| match t {
                Segment::Param(name) => Some((
                    name.to_string(),
                    percent_encoding::percent_decode_str(p)
                        .decode_utf8_lossy()
                        .into_owned(),
                )),
                Segment::Literal(_) => None,
            })
            .collect()
    }
}

fn dispatch(call: &mut Call<'_>, refused: Option<ApiError>) -> Answer {
    let shared = call.shared;
    if only_reads(call.op) {
        // A read changes nothing and leaves no audit log entry: it shares the store.
        let (store, memo) = shared.reading();
        return match refused {
            Some(err) => Err(err),
            None => serve(call, &mut Access::Read(&store, memo)),
        };
    }
    let mut store = shared.store_mut();
    // Every change, allowed or not, leaves an audit log entry once it is answered.
    let attempt = Attempt::of(call, &store);
    let answer = match refused {
        Some(err) => Err(err),
        None => serve(call, &mut Access::Write(&mut store)),
    };
    if let Some(attempt) = attempt {
        attempt.record(call, &answer, &mut store);
    }
    answer
}

fn serve(call: &mut Call<'_>, store: &mut Access<'_>) -> Answer {
    call.reach = guard::check(call, store)?;
    let answer = area(&call.op.path).and_then(|area| area(call, store));
    // Whichever route removed a scope or a user, its rules go with it.
    if call.op.method.eq_ignore_ascii_case("DELETE") {
        drop_orphaned_rules(store.write()?);
    }
    answer.unwrap_or_else(|| {
        Err(ApiError::new(
            501,
            format!(
                "operation {} is not implemented by the fake control plane",
                call.op.id
            ),
        ))
    })
}

/// Query parameters the operation requires must be there; those it declares must have the
/// declared type, format (an `int32` fits 32 bits, a `uuid`...: the body check's
/// `validate::has_format`) and enum value (an array's items too).
fn check_query(op: &Operation, query: &[(String, String)]) -> Result<(), ApiError> {
    if let Some(missing) = op
        .query
        .iter()
        .find(|p| p.required && !query.iter().any(|(name, _)| name == &p.name))
    {
        return Err(ApiError::bad_request(format!(
            "query parameter {} is required",
            missing.name
        )));
    }
    for (name, value) in query {
        let Some(param) = op.query.iter().find(|p| &p.name == name) else {
            continue;
        };
        let format_held = || {
            param
                .format
                .as_deref()
                .is_none_or(|format| validate::has_format(format, value))
        };
        let ok = match param.kind.as_deref() {
            Some("integer") => value.parse::<i64>().is_ok() && format_held(),
            Some("string") => format_held(),
            Some("number") => value.parse::<f64>().is_ok_and(f64::is_finite),
            Some("boolean") => value == "true" || value == "false",
            _ => true,
        };
        if !ok {
            return Err(ApiError::bad_request(format!(
                "query parameter {name}: expected {}, got {value:?}",
                param
                    .format
                    .as_deref()
                    .or(param.kind.as_deref())
                    .unwrap_or("a value")
            )));
        }
        if let Ok(number) = value.parse::<f64>() {
            // NaN compares false with everything: it is outside any bounds.
            let unbounded =
                !number.is_finite() && (param.minimum.is_some() || param.maximum.is_some());
            let below = param.minimum.is_some_and(|min| number < min);
            let above = param.maximum.is_some_and(|max| number > max);
            if unbounded || below || above {
                let bound = |b: Option<f64>| b.map_or("-".to_string(), |b| b.to_string());
                return Err(ApiError::bad_request(format!(
                    "query parameter {name}: must be within [{}, {}], got {value}",
                    bound(param.minimum),
                    bound(param.maximum)
                )));
            }
        }
        let array = param.kind.as_deref() == Some("array");
        // A non-exploded array's items are joined with commas in one value (an empty value
        // is the empty array); an exploded one repeats the parameter, one item each.
        let items: Vec<&str> = match (array, param.explode) {
            (true, false) if value.is_empty() => Vec::new(),
            (true, false) => value.split(',').collect(),
            _ => vec![value.as_str()],
        };
        let schema = param.schema.as_ref();
        let max_items = schema.and_then(|s| s.get("maxItems")?.as_u64());
        if let Some(max) = max_items.filter(|_| array) {
            let count = if param.explode {
                query.iter().filter(|(n, _)| n == name).count()
            } else {
                items.len()
            };
            if count as u64 > max {
                return Err(ApiError::bad_request(format!(
                    "query parameter {name}: at most {max} items, got {count}"
                )));
            }
        }
        let items_allowed = schema.filter(|_| array).and_then(item_enum);
        if let Some(allowed) = param.allowed.as_ref().or(items_allowed) {
            for item in items {
                if !allowed.iter().any(|a| a.as_str() == Some(item)) {
                    let names: Vec<&str> = allowed.iter().filter_map(Value::as_str).collect();
                    return Err(ApiError::bad_request(format!(
                        "query parameter {name}: unknown value {item:?}"
                    ))
                    .with_details(format!("allowed values: {}", names.join(", "))));
                }
            }
        }
    }
    Ok(())
}

/// The enum of an array parameter's items, inline or through a `$ref`.
fn item_enum(schema: &Value) -> Option<&Vec<Value>> {
    let items = schema.get("items")?;
    let items = match items.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            Catalogue::get().schema(reference.strip_prefix("#/components/schemas/")?)?
        }
        None => items,
    };
    items.get("enum")?.as_array()
}

/// The JSON body, validated against the operation's schema (`Value::Null` when absent).
fn parse_body(catalogue: &Catalogue, op: &Operation, raw: &[u8]) -> Result<Value, ApiError> {
    let Some(spec) = &op.body else {
        return Ok(Value::Null);
    };
    if raw.iter().all(u8::is_ascii_whitespace) {
        return if spec.required {
            Err(ApiError::bad_request("request body is required"))
        } else {
            Ok(Value::Null)
        };
    }
    let body: Value = serde_json::from_slice(raw)
        .map_err(|e| ApiError::bad_request(format!("request body is not valid JSON: {e}")))?;
    let schema = spec
        .schema
        .as_deref()
        .and_then(|name| catalogue.schema(name))
        .or(spec.inline.as_ref());
    if let Some(schema) = schema {
        validate::validate(catalogue, schema, &body).map_err(|message| {
            ApiError::bad_request(message).with_details(format!(
                "the request body does not match the {} schema",
                spec.schema.as_deref().unwrap_or("operation's")
            ))
        })?;
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_indexed_route_answers_as_the_catalogue_does() {
        let catalogue = Catalogue::get();
        let mut paths: Vec<String> = catalogue
            .operations
            .iter()
            .flat_map(|op| {
                let filled: Vec<&str> = op
                    .path
                    .split('/')
                    .map(|s| if s.starts_with('{') { "count" } else { s })
                    .collect();
                [op.path.replace('{', "x").replace('}', ""), filled.join("/")]
            })
            .collect();
        paths.extend(["/", "/api/v1/nope", "/api/v1/org-unit/projects/"].map(String::from));
        for path in &paths {
            for method in ["GET", "get", "POST", "PUT", "PATCH", "DELETE"] {
                let ours = route(catalogue, method, path).map(|(op, p)| (&op.id, p));
                let theirs = catalogue.route(method, path).map(|(op, p)| (&op.id, p));
                assert_eq!(ours, theirs, "{method} {path}");
            }
        }
    }
}
