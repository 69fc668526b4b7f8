//! The seed-era metrics answers (`cluster`, `department(s)`, `project(s)` schemas): the
//! quota of every node pool comes from the store; allocation, utilisation (percent) and
//! pending workloads come from the usage model (`wire::usage`), now for `current` and at
//! each sample for `timeRange`. CPU is in millicores, memory in MiB. Given `start` and
//! `end`, an answer carries a `timeRange` of `numberOfSamples` samples.

use serde_json::{json, Map, Value};

use crate::error::ApiError;
use crate::store::{format_time, Cluster, NodePool, OrgUnit, Store};
use crate::wire::legacy::legacy_id;
use crate::wire::resources::pool_of;
use crate::wire::usage::{deserved_sum, Held, Usage};

const MIB: f64 = 1024.0 * 1024.0;

const DEFAULT_SAMPLES: i64 = 20;
const MAX_SAMPLES: i64 = 1000;

/// What a metrics request asks about.
pub(crate) struct Ask<'a> {
    pub store: &'a Store,
    pub cluster: &'a Cluster,
    /// The cluster's node pools, or the one `nodepoolName` names.
    pub pools: Vec<&'a NodePool>,
    /// Sample instants for `timeRange`; `None` without `start`/`end`.
    pub samples: Option<Vec<i64>>,
    /// The instant `current` describes.
    pub now: i64,
    pub usage: Usage<'a>,
}

impl<'a> Ask<'a> {
    pub fn new(
        store: &'a Store,
        cluster: &'a Cluster,
        query: &[(String, String)],
    ) -> Result<Ask<'a>, ApiError> {
        let value = |name: &str| {
            query
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        let pools: Vec<&NodePool> = store
            .node_pools_of(&cluster.uuid)
            .filter(|p| value("nodepoolName").is_none_or(|name| p.name == name))
            .collect();
        if let (Some(name), true) = (value("nodepoolName"), pools.is_empty()) {
            return Err(ApiError::not_found(format!(
                "node pool {name:?} not found in cluster {}",
                cluster.uuid
            )));
        }
        let samples = sample_instants(value("start"), value("end"), value("numberOfSamples"))?;
        Ok(Ask {
            store,
            cluster,
            pools,
            samples,
            now: time::OffsetDateTime::now_utc().unix_timestamp(),
            usage: Usage::new(store),
        })
    }

