//! The predefined roles every tenant starts with, and the resource types their
//! permissions name: the one table of who may do what. Routes, the permission check and
//! the `/authorization` answers all read it here.
//!
//! Ids follow the order below from 1; the documentation publishes no ids, and tenants
//! cannot change predefined roles, so a fixed order keeps them stable for scripts.

/// The spec's `Action` values a role can grant.
pub(crate) const ACTIONS: [&str; 5] = ["create", "read", "update", "delete", "sync"];

const CRUD: &[&str] = &["create", "read", "update", "delete"];
const READ: &[&str] = &["read"];

/// Every value of the spec's `ResourceType`, with the name the UI shows and the group the
/// spec's `ResourceTypeGroupId` puts it in. The spec gives no mapping; the groups follow
/// the UI's sections.
pub(crate) const RESOURCE_TYPES: [(&str, &str, &str); 43] = [
    ("tenant", "Account", "organization"),
    ("cluster", "Clusters", "physical-resource"),
    (
        "cluster-config",
        "Cluster configuration",
        "physical-resource",
    ),
    ("nodepools", "Node pools", "physical-resource"),
    ("nodes", "Nodes", "physical-resource"),
    ("department", "Departments", "organization"),
    ("project", "Projects", "organization"),
    ("settings", "Settings", "organization"),
    ("security-settings", "Security settings", "organization"),
    ("branding-settings", "Branding settings", "organization"),
    (
        "network-topologies",
        "Network topologies",
        "physical-resource",
    ),
    (
        "storage-class-configuration",
        "Storage class configuration",
        "physical-resource",
    ),
    ("users", "Users", "iam"),
    ("apps", "Applications", "iam"),
    ("service-account", "Service accounts", "iam"),
    ("access-keys", "Access keys", "iam"),
    ("roles", "Roles", "iam"),
    ("access_rules", "Access rules", "iam"),
    ("dashboards-overview", "Overview dashboard", "dashboard"),
    ("dashboards-analytics", "Analytics dashboard", "dashboard"),
    (
        "dashboards-consumption",
        "Consumption dashboard",
        "dashboard",
    ),
    ("events-history", "Event history", "dashboard"),
    ("scrapeable-metrics", "Scrapeable metrics", "dashboard"),
    ("jobs", "Jobs", "workload"),
    ("workloads", "Workloads", "workload"),
    ("workspaces", "Workspaces", "workload"),
    ("trainings", "Trainings", "workload"),
    ("inferences", "Inferences", "workload"),
    ("workload-properties", "Workload properties", "workload"),
    ("policies", "Policies", "workload"),
    ("environments", "Environments", "workload-asset"),
    ("compute-resources", "Compute resources", "workload-asset"),
    ("templates", "Templates", "workload-asset"),
    ("credentials", "Credentials", "workload-asset"),
    ("registries", "Registries", "workload-asset"),
    ("datavolumes", "Data volumes", "workload-asset"),
    ("pvc-assets", "PVC data sources", "workload-asset"),
    ("git-assets", "Git data sources", "workload-asset"),
    (
        "host-path-assets",
        "Host path data sources",
        "workload-asset",
    ),
    ("nfs-assets", "NFS data sources", "workload-asset"),
    ("s3-assets", "S3 data sources", "workload-asset"),
    (
        "cm-volume-assets",
        "ConfigMap data sources",
        "workload-asset",
    ),
    (
        "secret-volume-assets",
        "Secret data sources",
        "workload-asset",
    ),
];

const ORG: &[&str] = &["department", "project"];
const DASHBOARDS: &[&str] = &[
    "dashboards-overview",
    "dashboards-analytics",
    "dashboards-consumption",
];
const WORKLOADS: &[&str] = &["jobs", "workloads", "workspaces", "trainings", "inferences"];
const DATA_SOURCES: &[&str] = &[
    "pvc-assets",
    "git-assets",
    "host-path-assets",
    "nfs-assets",
    "s3-assets",
    "cm-volume-assets",
    "secret-volume-assets",
];
/// What workloads are built from, data volumes and credentials aside.
const ASSETS: &[&str] = &[
    "environments",
    "compute-resources",
    "templates",
    "pvc-assets",
    "git-assets",
    "host-path-assets",
    "nfs-assets",
    "s3-assets",
    "cm-volume-assets",
    "secret-volume-assets",
];

/// Which resource types a grant covers.
#[derive(Clone, Copy)]
enum Over {
    Every,
    These(&'static [&'static str]),
}

