//! List semantics shared by the list and count endpoints: `filterBy`, `search`, `sortBy`,
//! `sortOrder`, `offset`, `limit`.

use std::cmp::Ordering;

use serde_json::{Map, Value};

use crate::error::ApiError;
use runai_admin_core::api::{FilterGrammar, Pagination};

/// One listed object: the fields that filters and sorting see, and what is returned.
pub(crate) struct Row {
    pub fields: Map<String, Value>,
    pub item: Value,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Eq,
    Ne,
    Le,
    Ge,
    Contains,
    NotContains,
    StartsWith,
    EndsWith,
}

/// What each operator token of the `filterBy` grammar means; which tokens an operation
/// accepts is its grammar's business.
const OPERATORS: [(&str, Op); 8] = [
    ("==", Op::Eq),
    ("!=", Op::Ne),
    ("<=", Op::Le),
    (">=", Op::Ge),
    ("=@", Op::Contains),
    ("!@", Op::NotContains),
    ("=^", Op::StartsWith),
    ("=$", Op::EndsWith),
];

#[derive(Debug, Clone)]
struct Filter {
    field: String,
    op: Op,
    value: String,
}

/// What a kind of object offers to listing.
pub(crate) struct Shape<'a> {
    /// The fields and operators `filterBy` may use (the operation's spec pattern).
    pub filter: Option<&'a FilterGrammar>,
    /// `sortBy` values (from the spec's enum) and the row field each sorts on.
    pub sortable: &'a [(&'a str, &'a str)],
    /// Fields `search` looks into.
    pub searchable: &'a [&'a str],
    /// The operation's paging parameters, from the catalogue; `None` lists everything.
    pub paging: Option<&'a Pagination>,
}

pub(crate) struct Query {
    filters: Vec<Filter>,
    search: Option<String>,
    sort_field: Option<String>,
    descending: bool,
    offset: usize,
    limit: usize,
}

/// An expression as the operation's grammar (the spec's pattern, in the catalogue) splits
/// it, with the meaning of its operator.
fn parse_filter(grammar: &FilterGrammar, expression: &str) -> Option<Filter> {
    let (field, token, value) = grammar.parse(expression).ok()?;
    filter_of(field, token, value)
}

fn filter_of(field: &str, token: &str, value: &str) -> Option<Filter> {
    let op = OPERATORS
        .iter()
        .find_map(|(known, op)| (*known == token).then_some(*op))?;
    Some(Filter {
        field: field.to_string(),
        op,
        value: value.to_string(),
    })
}

/// `filterBy` is a non-exploded array: one parameter may hold several expressions joined
/// by commas. A piece that does not start a new expression belongs to the previous value.
/// An empty value is the empty array: no expression, so no filter.
fn split_expressions(grammar: &FilterGrammar, raw: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if raw.is_empty() {
        return out;
    }
    for piece in raw.split(',') {
        match out.last_mut() {
            Some(previous) if parse_filter(grammar, piece).is_none() => {
                previous.push(',');
                previous.push_str(piece);
            }
            _ => out.push(piece.to_string()),
        }
    }
    out
}

fn parse_number<T: std::str::FromStr>(name: &str, raw: &str) -> Result<T, ApiError> {
    raw.parse().map_err(|_| {
        ApiError::bad_request(format!(
            "query parameter {name} must be an integer, got {raw:?}"
        ))
    })
}

