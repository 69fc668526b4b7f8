//! The answers of list and count operations: rows selected by the request's listing
//! parameters, then a page or their number.

use serde_json::{json, Map, Value};

use crate::context::{Answer, Call};
use crate::listing::{Query, Row};
use crate::reply::Reply;

/// `{"count": n}`: how many rows pass the filters and the search.
pub(crate) fn count(call: &Call<'_>, rows: Vec<Row>) -> Answer {
    let shape = call.shape(&[]);
    let query = Query::parse(&call.query, &shape)?;
    let n = query.select(rows, shape.searchable).len();
    Ok(Reply::json(200, &json!({"count": n})))
}

/// A paged object answer: `{"<key>": [...], "next": <offset>}`, `next` only when more remain.
pub(crate) fn paged(call: &Call<'_>, rows: Vec<Row>, key: &str) -> Answer {
    let sorts = call.sorts();
    let shape = call.shape(&sorts);
    let query = Query::parse(&call.query, &shape)?;
    let (items, next) = query.page(query.select(rows, shape.searchable));
    let mut body = Map::new();
    body.insert(key.into(), Value::Array(items));
    if let Some(next) = next {
        body.insert("next".into(), json!(next));
    }
    Ok(Reply::json(200, &Value::Object(body)))
}

/// A bare array answer: with no `next` to follow, a request without paging parameters
/// gets everything.
pub(crate) fn bare(call: &Call<'_>, rows: Vec<Row>) -> Answer {
    let sorts = call.sorts();
    let shape = call.shape(&sorts);
    let query = Query::parse(&call.query, &shape)?;
    let (items, _) = query.page(query.select(rows, shape.searchable));
    Ok(Reply::json(200, &Value::Array(items)))
}
