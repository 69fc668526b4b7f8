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
    pub source: Source,
    /// The tags whose operations the clients expose; `Operation::exposed` follows from it.
    pub exposed_tags: Vec<String>,
    pub operations: Vec<Operation>,
    /// Component schemas reachable from any operation's parameters, body, result and
    /// documented errors, structure only (OpenAPI 3.0 shape, `$ref`s kept).
    pub schemas: serde_json::Map<String, Value>,
    #[serde(skip)]
    by_id: HashMap<String, usize>,
}

/// The OpenAPI document the catalogue was generated from.
#[derive(Debug, Deserialize)]
pub struct Source {
    pub title: String,
    pub version: String,
    /// Of the document's bytes: the pin the generator checks.
    pub sha256: String,
}

#[derive(Debug, Deserialize)]
pub struct Operation {
    pub id: String,
    pub tag: String,
    pub namespace: String,
    pub name: String,
    pub exposed: bool,
    /// The spec's one-line summary.
    #[serde(default)]
    pub summary: String,
    pub method: String,
    pub path: String,
    pub path_params: Vec<Param>,
    pub query: Vec<Param>,
    pub body: Option<Body>,
    pub success: u16,
    pub result: Option<ResultShape>,
    /// The result is a list: an array, or pages of one.
    pub returns_list: bool,
    pub pagination: Option<Pagination>,
    /// The non-2xx statuses the spec documents, sorted.
    #[serde(default)]
    pub errors: Vec<u16>,
    pub idempotent: bool,
    pub deprecated: bool,
    /// The operation obtains a token: it is sent without one, and a 401 is its answer to
    /// the credentials it carries, not a sign that the client's token expired.
    #[serde(default)]
    pub signs_in: bool,
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
    /// Wire type: `string`, `integer`, `number`, `boolean`, `array`, `object` or `any`.
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
    /// Inclusive bounds of a number.
    #[serde(default)]
    pub minimum: Option<f64>,
    #[serde(default)]
    pub maximum: Option<f64>,
    #[serde(default)]
    pub pattern: Option<String>,
    #[serde(default)]
    pub format: Option<String>,
    /// What the server assumes when the value is not sent.
    #[serde(default)]
    pub default: Option<Value>,
    /// The value's structural schema, `$ref`s to `Catalogue::schemas` kept.
    #[serde(default)]
    pub schema: Option<Value>,
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
    /// The wire type of a JSON result (`object`, `array`, `boolean`, ..., `any` when the
    /// spec leaves it unshaped), or `string` for a file.
    #[serde(rename = "type")]
    pub kind: String,
    /// How the body is handed over: decoded JSON, or a file of text or bytes.
    #[serde(rename = "kind", default)]
    pub media_kind: MediaKind,
    #[serde(default)]
    pub schema: Option<String>,
    #[serde(default)]
    pub inline: Option<Value>,
    #[serde(default)]
    pub media: Option<String>,
}

/// What a success body is, from the media types the spec gives it.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MediaKind {
    #[default]
    Json,
    /// `text/*`: handed over as text, or written to a file.
    Text,
    /// Any other media (an archive, a program): handed over as bytes, or written to a file.
    Binary,
}

impl Operation {
    /// Whether the operation answers with a file (text or bytes) rather than JSON.
    pub fn downloads(&self) -> bool {
        self.result
            .as_ref()
            .is_some_and(|r| r.media_kind != MediaKind::Json)
    }
}

/// How a list operation pages: the query parameters that ask for a page and the response
/// keys that answer, as the spec names them.
#[derive(Debug, Deserialize)]
pub struct Pagination {
    /// Key path from the response body to the page's array; empty when the body is the array.
    pub items: Vec<String>,
    /// Wire name of the query parameter where a page starts.
    pub offset: String,
    /// Wire name of the query parameter that sizes a page.
    pub limit: String,
    /// The largest page the server serves, when the spec bounds it: the limit parameter's
    /// maximum, filled in when the catalogue is loaded (the file states it once, there).
    #[serde(skip)]
    pub max_page_size: Option<u64>,
    /// The page size the server uses when none is asked for: the limit parameter's default,
    /// likewise.
    #[serde(skip)]
    pub default_page_size: Option<u64>,
    /// The response key carrying the next page's offset, when the server sends one.
    pub next: Option<String>,
}

/// Items per request when the caller does not say: few round trips, bounded memory.
pub const DEFAULT_PAGE_SIZE: u64 = 100;

/// What a page's answer says about the next page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Announced {
    /// No next-offset key (or null): a full page may have a successor.
    Nothing,
    /// The offset where the next page starts.
    Offset(u64),
    /// Something that is not an offset: the walk ends rather than guess.
    Unreadable,
}

