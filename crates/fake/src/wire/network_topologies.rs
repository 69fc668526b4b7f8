//! The `/api/v1/network-topologies` shapes: `NetworkTopology` and the row its listing
//! filters on, and the spec's patterns for a topology's name and levels (the general body
//! check has no regex engine, so they are checked by hand here).

use serde_json::{json, Value};

use crate::listing::Row;
use crate::seed::TENANT_ID;
use crate::store::{NetworkTopology, Store};
use crate::wire::node_pools::topology_id;

/// Where topologies made through the API come from: the spec's own example of `source`.
pub(crate) const API_SOURCE: &str = "Run.ai";

/// A connected cluster applies a topology at once; one that never reported in leaves it
/// waiting. The spec names the two phases, Creating and Ready.
fn phase(store: &Store, t: &NetworkTopology) -> &'static str {
    if store.cluster(&t.cluster_id).is_some_and(|c| c.connected) {
        "Ready"
    } else {
        "Creating"
    }
}

/// The spec requires a `status` it does not describe; it repeats the phase. `nodePools`
/// names the pools whose `networkTopologyId` is this topology, as the spec's example does.
pub(crate) fn topology(store: &Store, t: &NetworkTopology) -> Value {
    let phase = phase(store, t);
    let pools: Vec<&str> = store
        .node_pools
        .iter()
        .filter(|p| topology_id(p) == Some(t.id.as_str()))
        .map(|p| p.name.as_str())
        .collect();
    json!({
        "id": t.id,
        "name": t.name,
        "clusterId": t.cluster_id,
        "levels": t.levels,
        "tenantId": TENANT_ID,
        "createdAt": t.created_at,
        "createdBy": t.created_by,
        "phase": phase,
        "source": t.source,
        "nodePools": pools,
        "status": phase,
    })
}

pub(crate) fn row(store: &Store, t: &NetworkTopology) -> Row {
    let item = topology(store, t);
    let fields = item.as_object().cloned().unwrap_or_default();
    Row { fields, item }
}

/// `^[a-z]([a-z0-9-]*[a-z0-9])?$`: a DNS label that starts with a letter.
pub(crate) fn is_name(s: &str) -> bool {
    let starts = s.starts_with(|c: char| c.is_ascii_lowercase());
    let ends = s.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit());
    starts
        && ends
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`: one label of a DNS subdomain.
fn is_dns_label(s: &str) -> bool {
    let edge = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    s.starts_with(edge) && s.ends_with(edge) && s.chars().all(|c| edge(c) || c == '-')
}

/// A level is a Kubernetes node label key, as the spec's pattern writes it: an optional
/// DNS subdomain prefix and a slash, then a name of letters, digits, `-`, `_` and `.`
/// that starts and ends with a letter or digit.
pub(crate) fn is_label_key(s: &str) -> bool {
    let (prefix, name) = match s.split_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, s),
    };
    let prefix_ok = prefix.is_none_or(|p| p.split('.').all(is_dns_label));
    let edge = |c: char| c.is_ascii_alphanumeric();
    let name_ok = name.starts_with(edge)
        && name.ends_with(edge)
        && name
            .chars()
            .all(|c| edge(c) || matches!(c, '-' | '_' | '.'));
    prefix_ok && name_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_dns_labels_that_start_with_a_letter() {
        for good in ["a", "default-topology", "rack2"] {
            assert!(is_name(good), "{good}");
        }
        for bad in ["", "-a", "a-", "2rack", "Rack", "a_b", "a.b"] {
            assert!(!is_name(bad), "{bad}");
        }
    }

    #[test]
    fn levels_are_node_label_keys() {
        for good in [
            "kubernetes.io/hostname",
            "cloud.provider.com/topology-block",
            "rack",
            "Rack_1.a",
            "a",
        ] {
            assert!(is_label_key(good), "{good}");
        }
        for bad in [
            "",
            "/rack",
            "a/",
            "Cloud.com/rack",
            "a..b/rack",
            "-rack",
            "rack-",
            "a/b/c",
        ] {
            assert!(!is_label_key(bad), "{bad}");
        }
    }
}
