//! The embedded fake control plane: a small, spec-driven Run:ai control plane that runs on
//! 127.0.0.1 inside the process, so that the client can be used, tested and benchmarked
//! without a tenant. It issues and enforces signed tokens, keeps real state in memory,
//! validates request bodies against the operation catalogue, records every request and
//! misbehaves on demand (faults).
//!
//! # Where a path is answered
//!
//! The first row that matches names the module (`router` picks areas the same way):
//!
//! | Path                                                 | Module                |
//! |------------------------------------------------------|-----------------------|
//! | `/api/v1/token`, `/api/v2/token`, `/v1/k8s/auth/login`, `/v1/k8s/auth/oauth/apptoken`, `/auth/realms/{realm}/…/token` | `routes::tokens` |
//! | any path ending in `/metrics` or `/telemetry`        | `routes::metrics`     |
//! | `/api/v1/clusters/{clusterUuid}/nodes…`, `/api/v1/nodes…` | `routes::nodes`  |
//! | `/api/v1/clusters…`                                  | `routes::clusters`    |
//! | `/api/v1/node-pools…`, `/v1/k8s/clusters/{clusterId}/node-pools…` | `routes::node_pools` |
//! | `/api/v1/org-unit/departments…`                      | `routes::departments` |
//! | `/api/v1/org-unit/projects…`                         | `routes::projects`    |
//! | `/api/v1/users…`                                     | `routes::users`       |
//! | `/api/v1/me…`                                        | `routes::me`          |
//! | `/api/v1/authorization/access-rules…`                | `routes::access_rules`|
//! | `/api/v1/authorization/roles…`                       | `routes::roles`       |
//! | `/api/v1/authorization/permissions`, `…/permitted-scopes` | `routes::permissions` |
//! | `/api/v1/authorization/me…`                          | `routes::me`          |
//! | `/api/v1/audit…`                                     | `routes::audit`       |
//! | `/api/v1/service-accounts…`                          | `routes::service_accounts` |
//! | `/api/v1/access-keys…`, `/api/v1/administration/access-keys…` | `routes::access_keys` |
//! | `/api/v1/apps…` (deprecated service accounts)        | `routes::applications` |
//! | `/api/v1/user-applications…`, `/api/v1/administration/user-applications…` | `routes::user_applications` |
//! | `/api/v1/org-unit/priorities`                      | `routes::org_units`   |
//! | `/api/v1/idps…`                                     | `routes::idps`        |
//! | `/api/v1/security/settings…`                       | `routes::security_settings` |
//! | `/api/v1/org-unit/reports…`                        | `routes::reports`     |
//! | `/api/v1/network-topologies…`                      | `routes::network_topologies` |
//! | `/v1/k8s/setting…` (the seed-era tenant settings)   | `routes::tenant_settings` |
//! | `/api/v1/cli-exposer…`, `/api/v1/cli…`, `/v1/k8s/admin-cli…` | `routes::cli` |
//! | `/api/v1/logo`                                       | `routes::logo`        |
//! | `/v1/k8s…` (the seed era)                            | `routes::legacy`      |
//!
//! Other catalogue operations answer 501 with their name.
//!
//! # Layers
//!
//! Modules depend only on modules of lower layers (and, within a layer, on ones listed
//! before them); `tests/layers.rs` enforces the order, lowest first:
//!
//! 1. `error`, `glob`: leaf helpers.
//! 2. `audit_log`, `store`, `roles`, `seed`: the audit log's entries, the in-memory
//!    tenant, the predefined roles (the one permission table) and what the tenant starts
//!    with.
//! 3. `listing`, `validate`, `lookup`, `scopes`, `wire`: JSON shapes of store objects,
//!    list semantics, body validation, lookups that answer 404 and 409, the nesting of
//!    scopes.
//! 4. `jwt`, `authority`, `access`: tokens and the subjects they carry, the permission
//!    each operation needs and where a subject's rules grant it; no HTTP.
//! 5. `reply`, `context`, `guard`, `audit`: what a route gets and answers, the
//!    permission check every call passes first (403), and the audit log entry every
//!    change leaves after.
//! 6. `routes`: one module per area.
//! 7. `router`: a request to its area's route.
//! 8. `faults`, `recorder`, `server`: hyper, fault injection, recording.
//! 9. this file: the public handle.

mod access;
mod audit;
mod audit_log;
mod authority;
mod context;
mod error;
mod faults;
mod glob;
mod guard;
mod jwt;
mod listing;
mod lookup;
mod recorder;
mod reply;
mod roles;
mod router;
mod routes;
mod scopes;
mod seed;
mod server;
mod store;
mod validate;
mod wire;

#[cfg(test)]
mod tests;

use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

pub use faults::Fault;
pub use recorder::{RecordedRequest, DEFAULT_RECORD_LIMIT};
pub use seed::{ADMIN_EMAIL, ADMIN_PASSWORD, REALM, TENANT_ID};

use server::ServerState;

/// The most worker threads a fake serves connections on: a test process starts many fakes,
/// and a big machine's every core would be more threads than any of them needs.
const MAX_WORKERS: usize = 4;

