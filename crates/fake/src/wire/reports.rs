//! The `/api/v1/org-unit/reports` shapes: `Report`, the row its listing filters and sorts
//! on, and the report file: a CSV of quota and allocation over the report's time window,
//! one line per group of the report's `groupBy`. The quotas are the per-node-pool figures
//! the seed-era metrics answers give (`wire::metrics`); allocation hours and utilisation
//! are the usage model's (`wire::usage`) over the window, the same numbers the metrics
//! and telemetry answers show.

use std::collections::BTreeMap;

use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::listing::Row;
use crate::seed::TENANT_ID;
use crate::store::{Report, Store};
use crate::wire::audit::quoted;
use crate::wire::metrics::Ask;
use crate::wire::usage::Held;

/// The fields a report's `filterBy` may name; each expression is `<field>==<value>`.
pub(crate) const FILTER_FIELDS: [&str; 3] = ["projectName", "departmentName", "clusterId"];

pub(crate) fn report(r: &Report) -> Value {
    let mut item = json!({
        "id": r.id,
        "name": r.name,
        "start": r.start,
        "end": r.end,
        "groupBy": r.group_by,
        "filterBy": r.filter_by,
        "tenantId": TENANT_ID,
        "createdAt": r.created_at,
        "createdBy": r.created_by,
        "status": r.status.as_str(),
        "statusUpdatedAt": r.status_updated_at,
        "statusMessage": r.status_message,
    });
    if let (Some(description), Value::Object(fields)) = (&r.description, &mut item) {
        fields.insert("description".into(), json!(description));
    }
    item
}

/// Filters and sorting see the report's own fields (`name`, `createdAt`, `createdBy`,
/// `status`).
pub(crate) fn row(r: &Report) -> Row {
    let item = report(r);
    let fields = item.as_object().cloned().unwrap_or_default();
    Row { fields, item }
}

/// A `filterBy` expression split into its field and value; `None` when it is not
/// `<field>==<value>` with a field of `FILTER_FIELDS` and a value.
pub(crate) fn filter_of(expression: &str) -> Option<(&'static str, &str)> {
    FILTER_FIELDS.iter().find_map(|field| {
        let value = expression.strip_prefix(field)?.strip_prefix("==")?;
        (!value.is_empty()).then_some((*field, value))
    })
}

const MIB: f64 = 1024.0 * 1024.0;

/// What one project had and used on one node pool over the window: quotas from a
/// `ResourcesData` item of a metrics answer, hours from the usage model.
#[derive(Default, Clone, Copy)]
struct Usage {
    gpu_quota: f64,
    gpu_hours: f64,
    /// Utilisation times GPU hours, so that groups average it fairly.
    gpu_utilization_weight: f64,
    cpu_quota: f64,
    core_hours: f64,
    memory_quota: f64,
    mib_hours: f64,
}

impl Usage {
    fn of(item: &Value, held: &Held) -> Usage {
        let quota = |kind: &str| {
            item.get(kind)
                .and_then(|k| k.get("quota"))
                .and_then(Value::as_f64)
                .unwrap_or(0.0)
        };
        Usage {
            gpu_quota: quota("gpu"),
            gpu_hours: held.gpus,
            gpu_utilization_weight: held.utilisation_sum,
            cpu_quota: quota("cpu"),
            core_hours: held.cores,
            memory_quota: quota("memory"),
            mib_hours: held.memory_bytes / MIB,
        }
    }

    fn add(&mut self, other: &Usage) {
        self.gpu_quota += other.gpu_quota;
        self.gpu_hours += other.gpu_hours;
        self.gpu_utilization_weight += other.gpu_utilization_weight;
        self.cpu_quota += other.cpu_quota;
        self.core_hours += other.core_hours;
        self.memory_quota += other.memory_quota;
        self.mib_hours += other.mib_hours;
    }
}

/// One project's figures on one node pool, with the names that group them.
struct Line {
    cluster: String,
    department: String,
    project: String,
    node_pool: String,
    usage: Usage,
}