impl Query {
    /// Bounds and types of every query parameter were checked against the catalogue
    /// before this; what is left is their meaning.
    pub fn parse(pairs: &[(String, String)], shape: &Shape<'_>) -> Result<Query, ApiError> {
        let paging = shape.paging;
        let offset_name = paging.map(|p| p.offset.as_str());
        let limit_name = paging.map(|p| p.limit.as_str());
        // The server's own page size when the request names none.
        let default_limit = paging
            .and_then(|p| p.default_page_size.or(p.max_page_size))
            .map_or(usize::MAX, |n| usize::try_from(n).unwrap_or(usize::MAX));
        let mut query = Query {
            filters: Vec::new(),
            search: None,
            sort_field: None,
            descending: false,
            offset: 0,
            limit: default_limit,
        };
        for (name, raw) in pairs {
            match name.as_str() {
                "filterBy" => {
                    let grammar = shape.filter.ok_or_else(|| {
                        ApiError::bad_request("filterBy is not accepted by this operation")
                    })?;
                    for expression in split_expressions(grammar, raw) {
                        let malformed = |why: String| {
                            ApiError::bad_request(format!(
                                "malformed filterBy expression {expression:?}: {why}"
                            ))
                        };
                        let (field, token, value) =
                            grammar.parse(&expression).map_err(malformed)?;
                        let filter = filter_of(field, token, value).ok_or_else(|| {
                            malformed("an operator the fake does not know".into())
                        })?;
                        query.filters.push(filter);
                    }
                }
                "search" if !raw.is_empty() => query.search = Some(raw.to_lowercase()),
                "sortBy" => {
                    let field = shape
                        .sortable
                        .iter()
                        .find(|(key, _)| key == raw)
                        .map(|(_, field)| field.to_string())
                        .ok_or_else(|| {
                            ApiError::bad_request(format!("sortBy: unknown field {raw:?}"))
                        })?;
                    query.sort_field = Some(field);
                }
                "sortOrder" => {
                    query.descending = match raw.as_str() {
                        "asc" => false,
                        "desc" => true,
                        other => {
                            return Err(ApiError::bad_request(format!(
                                "sortOrder must be asc or desc, got {other:?}"
                            )))
                        }
                    }
                }
                // The spec gives the offset no minimum: one below zero is the start.
                n if Some(n) == offset_name => {
                    let offset: i64 = parse_number(n, raw)?;
                    query.offset = usize::try_from(offset).unwrap_or(0);
                }
                n if Some(n) == limit_name => query.limit = parse_number(n, raw)?,
                _ => {}
            }
        }
        Ok(query)
    }

    fn keeps(&self, row: &Row, searchable: &[&str]) -> bool {
        let searched = self.search.as_ref().is_none_or(|needle| {
            searchable.iter().any(|field| {
                row.fields
                    .get(*field)
                    .is_some_and(|v| text(v).to_lowercase().contains(needle))
            })
        });
        searched
            && self
                .filters
                .iter()
                .all(|f| holds(f, row.fields.get(&f.field).unwrap_or(&Value::Null)))
    }

    /// The rows that pass the filters and the search, sorted, before paging.
    pub fn select(&self, rows: Vec<Row>, searchable: &[&str]) -> Vec<Row> {
        let mut kept: Vec<Row> = rows
            .into_iter()
            .filter(|row| self.keeps(row, searchable))
            .collect();
        if let Some(field) = &self.sort_field {
            kept.sort_by(|a, b| {
                let order = compare(
                    a.fields.get(field).unwrap_or(&Value::Null),
                    b.fields.get(field).unwrap_or(&Value::Null),
                );
                if self.descending {
                    order.reverse()
                } else {
                    order
                }
            });
        } else if self.descending {
            kept.reverse();
        }
        kept
    }

    /// `(offset, limit)` when the query keeps every row in stored order (no filter, search
    /// or sort): its page is then that window of the stored objects.
    pub fn window(&self) -> Option<(usize, usize)> {
        (self.filters.is_empty()
            && self.search.is_none()
            && self.sort_field.is_none()
            && !self.descending)
            .then_some((self.offset, self.limit))
    }

    /// One page, and the offset of the next one when more items remain.
    pub fn page(&self, rows: Vec<Row>) -> (Vec<Value>, Option<usize>) {
        let total = rows.len();
        let items: Vec<Value> = rows
            .into_iter()
            .skip(self.offset)
            .take(self.limit)
            .map(|row| row.item)
            .collect();
        let end = self.offset.saturating_add(self.limit);
        (items, (end < total).then_some(end))
    }
}

