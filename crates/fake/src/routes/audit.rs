//! `/api/v1/audit/log`: the audit log within a time range, listed (filtered, sorted and
//! paged by `offset` and `numberOfSamples`) or downloaded as a CSV or JSON file.

use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::context::{Access, Answer, Call};
use crate::error::ApiError;
use crate::guard::visible;
use crate::listing::{Query, Row};
use crate::reply::Reply;
use crate::store::{format_time, Store};
use crate::wire::audit as wire;

/// `None` when the operation is not one of this area's.
pub(crate) fn handle(call: &Call<'_>, store: &mut Access<'_>) -> Option<Answer> {
    let answer = match call.op.id.as_str() {
        "getAuditLogs" => list(call, store),
        "downloadAuditLogs" => download(call, store),
        _ => return None,
    };
    Some(answer)
}

/// The entries from `start` to `end`, both included, oldest first. The bounds may carry
/// any offset; entries are kept in UTC, in a form whose text order is time order. A range
/// that ends before it starts holds no entry: the spec documents no refusal for it (the
/// operation lists no 400 at all), so it is an empty answer, not an error.
fn within(call: &Call<'_>, store: &Store) -> Result<Vec<Row>, ApiError> {
    let bound = |name: &str| {
        let raw = call.query_value(name).unwrap_or_default();
        OffsetDateTime::parse(raw, &Rfc3339)
            .map(format_time)
            .map_err(|e| ApiError::bad_request(format!("query parameter {name}: {e}")))
    };
    let (start, end) = (bound("start")?, bound("end")?);
    let rows = store
        .audit_log
        .entries()
        .filter(|e| e.timestamp >= start && e.timestamp <= end)
        .map(wire::row)
        .collect();
    Ok(visible(call, rows))
}

/// The query with `timestamp` filter values in the entries' own form, so that text order
/// is time order whatever offset or precision the caller wrote (`…T12:00:00+02:00` is
/// `…T10:00:00.000Z`). A value that is no date-time stays as sent. Dates hold no commas, so
/// the pieces of a joined `filterBy` can be taken one by one.
fn normalised(query: &[(String, String)]) -> Vec<(String, String)> {
    let piece = |expression: &str| -> String {
        let rest = expression.strip_prefix("timestamp");
        let split = rest.and_then(|rest| {
            ["==", "!=", "<=", ">="]
                .iter()
                .find_map(|op| Some((*op, rest.strip_prefix(op)?)))
        });
        match split.and_then(|(op, value)| Some((op, OffsetDateTime::parse(value, &Rfc3339).ok()?)))
        {
            Some((op, moment)) => format!("timestamp{op}{}", format_time(moment)),
            None => expression.to_string(),
        }
    };
    query
        .iter()
        .map(|(name, value)| {
            let value = if name == "filterBy" {
                value.split(',').map(piece).collect::<Vec<_>>().join(",")
            } else {
                value.clone()
            };
            (name.clone(), value)
        })
        .collect()
}

/// The page under both keys the answer's schema names: it requires `logs` and describes
/// `audit_logs` (where the catalogue, and so the client, finds the items).
fn list(call: &Call<'_>, store: &Store) -> Answer {
    let rows = within(call, store)?;
    let sorts = call.sorts();
    let shape = call.shape(&sorts);
    let query = Query::parse(&normalised(&call.query), &shape)?;
    let selected = query.select(rows, &[]);
    let total = selected.len();
    let (items, next) = query.page(selected);
    let mut body = json!({"total": total, "logs": items, "audit_logs": items});
    if let (Some(next), Value::Object(fields)) = (next, &mut body) {
        fields.insert("next".into(), json!(next));
    }
    Ok(Reply::json(200, &body))
}

/// A file of the first `numberOfSamples` entries (the parameter's default when it is not
/// sent), oldest first. The spec answers `application/octet-stream` whatever the format;
/// the file's name says which it is.
fn download(call: &Call<'_>, store: &Store) -> Answer {
    let rows = within(call, store)?;
    let query = Query::parse(&normalised(&call.query), &call.shape(&[]))?;
    let samples = call
        .query_value("numberOfSamples")
        .and_then(|n| n.parse().ok())
        .or_else(|| {
            let param = call.op.query.iter().find(|p| p.name == "numberOfSamples")?;
            param.default.as_ref()?.as_u64()
        })
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(usize::MAX);
    let items: Vec<Value> = query
        .select(rows, &[])
        .into_iter()
        .take(samples)
        .map(|row| row.item)
        .collect();
    let format = call.query_value("file_type").unwrap_or("CSV");
    let (text, extension) = if format.eq_ignore_ascii_case("JSON") {
        (Value::Array(items).to_string(), "json")
    } else {
        (wire::csv(&items), "csv")
    };
    Ok(Reply {
        status: 200,
        headers: vec![
            ("content-type".into(), "application/octet-stream".into()),
            (
                "content-disposition".into(),
                format!("attachment; filename=\"audit-log.{extension}\""),
            ),
        ],
        body: text.into_bytes().into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_filters_are_read_in_the_entries_form() {
        let pairs = |value: &str| vec![("filterBy".to_string(), value.to_string())];
        assert_eq!(
            normalised(&pairs(
                "timestamp>=2026-01-01T12:00:00+02:00,action==create"
            )),
            pairs("timestamp>=2026-01-01T10:00:00.000Z,action==create")
        );
        // Not a date-time, or not a comparison of one: as sent.
        for kept in ["timestamp>=soon", "timestamp=@2026-01", "subject==a,b"] {
            assert_eq!(normalised(&pairs(kept)), pairs(kept));
        }
    }
}
