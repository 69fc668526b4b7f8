//! The in-memory tenant: clusters, node pools, departments, projects, users, service
//! accounts, users' access keys, access rules, security settings and the audit log. Objects
//! keep the fields that were written; derived fields are computed when they are rendered
//! (see `wire`). What the tenant starts with is `seed`'s business.

use std::collections::HashMap;

use rand::distr::{Alphanumeric, SampleString};
use serde_json::{Map, Value};

use crate::audit_log::AuditLog;

pub(crate) struct Cluster {
    pub uuid: String,
    pub name: String,
    pub domain: Option<String>,
    pub version: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// The seeded cluster reports in; ones created through the API wait for an install.
    pub connected: bool,
    /// Set by a graceful deletion request: the cluster stays until its removal is forced.
    pub delete_requested_at: Option<String>,
}

/// A node pool: the nodes of its cluster whose label `label_key` is `label_value`. The
/// cluster's default pool selects no label and holds the nodes no other pool claims.
pub(crate) struct NodePool {
    pub id: String,
    pub name: String,
    pub cluster_id: String,
    /// `None` for the default pool.
    pub selector: Option<(String, String)>,
    /// The scheduling settings as last written (`placementStrategy`,
    /// `gpuResourceOptimization`, `schedulingConfiguration`, ...).
    pub settings: Map<String, Value>,
    pub created_at: String,
    pub updated_at: String,
    pub created_by: String,
    pub updated_by: String,
}

impl NodePool {
    pub fn is_default(&self) -> bool {
        self.selector.is_none()
    }

    /// Whether this pool's label selects the node (the default pool selects none).
    pub fn selects(&self, node: &Node) -> bool {
        self.selector
            .as_ref()
            .is_some_and(|(key, value)| node.labels.get(key) == Some(value))
    }
}

/// A worker node of a cluster, as its kubelet and GPU operator report it.
pub(crate) struct Node {
    pub id: String,
    pub name: String,
    pub cluster_id: String,
    pub labels: std::collections::BTreeMap<String, String>,
    /// `Ready`, `NotReady` or `Unknown`.
    pub status: String,
    pub gpu_type: Option<String>,
    pub gpu_count: u32,
    pub gpu_memory_bytes: u64,
    pub cpu_cores: u32,
    pub memory_bytes: u64,
    pub nvlink_domain: Option<String>,
    pub nvlink_clique: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// A department or a project.
pub(crate) struct OrgUnit {
    pub id: String,
    pub name: String,
    pub cluster_id: String,
    /// The parent department; `None` for departments.
    pub parent_id: Option<String>,
    /// Normalised `Resources` objects: every entry names its node pool by id and name.
    pub resources: Vec<Value>,
    /// The other writable fields (`description`, `schedulingRules`, ...) as sent.
    pub fields: Map<String, Value>,
    pub created_at: String,
    pub updated_at: String,
    pub created_by: String,
    pub updated_by: String,
}

/// The departments or the projects of the tenant, in the order they were created, with
/// what finds one without a scan: its position by id, and its id by cluster and name (names
/// are unique per cluster, so a create checks its name in O(1)). The list reads as a slice;
/// every change goes through the methods here, which keep both indexes true.
#[derive(Default)]
pub(crate) struct Units {
    items: Vec<OrgUnit>,
    /// Each unit's GPU quotas, read from its resources whenever they may have changed.
    quotas: Vec<Vec<GpuQuota>>,
    by_id: HashMap<String, usize>,
    /// Cluster id, then name, to the unit's id.
    by_name: HashMap<String, HashMap<String, String>>,
}

impl std::ops::Deref for Units {
    type Target = [OrgUnit];

    fn deref(&self) -> &[OrgUnit] {
        &self.items
    }
}

/// A unit's GPU quota in one node pool, as its resources state it: what the usage model
/// schedules with, kept beside the unit so that a schedule over thousands of projects does
/// not read each one's JSON again.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct GpuQuota {
    pub pool_id: String,
    /// Not below 0.
    pub deserved: f64,
    /// `None` for none (the API writes "no limit" as a negative number).
    pub limit: Option<f64>,
}

