//! Every `…/metrics` and `…/telemetry` path, of `/api/v1` and of the seed era. The fake
//! runs no workloads: the `/api/v1` answers are empty, the seed-era ones report quotas
//! with zero usage (`wire::metrics`).

use serde_json::{json, Value};

use runai_admin_core::api::{Catalogue, Param};

use crate::context::{Answer, Call};
use crate::error::ApiError;
use crate::lookup::{
    department_in, existing_cluster, existing_department, existing_project, project_in,
};
use crate::reply::Reply;
use crate::store::{now, Store};
use crate::wire::metrics::Ask;

/// `None` when the operation is not one of this area's.
pub(crate) fn handle(call: &Call<'_>, store: &mut Store) -> Option<Answer> {
    let store = &*store;
    let answer = match call.op.id.as_str() {
        "get_cluster_metrics" => known_metric_types(call)
            .and_then(|()| no_measurements(existing_cluster(store, call.param("clusterUuid")))),
        "get_department_metrics" => known_metric_types(call)
            .and_then(|()| no_measurements(existing_department(store, call.param("departmentId")))),
        "get_project_metrics" => known_metric_types(call)
            .and_then(|()| no_measurements(existing_project(store, call.param("projectId")))),
        "get_departments_telemetry" | "get_projects_telemetry" => telemetry(call),

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

/// Each `metricType` value must be one of the operation's: the enum of the parameter's item
/// schema in the catalogue. The router checks scalar enums only; this one is an array.
fn known_metric_types(call: &Call<'_>) -> Result<(), ApiError> {
    let Some(param) = call.op.query.iter().find(|p| p.name == "metricType") else {
        return Ok(());
    };
    let allowed = item_values(param);
    if allowed.is_empty() {
        return Ok(());
    }
    let sent = call
        .query
        .iter()
        .filter(|(name, _)| name == &param.name)
        .flat_map(|(_, value)| value.split(','));
    for value in sent {
        if !allowed.contains(&value) {
            return Err(ApiError::bad_request(format!(
                "query parameter {}: unknown value {value:?}",
                param.name
            ))
            .with_details(format!("allowed values: {}", allowed.join(", "))));
        }
    }
    Ok(())
}

/// The enum of an array parameter's items, inline or behind a `$ref`; empty when the spec
/// gives none.
fn item_values(param: &'static Param) -> Vec<&'static str> {
    let catalogue = Catalogue::get();
    let items = param.schema.as_ref().and_then(|schema| schema.get("items"));
    let resolved = items.and_then(|items| match items.get("$ref").and_then(Value::as_str) {
        Some(reference) => reference
            .strip_prefix("#/components/schemas/")
            .and_then(|name| catalogue.schema(name)),
        None => Some(items),
    });
    resolved
        .and_then(|schema| schema.get("enum"))
        .and_then(Value::as_array)
        .map(|values| values.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// `{"measurements": []}` once the object the path names is known to exist.
fn no_measurements<T>(found: Result<T, ApiError>) -> Answer {
    found?;
    Ok(Reply::json(200, &json!({"measurements": []})))
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
