//! Where access applies: the tenant holds its clusters, a cluster its departments, a
//! department its projects. Which department and cluster a project is in comes from the
//! store, so a rule follows an object wherever the store says it lives.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::lookup::user_by_email;
use crate::seed::{APP_CLIENT_ID, TENANT_ID, TENANT_NAME};
use crate::store::Store;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Scope {
    /// Above the tenant; the fake has one tenant, so this is the tenant again.
    System,
    Tenant,
    Cluster(String),
    Department(String),
    Project(String),
}

impl Scope {
    /// The scope a `scopeType` and `scopeId` name, whether or not it exists; `None` for
    /// an unknown type.
    pub fn parse(kind: &str, id: &str) -> Option<Scope> {
        Some(match kind {
            "system" => Scope::System,
            "tenant" => Scope::Tenant,
            "cluster" => Scope::Cluster(id.to_string()),
            "department" => Scope::Department(id.to_string()),
            "project" => Scope::Project(id.to_string()),
            _ => return None,
        })
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Scope::System => "system",
            Scope::Tenant => "tenant",
            Scope::Cluster(_) => "cluster",
            Scope::Department(_) => "department",
            Scope::Project(_) => "project",
        }
    }

    /// System and tenant scopes are named by the tenant's id.
    pub fn id(&self) -> String {
        match self {
            Scope::System | Scope::Tenant => TENANT_ID.to_string(),
            Scope::Cluster(id) | Scope::Department(id) | Scope::Project(id) => id.clone(),
        }
    }

    /// Whether the object the scope names exists; `id` is checked for the tenant too.
    pub fn exists(&self, store: &Store, id: &str) -> bool {
        match self {
            Scope::System | Scope::Tenant => id == TENANT_ID.to_string(),
            Scope::Cluster(uuid) => store.cluster(uuid).is_some(),
            Scope::Department(id) => store.department(id).is_some(),
            Scope::Project(id) => store.project(id).is_some(),
        }
    }

    pub fn name(&self, store: &Store) -> String {
        match self {
            Scope::System | Scope::Tenant => Some(TENANT_NAME.to_string()),
            Scope::Cluster(uuid) => store.cluster(uuid).map(|c| c.name.clone()),
            Scope::Department(id) => store.department(id).map(|d| d.name.clone()),
            Scope::Project(id) => store.project(id).map(|p| p.name.clone()),
        }
        .unwrap_or_default()
    }

    /// The cluster the scope lies in, for the scopes below the tenant.
    pub fn cluster_id(&self, store: &Store) -> Option<String> {
        match self {
            Scope::System | Scope::Tenant => None,
            Scope::Cluster(uuid) => Some(uuid.clone()),
            Scope::Department(id) => store.department(id).map(|d| d.cluster_id.clone()),
            Scope::Project(id) => store.project(id).map(|p| p.cluster_id.clone()),
        }
    }

    /// The names from the tenant down to this scope, joined by `/`.
    pub fn path(&self, store: &Store) -> String {
        let mut names = vec![TENANT_NAME.to_string()];
        let project = match self {
            Scope::Project(id) => store.project(id),
            _ => None,
        };
        let department = match self {
            Scope::Department(id) => store.department(id),
            _ => project
                .and_then(|p| p.parent_id.as_deref())
                .and_then(|d| store.department(d)),
        };
        if let Some(cluster) = self.cluster_id(store).and_then(|c| store.cluster(&c)) {
            names.push(cluster.name.clone());
        }
        names.extend(department.map(|d| d.name.clone()));
        names.extend(project.map(|p| p.name.clone()));
        names.join("/")
    }
}

/// Every scope a set of rules reaches, inner scopes included: a rule on a department
/// reaches its projects. The shape of the spec's `PermittedScopes`.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Reach {
    /// The whole tenant, and so the system scope, the fake having one tenant: every
    /// scope of the store, which the sets below then need not list (a check on every call
    /// would otherwise copy the whole tenant's ids).
    pub tenant: bool,
    pub clusters: BTreeSet<String>,
    pub departments: BTreeSet<String>,
    pub projects: BTreeSet<String>,
}

impl Reach {
    /// Add `scope` and everything in it.
    pub fn add(&mut self, store: &Store, scope: &Scope) {
        match scope {
            Scope::System | Scope::Tenant => self.tenant = true,
            Scope::Cluster(uuid) => {
                self.clusters.insert(uuid.clone());
                for department in store.departments.iter().filter(|d| &d.cluster_id == uuid) {
                    self.add(store, &Scope::Department(department.id.clone()));
                }
            }
            Scope::Department(id) => {
                self.departments.insert(id.clone());
                self.projects
                    .extend(store.projects_of(id).map(|p| p.id.clone()));
            }
            Scope::Project(id) => {
                self.projects.insert(id.clone());
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        !self.tenant
            && self.clusters.is_empty()
            && self.departments.is_empty()
            && self.projects.is_empty()
    }

    /// Whether the scope lies within what the rules reach. An object that does not exist
    /// is reached only from the tenant.
    pub fn covers(&self, scope: &Scope) -> bool {
        match scope {
            Scope::System | Scope::Tenant => self.tenant,
            Scope::Cluster(id) => self.tenant || self.clusters.contains(id),
            Scope::Department(id) => self.tenant || self.departments.contains(id),
            Scope::Project(id) => self.tenant || self.projects.contains(id),
        }
    }

    /// The spec's `PermittedScopes`: the tenant's are all of the store's.
    pub fn to_json(&self, store: &Store) -> Value {
        if !self.tenant {
            return json!({
                "system": false,
                "tenants": Vec::<String>::new(),
                "clusters": self.clusters,
                "departments": self.departments,
                "projects": self.projects,
            });
        }
        let ids =
            |ids: &mut dyn Iterator<Item = &String>| -> BTreeSet<String> { ids.cloned().collect() };
        json!({
            "system": true,
            "tenants": [TENANT_ID.to_string()],
            "clusters": ids(&mut store.clusters.iter().map(|c| &c.uuid)),
            "departments": ids(&mut store.departments.iter().map(|d| &d.id)),
            "projects": ids(&mut store.projects.iter().map(|p| &p.id)),
        })
    }
}

/// Mark deleted the live rules whose scope or subject is gone: a rule goes with the
/// project, department or cluster it was on, and with the local user or service account
/// it was for.
pub(crate) fn drop_orphaned_rules(store: &mut Store) {
    let orphaned: Vec<i64> = store
        .access_rules
        .iter()
        .filter(|rule| rule.deleted_at.is_none())
        .filter(|rule| {
            let scope_gone = Scope::parse(&rule.scope_type, &rule.scope_id)
                .is_none_or(|scope| !scope.exists(store, &rule.scope_id));
            let user_gone =
                rule.subject_type == "user" && user_by_email(store, &rule.subject_id).is_none();
            let account_gone = matches!(rule.subject_type.as_str(), "service-account" | "app")
                && rule.subject_id != APP_CLIENT_ID
                && store.service_account_named(&rule.subject_id).is_none();
            scope_gone || user_gone || account_gone
        })
        .map(|rule| rule.id)
        .collect();
    for id in orphaned {
        store.delete_access_rule(id);
    }
}
