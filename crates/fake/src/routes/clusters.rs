//! `/api/v1/clusters`: list, get, create, rename and delete clusters, and a cluster's
//! installation command.

use serde_json::{json, Value};

use crate::context::{Answer, Call};
use crate::guard::sees;
use crate::lookup::{existing_cluster, free_cluster_name, no_cluster};
use crate::reply::Reply;
use crate::scopes::Scope;
use crate::store::{now, temp_password, Store};
use crate::wire::clusters as wire;

/// `None` when the operation is not one of this area's.
pub(crate) fn handle(call: &Call<'_>, store: &mut Store) -> Option<Answer> {
    let answer = match call.op.id.as_str() {
        "get_clusters" => list(call, store),
        "get_cluster_by_uuid" => get(call, store),
        "create_cluster" => create(call, store),
        "updateCluster" => update(call, store),
        "delete_cluster" => delete(call, store),
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
    let items: Vec<Value> = store
        .clusters
        .iter()
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

fn delete(call: &Call<'_>, store: &mut Store) -> Answer {
    let uuid = call.param("clusterUuid");
    if !store.remove_cluster(uuid) {
        return Err(no_cluster(uuid));
    }
    Ok(Reply::json(
        202,
        &json!({"code": 202, "message": "cluster deletion requested"}),
    ))
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
