//! What a call needs and whether a subject has it: the permission an operation needs
//! (from its path's area and its method, in the tables below), the access rules that
//! apply to a subject, and the scopes where those rules grant a permission.

use runai_admin_core::api::Operation;

use crate::authority::{Kind, Subject};
use crate::roles::{role, Role};
use crate::scopes::{Reach, Scope};
use crate::store::{AccessRule, Store};
use crate::wire::access::scope_of;

/// A resource type and an action on it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Need {
    pub resource: &'static str,
    pub action: &'static str,
}

/// Paths every signed-in caller may use: they answer about the caller alone (their own
/// access keys included), or hand out the command-line tools.
const OPEN: [&str; 11] = [
    "/api/v1/me/",
    "/api/v1/access-keys",
    "/api/v1/user-applications",
    "/api/v1/authorization/me/",
    "/api/v1/authorization/permissions",
    "/api/v1/authorization/permitted-scopes",
    "/api/v1/cli/",
    "/api/v1/cli-exposer/",
    "/v1/k8s/auth/",
    "/v1/k8s/admin-cli/",
    // Whether reports can be made: the spec gives this read no 403.
    "/api/v1/org-unit/reports/availability",
];

/// A path's area: the last of its literal segments found here names the resource type
/// the permission check asks about (`/org-unit/projects/{projectId}/metrics` is about a
/// project) and the entity type the audit log names for a change there (the spec leaves
/// it free text; its examples are `project` and `cluster`, so each is the object's name
/// in snake case). A path with none of them is the tenant's business: only rules on the
/// whole tenant reach it.
const AREAS: [(&str, &str, &str); 23] = [
    ("clusters", "cluster", "cluster"),
    ("nodepools", "nodepools", "node_pool"),
    ("node-pools", "nodepools", "node_pool"),
    ("nodes", "nodes", "node"),
    // The seed era's node types label nodes for projects' node affinity, as node pools do
    // now: the roles have no type of their own for them, so they count as node pools.
    ("nodetypes", "nodepools", "node_type"),
    ("nodeTypes", "nodepools", "node_type"),
    ("departments", "department", "department"),
    ("projects", "project", "project"),
    ("users", "users", "user"),
    ("access-rules", "access_rules", "access_rule"),
    // A department's administrators, set through its access rules: the object is the
    // department the path names.
    ("access-control", "access_rules", "department"),
    ("roles", "roles", "role"),
    ("setting", "settings", "tenant_setting"),
    ("settings", "settings", "setting"),
    ("service-accounts", "service-account", "service_account"),
    ("apps", "apps", "application"),
    ("access-keys", "access-keys", "access_key"),
    // Access keys' former name.
    ("user-applications", "access-keys", "access_key"),
    (
        "network-topologies",
        "network-topologies",
        "network_topology",
    ),
    ("idps", "security-settings", "idp"),
    ("logo", "branding-settings", "logo"),
    // The spec's resource types have none for reports: they cover the whole tenant.
    ("reports", "tenant", "report"),
    // The caller's own password: the object is the caller's user.
    ("me", "users", "user"),
];

/// Path prefixes whose resource type their segments do not name: the security settings'
/// last segment is `settings`, the general settings' type, yet the roles grant them apart.
const PREFIXES: [(&str, &str, &str); 1] =
    [("/api/v1/security/", "security-settings", "security_setting")];

/// POSTs that do not simply create, by their path's last literal segment: the permission
/// action they need and the audit log's action for them (`audit`). Other POSTs create.
const POST_ACTIONS: [(&str, &str, &str); 5] = [
    ("batch", "delete", "delete"),
    ("batch-create", "create", "create"),
    ("password", "update", "reset-password"),
    ("logout", "update", "sign-out"),
    // A new secret changes an account that exists.
    ("secret", "update", "update"),
];

/// A POST's permission action and audit-log action (see `POST_ACTIONS`).
pub(crate) fn post_actions(op: &Operation) -> (&'static str, &'static str) {
    literal_segments(&op.path)
        .next_back()
        .and_then(|last| POST_ACTIONS.iter().find(|(s, _, _)| *s == last))
        .map_or(("create", "create"), |(_, need, logged)| (*need, *logged))
}

