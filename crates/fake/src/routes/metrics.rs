//! Every `…/metrics` and `…/telemetry` path, of `/api/v1` and of the seed era. The fake
//! runs no workloads: the `/api/v1` answers are empty, the seed-era ones report quotas
//! with zero usage (`wire::metrics`).

use serde_json::{json, Value};

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
        "get_cluster_metrics" => {
            no_measurements(existing_cluster(store, call.param("clusterUuid")))
        }
        "get_department_metrics" => {
            no_measurements(existing_department(store, call.param("departmentId")))
        }
        "get_project_metrics" => no_measurements(existing_project(store, call.param("projectId"))),
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