/// The rows whose attribute matches `expression`, `<attribute>:<value>` (the users'
/// deprecated `filter`, as in `runai.is_local:true`). `attributes` maps the attribute names
/// the rows carry to the row fields holding them; a row without the attribute does not
/// match, and a value matches as exact text. An empty expression, like an empty search,
/// keeps every row.
pub(crate) fn with_attribute(
    rows: Vec<Row>,
    parameter: &str,
    expression: &str,
    attributes: &[(&str, &str)],
) -> Result<Vec<Row>, ApiError> {
    if expression.trim().is_empty() {
        return Ok(rows);
    }
    let (attribute, wanted) = expression
        .split_once(':')
        .filter(|(attribute, _)| !attribute.trim().is_empty())
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "query parameter {parameter}: expected <attribute>:<value>, got {expression:?}"
            ))
        })?;
    let field = attributes
        .iter()
        .find(|(name, _)| *name == attribute.trim())
        .map(|(_, field)| *field);
    Ok(rows
        .into_iter()
        .filter(|row| {
            field
                .and_then(|f| row.fields.get(f))
                .is_some_and(|v| !v.is_null() && text(v) == wanted)
        })
        .collect())
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Numbers compare as numbers (ids are numeric strings), everything else as text; a
/// missing value sorts first.
fn compare(a: &Value, b: &Value) -> Ordering {
    match (a.is_null(), b.is_null()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Less,
        (false, true) => return Ordering::Greater,
        _ => {}
    }
    match (number(a), number(b)) {
        (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        _ => text(a).cmp(&text(b)),
    }
}

/// Equality and ordering compare numerically when both sides are numbers and exactly as
/// text otherwise; the substring operators ignore case, as the UI's search does.
fn holds(filter: &Filter, actual: &Value) -> bool {
    let wanted = Value::String(filter.value.clone());
    let numeric = number(actual).zip(number(&wanted));
    let order = match numeric {
        Some((x, y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        None => text(actual).cmp(&filter.value),
    };
    let haystack = text(actual).to_lowercase();
    let needle = filter.value.to_lowercase();
    match filter.op {
        Op::Eq => order == Ordering::Equal,
        Op::Ne => order != Ordering::Equal,
        Op::Le => !actual.is_null() && order != Ordering::Greater,
        Op::Ge => !actual.is_null() && order != Ordering::Less,
        Op::Contains => haystack.contains(&needle),
        Op::NotContains => !haystack.contains(&needle),
        Op::StartsWith => haystack.starts_with(&needle),
        Op::EndsWith => haystack.ends_with(&needle),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grammar() -> FilterGrammar {
        FilterGrammar {
            fields: ["name", "phase", "createdAt", "totalGpuQuota"]
                .map(String::from)
                .to_vec(),
            operators: OPERATORS
                .iter()
                .map(|(token, _)| token.to_string())
                .collect(),
        }
    }

    #[test]
    fn expressions_split_on_commas_that_start_a_new_expression() {
        let grammar = grammar();
        assert_eq!(
            split_expressions(&grammar, "name=@a,b,phase==Ready"),
            vec!["name=@a,b".to_string(), "phase==Ready".to_string()]
        );
        let f = parse_filter(&grammar, "createdAt>=2024-01-01T00:00:00Z").expect("parses");
        assert_eq!(
            (f.field.as_str(), f.op, f.value.as_str()),
            ("createdAt", Op::Ge, "2024-01-01T00:00:00Z")
        );
        assert!(
            split_expressions(&grammar, "").is_empty(),
            "an empty filterBy is the empty array"
        );
        assert!(parse_filter(&grammar, "name~abc").is_none());
        assert!(parse_filter(&grammar, "==abc").is_none());
        assert!(
            parse_filter(&grammar, "colour==red").is_none(),
            "not a field of the grammar"
        );
    }

    #[test]
    fn attributes_match_by_name_and_exact_value() {
        let row = |local: bool| Row {
            fields: Map::from_iter([("isLocal".to_string(), serde_json::json!(local))]),
            item: serde_json::json!(local),
        };
        let attributes = [("runai.is_local", "isLocal")];
        let kept = |expression: &str| {
            with_attribute(
                vec![row(true), row(false)],
                "filter",
                expression,
                &attributes,
            )
            .map(|rows| rows.into_iter().map(|r| r.item).collect::<Vec<_>>())
        };
        assert_eq!(
            kept("runai.is_local:true").ok(),
            Some(vec![serde_json::json!(true)])
        );
        assert_eq!(
            kept("runai.is_local:false").ok(),
            Some(vec![serde_json::json!(false)])
        );
        assert_eq!(kept("runai.is_local:TRUE").ok(), Some(vec![]));
        assert_eq!(kept("runai.other:true").ok(), Some(vec![]));
        assert_eq!(kept("").map(|rows| rows.len()).ok(), Some(2));
        for malformed in ["runai.is_local", ":true", " :x"] {
            let err = kept(malformed).expect_err(malformed);
            assert_eq!(err.status, 400);
            assert!(err.message.contains("filter"), "{}", err.message);
        }
    }

    #[test]
    fn numbers_compare_numerically() {
        let f = parse_filter(&grammar(), "totalGpuQuota>=10").expect("parses");
        assert!(holds(&f, &serde_json::json!(12)));
        assert!(!holds(&f, &serde_json::json!(9)));
        assert_eq!(
            compare(&serde_json::json!("10"), &serde_json::json!("9")),
            Ordering::Greater
        );
    }
}
