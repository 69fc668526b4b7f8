//! `/api/v1/clusters`: list, get, create, rename and delete clusters, and a cluster's
//! installation command.

use serde_json::{json, Value};

use crate::context::{Access, Answer, Call};
use crate::guard::sees;
use crate::lookup::{existing_cluster, free_cluster_name};
use crate::reply::Reply;
use crate::scopes::Scope;
use crate::store::{now, temp_password, Store};
use crate::wire::clusters as wire;

/// `None` when the operation is not one of this area's.
pub(crate) fn handle(call: &Call<'_>, store: &mut Access<'_>) -> Option<Answer> {
    let answer = match call.op.id.as_str() {
        "get_clusters" => list(call, store),
        "get_cluster_by_uuid" => get(call, store),
        "create_cluster" => store.write().and_then(|store| create(call, store)),
        "updateCluster" => store.write().and_then(|store| update(call, store)),
        "delete_cluster" => store.write().and_then(|store| delete(call, store)),
        "get_cluster_install_info_by_uuid" => install_info(call, store),
        _ => return None,
    };
    Some(answer)
}

/// `verbosity=metadata` leaves out the status.
fn with_status(call: &Call<'_>) -> bool {
    call.query_value("verbosity") != Some("metadata")
}

fn list(call: &Call<'_>, store: &Store) -> Answer {
    let full = with_status(call);
    let requested_too = call.query_value("includeRequestedForDelete") == Some("true");
    let items: Vec<Value> = store
        .clusters
        .iter()
        .filter(|c| requested_too || c.delete_requested_at.is_none())
        .filter(|c| sees(call, &Scope::Cluster(c.uuid.clone())))
        .map(|c| wire::cluster(c, full))
        .collect();
    Ok(Reply::json(200, &Value::Array(items)))
}

fn get(call: &Call<'_>, store: &Store) -> Answer {
    let cluster = existing_cluster(store, call.param("clusterUuid"))?;
    Ok(Reply::json(200, &wire::cluster(cluster, with_status(call))))
}

fn create(call: &Call<'_>, store: &mut Store) -> Answer {
    let name = call.required_name()?;
    free_cluster_name(store, &name, None)?;
    let uuid = store.add_cluster(
        name,
        call.text("domain"),
        call.text("version"),
        false,
        call.actor(),
    );
    let cluster = existing_cluster(store, &uuid)?;
    Ok(Reply::json(201, &wire::cluster(cluster, true)))
}

fn update(call: &Call<'_>, store: &mut Store) -> Answer {
    let uuid = call.param("clusterUuid");
    existing_cluster(store, uuid)?;
    let name = call.required_name()?;
    free_cluster_name(store, &name, Some(uuid))?;
    if let Some(cluster) = store.cluster_mut(uuid) {
        cluster.name = name;
        cluster.updated_at = now();
    }
    Ok(Reply::empty(204))
}

/// Forced, or for a cluster too old to uninstall itself, the cluster goes at once (204).
/// Otherwise the deletion is only requested (202): the cluster stays, marked with the time
/// of the first request, out of plain listings, until a forced delete removes it.
fn delete(call: &Call<'_>, store: &mut Store) -> Answer {
    let uuid = call.param("clusterUuid");
    let cluster = existing_cluster(store, uuid)?;
    let force = call.query_value("force") == Some("true");
    if force || !deletes_gracefully(cluster.version.as_deref()) {
        store.remove_cluster(uuid);
        return Ok(Reply::empty(204));
    }
    if let Some(cluster) = store.cluster_mut(uuid) {
        cluster.delete_requested_at.get_or_insert_with(now);
    }
    Ok(Reply::json(
        202,
        &json!({"code": 202, "message": format!("deletion of cluster {uuid} requested")}),
    ))
}

/// The first cluster version that takes part in its own deletion.
const GRACEFUL_DELETION_SINCE: (u64, u64) = (2, 20);

/// Whether a cluster of this version is deleted by request rather than at once. A cluster
/// that has not reported a version it can be compared by (never connected, or a build name)
/// is taken to be current.
fn deletes_gracefully(version: Option<&str>) -> bool {
    let Some(version) = version else {
        return true;
    };
    let mut numbers = version
        .trim()
        .trim_start_matches('v')
        .split(['.', '-', '+'])
        .map(str::parse::<u64>);
    match (numbers.next(), numbers.next()) {
        (Some(Ok(major)), Some(Ok(minor))) => (major, minor) >= GRACEFUL_DELETION_SINCE,
        _ => true,
    }
}

fn install_info(call: &Call<'_>, store: &Store) -> Answer {
    let cluster = existing_cluster(store, call.param("clusterUuid"))?;
    let cluster_url = call
        .query_value("remoteClusterUrl")
        .map(str::to_string)
        .or_else(|| cluster.domain.clone())
        .unwrap_or_default();
    let version = call
        .query_value("version")
        .map(str::to_string)
        .or_else(|| cluster.version.clone())
        .unwrap_or_else(|| "2.21.0".into());
    Ok(Reply::json(
        200,
        &json!({
            "installationStr": format!(
                "helm upgrade -i runai-cluster runai/runai-cluster -n runai --create-namespace --version {version} --set controlPlane.url={} --set cluster.uid={} --set cluster.url={cluster_url}",
                call.shared.url, cluster.uuid
            ),
            "repositoryName": "runai",
            "chartRepoURL": "https://runai.jfrog.io/artifactory/api/helm/run-ai-charts",
            "clientSecret": temp_password(),
        }),
    ))
}

#[cfg(test)]
mod tests {
    use super::deletes_gracefully;

    #[test]
    fn versions_before_2_20_are_deleted_at_once() {
        for old in ["2.19.3", "2.13", "1.30.0", "v2.19.0"] {
            assert!(!deletes_gracefully(Some(old)), "{old}");
        }
        for current in ["2.20", "2.20.0", "2.21.0-rc.1", "3.0.0", "v2.20.1"] {
            assert!(deletes_gracefully(Some(current)), "{current}");
        }
        for unknown in [None, Some(""), Some("master"), Some("2")] {
            assert!(deletes_gracefully(unknown), "{unknown:?}");
        }
    }
}