/// A grant: these actions on each of these resource types.
type Grant = (Over, &'static [&'static str]);

/// The roles a role's holder may hand out, wherever its rules let it create access
/// rules (and take away: removing a rule is as strong as giving it).
#[derive(Clone, Copy)]
enum Assigns {
    Every,
    These(&'static [i64]),
    Nothing,
}

pub(crate) struct Role {
    pub id: i64,
    pub name: &'static str,
    pub description: &'static str,
    assigns: Assigns,
    /// Later grants add actions to earlier ones.
    grants: &'static [Grant],
}

const ASSET_VIEW: Grant = (Over::These(ASSETS), READ);
const PROJECT_VIEW: Grant = (Over::These(ORG), READ);
const WORK_VIEW: Grant = (Over::These(WORKLOADS), READ);
const DASHBOARD_VIEW: Grant = (Over::These(DASHBOARDS), READ);

pub(crate) const SYSTEM_ADMINISTRATOR: i64 = 1;
pub(crate) const DEPARTMENT_ADMINISTRATOR: i64 = 2;
pub(crate) const EDITOR: i64 = 3;
pub(crate) const RESEARCH_MANAGER: i64 = 4;
pub(crate) const L1_RESEARCHER: i64 = 5;
pub(crate) const L2_RESEARCHER: i64 = 6;
pub(crate) const ML_ENGINEER: i64 = 7;
pub(crate) const VIEWER: i64 = 8;

/// What a department administrator may assign in its scope, as rbac.md lists it: the
/// researchers, the ML engineer, the research manager and the viewer.
const DEPARTMENT_ADMINISTRATOR_ASSIGNS: &[i64] = &[
    L1_RESEARCHER,
    L2_RESEARCHER,
    ML_ENGINEER,
    RESEARCH_MANAGER,
    VIEWER,
];

/// The seed era's role names (`/v1/k8s/users`' `roles`, the spec's `Role` enum) and the
/// predefined role each became.
const SEED_ERA_ROLES: [(&str, i64); 7] = [
    ("admin", SYSTEM_ADMINISTRATOR),
    ("department_admin", DEPARTMENT_ADMINISTRATOR),
    ("editor", EDITOR),
    ("research_manager", RESEARCH_MANAGER),
    ("researcher", L1_RESEARCHER),
    ("ml_engineer", ML_ENGINEER),
    ("viewer", VIEWER),
];

/// The predefined roles, as rbac.md summarises the documentation's roles page.
pub(crate) const ROLES: [Role; 15] = [
    Role {
        id: SYSTEM_ADMINISTRATOR,
        name: "System administrator",
        description: "Controls every part of the tenant.",
        assigns: Assigns::Every,
        grants: &[(Over::Every, &ACTIONS)],
    },
    Role {
        id: DEPARTMENT_ADMINISTRATOR,
        name: "Department administrator",
        description: "Manages departments, projects, workloads and data volumes in its \
                      scope and assigns roles there; views everything in it.",
        assigns: Assigns::These(DEPARTMENT_ADMINISTRATOR_ASSIGNS),
        grants: &[
            (Over::Every, READ),
            (Over::These(ORG), CRUD),
            (Over::These(WORKLOADS), CRUD),
            (Over::These(ASSETS), CRUD),
            (
                Over::These(&["datavolumes", "credentials", "access_rules"]),
                CRUD,
            ),
        ],
    },
    Role {
        id: EDITOR,
        name: "Editor",
        description: "Views everything in its scope; manages departments and projects.",
        assigns: Assigns::Nothing,
        grants: &[
            (Over::Every, READ),
            (Over::These(ORG), CRUD),
            (Over::These(&["datavolumes"]), &["create"]),
        ],
    },
    Role {
        id: RESEARCH_MANAGER,
        name: "Research manager",
        description: "Manages workload assets, data volumes and projects; views related \
                      workloads and dashboards.",
        assigns: Assigns::Nothing,
        grants: &[
            (Over::These(ASSETS), CRUD),
            (Over::These(&["datavolumes", "project"]), CRUD),
            WORK_VIEW,
            DASHBOARD_VIEW,
        ],
    },
    Role {
        id: L1_RESEARCHER,
        name: "L1 researcher",
        description: "Manages workloads and workload assets in its projects; views \
                      dashboards.",
        assigns: Assigns::Nothing,
        grants: &[
            (Over::These(WORKLOADS), CRUD),
            (Over::These(ASSETS), CRUD),
            (Over::These(&["project", "nodepools", "datavolumes"]), READ),
            DASHBOARD_VIEW,
        ],
    },
    Role {
        id: L2_RESEARCHER,
        name: "L2 researcher",
        description: "Manages workloads in its projects and uses the assets there; views \
                      dashboards.",
        assigns: Assigns::Nothing,
        grants: &[
            (Over::These(WORKLOADS), CRUD),
            ASSET_VIEW,
            (Over::These(&["project", "nodepools", "datavolumes"]), READ),
            DASHBOARD_VIEW,
        ],
    },
    Role {
        id: ML_ENGINEER,
        name: "ML engineer",
        description: "Manages inference workloads; views related assets and dashboards.",
        assigns: Assigns::Nothing,
        grants: &[
            (Over::These(&["inferences"]), CRUD),
            ASSET_VIEW,
            (Over::These(&["project", "nodepools"]), READ),
            DASHBOARD_VIEW,
        ],
    },
    Role {
        id: VIEWER,
        name: "Viewer",
        description: "Views everything in its scope and changes nothing.",
        assigns: Assigns::Nothing,
        grants: &[(Over::Every, READ)],
    },
    Role {
        id: 9,
        name: "Department viewer",
        description: "Views departments, projects and dashboards in its scope.",
        assigns: Assigns::Nothing,
        grants: &[PROJECT_VIEW, DASHBOARD_VIEW],
    },
    Role {
        id: 10,
        name: "Environment administrator",
        description:
            "Manages environments; views the other workload assets, workloads and dashboards.",
        assigns: Assigns::Nothing,
        grants: &[
            ASSET_VIEW,
            PROJECT_VIEW,
            WORK_VIEW,
            DASHBOARD_VIEW,
            (Over::These(&["environments"]), CRUD),
        ],
    },
    Role {
        id: 11,
        name: "Data source administrator",
        description:
            "Manages data sources; views the other workload assets, workloads and dashboards.",
        assigns: Assigns::Nothing,
        grants: &[
            ASSET_VIEW,
            PROJECT_VIEW,
            WORK_VIEW,
            DASHBOARD_VIEW,
            (Over::These(DATA_SOURCES), CRUD),
        ],
    },
    Role {
        id: 12,
        name: "Compute resource administrator",
        description: "Manages compute resources; views the other workload assets, workloads and \
         dashboards.",
        assigns: Assigns::Nothing,
        grants: &[
            ASSET_VIEW,
            PROJECT_VIEW,
            WORK_VIEW,
            DASHBOARD_VIEW,
            (Over::These(&["compute-resources"]), CRUD),
        ],
    },
    Role {
        id: 13,
        name: "Credentials administrator",
        description: "Manages credentials; views workload assets, workloads and dashboards.",
        assigns: Assigns::Nothing,
        grants: &[
            ASSET_VIEW,
            PROJECT_VIEW,
            WORK_VIEW,
            DASHBOARD_VIEW,
            (Over::These(&["credentials"]), CRUD),
        ],
    },
    Role {
        id: 14,
        name: "Template administrator",
        description:
            "Manages templates; views the other workload assets, workloads and dashboards.",
        assigns: Assigns::Nothing,
        grants: &[
            ASSET_VIEW,
            PROJECT_VIEW,
            WORK_VIEW,
            DASHBOARD_VIEW,
            (Over::These(&["templates"]), CRUD),
        ],
    },
    Role {
        id: 15,
        name: "Data volumes administrator",
        description: "Manages data volumes; views the organisation, workloads, assets \
                      and dashboards.",
        assigns: Assigns::Nothing,
        grants: &[
            (
                Over::These(&["tenant", "cluster", "department", "project", "policies"]),
                READ,
            ),
            WORK_VIEW,
            ASSET_VIEW,
            DASHBOARD_VIEW,
            (Over::These(&["datavolumes"]), CRUD),
        ],
    },
];

pub(crate) fn role(id: i64) -> Option<&'static Role> {
    ROLES.iter().find(|r| r.id == id)
}

