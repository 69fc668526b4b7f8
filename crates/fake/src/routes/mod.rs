//! The routes, one module per area, named after the path segment the area's operations
//! share (the crate doc has the table). Each area answers the operations it implements
//! and `None` for the rest; `paging` and `org_units` hold what several areas share.

pub(crate) mod access_keys;
pub(crate) mod access_rules;
pub(crate) mod applications;
pub(crate) mod audit;
pub(crate) mod cli;
pub(crate) mod clusters;
pub(crate) mod departments;
pub(crate) mod idps;
pub(crate) mod legacy;
pub(crate) mod logo;
pub(crate) mod me;
pub(crate) mod metrics;
pub(crate) mod network_topologies;
pub(crate) mod node_pools;
pub(crate) mod nodes;
pub(crate) mod org_units;
pub(crate) mod paging;
pub(crate) mod permissions;
pub(crate) mod projects;
pub(crate) mod reports;
pub(crate) mod roles;
pub(crate) mod security_settings;
pub(crate) mod service_accounts;
pub(crate) mod tenant_settings;
pub(crate) mod tokens;
pub(crate) mod user_applications;
pub(crate) mod users;
