//! Every `…/metrics` and `…/telemetry` path, of `/api/v1` and of the seed era. All of them
//! answer from the one synthetic usage model of `wire::usage`, so clusters, node pools,
//! nodes, departments and projects tell the same story; the seed-era shapes are
//! `wire::metrics`.

use serde_json::{json, Value};

use crate::context::{Access, Answer, Call};
use crate::error::ApiError;
use crate::lookup::{
    department_in, existing_cluster, existing_department, existing_project, project_in,
};
use crate::reply::Reply;
use crate::store::{format_time, now, Node, NodePool, OrgUnit, Store};
use crate::wire::metrics::{sample_instants, Ask};
use crate::wire::usage::{spec_enum, telemetry_text, unknown, Measured, Usage};

/// `None` when the operation is not one of this area's.
pub(crate) fn handle(call: &Call<'_>, store: &mut Access<'_>) -> Option<Answer> {
    let store = &*store;
    let answer = match call.op.id.as_str() {
        "get_cluster_metrics" => cluster_metrics(call, store),
        "get_department_metrics" => existing_department(store, call.param("departmentId"))
            .and_then(|unit| unit_metrics(call, store, unit)),
        "get_project_metrics" => existing_project(store, call.param("projectId"))
            .and_then(|unit| unit_metrics(call, store, unit)),
        "get_departments_telemetry" => unit_telemetry(call, store, false),
        "get_projects_telemetry" => unit_telemetry(call, store, true),
        "get_node_metrics" => store
            .nodes
            .iter()
            .find(|n| n.id == call.param("nodeId"))
            .ok_or_else(|| ApiError::not_found(format!("node {} not found", call.param("nodeId"))))
            .and_then(|node| measurements(call, store, Measured::Node(node))),
        "get_nodepool_metrics" => existing_cluster(store, call.param("clusterUuid"))
            .and_then(|cluster| {
                let name = call.param("nodepoolName");
                store
                    .node_pools_of(&cluster.uuid)
                    .find(|p| p.name == name)
                    .ok_or_else(|| {
                        ApiError::not_found(format!(
                            "node pool {name:?} not found in cluster {}",
                            cluster.uuid
                        ))
                    })
            })
            .and_then(|pool| measurements(call, store, Measured::NodePool(pool))),
        "get_node_telemetry" => node_telemetry(call, store),

        "getClusterMetrics" => seed_era(call, store, |ask| Ok(ask.cluster())),
        "getDepartmentsMetrics" => seed_era(call, store, |ask| Ok(ask.departments())),
        "getProjectsMetrics" => seed_era(call, store, |ask| Ok(ask.projects())),
        "getDepartmentMetrics" => seed_era(call, store, |ask| {
            department_in(ask.store, &ask.cluster.uuid, call.param("departmentId"))
                .map(|d| ask.department(d))
        }),
        "getProjectMetrics" => seed_era(call, store, |ask| {
            project_in(ask.store, &ask.cluster.uuid, call.param("projectId"))
                .map(|p| ask.project(p))
        }),
        _ => return None,
    };
    Some(answer)
}

/// Every value of a `metricType` parameter: comma-joined, perhaps repeated.
fn metric_types(call: &Call<'_>) -> Vec<String> {
    call.query
        .iter()
        .filter(|(k, _)| k == "metricType")
        .flat_map(|(_, v)| v.split(','))
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .collect()
}

/// `MetricsResponse`: each requested metric of the object over the window.
fn measurements(call: &Call<'_>, store: &Store, measured: Measured<'_>) -> Answer {
    let instants = instants(call)?;
    let usage = Usage::new(store);
    let mut all = Vec::new();
    for metric in metric_types(call) {
        all.extend(usage.series(measured, &metric, &instants)?);
    }
    Ok(Reply::json(200, &json!({ "measurements": all })))
}

/// The nodes telemetry covers, each with its cluster and pool.
fn telemetry_nodes<'s>(
    call: &Call<'_>,
    store: &'s Store,
) -> Result<Vec<(&'s Node, &'s NodePool)>, ApiError> {
    let cluster = call.query_value("clusterId");
    if let Some(uuid) = cluster {
        existing_cluster(store, uuid)?;
    }
    let pool_name = call.query_value("nodepoolName");
    let in_cluster = |p: &NodePool| cluster.is_none_or(|c| p.cluster_id == c);
    if let Some(name) = pool_name {
        if !store
            .node_pools
            .iter()
            .any(|p| in_cluster(p) && p.name == name)
        {
            return Err(ApiError::not_found(format!("node pool {name:?} not found")));
        }
    }
    Ok(store
        .nodes
        .iter()
        .filter_map(|n| Some((n, store.pool_of_node(n)?)))
        .filter(|(_, p)| in_cluster(p) && pool_name.is_none_or(|name| p.name == name))
        .collect())
}