/// The columns that name a line's group, by `groupBy` (none: every project on every
/// node pool).
fn key_columns(group_by: Option<&str>) -> &'static [&'static str] {
    match group_by {
        Some("Cluster") => &["Cluster"],
        Some("Department") => &["Cluster", "Department"],
        Some("Project") => &["Cluster", "Department", "Project"],
        Some("Nodepool") => &["Cluster", "Node pool"],
        _ => &["Cluster", "Department", "Project", "Node pool"],
    }
}

const FIGURE_COLUMNS: [&str; 10] = [
    "Start",
    "End",
    "GPU quota",
    "GPU quota hours",
    "GPU allocation hours",
    "GPU utilization (%)",
    "CPU quota (cores)",
    "CPU allocation (core hours)",
    "Memory quota (MiB)",
    "Memory allocation (MiB hours)",
];

fn key_of(line: &Line, columns: &[&str]) -> Vec<String> {
    columns
        .iter()
        .map(|column| match *column {
            "Cluster" => line.cluster.clone(),
            "Department" => line.department.clone(),
            "Project" => line.project.clone(),
            _ => line.node_pool.clone(),
        })
        .collect()
}

/// Two decimals at most, and no negative zero.
fn figure(x: f64) -> String {
    let rounded = (x * 100.0).round() / 100.0 + 0.0;
    rounded.to_string()
}

/// The window from `start` to `end` in Unix seconds; `None` when either is not an RFC 3339
/// date-time.
fn window(start: &str, end: &str) -> Option<(i64, i64)> {
    let start = OffsetDateTime::parse(start, &Rfc3339).ok()?;
    let end = OffsetDateTime::parse(end, &Rfc3339).ok()?;
    Some((start.unix_timestamp(), end.unix_timestamp()))
}

/// Every project's figures on every node pool that its filters keep; an error names a
/// filter that matches nothing in the tenant (the report then fails).
fn lines(
    store: &Store,
    filters: &[(&str, &str)],
    (from, to): (i64, i64),
) -> Result<Vec<Line>, String> {
    for (field, value) in filters {
        let known = match *field {
            "clusterId" => store.cluster(value).is_some(),
            "departmentName" => store.departments.iter().any(|d| d.name == *value),
            _ => store.projects.iter().any(|p| p.name == *value),
        };
        if !known {
            return Err(format!(
                "filterBy {field}=={value}: nothing in the tenant has it"
            ));
        }
    }
    // Expressions on the same field are alternatives; different fields must all hold.
    let keeps = |field: &str, actual: &str| {
        let wanted: Vec<&str> = filters
            .iter()
            .filter(|(f, _)| *f == field)
            .map(|(_, v)| *v)
            .collect();
        wanted.is_empty() || wanted.contains(&actual)
    };
    let mut out = Vec::new();
    for cluster in store
        .clusters
        .iter()
        .filter(|c| keeps("clusterId", &c.uuid))
    {
        let ask = Ask::new(store, cluster, &[]).map_err(|e| e.message)?;
        for project in store
            .projects
            .iter()
            .filter(|p| p.cluster_id == cluster.uuid)
        {
            let department = project
                .parent_id
                .as_deref()
                .and_then(|id| store.department(id))
                .map(|d| d.name.clone())
                .unwrap_or_default();
            if !keeps("departmentName", &department) || !keeps("projectName", &project.name) {
                continue;
            }
            let answer = ask.project(project);
            let per_pool = answer
                .pointer("/current/resources")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for (item, pool) in per_pool.iter().zip(&ask.pools) {
                out.push(Line {
                    cluster: cluster.name.clone(),
                    department: department.clone(),
                    project: project.name.clone(),
                    node_pool: pool.name.clone(),
                    usage: Usage::of(item, &ask.usage.over(project, pool, from, to)),
                });
            }
        }
    }
    Ok(out)
}