fn literal_segments(path: &str) -> impl DoubleEndedIterator<Item = &str> {
    path.split('/')
        .filter(|s| !s.is_empty() && !s.starts_with('{'))
}

/// The operation's area: its resource type and the audit log's entity type (`AREAS`),
/// open paths included (a user's own access keys are access keys); the tenant for a
/// path of no area.
fn area(op: &Operation) -> (&'static str, &'static str) {
    let by_prefix = PREFIXES
        .iter()
        .find(|(prefix, _, _)| op.path.starts_with(prefix))
        .map(|(_, resource, entity)| (*resource, *entity));
    by_prefix
        .or_else(|| {
            literal_segments(&op.path).rev().find_map(|segment| {
                AREAS
                    .iter()
                    .find(|(area, _, _)| *area == segment)
                    .map(|(_, resource, entity)| (*resource, *entity))
            })
        })
        .unwrap_or(("tenant", "tenant"))
}

/// The resource type of the operation's area; `tenant` for a path of no area.
pub(crate) fn resource(op: &Operation) -> &'static str {
    area(op).0
}

/// What the audit log calls the object a change of this operation acts on.
pub(crate) fn entity_type(op: &Operation) -> &'static str {
    area(op).1
}

/// The permission the operation needs; `None` for the open paths.
pub(crate) fn need(op: &Operation) -> Option<Need> {
    if OPEN.iter().any(|open| op.path.starts_with(open)) {
        return None;
    }
    let action = match op.method.to_ascii_uppercase().as_str() {
        "GET" | "HEAD" => "read",
        "PUT" | "PATCH" => "update",
        "DELETE" => "delete",
        _ => post_actions(op).0,
    };
    Some(Need {
        resource: resource(op),
        action,
    })
}

/// Whether the rule is about this subject. Applications match rules of either subject
/// type they have had (`app`, `service-account`), by client id or by `alias` (a service
/// account's id); the fake's users belong to no group.
fn applies_to(rule: &AccessRule, subject: &Subject, alias: Option<&str>) -> bool {
    match &subject.email {
        Some(email) => rule.subject_type == "user" && rule.subject_id.eq_ignore_ascii_case(email),
        None => {
            matches!(rule.subject_type.as_str(), "app" | "service-account")
                && (rule.subject_id == subject.id || Some(rule.subject_id.as_str()) == alias)
        }
    }
}

/// The subject's live rules.
pub(crate) fn rules_of<'s>(
    store: &'s Store,
    subject: &'s Subject,
) -> impl Iterator<Item = &'s AccessRule> {
    let alias = match subject.kind {
        Kind::ServiceAccount => store
            .service_accounts
            .iter()
            .find(|a| a.client_id == subject.id)
            .map(|a| a.id.as_str()),
        Kind::User | Kind::Application => None,
    };
    store
        .access_rules
        .iter()
        .filter(move |r| r.deleted_at.is_none() && applies_to(r, subject, alias))
}

/// Resource types whose objects belong to a cluster as a whole: its node pools, its
/// nodes (and the seed era's node types) and its network topologies. Rules on the
/// cluster or the tenant reach them. The departments and projects of the cluster run on
/// them, so a rule there that grants reading them reaches the cluster's too (a
/// researcher picks the node pools a workload of its project may use); changing them
/// takes a rule on the cluster.
pub(crate) const CLUSTER_WIDE: [&str; 3] = ["nodepools", "nodes", "network-topologies"];

/// Every scope where the subject's rules grant `action` on `resource`.
pub(crate) fn reach(store: &Store, subject: &Subject, resource: &str, action: &str) -> Reach {
    let mut reach = Reach::default();
    let read_up = action == "read" && CLUSTER_WIDE.contains(&resource);
    for rule in rules_of(store, subject) {
        if role(rule.role_id).is_some_and(|r| r.grants(resource, action)) {
            let scope = scope_of(rule);
            reach.add(store, &scope);
            if let Some(cluster) = scope.cluster_id(store).filter(|_| read_up) {
                // The cluster alone: not its other departments and projects.
                reach.clusters.insert(cluster);
            }
        }
    }
    reach
}