/// How to start a [`FakeServer`].
#[derive(Debug, Clone)]
pub struct FakeConfig {
    /// 0 picks a free port.
    pub port: u16,
    /// Lifetime of the tokens the fake issues.
    pub token_lifetime: Duration,
    /// Bytes in each of the researcher CLI's placeholder programs (`cli.binary`): made as
    /// they are sent, so a test can ask for a large, deterministic download.
    pub cli_binary_size: u64,
    /// How many of the latest requests [`FakeServer::requests`] keeps (0: none).
    pub record_limit: usize,
    /// Serve HTTPS with a certificate made at start, signed by a CA made with it
    /// ([`FakeServer::ca_pem`]); the URL is then `https://127.0.0.1:port`.
    pub tls: bool,
}

impl Default for FakeConfig {
    fn default() -> Self {
        FakeConfig {
            port: 0,
            token_lifetime: Duration::from_secs(3600),
            cli_binary_size: 256 * 1024,
            record_limit: DEFAULT_RECORD_LIMIT,
            tls: false,
        }
    }
}

/// A running fake control plane. Dropping it stops the server.
pub struct FakeServer {
    state: Arc<ServerState>,
    port: u16,
    ca_pem: Option<String>,
    shutdown: Mutex<Option<tokio::sync::oneshot::Sender<()>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl FakeServer {
    /// Bind 127.0.0.1:port and serve with a tokio runtime of its own (independent of any
    /// runtime the caller has): a dedicated thread accepts, worker threads serve the
    /// connections. Returns once the socket is bound.
    pub fn start(config: FakeConfig) -> std::io::Result<FakeServer> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", config.port))?;
        listener.set_nonblocking(true)?;
        let port = listener.local_addr()?.port();
        let tls = config.tls.then(server::Tls::generate).transpose()?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        let state = Arc::new(ServerState::new(
            format!("{scheme}://127.0.0.1:{port}"),
            config.token_lifetime,
            config.cli_binary_size,
        )?);
        state.recorder.set_limit(config.record_limit);
        // Connections are served on every core (up to `MAX_WORKERS`): a client measured
        // against the fake must not wait on one thread of it.
        let workers = std::thread::available_parallelism()
            .map_or(1, usize::from)
            .min(MAX_WORKERS);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers)
            .thread_name(format!("runai-fake-{port}"))
            .enable_all()
            .build()?;
        // Registering the socket needs the runtime's context, not `block_on`, so this also
        // works when the caller is itself inside a tokio runtime.
        let listener = {
            let _guard = runtime.enter();
            tokio::net::TcpListener::from_std(listener)?
        };
        let (shutdown, stopped) = tokio::sync::oneshot::channel();
        let serving = Arc::clone(&state);
        let (acceptor, ca_pem) = match tls {
            Some(tls) => (Some(tls.acceptor), Some(tls.ca_pem)),
            None => (None, None),
        };
        let thread = std::thread::Builder::new()
            .name(format!("runai-fake-{port}"))
            .spawn(move || {
                runtime.block_on(server::serve(listener, serving, acceptor, stopped));
                runtime.shutdown_background();
            })?;
        Ok(FakeServer {
            state,
            port,
            ca_pem,
            shutdown: Mutex::new(Some(shutdown)),
            thread: Mutex::new(Some(thread)),
        })
    }

    pub fn url(&self) -> String {
        self.state.shared.url.clone()
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The PEM of the CA that signed the server's certificate, when it serves HTTPS.
    pub fn ca_pem(&self) -> Option<String> {
        self.ca_pem.clone()
    }

    pub fn client_id(&self) -> String {
        self.state.shared.authority.client_id.clone()
    }

    pub fn client_secret(&self) -> String {
        self.state.shared.authority.client_secret.clone()
    }

    pub fn cluster_id(&self) -> String {
        self.state.shared.seed_cluster_id.clone()
    }

    /// The latest requests received (at most `record_limit`), in order of arrival.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.recorder.snapshot()
    }

    /// Forget the requests received so far (and the memory they held).
    pub fn clear_requests(&self) {
        self.state.recorder.clear();
    }

    /// Local users with these e-mails, as `POST /api/v1/users` creates them, without a
    /// request each: a test's fast path to a large tenant. A taken or repeated e-mail
    /// refuses them all.
    pub fn add_users(&self, emails: Vec<String>) -> Result<(), String> {
        let mut store = self.state.shared.store_mut();
        let actor = self.state.shared.authority.client_id.clone();
        routes::users::add_many(&mut store, emails, &actor).map_err(|e| e.message)
    }

    pub fn inject(&self, fault: Fault) {
        self.state.faults.push(fault);
    }

    /// Every token issued so far becomes invalid (401), refresh tokens included.
    pub fn expire_tokens(&self) {
        self.state.shared.authority.expire_all();
    }

    /// For tokens issued from now on; fractions round up to whole seconds, minimum 1.
    pub fn set_token_lifetime(&self, lifetime: Duration) {
        self.state.shared.authority.set_lifetime(lifetime);
    }

    /// Whether a department's projects may together deserve no more GPUs of a node pool
    /// than the department does. The spec only recommends it and names no tenant setting
    /// for it, so it is the fake's own switch, off as a new tenant starts.
    pub fn set_projects_within_department_quota(&self, on: bool) {
        self.state
            .shared
            .store_mut()
            .projects_within_department_quota = on;
    }

    /// Idempotent; also done on drop.
    pub fn stop(&self) {
        if let Some(shutdown) = self
            .shutdown
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        {
            let _ = shutdown.send(());
        }
        let thread = self
            .thread
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(thread) = thread {
            let _ = thread.join();
        }
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        self.stop();
    }
}

impl std::fmt::Debug for FakeServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeServer")
            .field("url", &self.state.shared.url)
            .finish_non_exhaustive()
    }
}