/// The instant telemetry describes: now, to the minute.
fn this_minute() -> i64 {
    time::OffsetDateTime::now_utc()
        .unix_timestamp()
        .div_euclid(60)
        * 60
}

/// The `groupBy` values of a telemetry request.
fn telemetry_groups<'c>(call: &'c Call<'_>) -> Vec<&'c str> {
    call.query_value("groupBy")
        .map(|v| v.split(',').filter(|g| !g.is_empty()).collect())
        .unwrap_or_default()
}

/// The telemetry type, once known to be one of the spec's `schema` enum.
fn telemetry_type<'c>(call: &'c Call<'_>, schema: &str) -> Result<&'c str, ApiError> {
    let kind = call.query_value("telemetryType").unwrap_or_default();
    if spec_enum(schema).contains(&kind) {
        Ok(kind)
    } else {
        Err(unknown("telemetryType", kind))
    }
}

/// One group's key: `{key, value, name}` for each `groupBy` value.
fn group_key(group_by: &[&str], pick: impl Fn(&str) -> (String, String)) -> Vec<Value> {
    group_by
        .iter()
        .map(|by| {
            let (value, name) = pick(by);
            json!({"key": by, "value": value, "name": name})
        })
        .collect()
}

/// `TelemetryResponse` of the type at `at`: the parts summed per group key (one value
/// without grouping, 0 when nothing is counted).
fn telemetry_answer(
    kind: &str,
    at: i64,
    grouped: bool,
    parts: impl Iterator<Item = (Vec<Value>, f64)>,
) -> Answer {
    let mut groups: Vec<(Vec<Value>, f64)> = Vec::new();
    for (key, value) in parts {
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, sum)) => *sum += value,
            None => groups.push((key, value)),
        }
    }
    if groups.is_empty() && !grouped {
        groups.push((Vec::new(), 0.0));
    }
    let values: Vec<Value> = groups
        .into_iter()
        .map(|(key, sum)| {
            let mut item = json!({"value": telemetry_text(sum)});
            if let (false, Some(map)) = (key.is_empty(), item.as_object_mut()) {
                map.insert("groups".into(), Value::Array(key));
            }
            item
        })
        .collect();
    let stamp = time::OffsetDateTime::from_unix_timestamp(at)
        .map(format_time)
        .unwrap_or_else(|_| now());
    Ok(Reply::json(
        200,
        &json!({"type": kind, "timestamp": stamp, "values": values}),
    ))
}

fn cluster_name(store: &Store, uuid: &str) -> String {
    store
        .cluster(uuid)
        .map(|c| c.name.clone())
        .unwrap_or_default()
}

/// `TelemetryResponse`: the telemetry type now, summed over the nodes of each group that
/// `groupBy` names.
fn node_telemetry(call: &Call<'_>, store: &Store) -> Answer {
    let kind = telemetry_type(call, "NodeTelemetryType")?;
    let at = this_minute();
    let usage = Usage::new(store);
    let group_by = telemetry_groups(call);
    let parts = telemetry_nodes(call, store)?
        .into_iter()
        .map(|(node, pool)| {
            let key = group_key(&group_by, |by| match by {
                "ClusterId" => (
                    node.cluster_id.clone(),
                    cluster_name(store, &node.cluster_id),
                ),
                "Nodepool" => (pool.name.clone(), pool.name.clone()),
                _ => (node.id.clone(), node.name.clone()),
            });
            (key, usage.telemetry_value(node, kind, at))
        });
    telemetry_answer(kind, at, !group_by.is_empty(), parts)
}

