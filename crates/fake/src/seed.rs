//! What a new fake control plane starts with: one tenant holding a connected cluster
//! (with its default node pool and department), a local admin user, and access rules
//! making the admin user and the built-in application system administrators, its security
//! settings, plus the fixed names and credentials that tests and demos rely on. The
//! predefined roles are in `roles`.

use serde_json::json;

use crate::roles::SYSTEM_ADMINISTRATOR;
use crate::store::{now, Priority, Store, TenantSetting, User};

/// The seeded admin user.
pub const ADMIN_EMAIL: &str = "admin@example.com";
/// Password of the seeded admin user. The fake serves tests and demos on the loopback
/// interface, so a readable, documented value is more useful than a random one.
pub const ADMIN_PASSWORD: &str = "administrator";
/// The seed-era Keycloak realm the fake answers for.
pub const REALM: &str = "runai";
/// The seeded tenant.
pub const TENANT_ID: i64 = 1001;
/// Its name, the tenant scope's name in access rules.
pub(crate) const TENANT_NAME: &str = "fake-tenant";
/// The subject type of the built-in application's access rule: applications are service
/// accounts on current control planes (`app` is the older name).
pub(crate) const APP_SUBJECT_TYPE: &str = "service-account";
/// Client id of the seeded application (its secret is random per server).
pub(crate) const APP_CLIENT_ID: &str = "runai-admin-fake-app";

const CLUSTER_NAME: &str = "cluster-1";
const CLUSTER_DOMAIN: &str = "cluster-1.example.com";
const CLUSTER_VERSION: &str = "2.21.0";
/// Who created the seeded objects.
const SYSTEM: &str = "system";

/// The seeded store, and the uuid of its cluster.
pub(crate) fn tenant() -> (Store, String) {
    let mut store = Store::empty();
    let cluster_id = store.add_cluster(
        CLUSTER_NAME.into(),
        Some(CLUSTER_DOMAIN.into()),
        Some(CLUSTER_VERSION.into()),
        true,
        SYSTEM,
    );
    let created = now();
    store.users.push(User {
        id: uuid::Uuid::new_v4().to_string(),
        username: ADMIN_EMAIL.into(),
        password: ADMIN_PASSWORD.into(),
        created_by: SYSTEM.into(),
        created_at: created.clone(),
        updated_at: created,
        last_login: None,
    });
    let tenant = TENANT_ID.to_string();
    for subject in [("user", ADMIN_EMAIL), (APP_SUBJECT_TYPE, APP_CLIENT_ID)] {
        store.add_access_rule(subject, SYSTEM_ADMINISTRATOR, ("tenant", &tenant), SYSTEM);
    }
    // A new tenant's security settings: no single sign-on to redirect to, the schema's
    // default idle timeout (minutes), and no logout redirect.
    store.security_settings = json!({
        "autoRedirectSSO": {"enabled": false, "idpAlias": ""},
        "browserSessionTimeout": {"idleTimeout": 60},
        "logoutRedirectUri": {"uri": null},
    })
    .as_object()
    .cloned()
    .unwrap_or_default();
    // Over-quota priorities, lowest first. "Low" = 100 and "Normal" are the spec's own
    // examples (`Priority`, `Resources.priority`); the rest of the scale is the fake's.
    store.priorities = [
        ("Lowest", 50, false),
        ("Low", 100, false),
        ("Normal", 200, true),
        ("High", 300, false),
    ]
    .into_iter()
    .map(|(name, value, is_default)| Priority {
        name: name.into(),
        value,
        is_default,
    })
    .collect();
    store.tenant_settings = tenant_settings();
    (store, cluster_id)
}

// ---- Tenant settings -------------------------------------------------------------

/// The seed-era settings a new tenant has: feature switches (`Boolean`), one price
/// (`Number`) and one address (`String`). `department.use` is the spec's own example;
/// the other keys follow its `area.name` form. The topology-aware scheduling switch is
/// still an Alpha feature, not active on new tenants.
/// Key, type, category, label, description, stage, active, value.
type SettingRow = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    bool,
    &'static str,
);

fn tenant_settings() -> Vec<TenantSetting> {
    const SETTINGS: [SettingRow; 10] = [
        (
            "department.use",
            "Boolean",
            "Department",
            "Show departments",
            "Organise projects under departments",
            "GA",
            true,
            "true",
        ),
        (
            "nodepools.use",
            "Boolean",
            "Resources",
            "Enable node pools",
            "Divide each cluster's nodes into pools with quotas of their own",
            "GA",
            true,
            "true",
        ),
        (
            "gpu.dynamic_fractions",
            "Boolean",
            "Resources",
            "Enable GPU dynamic fractions",
            "Let a workload ask for a GPU fraction with a higher limit",
            "Beta",
            true,
            "false",
        ),
        (
            "gpu.memory_swap",
            "Boolean",
            "Resources",
            "Enable GPU memory swap",
            "Move idle workloads' GPU memory to the host",
            "Beta",
            true,
            "false",
        ),
        (
            "policies.use",
            "Boolean",
            "Workloads",
            "Enable policies",
            "Hold workload submissions to administrators' defaults and limits",
            "GA",
            true,
            "true",
        ),
        (
            "consumption_report.use",
            "Boolean",
            "Analytics",
            "Show the consumption report",
            "Offer reports of GPU, CPU and memory use",
            "GA",
            true,
            "true",
        ),
        (
            "consumption_report.gpu_hour_price",
            "Number",
            "Analytics",
            "GPU hour price",
            "The price of one GPU hour in consumption reports",
            "GA",
            true,
            "0",
        ),
        (
            "notifications.email",
            "Boolean",
            "Notifications",
            "Enable email notifications",
            "Tell users by email when their workloads change state",
            "GA",
            true,
            "false",
        ),
        (
            "support.contact_email",
            "String",
            "General",
            "Support contact",
            "Where users' requests for help go",
            "GA",
            true,
            "support@example.com",
        ),
        (
            "network_topology.use",
            "Boolean",
            "Resources",
            "Enable topology-aware scheduling",
            "Place a workload's pods on nodes close in the network",
            "Alpha",
            false,
            "false",
        ),
    ];
    SETTINGS
        .into_iter()
        .map(
            |(key, kind, category, label, description, stage, active, value)| TenantSetting {
                key,
                kind,
                category,
                label,
                description,
                stage,
                active,
                value: value.to_string(),
            },
        )
        .collect()
}

// ---- End of tenant settings ------------------------------------------------------