/// The GPU quotas of these resources, in their order.
fn gpu_quotas(resources: &[Value]) -> Vec<GpuQuota> {
    resources
        .iter()
        .map(|r| {
            let pool_id = r
                .get("nodePool")
                .and_then(|p| p.get("id"))
                .and_then(Value::as_str)
                .unwrap_or_default();
            let gpu = r.get("gpu");
            let number = |name: &str| gpu.and_then(|g| g.get(name)).and_then(Value::as_f64);
            GpuQuota {
                pool_id: pool_id.to_string(),
                deserved: number("deserved").unwrap_or(0.0).max(0.0),
                limit: number("limit").filter(|l| *l >= 0.0),
            }
        })
        .collect()
}

impl Units {
    /// Every unit with its GPU quotas.
    pub fn with_gpu_quotas(&self) -> impl Iterator<Item = (&OrgUnit, &[GpuQuota])> {
        self.items.iter().zip(self.quotas.iter().map(Vec::as_slice))
    }

    pub fn get(&self, id: &str) -> Option<&OrgUnit> {
        self.items.get(*self.by_id.get(id)?)
    }

    /// The unit to change; the indexes follow a change of its id, name or cluster when the
    /// handle is dropped.
    pub fn get_mut(&mut self, id: &str) -> Option<UnitMut<'_>> {
        let at = *self.by_id.get(id)?;
        let unit = self.items.get_mut(at)?;
        let quotas = self.quotas.get_mut(at)?;
        let was = (unit.id.clone(), unit.cluster_id.clone(), unit.name.clone());
        Some(UnitMut {
            unit,
            quotas,
            at,
            was,
            by_id: &mut self.by_id,
            by_name: &mut self.by_name,
        })
    }

    /// The unit of this cluster with this name.
    pub fn named(&self, cluster_id: &str, name: &str) -> Option<&OrgUnit> {
        let id = self.by_name.get(cluster_id)?.get(name)?;
        self.get(id)
    }

    pub fn push(&mut self, unit: OrgUnit) {
        self.index(self.items.len(), &unit);
        self.quotas.push(gpu_quotas(&unit.resources));
        self.items.push(unit);
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&OrgUnit) -> bool) {
        let kept: Vec<bool> = self.items.iter().map(&mut keep).collect();
        if kept.iter().all(|k| *k) {
            return;
        }
        let mut flags = kept.iter();
        self.items.retain(|_| flags.next().copied().unwrap_or(true));
        let mut flags = kept.iter();
        self.quotas
            .retain(|_| flags.next().copied().unwrap_or(true));
        self.reindex();
    }

    /// Change every unit in place; the indexes and quotas are made anew after.
    pub fn for_each_mut(&mut self, change: impl FnMut(&mut OrgUnit)) {
        self.items.iter_mut().for_each(change);
        self.quotas = self
            .items
            .iter()
            .map(|u| gpu_quotas(&u.resources))
            .collect();
        self.reindex();
    }

    fn index(&mut self, at: usize, unit: &OrgUnit) {
        self.by_id.insert(unit.id.clone(), at);
        self.by_name
            .entry(unit.cluster_id.clone())
            .or_default()
            .insert(unit.name.clone(), unit.id.clone());
    }

    fn reindex(&mut self) {
        self.by_id.clear();
        self.by_name.clear();
        let items = std::mem::take(&mut self.items);
        for (at, unit) in items.iter().enumerate() {
            self.index(at, unit);
        }
        self.items = items;
    }
}

/// One department or project being changed (`Units::get_mut`).
pub(crate) struct UnitMut<'a> {
    unit: &'a mut OrgUnit,
    quotas: &'a mut Vec<GpuQuota>,
    at: usize,
    /// Its id, cluster and name when the change began.
    was: (String, String, String),
    by_id: &'a mut HashMap<String, usize>,
    by_name: &'a mut HashMap<String, HashMap<String, String>>,
}