    fn entries<'u>(&self, units: &[&'u OrgUnit], pool: &NodePool) -> Vec<&'u Value> {
        // (The quota of the units themselves: a department's own, not its projects'.)
        units
            .iter()
            .flat_map(|u| u.resources.iter())
            .filter(|r| pool_of(r).0 == pool.id)
            .collect()
    }

    fn in_scope<'u>(&self, units: &[&'u OrgUnit]) -> Vec<&'u Value> {
        self.pools
            .iter()
            .flat_map(|pool| self.entries(units, pool))
            .collect()
    }

    /// One `ResourcesData` per node pool in scope, with its `nodepoolName`.
    fn per_pool(&self, units: &[&'a OrgUnit], extra: &Map<String, Value>) -> Vec<Value> {
        self.pools
            .iter()
            .map(|pool| {
                let held = self.usage.held(units, &[pool], self.now);
                let mut item = data(&self.entries(units, pool), &held);
                if let Value::Object(map) = &mut item {
                    map.extend(extra.clone());
                    map.insert("nodepoolName".into(), json!(pool.name));
                }
                item
            })
            .collect()
    }

    /// `TimeRange`: the quota over all node pools in scope at every sample.
    fn time_range(&self, units: &[&'a OrgUnit]) -> Option<Value> {
        let samples = self.samples.as_ref()?;
        let quota = self.in_scope(units);
        let resources: Vec<Value> = samples
            .iter()
            .filter_map(|at| {
                let stamp = time::OffsetDateTime::from_unix_timestamp(*at).ok()?;
                let mut sample = data(&quota, &self.usage.held(units, &self.pools, *at));
                if let Value::Object(map) = &mut sample {
                    map.insert("timestamp".into(), json!(format_time(stamp)));
                }
                Some(sample)
            })
            .collect();
        Some(json!({ "resources": resources }))
    }

    fn projects_in_cluster(&self) -> Vec<&'a OrgUnit> {
        let cluster = &self.cluster.uuid;
        self.store
            .projects
            .iter()
            .filter(|p| &p.cluster_id == cluster)
            .collect()
    }

    fn department_name(&self, project: &OrgUnit) -> String {
        project
            .parent_id
            .as_deref()
            .and_then(|id| self.store.department(id))
            .map(|d| d.name.clone())
            .unwrap_or_default()
    }

    /// Per project and node pool, with the names the schema asks for.
    fn project_resources(&self, projects: &[&'a OrgUnit], with_department: bool) -> Vec<Value> {
        projects
            .iter()
            .flat_map(|p| {
                let mut extra = Map::new();
                extra.insert("projectName".into(), json!(p.name));
                if with_department {
                    extra.insert("departmentName".into(), json!(self.department_name(p)));
                }
                self.per_pool(&[*p], &extra)
            })
            .collect()
    }

    fn finish(&self, mut answer: Map<String, Value>, units: &[&'a OrgUnit]) -> Value {
        if let Some(range) = self.time_range(units) {
            answer.insert("timeRange".into(), range);
        }
        Value::Object(answer)
    }

    /// The `cluster` schema: quota is what the cluster's projects are given.
    pub fn cluster(&self) -> Value {
        let projects = self.projects_in_cluster();
        let mut answer = Map::new();
        answer.insert(
            "metadata".into(),
            json!({"clusterId": self.cluster.uuid, "clusterName": self.cluster.name}),
        );
        answer.insert(
            "current".into(),
            json!({
                "resources": self.per_pool(&projects, &Map::new()),
                "projectResources": self.project_resources(&projects, true),
            }),
        );
        self.finish(answer, &projects)
    }

    /// The `department` schema.
    pub fn department(&self, unit: &'a OrgUnit) -> Value {
        let projects: Vec<&OrgUnit> = self.store.projects_of(&unit.id).collect();
        let mut answer = Map::new();
        answer.insert(
            "metadata".into(),
            json!({
                "departmentId": legacy_id(&unit.id),
                "departmentName": unit.name,
                "clusterId": self.cluster.uuid,
                "clusterName": self.cluster.name,
            }),
        );
        answer.insert(
            "current".into(),
            json!({
                "resources": self.per_pool(&[unit], &Map::new()),
                "projectResources": self.project_resources(&projects, false),
            }),
        );
        self.finish(answer, &[unit])
    }

    /// The `project` schema; `nodepoolResources` (required, shape unspecified) repeats the
    /// per-node-pool `resources`.
    pub fn project(&self, unit: &'a OrgUnit) -> Value {
        let department = unit.parent_id.as_deref().unwrap_or_default();
        let per_pool = self.per_pool(&[unit], &Map::new());
        let mut answer = Map::new();
        answer.insert(
            "metadata".into(),
            json!({
                "projectId": legacy_id(&unit.id),
                "projectName": unit.name,
                "departmentId": legacy_id(department),
                "departmentName": self.department_name(unit),
                "clusterId": self.cluster.uuid,
                "clusterName": self.cluster.name,
            }),
        );
        answer.insert(
            "current".into(),
            json!({"resources": per_pool, "nodepoolResources": per_pool}),
        );
        self.finish(answer, &[unit])
    }

    /// The `departments` schema: every department of the cluster.
    pub fn departments(&self) -> Value {
        let cluster = &self.cluster.uuid;
        let units: Vec<&OrgUnit> = self
            .store
            .departments
            .iter()
            .filter(|d| &d.cluster_id == cluster)
            .collect();
        let data: Vec<Value> = units.iter().map(|d| self.department(d)).collect();
        let mut answer = Map::new();
        answer.insert("data".into(), Value::Array(data));
        self.finish(answer, &units)
    }

    /// The `projects` schema: every project of the cluster.
    pub fn projects(&self) -> Value {
        let units = self.projects_in_cluster();
        let data: Vec<Value> = units.iter().map(|p| self.project(p)).collect();
        let mut answer = Map::new();
        answer.insert("data".into(), Value::Array(data));
        self.finish(answer, &units)
    }
}

fn quota(entries: &[&Value], kind: &str) -> f64 {
    deserved_sum(entries.iter().copied(), kind, false)
}

/// `ResourcesData`: the quota of some stored `Resources` entries and what is held.
fn data(entries: &[&Value], held: &Held) -> Value {
    let resource = |kind: &str, allocated: f64, utilization: f64| json!({"quota": quota(entries, kind), "allocated": allocated, "utilization": utilization});
    json!({
        // An integer in the schema: whole workloads.
        "numberOfPendingWorkloads": held.pending_workloads as u64,
        "gpu": resource("gpu", held.gpus, round2(held.utilisation())),
        "cpu": resource("cpu", (held.cores * 1000.0).round(), 0.0),
        "memory": resource("memory", (held.memory_bytes / MIB).round(), 0.0),
    })
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Evenly spaced timestamps from `start` to `end`, both included.
#[cfg(test)]
fn sample_times(
    start: Option<&str>,
    end: Option<&str>,
    samples: Option<&str>,
) -> Result<Option<Vec<String>>, ApiError> {
    Ok(sample_instants(start, end, samples)?.map(|instants| {
        instants
            .into_iter()
            .filter_map(|at| time::OffsetDateTime::from_unix_timestamp(at).ok())
            .map(format_time)
            .collect()
    }))
}

/// Evenly spaced instants (Unix seconds) from `start` to `end`, both included:
/// `numberOfSamples` of them (20 when not given, at most 1000); `None` without a window.
pub(crate) fn sample_instants(
    start: Option<&str>,
    end: Option<&str>,
    samples: Option<&str>,
) -> Result<Option<Vec<i64>>, ApiError> {
    let (start, end) = match (start, end) {
        (None, None) => return Ok(None),
        (Some(start), Some(end)) => (start, end),
        _ => {
            return Err(ApiError::bad_request(
                "query parameters start and end go together",
            ))
        }
    };
    let parse = |name: &str, text: &str| {
        parse_time(text).ok_or_else(|| {
            ApiError::bad_request(format!(
                "query parameter {name}: expected an RFC 3339 date-time, got {text:?}"
            ))
        })
    };
    let (from, to) = (parse("start", start)?, parse("end", end)?);
    if from > to {
        return Err(ApiError::bad_request("query parameter start: after end"));
    }
    let n = match samples {
        Some(text) => text.parse::<i64>().unwrap_or(-1),
        None => DEFAULT_SAMPLES,
    };
    if !(0..=MAX_SAMPLES).contains(&n) {
        return Err(ApiError::bad_request(format!(
            "query parameter numberOfSamples: must be between 0 and {MAX_SAMPLES}"
        )));
    }
    let step = if n > 1 { (to - from) / (n - 1) } else { 0 };
    Ok(Some((0..n).map(|i| from + step * i).collect()))
}

/// `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)` as Unix seconds.
fn parse_time(text: &str) -> Option<i64> {
    let (date, clock) = text.split_once(['T', 't', ' '])?;
    let mut ymd = date.splitn(3, '-');
    let year: i32 = ymd.next()?.parse().ok()?;
    let month: u8 = ymd.next()?.parse().ok()?;
    let day: u8 = ymd.next()?.parse().ok()?;
    let (clock, offset) = match clock.strip_suffix(['Z', 'z']) {
        Some(clock) => (clock, 0),
        None => {
            let at = clock.rfind(['+', '-'])?;
            let (clock, zone) = clock.split_at_checked(at)?;
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            let (hours, minutes) = zone.get(1..)?.split_once(':')?;
            let hours: i64 = hours.parse().ok()?;
            let minutes: i64 = minutes.parse().ok()?;
            (clock, sign * (hours * 3600 + minutes * 60))
        }
    };
    let whole = clock.split('.').next()?;
    let mut hms = whole.splitn(3, ':');
    let hour: u8 = hms.next()?.parse().ok()?;
    let minute: u8 = hms.next()?.parse().ok()?;
    let second: u8 = hms.next()?.parse().ok()?;
    // RFC 3339 allows a leap second; it is counted as the second before it.
    let second = if second == 60 { 59 } else { second };
    let date =
        time::Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()?;
    let time = time::Time::from_hms(hour, minute, second).ok()?;
    Some(
        time::PrimitiveDateTime::new(date, time)
            .assume_utc()
            .unix_timestamp()
            - offset,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_with_offsets_and_fractions() {
        assert_eq!(parse_time("1970-01-01T00:00:10Z"), Some(10));
        assert_eq!(parse_time("1970-01-01T01:00:00.250+01:00"), Some(0));
        assert_eq!(parse_time("1970-01-01T00:00:00-00:30"), Some(1800));
        assert_eq!(parse_time("1970-01-01T00:00:60Z"), Some(59));
        assert_eq!(parse_time("1970-01-01T00:00:61Z"), None);
        assert_eq!(parse_time("1970-13-01T00:00:00Z"), None);
        assert_eq!(parse_time("yesterday"), None);
    }

    #[test]
    fn samples_span_the_window() {
        let got = sample_times(
            Some("2024-01-01T00:00:00Z"),
            Some("2024-01-01T01:00:00Z"),
            Some("3"),
        )
        .ok()
        .flatten()
        .unwrap_or_default();
        assert_eq!(
            got,
            [
                "2024-01-01T00:00:00.000Z",
                "2024-01-01T00:30:00.000Z",
                "2024-01-01T01:00:00.000Z"
            ]
        );
        assert!(sample_times(Some("2024-01-01T00:00:00Z"), None, None).is_err());
        assert!(sample_times(
            Some("2024-01-02T00:00:00Z"),
            Some("2024-01-01T00:00:00Z"),
            None
        )
        .is_err());
        assert_eq!(sample_times(None, None, Some("5")).ok(), Some(None));
    }
}
