//! The operation catalogue: one entry per operation of the Administrator API, generated
//! from the official OpenAPI document by `scripts/gen_catalogue.py` and embedded here.
//! The client binds and sends calls from it; the fake control plane routes and validates
//! with it.

use std::collections::HashMap;
use std::sync::OnceLock;

pub mod bind;

use serde::Deserialize;
use serde_json::Value;

const CATALOGUE_JSON: &str = include_str!("catalogue.json");

#[derive(Debug, Deserialize)]
pub struct Catalogue {
    pub source: Value,
    pub operations: Vec<Operation>,
    /// Component schemas reachable from request bodies and results (OpenAPI 3.0 shape).
    pub schemas: serde_json::Map<String, Value>,
    #[serde(skip)]
    by_id: HashMap<String, usize>,
}

#[derive(Debug, Deserialize)]
pub struct Operation {
    pub id: String,
    pub tag: String,
    pub namespace: String,
    pub name: String,
    pub exposed: bool,
    pub method: String,
    pub path: String,
    pub path_params: Vec<Param>,
    pub query: Vec<Param>,
    pub body: Option<Body>,
    pub success: u16,
    pub result: Option<ResultShape>,
    pub pagination: Option<Pagination>,
    pub idempotent: bool,
    pub deprecated: bool,
    #[serde(default)]
    pub replacement: Option<String>,
}

/// A path or query parameter, or a top-level body field.
#[derive(Debug, Deserialize)]
pub struct Param {
    /// Wire name (`clusterId`).
    pub name: String,
    /// Python keyword (`cluster_id`).
    pub py: String,
    #[serde(default)]
    pub required: bool,
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub nullable: bool,
    #[serde(rename = "enum", default)]
    pub allowed: Option<Vec<Value>>,
    /// Element type of an array of scalars.
    #[serde(default)]
    pub items: Option<String>,
    #[serde(default)]
    pub deprecated: bool,
    /// Arrays: repeat the parameter (`true`) or join the items with commas (`false`).
    #[serde(default = "default_explode")]
    pub explode: bool,
    /// `filterBy`: the fields and operators its expressions may use.
    #[serde(default)]
    pub filter: Option<FilterGrammar>,
}

fn default_explode() -> bool {
    true
}

/// What a `filterBy` expression (`<field><operator><value>`) may be made of.
#[derive(Debug, Deserialize)]
pub struct FilterGrammar {
    pub fields: Vec<String>,
    pub operators: Vec<String>,
}

impl FilterGrammar {
    /// Split an expression into its field, operator and value, if the grammar allows it.
    pub fn parse<'e>(&self, expression: &'e str) -> Result<(&'e str, &'e str, &'e str), String> {
        let field = self
            .fields
            .iter()
            .filter(|f| expression.starts_with(f.as_str()))
            .max_by_key(|f| f.len())
            .ok_or_else(|| {
                format!(
                    "unknown field; filterable fields: {}",
                    self.fields.join(", ")
                )
            })?;
        let (field, rest) = expression.split_at(field.len());
        let operator = self
            .operators
            .iter()
            .find(|op| rest.starts_with(op.as_str()))
            .ok_or_else(|| {
                format!(
                    "{field} must be followed by one of {}",
                    self.operators.join(" ")
                )
            })?;
        let (operator, value) = rest.split_at(operator.len());
        if value.is_empty() {
            return Err(format!("{field}{operator} needs a value"));
        }
        Ok((field, operator, value))
    }
}

#[derive(Debug, Deserialize)]
pub struct Body {
    /// `application/json` or `application/x-www-form-urlencoded`.
    pub media: String,
    pub required: bool,
    /// Component schema name, when the body is a `$ref`.
    pub schema: Option<String>,
    /// The schema itself, when it is written inline.
    #[serde(default)]
    pub inline: Option<Value>,
    /// `object` or `array`.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub fields: Vec<Param>,
}

#[derive(Debug, Deserialize)]
pub struct ResultShape {
    /// `object`, `array`, `string`, `text`, ...
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub schema: Option<String>,
    #[serde(default)]
    pub inline: Option<Value>,
    #[serde(default)]
    pub media: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Pagination {
    /// Key path from the response body to the page's array; empty when the body is the array.
    pub items: Vec<String>,
}

/// `projects.create()`, as error messages name a call: written out only when one is.
#[derive(Clone, Copy)]
pub struct CallName<'a>(pub &'a Operation);

impl std::fmt::Display for CallName<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}()", self.0.namespace, self.0.name)
    }
}

/// The catalogue as embedded, for the Python face.
pub fn catalogue_text() -> &'static str {
    CATALOGUE_JSON
}