impl std::ops::Deref for UnitMut<'_> {
    type Target = OrgUnit;

    fn deref(&self) -> &OrgUnit {
        self.unit
    }
}

impl std::ops::DerefMut for UnitMut<'_> {
    fn deref_mut(&mut self) -> &mut OrgUnit {
        self.unit
    }
}

impl Drop for UnitMut<'_> {
    fn drop(&mut self) {
        *self.quotas = gpu_quotas(&self.unit.resources);
        let (id, cluster_id, name) = &self.was;
        let unit = &*self.unit;
        if (&unit.id, &unit.cluster_id, &unit.name) == (id, cluster_id, name) {
            return;
        }
        self.by_id.remove(id);
        self.by_id.insert(unit.id.clone(), self.at);
        if let Some(names) = self.by_name.get_mut(cluster_id) {
            if names.get(name) == Some(id) {
                names.remove(name);
            }
        }
        self.by_name
            .entry(unit.cluster_id.clone())
            .or_default()
            .insert(unit.name.clone(), unit.id.clone());
    }
}

pub(crate) struct User {
    pub id: String,
    pub username: String,
    pub password: String,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
    pub last_login: Option<String>,
}

/// A service account: client credentials that act as themselves. The secret is kept so
/// that the token routes can check it; no answer but creation and regeneration shows it.
pub(crate) struct ServiceAccount {
    pub id: String,
    pub name: String,
    pub client_id: String,
    pub secret: String,
    pub enabled: bool,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
    pub last_login: Option<String>,
}

/// A user's access key: client credentials that act as the user who made them. The
/// secret is kept for the token routes, as a service account's is.
pub(crate) struct AccessKey {
    pub id: String,
    pub name: String,
    pub client_id: String,
    pub secret: String,
    /// The owner's email.
    pub owner: String,
    pub created_at: String,
    pub last_login: Option<String>,
}

/// An identity provider: its alias is its type (one provider per type), its data the
/// type's creation data as last written, its mappers the user attributes' claim names.
pub(crate) struct Idp {
    pub alias: String,
    pub kind: String,
    pub name: Option<String>,
    pub data: Value,
    pub mappers: Map<String, Value>,
}

/// An over-quota priority a department's or project's node-pool resources may name.
pub(crate) struct Priority {
    pub name: String,
    pub value: i64,
    pub is_default: bool,
}

/// A role granted to a subject in a scope. Deleting one stamps `deleted_at`, so that
/// listings with `includeDeleted` still show it.
pub(crate) struct AccessRule {
    pub id: i64,
    pub subject_type: String,
    pub subject_id: String,
    pub role_id: i64,
    pub scope_type: String,
    pub scope_id: String,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
    pub deleted_at: Option<String>,
}

// ---- Reports, network topologies and tenant settings -------------------------------

/// Where a report is on its way to a file: the spec's `ReportStatus` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReportStatus {
    Pending,
    Processing,
    Ready,
    Failed,
}

impl ReportStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportStatus::Pending => "Pending",
            ReportStatus::Processing => "Processing",
            ReportStatus::Ready => "Ready",
            ReportStatus::Failed => "Failed",
        }
    }
}

/// A requested report: what was asked (the `ReportRequestFields`), where its processing
/// stands, and once `Ready` the CSV file it produced.
pub(crate) struct Report {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub start: String,
    pub end: String,
    pub group_by: Option<String>,
    pub filter_by: Vec<String>,
    pub created_at: String,
    pub created_by: String,
    pub status: ReportStatus,
    pub status_updated_at: String,
    pub status_message: String,
    pub file: Option<String>,
}

/// A cluster's network topology: the node labels of its levels, outermost first.
pub(crate) struct NetworkTopology {
    pub id: String,
    pub name: String,
    pub cluster_id: String,
    pub levels: Vec<String>,
    pub source: String,
    pub created_at: String,
    pub created_by: String,
}

/// One seed-era tenant setting (`/v1/k8s/setting`). The wire carries every value as text;
/// `kind` (`Boolean`, `Number`, `String`) says what text it may hold.
pub(crate) struct TenantSetting {
    pub key: &'static str,
    pub kind: &'static str,
    pub category: &'static str,
    pub label: &'static str,
    pub description: &'static str,
    pub stage: &'static str,
    pub active: bool,
    pub value: String,
}

