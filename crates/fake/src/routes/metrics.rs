//! Every `…/metrics` and `…/telemetry` path, of `/api/v1` and of the seed era. The fake
//! runs no workloads: the cluster, department and project answers of `/api/v1` are empty,
//! the seed-era ones report quotas with zero usage (`wire::metrics`). Nodes and node pools
//! answer the synthetic usage of `wire::usage`, consistent with the nodes they have.

use serde_json::{json, Value};

use crate::context::{Answer, Call};
use crate::error::ApiError;
use crate::lookup::{
    department_in, existing_cluster, existing_department, existing_project, project_in,
};
use crate::reply::Reply;
use crate::store::{format_time, now, Node, NodePool, Store};
use crate::wire::metrics::{sample_instants, Ask};
use crate::wire::usage::{series, telemetry_text, telemetry_value, Measured, TELEMETRY};

/// `None` when the operation is not one of this area's.
pub(crate) fn handle(call: &Call<'_>, store: &mut Store) -> Option<Answer> {
    let store = &*store;
    let answer = match call.op.id.as_str() {
        "get_cluster_metrics" => {
            no_measurements(existing_cluster(store, call.param("clusterUuid")))
        }
        "get_department_metrics" => {
            no_measurements(existing_department(store, call.param("departmentId")))
        }
        "get_project_metrics" => no_measurements(existing_project(store, call.param("projectId"))),
        "get_departments_telemetry" | "get_projects_telemetry" => telemetry(call),
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

/// `{"measurements": []}` once the object the path names is known to exist.
fn no_measurements<T>(found: Result<T, ApiError>) -> Answer {
    found?;
    Ok(Reply::json(200, &json!({"measurements": []})))
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
    let instants = sample_instants(
        call.query_value("start"),
        call.query_value("end"),
        call.query_value("numberOfSamples"),
    )?
    .unwrap_or_default();
    let mut all = Vec::new();
    for metric in metric_types(call) {
        all.extend(series(store, measured, &metric, &instants)?);
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

/// `TelemetryResponse`: the telemetry type now (to the minute), summed over the nodes of
/// each group that `groupBy` names.
fn node_telemetry(call: &Call<'_>, store: &Store) -> Answer {
    let kind = call.query_value("telemetryType").unwrap_or_default();
    if !TELEMETRY.contains(&kind) {
        return Err(ApiError::bad_request(format!(
            "query parameter telemetryType: unknown value {kind:?}"
        )));
    }
    let at = time::OffsetDateTime::now_utc()
        .unix_timestamp()
        .div_euclid(60)
        * 60;
    let group_by: Vec<&str> = call
        .query_value("groupBy")
        .map(|v| v.split(',').filter(|g| !g.is_empty()).collect())
        .unwrap_or_default();
    let mut groups: Vec<(Vec<Value>, f64)> = Vec::new();
    for (node, pool) in telemetry_nodes(call, store)? {
        let key: Vec<Value> = group_by
            .iter()
            .map(|by| {
                let cluster_name = || {
                    store
                        .cluster(&node.cluster_id)
                        .map(|c| c.name.clone())
                        .unwrap_or_default()
                };
                let (value, name) = match *by {
                    "ClusterId" => (node.cluster_id.clone(), cluster_name()),
                    "Nodepool" => (pool.name.clone(), pool.name.clone()),
                    _ => (node.id.clone(), node.name.clone()),
                };
                json!({"key": by, "value": value, "name": name})
            })
            .collect();
        let value = telemetry_value(node, kind, at);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, sum)) => *sum += value,
            None => groups.push((key, value)),
        }
    }
    if groups.is_empty() && group_by.is_empty() {
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

fn telemetry(call: &Call<'_>) -> Answer {
    Ok(Reply::json(
        200,
        &json!({
            "type": call.query_value("telemetryType").unwrap_or("GPU_QUOTA"),
            "timestamp": now(),
            "values": [],
        }),
    ))
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