/// The predefined role a seed-era role name stands for.
pub(crate) fn seed_era_role(name: &str) -> Option<&'static Role> {
    SEED_ERA_ROLES
        .iter()
        .find(|(seed_era, _)| *seed_era == name)
        .and_then(|(_, id)| role(*id))
}

/// The seed-era name of a predefined role, for those that had one.
pub(crate) fn seed_era_name(id: i64) -> Option<&'static str> {
    SEED_ERA_ROLES
        .iter()
        .find(|(_, role_id)| *role_id == id)
        .map(|(name, _)| *name)
}

impl Role {
    /// Whether the role grants `action` on `resource`.
    pub fn grants(&self, resource: &str, action: &str) -> bool {
        self.grants.iter().any(|(over, actions)| {
            let covered = match over {
                Over::Every => true,
                Over::These(resources) => resources.contains(&resource),
            };
            covered && actions.contains(&action)
        })
    }

    /// Whether the role's holder may hand out `other`.
    pub fn may_assign(&self, other: &Role) -> bool {
        match self.assigns {
            Assigns::Every => true,
            Assigns::These(ids) => ids.contains(&other.id),
            Assigns::Nothing => false,
        }
    }

    /// Per resource type (in `RESOURCE_TYPES` order), the actions granted (in `ACTIONS`
    /// order); types with none are left out.
    pub fn permissions(&self) -> Vec<(&'static str, Vec<&'static str>)> {
        RESOURCE_TYPES
            .iter()
            .filter_map(|(resource, _, _)| {
                let actions: Vec<&str> = ACTIONS
                    .iter()
                    .copied()
                    .filter(|action| self.grants(resource, action))
                    .collect();
                (!actions.is_empty()).then_some((*resource, actions))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_resource_type_is_listed_once_and_roles_name_only_known_ones() {
        let names: Vec<&str> = RESOURCE_TYPES.iter().map(|(n, _, _)| *n).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len());
        for role in &ROLES {
            for (over, actions) in role.grants {
                if let Over::These(resources) = over {
                    assert!(resources.iter().all(|r| names.contains(r)), "{}", role.name);
                }
                assert!(actions.iter().all(|a| ACTIONS.contains(a)), "{}", role.name);
            }
        }
        let ids: Vec<i64> = ROLES.iter().map(|r| r.id).collect();
        assert_eq!(ids, (1..=15).collect::<Vec<_>>());
    }

    #[test]
    fn researchers_manage_workloads_but_not_projects() {
        let l1 = role(L1_RESEARCHER).expect("seeded");
        assert!(l1.grants("workspaces", "create") && l1.grants("project", "read"));
        assert!(!l1.grants("project", "create") && !l1.grants("department", "read"));
        let viewer = role(VIEWER).expect("seeded");
        assert!(viewer.grants("cluster", "read") && !viewer.grants("project", "update"));
    }

    #[test]
    fn a_department_administrator_assigns_the_roles_rbac_lists_and_no_other() {
        let admin = role(DEPARTMENT_ADMINISTRATOR).expect("seeded");
        let assignable: Vec<&str> = ROLES
            .iter()
            .filter(|r| admin.may_assign(r))
            .map(|r| r.name)
            .collect();
        assert_eq!(
            assignable,
            [
                "Research manager",
                "L1 researcher",
                "L2 researcher",
                "ML engineer",
                "Viewer"
            ]
        );
        let sysadmin = role(SYSTEM_ADMINISTRATOR).expect("seeded");
        assert!(ROLES.iter().all(|r| sysadmin.may_assign(r)));
        // Only roles that may create access rules somewhere assign any.
        for r in &ROLES {
            let assigns_some = ROLES.iter().any(|other| r.may_assign(other));
            assert_eq!(
                assigns_some,
                r.grants("access_rules", "create"),
                "{}",
                r.name
            );
        }
    }

    #[test]
    fn seed_era_names_map_onto_predefined_roles_both_ways() {
        let mapped: Vec<(&str, &str)> = SEED_ERA_ROLES
            .iter()
            .filter_map(|(name, _)| Some((*name, seed_era_role(name)?.name)))
            .collect();
        // Every value of the spec's `Role` enum, once.
        assert_eq!(
            mapped,
            [
                ("admin", "System administrator"),
                ("department_admin", "Department administrator"),
                ("editor", "Editor"),
                ("research_manager", "Research manager"),
                ("researcher", "L1 researcher"),
                ("ml_engineer", "ML engineer"),
                ("viewer", "Viewer"),
            ]
        );
        for (name, id) in SEED_ERA_ROLES {
            assert_eq!(seed_era_name(id), Some(name));
        }
        assert!(seed_era_role("owner").is_none() && seed_era_name(9).is_none());
    }
}