// ---- End of reports, network topologies and tenant settings ------------------------

pub(crate) struct Store {
    /// When the tenant came to be: the predefined roles carry it.
    pub created_at: String,
    pub clusters: Vec<Cluster>,
    pub node_pools: Vec<NodePool>,
    pub nodes: Vec<Node>,
    /// Whether a department's projects may together deserve no more of a node pool's
    /// resources than the department does. The spec only recommends it (the Departments
    /// tag), so a tenant starts without it.
    pub projects_within_department_quota: bool,
    pub departments: Units,
    pub projects: Units,
    pub users: Vec<User>,
    pub service_accounts: Vec<ServiceAccount>,
    pub access_keys: Vec<AccessKey>,
    pub access_rules: Vec<AccessRule>,
    /// The tenant's security settings by key (`autoRedirectSSO`, ...), each an object of
    /// the fields its schema names.
    pub security_settings: Map<String, Value>,
    /// The tenant's over-quota priorities, lowest first.
    pub priorities: Vec<Priority>,
    pub idps: Vec<Idp>,
    // ---- Reports, network topologies and tenant settings
    pub reports: Vec<Report>,
    pub network_topologies: Vec<NetworkTopology>,
    pub tenant_settings: Vec<TenantSetting>,
    // ---- End of reports, network topologies and tenant settings
    /// The tenant's logo as uploaded (base64 of a PNG or SVG image); `None` until one is.
    pub logo: Option<String>,
    pub audit_log: AuditLog,
    /// What only the seed-era `/v1/k8s` API keeps (see `SeedEra`).
    pub seed_era: SeedEra,
    next_access_rule: i64,
    // Departments and projects draw from one sequence, as org units do on the real
    // control plane: "1" is the seeded default department, then "2", "3", ...
    next_org_unit: u64,
    next_node_pool: u64,
}

// ---- seed era (`/v1/k8s`) ------------------------------------------------------------
// Clusters, departments, projects and users are the same objects in both eras; these are
// the seed-era facts that have no place in a current object.

/// A seed-era node type: a name for a kind of node in one cluster, with an integer id.
pub(crate) struct NodeType {
    pub id: i64,
    pub name: String,
    pub cluster_id: String,
    pub created_at: String,
}

#[derive(Default)]
pub(crate) struct SeedEra {
    pub node_types: Vec<NodeType>,
    /// A cluster's description by uuid (current clusters have none).
    pub cluster_descriptions: std::collections::HashMap<String, String>,
    /// Users who must change their password at their next login, by user id.
    pub password_change_due: std::collections::HashSet<String>,
    /// A seed-era user's roles while no cluster is permitted to them, by user id: such
    /// roles grant nothing, so no access rule holds them (otherwise the rules do).
    pub unscoped_roles: std::collections::HashMap<String, Vec<String>>,
    last_node_type: i64,
}

impl SeedEra {
    pub fn next_node_type_id(&mut self) -> i64 {
        self.last_node_type += 1;
        self.last_node_type
    }
}
// ---- end of seed era -----------------------------------------------------------------

pub(crate) fn now() -> String {
    format_time(time::OffsetDateTime::now_utc())
}

