//! `/api/v1/nodes` and `/api/v1/clusters/{clusterUuid}/nodes`: the tenant's nodes, or one
//! cluster's, listed and counted with the spec's filters, sorting and paging. Their
//! metrics and telemetry are `routes::metrics`' business.

use crate::context::{Access, Answer, Call};
use crate::error::ApiError;
use crate::listing::Row;
use crate::lookup::existing_cluster;
use crate::routes::paging;
use crate::store::Store;
use crate::wire::nodes as wire;

/// `None` when the operation is not one of this area's.
pub(crate) fn handle(call: &Call<'_>, store: &mut Access<'_>) -> Option<Answer> {
    let store = &*store;
    let answer = match call.op.id.as_str() {
        "get_tenant_nodes" => paging::paged(call, rows(store, None)),
        "count_tenant_nodes" => paging::count(call, rows(store, None)),
        "get_nodes" => in_cluster(call, store, true),
        "count_nodes" => in_cluster(call, store, false),
        _ => return None,
    };
    Some(answer)
}

fn rows(store: &Store, cluster_id: Option<&str>) -> Vec<Row> {
    store
        .nodes
        .iter()
        .filter(|n| cluster_id.is_none_or(|c| n.cluster_id == c))
        .map(|n| wire::node_row(store, n))
        .collect()
}

/// The deprecated `nodeName` picks one node by name and goes with no filter, sorting or
/// search. Paging parameters are let through: a pager sends them with every request.
fn in_cluster(call: &Call<'_>, store: &Store, list: bool) -> Answer {
    let cluster = existing_cluster(store, call.param("clusterUuid"))?;
    let mut rows = rows(store, Some(&cluster.uuid));
    if let Some(name) = call.query_value("nodeName") {
        let listing = ["filterBy", "sortBy", "sortOrder", "search"];
        if let Some((other, _)) = call
            .query
            .iter()
            .find(|(k, _)| listing.contains(&k.as_str()))
        {
            return Err(ApiError::bad_request(format!(
                "query parameter nodeName cannot be used together with {other}"
            )));
        }
        rows.retain(|row| row.fields.get("name").and_then(|v| v.as_str()) == Some(name));
    }
    if list {
        paging::paged(call, rows)
    } else {
        paging::count(call, rows)
    }
}