/// Whether the subject may hand out `granted` on `scope`: one of its rules there both lets
/// it create access rules and has a role that may assign this one (`Role::may_assign`).
pub(crate) fn may_grant(store: &Store, subject: &Subject, granted: &Role, scope: &Scope) -> bool {
    rules_of(store, subject).any(|rule| {
        let assigns = role(rule.role_id)
            .is_some_and(|held| held.grants("access_rules", "create") && held.may_assign(granted));
        let mut there = Reach::default();
        there.add(store, &scope_of(rule));
        assigns && there.covers(scope)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roles::{DEPARTMENT_ADMINISTRATOR, L1_RESEARCHER, VIEWER};
    use crate::seed;
    use runai_admin_core::api::Catalogue;

    fn need_of(id: &str) -> Option<Need> {
        let op = Catalogue::get()
            .operations
            .iter()
            .find(|op| op.id == id)
            .expect("in the catalogue");
        need(op)
    }

    fn needs(resource: &'static str, action: &'static str) -> Option<Need> {
        Some(Need { resource, action })
    }

    #[test]
    fn operations_need_their_area_and_method() {
        assert_eq!(need_of("get_project"), needs("project", "read"));
        assert_eq!(need_of("get_project_metrics"), needs("project", "read"));
        assert_eq!(need_of("create_department"), needs("department", "create"));
        assert_eq!(
            need_of("update_project_resources"),
            needs("project", "update")
        );
        assert_eq!(need_of("delete_cluster"), needs("cluster", "delete"));
        assert_eq!(need_of("reset_user_password"), needs("users", "update"));
        assert_eq!(
            need_of("access_rules_batch"),
            needs("access_rules", "delete")
        );
        assert_eq!(
            need_of("access_rules_batch_create"),
            needs("access_rules", "create")
        );
        assert_eq!(need_of("get_roles_v1"), needs("roles", "read"));
        assert_eq!(need_of("getProject"), needs("project", "read"));
        assert_eq!(
            need_of("get_service_accounts"),
            needs("service-account", "read")
        );
        assert_eq!(need_of("getAuditLogs"), needs("tenant", "read"));
        assert_eq!(
            need_of("update_security_setting_by_key"),
            needs("security-settings", "update")
        );
        assert_eq!(need_of("getTenantSettings"), needs("settings", "read"));
        assert_eq!(need_of("updateTenantSetting"), needs("settings", "update"));
        assert_eq!(need_of("download_report_by_id"), needs("tenant", "read"));
        assert_eq!(need_of("create_report"), needs("tenant", "create"));
        assert_eq!(need_of("are_reports_available"), None);
        assert_eq!(
            need_of("delete_network_topology"),
            needs("network-topologies", "delete")
        );
        assert_eq!(need_of("get_me_access_rules"), None);
        assert_eq!(
            need_of("legacy_create_node_type"),
            needs("nodepools", "create")
        );
        assert_eq!(need_of("legacy_get_node_types"), needs("nodepools", "read"));
        assert_eq!(need_of("get_node_metrics"), needs("nodes", "read"));
        assert_eq!(need_of("get_permitted_scopes"), None);
        assert_eq!(need_of("change_user_password"), None);
    }

    /// A store with a second department and a project in each, and the rules of a user.
    fn tenant_with(rules: &[(i64, Scope)]) -> (Store, Subject, [String; 4]) {
        let (mut store, cluster) = seed::tenant();
        let default = store
            .default_department(&cluster)
            .map(|d| d.id.clone())
            .expect("seeded");
        let other = store.new_org_unit(
            "other".into(),
            cluster.clone(),
            None,
            Vec::new(),
            Default::default(),
            "t",
        );
        let other_id = other.id.clone();
        store.departments.push(other);
        let mut project_in = |parent: &str| {
            let p = store.new_org_unit(
                "p".into(),
                cluster.clone(),
                Some(parent.to_string()),
                Vec::new(),
                Default::default(),
                "t",
            );
            let id = p.id.clone();
            store.projects.push(p);
            id
        };
        let (p1, p2) = (project_in(&default), project_in(&other_id));
        let user = Subject::user("r@example.com");
        let ids = [default, other_id, p1, p2];
        for (role_id, scope) in rules {
            let scope = match scope {
                Scope::Department(i) | Scope::Project(i) => {
                    let index: usize = i.parse().expect("an index");
                    Scope::parse(scope.kind(), ids.get(index).expect("an index")).expect("a kind")
                }
                other => other.clone(),
            };
            store.add_access_rule(
                ("user", "R@example.com"),
                *role_id,
                (scope.kind(), &scope.id()),
                "t",
            );
        }
        (store, user, ids)
    }

    #[test]
    fn a_project_rule_reaches_that_project_only() {
        let (store, user, [d1, _, p1, p2]) =
            tenant_with(&[(L1_RESEARCHER, Scope::Project("2".into()))]);
        let read = reach(&store, &user, "project", "read");
        assert!(read.covers(&Scope::Project(p1)));
        assert!(!read.covers(&Scope::Project(p2)));
        assert!(!read.covers(&Scope::Department(d1)));
        assert!(reach(&store, &user, "project", "create").is_empty());
    }

    #[test]
    fn a_department_rule_reaches_its_projects_and_nothing_above() {
        let (store, user, [d1, d2, p1, p2]) =
            tenant_with(&[(DEPARTMENT_ADMINISTRATOR, Scope::Department("0".into()))]);
        let create = reach(&store, &user, "project", "create");
        assert!(create.covers(&Scope::Department(d1)) && create.covers(&Scope::Project(p1)));
        assert!(!create.covers(&Scope::Department(d2)) && !create.covers(&Scope::Project(p2)));
        assert!(!create.covers(&Scope::Cluster(
            store
                .clusters
                .first()
                .map(|c| c.uuid.clone())
                .unwrap_or_default()
        )));
        let l1 = role(L1_RESEARCHER).expect("seeded");
        let viewer = role(VIEWER).expect("seeded");
        let mine = Scope::Project(
            store
                .projects
                .first()
                .map(|p| p.id.clone())
                .unwrap_or_default(),
        );
        assert!(may_grant(&store, &user, l1, &mine));
        assert!(may_grant(&store, &user, viewer, &mine));
        let sysadmin = role(crate::roles::SYSTEM_ADMINISTRATOR).expect("seeded");
        assert!(!may_grant(&store, &user, sysadmin, &mine));
    }

    #[test]
    fn a_rule_inside_a_cluster_reads_its_node_pools_and_changes_none() {
        let (store, user, [_, _, p1, _]) =
            tenant_with(&[(L1_RESEARCHER, Scope::Project("2".into()))]);
        let cluster = Scope::Cluster(
            store
                .project(&p1)
                .map(|p| p.cluster_id.clone())
                .unwrap_or_default(),
        );
        let read = reach(&store, &user, "nodepools", "read");
        assert!(read.covers(&cluster) && read.covers(&Scope::Project(p1)));
        assert!(!read.covers(&Scope::Cluster("elsewhere".into())));
        assert!(!read.covers(&Scope::Tenant));
        assert!(reach(&store, &user, "nodepools", "update").is_empty());
        // The role grants no reading of nodes; nor does the cluster reach reading projects.
        assert!(reach(&store, &user, "nodes", "read").is_empty());
        assert!(!reach(&store, &user, "project", "read").covers(&cluster));
    }

    #[test]
    fn the_seeded_application_and_admin_may_do_everything() {
        let (store, _) = seed::tenant();
        for subject in [
            Subject::application(seed::APP_CLIENT_ID),
            Subject::user(seed::ADMIN_EMAIL),
        ] {
            let reach = reach(&store, &subject, "cluster", "delete");
            assert!(reach.covers(&Scope::Tenant), "{subject:?}");
        }
        let stranger = Subject::user("nobody@example.com");
        assert!(reach(&store, &stranger, "project", "read").is_empty());
    }
}