impl Catalogue {
    /// The embedded catalogue, parsed once per process.
    pub fn get() -> &'static Catalogue {
        static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
        CATALOGUE.get_or_init(|| {
            let mut catalogue: Catalogue = match serde_json::from_str(CATALOGUE_JSON) {
                Ok(c) => c,
                // The file is generated and checked by tests; a broken one is a build defect.
                Err(err) => unreachable_catalogue(&err),
            };
            catalogue.by_id = catalogue
                .operations
                .iter()
                .enumerate()
                .map(|(i, op)| (op.id.clone(), i))
                .collect();
            catalogue
        })
    }

    pub fn operation(&self, id: &str) -> Option<&Operation> {
        self.by_id.get(id).and_then(|&i| self.operations.get(i))
    }

    /// Resolve a `#/components/schemas/X` reference.
    pub fn schema(&self, name: &str) -> Option<&Value> {
        self.schemas.get(name)
    }

    /// The operation whose method and path template match a request, with the path
    /// parameters it binds.
    pub fn route(&self, method: &str, path: &str) -> Option<(&Operation, Vec<(String, String)>)> {
        // The most literal template wins: `/projects/count` beats `/projects/{projectId}`.
        self.operations
            .iter()
            .filter(|op| op.method.eq_ignore_ascii_case(method))
            .filter_map(|op| match_template(&op.path, path).map(|params| (op, params)))
            .min_by_key(|(_, params)| params.len())
    }
}

#[allow(clippy::panic)]
fn unreachable_catalogue(err: &serde_json::Error) -> ! {
    panic!("embedded catalogue.json does not parse: {err}")
}

/// Match `/api/v1/projects/{projectId}` against a concrete path: every literal segment must
/// be equal; parameter segments bind their percent-decoded value.
pub fn match_template(template: &str, path: &str) -> Option<Vec<(String, String)>> {
    let mut params = Vec::new();
    let mut t = template.trim_end_matches('/').split('/');
    let mut p = path.trim_end_matches('/').split('/');
    loop {
        match (t.next(), p.next()) {
            (None, None) => return Some(params),
            (Some(ts), Some(ps)) => {
                if let Some(name) = ts.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    if ps.is_empty() {
                        return None;
                    }
                    let value = percent_encoding::percent_decode_str(ps)
                        .decode_utf8_lossy()
                        .into_owned();
                    params.push((name.to_string(), value));
                } else if ts != ps {
                    return None;
                }
            }
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_parses_and_indexes_every_operation() {
        let c = Catalogue::get();
        assert!(c.operations.len() > 160);
        for op in &c.operations {
            assert!(c.operation(&op.id).is_some(), "{} not indexed", op.id);
        }
    }

    #[test]
    fn filter_grammar_comes_from_the_spec_pattern() {
        let c = Catalogue::get();
        let op = c.operation("get_users").expect("op");
        let grammar = op
            .query
            .iter()
            .find_map(|q| q.filter.as_ref())
            .expect("grammar");
        assert_eq!(
            grammar.parse("username=@ada"),
            Ok(("username", "=@", "ada"))
        );
        assert!(
            grammar.parse("username!=ada").is_err(),
            "users do not offer !="
        );
        assert!(grammar
            .parse("nmae==x")
            .expect_err("unknown")
            .contains("filterable fields"));
        assert!(grammar.parse("username==").is_err());
    }

    #[test]
    fn path_parameters_are_positional_in_path_order() {
        for op in &Catalogue::get().operations {
            let in_path: Vec<&str> = op
                .path
                .split('/')
                .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
                .collect();
            let declared: Vec<&str> = op.path_params.iter().map(|p| p.name.as_str()).collect();
            assert_eq!(in_path, declared, "{}", op.id);
        }
    }

    #[test]
    fn templates_bind_parameters_and_reject_other_paths() {
        let got = match_template(
            "/api/v1/org-unit/projects/{projectId}",
            "/api/v1/org-unit/projects/42",
        );
        assert_eq!(got, Some(vec![("projectId".to_string(), "42".to_string())]));
        assert_eq!(
            match_template(
                "/api/v1/org-unit/projects/{projectId}",
                "/api/v1/org-unit/projects"
            ),
            None
        );
        assert_eq!(
            match_template("/api/v1/clusters", "/api/v1/clusters/x"),
            None
        );
    }

    #[test]
    fn routing_prefers_the_literal_count_path() {
        let c = Catalogue::get();
        let (op, _) = c
            .route("GET", "/api/v1/org-unit/projects/count")
            .expect("routed");
        assert_eq!(op.id, "count_projects");
    }
}
