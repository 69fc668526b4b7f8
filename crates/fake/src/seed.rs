//! What a new fake control plane starts with: one tenant holding a connected cluster
//! (with its default node pool and department), a local admin user, and access rules
//! making the admin user and the built-in application system administrators, its security
//! settings, plus the fixed names and credentials that tests and demos rely on. The
//! predefined roles are in `roles`. The cluster has GPU nodes: two A100 servers and a CPU
//! server in its default pool, and two 8-GPU H100 servers that its `h100` pool selects by
//! their GPU product label.

use serde_json::json;

use crate::roles::SYSTEM_ADMINISTRATOR;
use std::collections::BTreeMap;

use serde_json::Map;
use sha2::{Digest, Sha256};

use crate::store::{now, Node, Priority, Store, TenantSetting, User};

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

/// The label the NVIDIA GPU operator gives a node: its GPU product.
pub(crate) const GPU_PRODUCT_LABEL: &str = "nvidia.com/gpu.product";
const H100: &str = "NVIDIA-H100-80GB-HBM3";
const A100: &str = "NVIDIA-A100-SXM4-40GB";
const GIB: u64 = 1 << 30;

/// One of the seeded cluster's machines.
struct Machine {
    name: &'static str,
    gpu: Option<&'static str>,
    gpus: u32,
    gpu_gib: u64,
    cores: u32,
    gib: u64,
    nvlink: Option<&'static str>,
}

const fn machine(
    name: &'static str,
    gpu: Option<&'static str>,
    (gpus, gpu_gib): (u32, u64),
    (cores, gib): (u32, u64),
    nvlink: Option<&'static str>,
) -> Machine {
    Machine {
        name,
        gpu,
        gpus,
        gpu_gib,
        cores,
        gib,
        nvlink,
    }
}

/// Name, GPU product, (GPUs, GiB each), (CPU cores, GiB of memory), NVLink domain.
const MACHINES: [Machine; 5] = [
    machine("a100-node-1", Some(A100), (4, 40), (64, 512), None),
    machine("a100-node-2", Some(A100), (4, 40), (64, 512), None),
    machine("cpu-node-1", None, (0, 0), (32, 128), None),
    machine(
        "h100-node-1",
        Some(H100),
        (8, 80),
        (224, 2048),
        Some("nvl-domain-1"),
    ),
    machine(
        "h100-node-2",
        Some(H100),
        (8, 80),
        (224, 2048),
        Some("nvl-domain-1"),
    ),
];

/// A uuid that depends only on `what`: seeded objects keep their ids from one fake to the
/// next, so what is derived from them (metrics) is the same too.
pub(crate) fn stable_uuid(what: &str) -> String {
    let digest = Sha256::digest(what.as_bytes());
    let mut bytes = [0u8; 16];
    for (slot, byte) in bytes.iter_mut().zip(digest.iter()) {
        *slot = *byte;
    }
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

/// The seeded cluster's nodes, and its `h100` pool selecting the H100 servers.
fn machines(store: &mut Store, cluster_id: &str) {
    let created = now();
    for Machine {
        name,
        gpu,
        gpus,
        gpu_gib,
        cores,
        gib,
        nvlink,
    } in MACHINES
    {
        let mut labels = BTreeMap::from([
            ("kubernetes.io/hostname".to_string(), name.to_string()),
            ("kubernetes.io/os".to_string(), "linux".to_string()),
        ]);
        if let Some(product) = gpu {
            labels.insert(GPU_PRODUCT_LABEL.into(), product.into());
        }
        store.nodes.push(Node {
            id: stable_uuid(&format!("{CLUSTER_NAME}/{name}")),
            name: name.into(),
            cluster_id: cluster_id.into(),
            labels,
            status: "Ready".into(),
            gpu_type: gpu.map(str::to_string),
            gpu_count: gpus,
            gpu_memory_bytes: gpu_gib * GIB,
            cpu_cores: cores,
            memory_bytes: gib * GIB,
            nvlink_domain: nvlink.map(str::to_string),
            nvlink_clique: nvlink.map(|_| "clique-1".to_string()),
            created_at: created.clone(),
            updated_at: created.clone(),
        });
    }
    store.add_node_pool(
        "h100".into(),
        cluster_id.into(),
        Some((GPU_PRODUCT_LABEL.into(), H100.into())),
        Map::new(),
        SYSTEM,
    );
}

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
    machines(&mut store, &cluster_id);
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
