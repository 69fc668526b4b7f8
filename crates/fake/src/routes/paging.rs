//! The answers of list and count operations: the rows the caller may see, selected by
//! the request's listing parameters, then a page or their number.

use serde::{ser::SerializeMap, Serialize, Serializer};
use serde_json::{json, Value};

use runai_admin_core::api::Pagination;

use crate::context::{Answer, Call};
use crate::error::ApiError;
use crate::guard::{sees, visible};
use crate::listing::{Query, Row};
use crate::reply::Reply;
use crate::scopes::Scope;

/// `{"count": n}`: how many rows pass the filters and the search.
pub(crate) fn count(call: &Call<'_>, rows: Vec<Row>) -> Answer {
    let shape = call.shape(&[]);
    let query = Query::parse(&call.query, &shape)?;
    let n = query.select(visible(call, rows), shape.searchable).len();
    Ok(Reply::json(200, &json!({"count": n})))
}

/// The same answer as `count` from the objects themselves: their number when nothing
/// needs the rows (no filter or search, and a caller who sees every row).
pub(crate) fn count_window<T>(call: &Call<'_>, objects: &[T], row: impl Fn(&T) -> Row) -> Answer {
    let shape = call.shape(&[]);
    let query = Query::parse(&call.query, &shape)?;
    if query.window().is_some() && sees(call, &Scope::Tenant) {
        return Ok(Reply::json(200, &json!({"count": objects.len()})));
    }
    count(call, objects.iter().map(row).collect())
}

/// A paged answer shaped as the catalogue says: the page's items under its items key path
/// and, while more remain, the next offset under its next key (`{"projects": [...],
/// "next": 50}`). An operation whose items are the body itself answers a bare page.
pub(crate) fn paged(call: &Call<'_>, rows: Vec<Row>) -> Answer {
    let Some(paging) = call.op.pagination.as_ref().filter(|p| !p.items.is_empty()) else {
        return bare(call, rows);
    };
    let sorts = call.sorts();
    let shape = call.shape(&sorts);
    let query = Query::parse(&call.query, &shape)?;
    let (items, next) = query.page(query.select(visible(call, rows), shape.searchable));
    Ok(Reply::json(200, &Page::new(paging, &items, next)))
}

/// The same answer as `paged` from the objects themselves, building the page's items
/// alone (`item` is `row`'s item, without the fields only filters and sorting read) when
/// nothing needs every row (as `bare_window` does).
pub(crate) fn paged_window<'a, T, I: Serialize>(
    call: &Call<'_>,
    objects: &'a [T],
    row: impl Fn(&T) -> Row,
    item: impl Fn(&'a T) -> I,
) -> Answer {
    let sorts = call.sorts();
    let shape = call.shape(&sorts);
    let query = Query::parse(&call.query, &shape)?;
    let paging = call.op.pagination.as_ref().filter(|p| !p.items.is_empty());
    match (paging, query.window()) {
        (Some(paging), Some((offset, limit))) if sees(call, &Scope::Tenant) => {
            let items = objects.iter().skip(offset).take(limit);
            let items: Vec<I> = items.map(item).collect();
            let end = offset.saturating_add(limit);
            let next = (end < objects.len()).then_some(end);
            Ok(Reply::json(200, &Page::new(paging, &items, next)))
        }
        _ => paged(call, objects.iter().map(row).collect()),
    }
}

/// A page as the catalogue shapes it: the items under the items key path (`["projects"]`
/// makes `{"projects": [...]}`) and, while more remain, the next offset under its key.
struct Page<'p, I> {
    keys: &'p [String],
    items: &'p [I],
    next: Option<(&'p str, usize)>,
}

impl<'p, I: Serialize> Page<'p, I> {
    fn new(paging: &'p Pagination, items: &'p [I], next: Option<usize>) -> Page<'p, I> {
        Page {
            keys: &paging.items,
            items,
            next: paging.next.as_deref().zip(next),
        }
    }
}

impl<I: Serialize> Serialize for Page<'_, I> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let Some((key, inner)) = self.keys.split_first() else {
            return self.items.serialize(serializer);
        };
        let mut map = serializer.serialize_map(None)?;
        let rest = Page {
            keys: inner,
            items: self.items,
            next: None,
        };
        map.serialize_entry(key, &rest)?;
        // The next offset sits beside the outermost items key, as the API sends it.
        if let Some((next_key, next)) = self.next {
            map.serialize_entry(next_key, &next)?;
        }
        map.end()
    }
}

/// A bare array answer: with no `next` to follow, a request without paging parameters
/// gets everything.
pub(crate) fn bare(call: &Call<'_>, rows: Vec<Row>) -> Answer {
    let (items, _) = counted(call, rows)?;
    Ok(Reply::json(200, &Value::Array(items)))
}

/// The same answer as `bare` from the objects themselves, building the rows of the page
/// alone when nothing needs them all: no filter, search or sort, and a caller who sees every
/// row. A page deep in a large tenant then costs its own size, not the tenant's.
pub(crate) fn bare_window<T>(call: &Call<'_>, objects: &[T], row: fn(&T) -> Row) -> Answer {
    let sorts = call.sorts();
    let shape = call.shape(&sorts);
    let query = Query::parse(&call.query, &shape)?;
    match query.window() {
        Some((offset, limit)) if sees(call, &Scope::Tenant) => {
            let items = objects.iter().skip(offset).take(limit);
            Ok(Reply::json(
                200,
                &Value::Array(items.map(|o| row(o).item).collect()),
            ))
        }
        _ => bare(call, objects.iter().map(row).collect()),
    }
}

/// One page of the rows, and how many passed the filters and the search: for answers
/// that state their total (`totalRecords`) rather than where the next page starts.
pub(crate) fn counted(call: &Call<'_>, rows: Vec<Row>) -> Result<(Vec<Value>, usize), ApiError> {
    let sorts = call.sorts();
    let shape = call.shape(&sorts);
    let query = Query::parse(&call.query, &shape)?;
    let selected = query.select(visible(call, rows), shape.searchable);
    let total = selected.len();
    Ok((query.page(selected).0, total))
}