impl Pagination {
    /// The query pairs that ask for one page, or why the page size is refused.
    pub fn page_query(&self, offset: u64, size: u64) -> Result<Vec<(String, String)>, String> {
        if size == 0 {
            return Err(format!("{} must be at least 1", self.limit));
        }
        if let Some(max) = self.max_page_size {
            if size > max {
                return Err(format!("{} must be at most {max}, not {size}", self.limit));
            }
        }
        Ok(vec![
            (self.offset.clone(), offset.to_string()),
            (self.limit.clone(), size.to_string()),
        ])
    }

    /// Add one page's parameters to a bound request's query. The caller's own arguments
    /// may not set them: the page sends them, once.
    pub fn ask_for_page(
        &self,
        query: &mut Vec<(String, String)>,
        offset: u64,
        size: u64,
    ) -> Result<(), String> {
        if let Some((name, _)) = query
            .iter()
            .find(|(name, _)| *name == self.offset || *name == self.limit)
        {
            return Err(format!(
                "{name} is the pager's to set (page size and offset)"
            ));
        }
        query.extend(self.page_query(offset, size)?);
        Ok(())
    }

    /// The page's items in a response body (none when the body has another shape).
    pub fn items<'b>(&self, body: &'b Value) -> &'b [Value] {
        self.items
            .iter()
            .try_fold(body, |node, key| node.get(key))
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice)
    }

    /// Where the page after the one asked for at `offset` with `size` starts: the offset the
    /// server announces, or, where it announces none, the next one after a full page.
    pub fn next_offset(&self, body: &Value, offset: u64, size: u64) -> Option<u64> {
        let announced = match self.next.as_ref().and_then(|key| body.get(key)) {
            None | Some(Value::Null) => Announced::Nothing,
            Some(value) => value
                .as_u64()
                .map_or(Announced::Unreadable, Announced::Offset),
        };
        let got = self.items(body).len() as u64;
        self.next_after(announced, offset, size, got)
    }

    /// The rule of [`Pagination::next_offset`], for callers that read the body themselves
    /// (the Python bindings read it as Python objects): `got` items came back.
    pub fn next_after(
        &self,
        announced: Announced,
        offset: u64,
        size: u64,
        got: u64,
    ) -> Option<u64> {
        match announced {
            // An offset that does not move forward would walk the same page for ever.
            Announced::Offset(next) => (next > offset).then_some(next),
            Announced::Unreadable => None,
            Announced::Nothing => (got > 0 && got >= size).then_some(offset + got),
        }
    }

    /// The largest page a caller may ask for.
    pub fn page_size_limit(&self) -> u64 {
        self.max_page_size.unwrap_or(u64::MAX)
    }

    /// The page size of a walk whose caller names none: [`DEFAULT_PAGE_SIZE`], or less
    /// where the server serves less.
    pub fn preferred_page_size(&self) -> u64 {
        DEFAULT_PAGE_SIZE.min(self.page_size_limit())
    }

    /// The page size of a walk through the whole list (`to_list()`, iterating) whose caller
    /// names none: the largest page the server serves, so the walk takes the fewest round
    /// trips; [`DEFAULT_PAGE_SIZE`] where the spec sets no bound (an unbounded page could be
    /// the whole tenant in one answer).
    pub fn walk_page_size(&self) -> u64 {
        self.max_page_size.unwrap_or(DEFAULT_PAGE_SIZE)
    }
}

impl Operation {
    /// Copy the limit parameter's bounds into the operation's pagination.
    fn fill_page_sizes(&mut self) {
        let Some(paging) = self.pagination.as_mut() else {
            return;
        };
        let limit = self.query.iter().find(|q| q.name == paging.limit);
        let whole = |n: f64| (n.is_finite() && n >= 0.0).then_some(n as u64);
        paging.max_page_size = limit.and_then(|q| q.maximum).and_then(whole);
        paging.default_page_size = limit
            .and_then(|q| q.default.as_ref())
            .and_then(Value::as_u64);
    }
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
            for op in &mut catalogue.operations {
                op.fill_page_sizes();
            }
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
    fn exposure_follows_the_exposed_tags() {
        let c = Catalogue::get();
        for op in &c.operations {
            assert_eq!(op.exposed, c.exposed_tags.contains(&op.tag), "{}", op.id);
        }
        let exposed = c
            .operations
            .iter()
            .filter(|op| op.exposed && op.tag != "Legacy")
            .count();
        // Clusters, departments, projects and users (48), access control (13), service
        // accounts (6), access keys (7), the audit log (2), their deprecated former names
        // applications (6) and user applications (7), security settings (3), org-unit
        // priorities (1), identity providers (7), tokens (3), reports (7), network
        // topologies (5), the seed-era tenant settings (3), node pools (13), nodes (6), the
        // command-line tools' downloads (4 administrator, 9 researcher, 9 deprecated) and
        // the logo (2): the whole Administrator API.
        assert_eq!(exposed, 161);
        assert_eq!(c.source.sha256.len(), 64);
    }

