//! The embedded fake control plane: a small, spec-driven Run:ai control plane that runs on
//! 127.0.0.1 inside the process, so that the client can be used, tested and benchmarked
//! without a tenant. It issues and enforces signed tokens, keeps real state in memory,
//! validates request bodies against the operation catalogue, records every request and
//! misbehaves on demand (faults).
//!
//! Implemented: the token routes (`/api/v1/token`, `/api/v2/token`, the seed-era Keycloak
//! realm and `/v1/k8s/auth/login`) and the `/api/v1` operations of clusters, departments,
//! projects and users, plus the deprecated seed-era (`/v1/k8s`) operations the spec still
//! carries: cluster, project and department listings, project create/update/delete,
//! department admins, install file and metrics (`legacy.rs`). Other catalogue operations
//! answer 501 with the control plane's error shape.

mod auth;
mod glob;
mod handlers;
mod legacy;
mod legacy_wire;
mod listing;
mod metrics;
mod reply;
mod resources;
mod server;
mod store;
mod validate;

#[cfg(test)]
mod tests;

use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

pub use auth::{ADMIN_EMAIL, ADMIN_PASSWORD, REALM, TENANT_ID};

use server::Shared;

/// How to start a [`FakeServer`].
#[derive(Debug, Clone)]
pub struct FakeConfig {
    /// 0 picks a free port.
    pub port: u16,
    /// Lifetime of the tokens the fake issues.
    pub token_lifetime: Duration,
}

impl Default for FakeConfig {
    fn default() -> Self {
        FakeConfig {
            port: 0,
            token_lifetime: Duration::from_secs(3600),
        }
    }
}

/// One request the fake received.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    /// Without the leading `?`.
    pub query: String,
    /// Lower-case names; the Authorization value is redacted to `Bearer ***`.
    pub headers: Vec<(String, String)>,
    /// Secret values (passwords, client secrets, refresh tokens) are replaced by `***`.
    pub body: bytes::Bytes,
    /// What the fake answered; 0 when it dropped the connection (or has not answered yet).
    pub status: u16,
}

/// A queued misbehaviour. Each request consumes at most one matching fault, the first
/// queued one that matches.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    /// Matched against the path only: `*` within one segment, `**` across segments.
    pub path_glob: String,
    /// `None` matches any method.
    pub method: Option<String>,
    /// Answer with this status (a `{code, message}` body unless `body` is given).
    pub status: Option<u16>,
    /// How many matching requests the fault applies to before it is used up (0: none).
    pub times: u32,
    /// Seconds, sent as a `Retry-After` header.
    pub retry_after: Option<f64>,
    /// Sleep before answering (then answer normally, or with `status`).
    pub delay: Option<Duration>,
    /// Close the connection without any response.
    pub drop_connection: bool,
    pub body: Option<serde_json::Value>,
}

impl Default for Fault {
    /// Applies once to any request; set at least one of `status`, `delay`, `drop_connection`.
    fn default() -> Self {
        Fault {
            path_glob: "**".into(),
            method: None,
            status: None,
            times: 1,
            retry_after: None,
            delay: None,
            drop_connection: false,
            body: None,
        }
    }
}

/// A running fake control plane. Dropping it stops the server.
pub struct FakeServer {
    shared: Arc<Shared>,
    port: u16,
    shutdown: Mutex<Option<tokio::sync::oneshot::Sender<()>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl FakeServer {
    /// Bind 127.0.0.1:port and serve on a dedicated thread with its own tokio runtime
    /// (independent of any runtime the caller has). Returns once the socket is bound.
    pub fn start(config: FakeConfig) -> std::io::Result<FakeServer> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", config.port))?;
        listener.set_nonblocking(true)?;
        let port = listener.local_addr()?.port();
        let shared = Arc::new(Shared::new(
            format!("http://127.0.0.1:{port}"),
            config.token_lifetime,
        )?);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        // Registering the socket needs the runtime's context, not `block_on`, so this also
        // works when the caller is itself inside a tokio runtime.
        let listener = {
            let _guard = runtime.enter();
            tokio::net::TcpListener::from_std(listener)?
        };
        let (shutdown, stopped) = tokio::sync::oneshot::channel();
        let serving = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name(format!("runai-fake-{port}"))
            .spawn(move || {
                runtime.block_on(server::serve(listener, serving, stopped));
                runtime.shutdown_background();
            })?;
        Ok(FakeServer {
            shared,
            port,
            shutdown: Mutex::new(Some(shutdown)),
            thread: Mutex::new(Some(thread)),
        })
    }

    pub fn url(&self) -> String {
        self.shared.url.clone()
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn client_id(&self) -> String {
        self.shared.authority.client_id.clone()
    }

    pub fn client_secret(&self) -> String {
        self.shared.authority.client_secret.clone()
    }

    pub fn cluster_id(&self) -> String {
        self.shared.seed_cluster_id.clone()
    }

    /// Everything received so far, in order of arrival.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.recorder.snapshot()
    }

    pub fn clear_requests(&self) {
        self.shared.recorder.clear();
    }

    pub fn inject(&self, fault: Fault) {
        self.shared.faults.push(fault);
    }

    /// Every token issued so far becomes invalid (401), refresh tokens included.
    pub fn expire_tokens(&self) {
        self.shared.authority.expire_all();
    }

    /// For tokens issued from now on; fractions round up to whole seconds, minimum 1.
    pub fn set_token_lifetime(&self, lifetime: Duration) {
        self.shared.authority.set_lifetime(lifetime);
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
            .field("url", &self.shared.url)
            .finish_non_exhaustive()
    }
}
