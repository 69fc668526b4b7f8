//! The audit log's shapes: `AuditLog` entries, the row their listing filters and sorts
//! on (the wire's own snake_case names), and the two file formats of the download.

use serde_json::{json, Map, Value};

use crate::audit_log::AuditEntry;
use crate::listing::Row;
use crate::seed::TENANT_ID;

/// The fake listens on the loopback interface only, so every caller comes from there.
const SOURCE_IP: &str = "127.0.0.1";

/// The columns of the CSV download: every field of the entry, in the schema's order.
pub(crate) const COLUMNS: [&str; 17] = [
    "id",
    "timestamp",
    "tenant_id",
    "subject",
    "subject_type",
    "source_ip",
    "action",
    "http_method",
    "url",
    "entity_type",
    "entity_name",
    "entity_id",
    "result",
    "http_status_code",
    "cluster_name",
    "cluster_id",
    "request_id",
];

pub(crate) fn entry(e: &AuditEntry) -> Value {
    let mut fields = Map::new();
    let mut put = |key: &str, value: Value| {
        fields.insert(key.to_string(), value);
    };
    put("id", json!(e.id));
    put("timestamp", json!(e.timestamp));
    put("tenant_id", json!(TENANT_ID.to_string()));
    put("subject", json!(e.subject));
    put("subject_type", json!(e.subject_type));
    put("source_ip", json!(SOURCE_IP));
    put("action", json!(e.action));
    put("http_method", json!(e.http_method));
    put("url", json!(e.url));
    put("entity_type", json!(e.entity_type));
    put(
        "result",
        json!(if e.succeeded { "Succeeded" } else { "Failed" }),
    );
    put("http_status_code", json!(e.http_status_code));
    put("request_id", json!(e.request_id));
    // What is not known is left out rather than sent empty: the schema has no nulls.
    let known = [
        ("entity_name", &e.entity_name),
        ("entity_id", &e.entity_id),
        ("cluster_name", &e.cluster_name),
        ("cluster_id", &e.cluster_id),
    ];
    for (key, value) in known {
        if let Some(value) = value {
            fields.insert(key.to_string(), json!(value));
        }
    }
    Value::Object(fields)
}

/// Filters and sorting see the entry's own fields.
pub(crate) fn row(e: &AuditEntry) -> Row {
    let item = entry(e);
    let fields = item.as_object().cloned().unwrap_or_default();
    Row { fields, item }
}

/// RFC 4180: a header line, then one line per entry; a field holding a comma, a quote or
/// a line break is quoted, with its quotes doubled. Missing fields are empty.
pub(crate) fn csv(entries: &[Value]) -> String {
    let mut out = COLUMNS.join(",");
    out.push_str("\r\n");
    for item in entries {
        let cells: Vec<String> = COLUMNS
            .iter()
            .map(|column| match item.get(*column) {
                Some(Value::String(s)) => quoted(s),
                Some(Value::Null) | None => String::new(),
                Some(other) => quoted(&other.to_string()),
            })
            .collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

pub(crate) fn quoted(cell: &str) -> String {
    if cell.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_would_break_a_line_or_a_cell() {
        let e = AuditEntry {
            entity_name: Some("a, \"b\"".into()),
            succeeded: true,
            ..AuditEntry::default()
        };
        let text = csv(&[entry(&e)]);
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines.first(), Some(&COLUMNS.join(",").as_str()));
        assert!(lines
            .get(1)
            .is_some_and(|l| l.contains(",\"a, \"\"b\"\"\",")));
        assert!(lines.get(1).is_some_and(|l| l.contains(",Succeeded,")));
    }

    #[test]
    fn unknown_fields_are_left_out() {
        let item = entry(&AuditEntry::default());
        assert!(item.get("entity_name").is_none());
        assert!(item.get("cluster_id").is_none());
        assert_eq!(item["result"], "Failed");
        assert_eq!(item["tenant_id"], TENANT_ID.to_string());
    }
}