    #[test]
    fn pagination_names_its_parameters_and_bounds() {
        let c = Catalogue::get();
        let mut paginated = 0;
        for op in &c.operations {
            let Some(paging) = &op.pagination else {
                continue;
            };
            paginated += 1;
            assert!(op.returns_list, "{}", op.id);
            for name in [&paging.offset, &paging.limit] {
                assert!(op.query.iter().any(|q| &q.name == name), "{} {name}", op.id);
            }
            let limit = op.query.iter().find(|q| q.name == paging.limit);
            assert_eq!(
                limit.and_then(|q| q.maximum),
                paging.max_page_size.map(|m| m as f64),
                "{}",
                op.id
            );
        }
        assert!(paginated >= 10);
        let projects = c
            .operation("get_projects")
            .and_then(|op| op.pagination.as_ref());
        let projects = projects.expect("projects page");
        assert_eq!(projects.items, ["projects"]);
        assert_eq!(projects.next.as_deref(), Some("next"));
        let max = projects.max_page_size.expect("bounded");
        assert_eq!(
            projects.page_query(10, max),
            Ok(vec![
                (projects.offset.clone(), "10".to_string()),
                (projects.limit.clone(), max.to_string()),
            ])
        );
        assert!(projects.page_query(0, max + 1).is_err());
        assert!(projects.page_query(0, 0).is_err());
        assert_eq!(projects.preferred_page_size(), DEFAULT_PAGE_SIZE.min(max));
        assert_eq!(projects.walk_page_size(), max);
        // Audit logs size their pages with another parameter; the catalogue says which.
        let audit = c
            .operation("getAuditLogs")
            .and_then(|op| op.pagination.as_ref())
            .expect("audit log pages");
        let pairs = audit.page_query(0, 10).expect("a page");
        assert!(
            pairs
                .iter()
                .any(|(k, v)| k == "numberOfSamples" && v == "10"),
            "{pairs:?}"
        );
    }

    #[test]
    fn the_next_page_starts_where_the_server_says_or_after_a_full_page() {
        let c = Catalogue::get();
        let projects = c
            .operation("get_projects")
            .and_then(|op| op.pagination.as_ref())
            .expect("projects page");
        assert_eq!(
            projects.next_after(Announced::Offset(20), 10, 10, 10),
            Some(20)
        );
        assert_eq!(
            projects.next_after(Announced::Offset(10), 10, 10, 10),
            None,
            "an offset that does not move forward ends the walk"
        );
        assert_eq!(projects.next_after(Announced::Unreadable, 0, 10, 10), None);
        assert_eq!(projects.next_after(Announced::Nothing, 0, 10, 10), Some(10));
        assert_eq!(projects.next_after(Announced::Nothing, 0, 10, 3), None);
    }

    #[test]
    fn pages_are_read_with_the_catalogue_keys() {
        let c = Catalogue::get();
        let paging = |id: &str| {
            c.operation(id)
                .and_then(|op| op.pagination.as_ref())
                .expect("paginated")
        };
        let projects = paging("get_projects");
        let page = serde_json::json!({"projects": [{"id": "1"}, {"id": "2"}], "next": 2});
        assert_eq!(projects.items(&page).len(), 2);
        assert_eq!(projects.next_offset(&page, 0, 2), Some(2));
        let last = serde_json::json!({"projects": [{"id": "3"}]});
        assert_eq!(projects.next_offset(&last, 2, 2), None, "a short page ends");
        let full = serde_json::json!({"projects": [{"id": "3"}, {"id": "4"}]});
        assert_eq!(
            projects.next_offset(&full, 2, 2),
            Some(4),
            "a full page may go on"
        );
        let users = paging("get_users");
        let page = serde_json::json!([{"id": "a"}]);
        assert_eq!(users.items(&page).len(), 1);
        assert_eq!(users.next_offset(&page, 0, 1), Some(1));
        let nested = paging("get_me_access_rules");
        let page = serde_json::json!({"accessRules": {"accessRules": [{"id": 1}]}});
        assert_eq!(nested.items(&page).len(), 1);
        assert!(nested.items(&serde_json::json!({"other": []})).is_empty());
    }

    #[test]
    fn every_value_has_a_wire_type_and_errors_are_not_successes() {
        for op in &Catalogue::get().operations {
            let fields = op.body.iter().flat_map(|b| b.fields.iter());
            for param in op.path_params.iter().chain(&op.query).chain(fields) {
                assert!(param.kind.is_some(), "{} {}", op.id, param.name);
            }
            assert!(op.errors.iter().all(|s| *s >= 300), "{}", op.id);
            assert!(op.errors.windows(2).all(|w| w[0] < w[1]), "{}", op.id);
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