/// `TelemetryResponse` of departments (`projects` false) or projects now: each unit's
/// share in each node pool the filters keep, summed per group. A filter naming nothing
/// keeps nothing (the spec lists no 404 here): the sum is 0, the grouped list empty.
fn unit_telemetry(call: &Call<'_>, store: &Store, projects: bool) -> Answer {
    let kind = telemetry_type(call, "OrgUnitTelemetryType")?;
    let cluster = call.query_value("clusterId");
    let department = call.query_value("departmentId");
    // Departments name a pool by name, projects by id.
    let (pool_param, pool_field): (&str, fn(&NodePool) -> &str) = if projects {
        ("nodepoolId", |p| p.id.as_str())
    } else {
        ("nodepoolName", |p| p.name.as_str())
    };
    let wanted_pool = call.query_value(pool_param);
    let pools: Vec<&NodePool> = store
        .node_pools
        .iter()
        .filter(|p| cluster.is_none_or(|c| p.cluster_id == c))
        .filter(|p| wanted_pool.is_none_or(|w| pool_field(p) == w))
        .collect();
    let units: Vec<&OrgUnit> = if projects {
        store
            .projects
            .iter()
            .filter(|p| department.is_none_or(|d| p.parent_id.as_deref() == Some(d)))
            .collect()
    } else {
        store
            .departments
            .iter()
            .filter(|d| department.is_none_or(|id| d.id == id))
            .collect()
    };
    let at = this_minute();
    let usage = Usage::new(store);
    let group_by = telemetry_groups(call);
    let mut parts = Vec::new();
    for unit in units
        .iter()
        .filter(|u| cluster.is_none_or(|c| u.cluster_id == c))
    {
        for pool in pools.iter().filter(|p| p.cluster_id == unit.cluster_id) {
            let key = group_key(&group_by, |by| match by {
                "ClusterId" | "CLUSTER_ID" => (
                    unit.cluster_id.clone(),
                    cluster_name(store, &unit.cluster_id),
                ),
                "NodepoolId" => (pool.id.clone(), pool.name.clone()),
                // ParentId
                _ => {
                    let parent = unit.parent_id.clone().unwrap_or_default();
                    let name = store
                        .department(&parent)
                        .map(|d| d.name.clone())
                        .unwrap_or_default();
                    (parent, name)
                }
            });
            parts.push((key, usage.unit_telemetry(unit, &[pool], kind, at)));
        }
    }
    telemetry_answer(kind, at, !group_by.is_empty(), parts.into_iter())
}

/// The window's instants of a metrics request.
fn instants(call: &Call<'_>) -> Result<Vec<i64>, ApiError> {
    Ok(sample_instants(
        call.query_value("start"),
        call.query_value("end"),
        call.query_value("numberOfSamples"),
    )?
    .unwrap_or_default())
}

/// The pools of a cluster a metrics request covers: all, or the one `nodepoolName` names.
fn pools_asked<'s>(
    call: &Call<'_>,
    store: &'s Store,
    cluster: &str,
) -> Result<Vec<&'s NodePool>, ApiError> {
    let name = call.query_value("nodepoolName");
    let pools: Vec<&NodePool> = store
        .node_pools
        .iter()
        .filter(|p| p.cluster_id == cluster && name.is_none_or(|n| p.name == n))
        .collect();
    match (name, pools.is_empty()) {
        (Some(name), true) => Err(ApiError::not_found(format!(
            "node pool {name:?} not found in cluster {cluster}"
        ))),
        _ => Ok(pools),
    }
}

/// `GroupedMetricsResponse`: each requested metric of the cluster over the window.
fn cluster_metrics(call: &Call<'_>, store: &Store) -> Answer {
    let cluster = existing_cluster(store, call.param("clusterUuid"))?;
    let pools = pools_asked(call, store, &cluster.uuid)?;
    let instants = instants(call)?;
    let usage = Usage::new(store);
    let mut all = Vec::new();
    for metric in metric_types(call) {
        all.extend(usage.cluster_series(
            &pools,
            &cluster.name,
            &metric,
            call.query_value("groupBy"),
            &instants,
        )?);
    }
    Ok(Reply::json(200, &json!({ "measurements": all })))
}

/// `MetricsResponse`: each requested metric of a department or project over the window.
fn unit_metrics(call: &Call<'_>, store: &Store, unit: &OrgUnit) -> Answer {
    let pools = pools_asked(call, store, &unit.cluster_id)?;
    let instants = instants(call)?;
    let usage = Usage::new(store);
    let measurements = metric_types(call)
        .iter()
        .map(|metric| usage.unit_series(unit, &pools, metric, &instants))
        .collect::<Result<Vec<Value>, ApiError>>()?;
    Ok(Reply::json(200, &json!({ "measurements": measurements })))
}

/// The seed-era answers: the cluster of the path, then the one object `build` picks.
fn seed_era(
    call: &Call<'_>,
    store: &Store,
    build: impl FnOnce(&Ask<'_>) -> Result<Value, ApiError>,
) -> Answer {
    let cluster = existing_cluster(store, call.param("clusterUuid"))?;
    let ask = Ask::new(store, cluster, &call.query)?;
    Ok(Reply::json(200, &build(&ask)?))
}