/// The report's file, or why it cannot be made. Quotas are as the tenant holds them when
/// the report is processed; quota hours are quota times the window's length, allocation
/// hours and utilisation the usage model's over the window.
pub(crate) fn file(store: &Store, r: &Report) -> Result<String, String> {
    let (from, to) = window(&r.start, &r.end)
        .ok_or_else(|| "the time window is not made of RFC 3339 date-times".to_string())?;
    let hours = (to - from) as f64 / 3600.0;
    let filters: Vec<(&str, &str)> = r.filter_by.iter().filter_map(|e| filter_of(e)).collect();
    let columns = key_columns(r.group_by.as_deref());
    let mut groups: BTreeMap<Vec<String>, Usage> = BTreeMap::new();
    for line in lines(store, &filters, (from, to))? {
        groups
            .entry(key_of(&line, columns))
            .or_default()
            .add(&line.usage);
    }
    let mut out = columns
        .iter()
        .chain(FIGURE_COLUMNS.iter())
        .copied()
        .collect::<Vec<_>>()
        .join(",");
    out.push_str("\r\n");
    for (key, usage) in groups {
        let utilization = if usage.gpu_hours > 0.0 {
            usage.gpu_utilization_weight / usage.gpu_hours
        } else {
            0.0
        };
        let figures = [
            usage.gpu_quota,
            usage.gpu_quota * hours,
            usage.gpu_hours,
            utilization,
            usage.cpu_quota,
            usage.core_hours,
            usage.memory_quota,
            usage.mib_hours,
        ];
        let cells: Vec<String> = key
            .iter()
            .map(|name| quoted(name))
            .chain([r.start.clone(), r.end.clone()])
            .chain(figures.into_iter().map(figure))
            .collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ReportStatus;
    use crate::wire::usage::seeded_with_projects;

    fn asked(group_by: Option<&str>, filter_by: &[&str]) -> Report {
        Report {
            id: "r".into(),
            name: "r".into(),
            description: None,
            start: "2026-01-01T00:00:00Z".into(),
            end: "2026-01-01T01:30:00+00:00".into(),
            group_by: group_by.map(str::to_string),
            filter_by: filter_by.iter().map(|s| s.to_string()).collect(),
            created_at: String::new(),
            created_by: String::new(),
            status: ReportStatus::Processing,
            status_updated_at: String::new(),
            status_message: String::new(),
            file: None,
        }
    }

    /// The seeded tenant with projects of 2 and 0.5 GPUs in its default department.
    fn store() -> Store {
        seeded_with_projects(&[
            ("b-team", json!({"deserved": 0.5})),
            ("a-team", json!({"deserved": 2.0})),
        ])
    }

    #[test]
    fn lines_sum_the_groups_quota_over_the_window() {
        let store = store();
        let text = file(&store, &asked(None, &[])).expect("made");
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(
            lines.first().copied(),
            Some(
                "Cluster,Department,Project,Node pool,Start,End,GPU quota,GPU quota hours,\
                 GPU allocation hours,GPU utilization (%),CPU quota (cores),\
                 CPU allocation (core hours),Memory quota (MiB),Memory allocation (MiB hours)"
            )
        );
        // Sorted by group, a line per project and pool (the h100 pool's quotas are 0, and
        // no project has a quota there to allocate with); one and a half hours. The
        // allocation hours are the usage model's over the window, the same numbers
        // every time.
        assert!(lines[1].starts_with("cluster-1,default,a-team,default,"));
        assert!(lines[1].contains(",2,3,1,50.76,"), "{}", lines[1]);
        assert!(lines[2].starts_with("cluster-1,default,a-team,h100,"));
        assert!(lines[2].contains(",0,0,0,0,"), "{}", lines[2]);
        assert!(lines[3].starts_with("cluster-1,default,b-team,default,"));
        assert!(lines[3].contains(",0.5,0.75,"), "{}", lines[3]);

        let text = file(&store, &asked(Some("Cluster"), &[])).expect("made");
        assert!(
            text.contains("\r\ncluster-1,2026-01-01T00:00:00Z,"),
            "{text}"
        );
        assert!(text.contains(",2.5,3.75,"), "{text}");
    }

    #[test]
    fn filters_keep_their_lines_and_fail_on_what_does_not_exist() {
        let store = store();
        let text = file(&store, &asked(Some("Project"), &["projectName==b-team"])).expect("made");
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(text.contains("b-team"));
        let err = file(&store, &asked(None, &["departmentName==nope"])).expect_err("no such");
        assert!(err.contains("departmentName==nope"), "{err}");
        assert_eq!(filter_of("clusterId==x"), Some(("clusterId", "x")));
        assert_eq!(filter_of("clusterId=="), None);
        assert_eq!(filter_of("projectName!=x"), None);
    }
}
