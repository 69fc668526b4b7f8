//! The JSON the API speaks, to and from store objects: one module per kind of object,
//! pure functions of the store. The seed-era `/v1/k8s` shapes and the seed-era metrics
//! answers have modules of their own.

pub(crate) mod access;
pub(crate) mod access_keys;
pub(crate) mod audit;
pub(crate) mod clusters;
pub(crate) mod legacy;
pub(crate) mod metrics;
pub(crate) mod network_topologies;
pub(crate) mod node_pools;
pub(crate) mod nodes;
pub(crate) mod org_units;
pub(crate) mod reports;
pub(crate) mod resources;
pub(crate) mod service_accounts;
pub(crate) mod tenant_settings;
pub(crate) mod usage;
pub(crate) mod users;