pub(crate) fn format_time(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    // A fixed width keeps string order equal to time order for sorting and filtering.
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

pub(crate) fn temp_password() -> String {
    Alphanumeric.sample_string(&mut rand::rng(), 16)
}

/// A client secret, as long as the seeded application's.
pub(crate) fn client_secret() -> String {
    Alphanumeric.sample_string(&mut rand::rng(), 32)
}

impl Store {
    /// No objects at all; ids start at 1.
    pub fn empty() -> Store {
        Store {
            created_at: now(),
            clusters: Vec::new(),
            node_pools: Vec::new(),
            nodes: Vec::new(),
            projects_within_department_quota: false,
            departments: Units::default(),
            projects: Units::default(),
            users: Vec::new(),
            service_accounts: Vec::new(),
            access_keys: Vec::new(),
            access_rules: Vec::new(),
            security_settings: Map::new(),
            priorities: Vec::new(),
            idps: Vec::new(),
            reports: Vec::new(),
            network_topologies: Vec::new(),
            tenant_settings: Vec::new(),
            logo: None,
            audit_log: AuditLog::default(),
            seed_era: SeedEra::default(),
            next_access_rule: 1,
            next_org_unit: 1,
            next_node_pool: 1,
        }
    }

    pub fn next_org_unit_id(&mut self) -> String {
        let id = self.next_org_unit;
        self.next_org_unit += 1;
        id.to_string()
    }

    /// A cluster comes with its default node pool and default department.
    pub fn add_cluster(
        &mut self,
        name: String,
        domain: Option<String>,
        version: Option<String>,
        connected: bool,
        by: &str,
    ) -> String {
        let uuid = uuid::Uuid::new_v4().to_string();
        let created = now();
        self.clusters.push(Cluster {
            uuid: uuid.clone(),
            name,
            domain,
            version,
            created_at: created.clone(),
            updated_at: created.clone(),
            connected,
            delete_requested_at: None,
        });
        let pool_id = self.add_node_pool("default".into(), uuid.clone(), None, Map::new(), by);
        let resources = vec![serde_json::json!({
            "nodePool": {"id": pool_id, "name": "default"},
            "gpu": {"deserved": 0},
        })];
        let department = self.new_org_unit(
            "default".into(),
            uuid.clone(),
            None,
            resources,
            Map::new(),
            by,
        );
        self.departments.push(department);
        uuid
    }

    /// A node pool with the next id, created and updated now by `actor`; its id.
    pub fn add_node_pool(
        &mut self,
        name: String,
        cluster_id: String,
        selector: Option<(String, String)>,
        settings: Map<String, Value>,
        actor: &str,
    ) -> String {
        let id = self.next_node_pool.to_string();
        self.next_node_pool += 1;
        let created = now();
        self.node_pools.push(NodePool {
            id: id.clone(),
            name,
            cluster_id,
            selector,
            settings,
            created_at: created.clone(),
            updated_at: created,
            created_by: actor.to_string(),
            updated_by: actor.to_string(),
        });
        id
    }

    pub fn node_pool(&self, id: &str) -> Option<&NodePool> {
        self.node_pools.iter().find(|p| p.id == id)
    }

    pub fn node_pool_mut(&mut self, id: &str) -> Option<&mut NodePool> {
        self.node_pools.iter_mut().find(|p| p.id == id)
    }

    /// The pool a node is in: the oldest pool of its cluster whose label selects it, else
    /// the cluster's default pool.
    pub fn pool_of_node(&self, node: &Node) -> Option<&NodePool> {
        let in_cluster = |p: &&NodePool| p.cluster_id == node.cluster_id;
        self.node_pools
            .iter()
            .filter(in_cluster)
            .find(|p| p.selects(node))
            .or_else(|| {
                self.node_pools
                    .iter()
                    .filter(in_cluster)
                    .find(|p| p.is_default())
            })
    }

    /// The nodes a pool holds now.
    pub fn nodes_in<'a>(&'a self, pool: &'a NodePool) -> impl Iterator<Item = &'a Node> {
        self.nodes
            .iter()
            .filter(move |n| self.pool_of_node(n).is_some_and(|p| p.id == pool.id))
    }

    /// A department or project with the next id, created and updated now by `actor`.
    pub fn new_org_unit(
        &mut self,
        name: String,
        cluster_id: String,
        parent_id: Option<String>,
        resources: Vec<Value>,
        fields: Map<String, Value>,
        actor: &str,
    ) -> OrgUnit {
        let created = now();
        OrgUnit {
            id: self.next_org_unit_id(),
            name,
            cluster_id,
            parent_id,
            resources,
            fields,
            created_at: created.clone(),
            updated_at: created,
            created_by: actor.to_string(),
            updated_by: actor.to_string(),
        }
    }

    pub fn cluster(&self, uuid: &str) -> Option<&Cluster> {
        self.clusters.iter().find(|c| c.uuid == uuid)
    }

    pub fn cluster_mut(&mut self, uuid: &str) -> Option<&mut Cluster> {
        self.clusters.iter_mut().find(|c| c.uuid == uuid)
    }

    /// Remove a cluster with everything that lives in it.
    pub fn remove_cluster(&mut self, uuid: &str) -> bool {
        let before = self.clusters.len();
        self.clusters.retain(|c| c.uuid != uuid);
        self.node_pools.retain(|p| p.cluster_id != uuid);
        self.nodes.retain(|n| n.cluster_id != uuid);
        self.departments.retain(|d| d.cluster_id != uuid);
        self.projects.retain(|p| p.cluster_id != uuid);
        self.seed_era.node_types.retain(|t| t.cluster_id != uuid);
        self.seed_era.cluster_descriptions.remove(uuid);
        self.network_topologies.retain(|t| t.cluster_id != uuid);
        self.clusters.len() != before
    }

    pub fn node_pools_of<'a>(&'a self, cluster_id: &'a str) -> impl Iterator<Item = &'a NodePool> {
        self.node_pools
            .iter()
            .filter(move |p| p.cluster_id == cluster_id)
    }

    pub fn default_node_pool(&self, cluster_id: &str) -> Option<&NodePool> {
        let in_cluster = |p: &&NodePool| p.cluster_id == cluster_id;
        self.node_pools
            .iter()
            .filter(in_cluster)
            .find(|p| p.is_default())
            .or_else(|| self.node_pools.iter().find(in_cluster))
    }

    pub fn default_department(&self, cluster_id: &str) -> Option<&OrgUnit> {
        self.departments
            .iter()
            .find(|d| d.cluster_id == cluster_id && d.name == "default")
            .or_else(|| self.departments.iter().find(|d| d.cluster_id == cluster_id))
    }

    pub fn department(&self, id: &str) -> Option<&OrgUnit> {
        self.departments.get(id)
    }

    pub fn department_mut(&mut self, id: &str) -> Option<UnitMut<'_>> {
        self.departments.get_mut(id)
    }

    pub fn project(&self, id: &str) -> Option<&OrgUnit> {
        self.projects.get(id)
    }

    pub fn project_mut(&mut self, id: &str) -> Option<UnitMut<'_>> {
        self.projects.get_mut(id)
    }

    pub fn projects_of<'a>(&'a self, department_id: &'a str) -> impl Iterator<Item = &'a OrgUnit> {
        self.projects
            .iter()
            .filter(move |p| p.parent_id.as_deref() == Some(department_id))
    }

    pub fn user(&self, id: &str) -> Option<&User> {
        self.users.iter().find(|u| u.id == id)
    }

    pub fn user_mut(&mut self, id: &str) -> Option<&mut User> {
        self.users.iter_mut().find(|u| u.id == id)
    }

    pub fn service_account(&self, id: &str) -> Option<&ServiceAccount> {
        self.service_accounts.iter().find(|a| a.id == id)
    }

    /// The service account an access rule's subject id names: its client id, or its id.
    pub fn service_account_named(&self, subject_id: &str) -> Option<&ServiceAccount> {
        self.service_accounts
            .iter()
            .find(|a| a.client_id == subject_id || a.id == subject_id)
    }

    pub fn service_account_mut(&mut self, id: &str) -> Option<&mut ServiceAccount> {
        self.service_accounts.iter_mut().find(|a| a.id == id)
    }

    /// Record a new access rule, created now by `actor`; the caller checked it.
    pub fn add_access_rule(
        &mut self,
        subject: (&str, &str),
        role_id: i64,
        scope: (&str, &str),
        actor: &str,
    ) -> i64 {
        let id = self.next_access_rule;
        self.next_access_rule += 1;
        let created = now();
        self.access_rules.push(AccessRule {
            id,
            subject_type: subject.0.to_string(),
            subject_id: subject.1.to_string(),
            role_id,
            scope_type: scope.0.to_string(),
            scope_id: scope.1.to_string(),
            created_by: actor.to_string(),
            created_at: created.clone(),
            updated_at: created,
            deleted_at: None,
        });
        id
    }

    /// A rule that has not been deleted.
    pub fn access_rule(&self, id: i64) -> Option<&AccessRule> {
        self.access_rules
            .iter()
            .find(|r| r.id == id && r.deleted_at.is_none())
    }

    /// Mark a live rule deleted; false when there is none with this id.
    pub fn delete_access_rule(&mut self, id: i64) -> bool {
        match self
            .access_rules
            .iter_mut()
            .find(|r| r.id == id && r.deleted_at.is_none())
        {
            Some(rule) => {
                let stamp = now();
                rule.deleted_at = Some(stamp.clone());
                rule.updated_at = stamp;
                true
            }
            None => false,
        }
    }

    /// Check a password and note the login.
    pub fn login(&mut self, username: &str, password: &str) -> bool {
        match self
            .users
            .iter_mut()
            .find(|u| u.username.eq_ignore_ascii_case(username))
        {
            Some(user) if user.password == password => {
                user.last_login = Some(now());
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_are_found_by_id_and_name_through_every_change() {
        let mut store = Store::empty();
        for name in ["a", "b", "c"] {
            let unit = store.new_org_unit(name.into(), "k".into(), None, vec![], Map::new(), "t");
            store.projects.push(unit);
        }
        let id = |store: &Store, name: &str| store.projects.named("k", name).map(|u| u.id.clone());
        assert_eq!(id(&store, "b").as_deref(), Some("2"));
        assert!(store.projects.named("other", "b").is_none());
        if let Some(mut unit) = store.project_mut("2") {
            unit.name = "renamed".into();
        }
        assert_eq!(id(&store, "b"), None);
        assert_eq!(id(&store, "renamed").as_deref(), Some("2"));
        store.projects.retain(|u| u.id != "1");
        assert_eq!(store.project("3").map(|u| u.name.as_str()), Some("c"));
        assert_eq!(id(&store, "renamed").as_deref(), Some("2"));
        assert_eq!(id(&store, "a"), None);
        store.projects.for_each_mut(|u| u.cluster_id = "m".into());
        assert_eq!(id(&store, "c"), None);
        assert_eq!(
            store.projects.named("m", "c").map(|u| u.id.as_str()),
            Some("3")
        );
        assert_eq!(store.projects.len(), 2);
    }

    #[test]
    fn gpu_quotas_follow_the_resources() {
        let mut store = Store::empty();
        let quota = |pool: &str, deserved: f64, limit: f64| serde_json::json!({"nodePool": {"id": pool}, "gpu": {"deserved": deserved, "limit": limit}});
        for (name, resources) in [("a", vec![quota("1", 2.0, -1.0)]), ("b", vec![])] {
            let unit =
                store.new_org_unit(name.into(), "k".into(), None, resources, Map::new(), "t");
            store.projects.push(unit);
        }
        let quotas = |store: &Store| -> Vec<Vec<GpuQuota>> {
            store
                .projects
                .with_gpu_quotas()
                .map(|(_, q)| q.to_vec())
                .collect()
        };
        let one = |pool: &str, deserved: f64, limit: Option<f64>| GpuQuota {
            pool_id: pool.into(),
            deserved,
            limit,
        };
        assert_eq!(quotas(&store), [vec![one("1", 2.0, None)], vec![]]);
        if let Some(mut unit) = store.project_mut("2") {
            unit.resources = vec![quota("3", -1.0, 4.0)];
        }
        assert_eq!(
            quotas(&store),
            [vec![one("1", 2.0, None)], vec![one("3", 0.0, Some(4.0))]]
        );
        store.projects.retain(|u| u.id == "2");
        assert_eq!(quotas(&store), [vec![one("3", 0.0, Some(4.0))]]);
        store.projects.for_each_mut(|u| u.resources.clear());
        assert_eq!(quotas(&store), [Vec::<GpuQuota>::new()]);
    }
}
