//! The core's error type. The Python bindings map each variant onto one class of
//! `runai_admin.errors`; nothing here ever holds a credential.

use bytes::Bytes;

#[derive(Debug, Clone, thiserror::Error)]
pub enum CoreError {
    /// The control plane answered with a status outside 2xx.
    #[error("{method} {url} returned {status}")]
    Api {
        status: u16,
        method: String,
        url: String,
        body: Bytes,
    },
    /// No HTTP answer: refused, reset, DNS, TLS, the proxy.
    #[error("{method} {url}: {message}")]
    Connection {
        method: String,
        url: String,
        message: String,
        /// What failed, judged from the error's type (never from its text).
        kind: ConnectionKind,
    },
    /// A redirect the client does not follow: to another origin (its credentials would go
    /// there), one that would change the method, or one past the bound on a chain.
    #[error("{method} {url}: {message}")]
    Redirect {
        status: u16,
        method: String,
        url: String,
        message: String,
    },
    /// The call's time budget ran out.
    #[error("{method} {url}: no answer within {seconds:.1} s")]
    Timeout {
        method: String,
        url: String,
        seconds: f64,
    },
    /// Settings that cannot work (missing base URL, credentials, unreadable CA bundle).
    #[error("{0}")]
    Configuration(String),
    /// An argument of the wrong type, or a missing or unknown one (Python `TypeError`).
    #[error("{0}")]
    ArgumentType(String),
    /// An argument of the right type with a value the operation does not accept (`ValueError`).
    #[error("{0}")]
    ArgumentValue(String),
    /// A download's file could not be written (its folder is missing, a disk is full).
    #[error("{path}: {message}")]
    File {
        path: String,
        message: String,
        /// The OS's error number, when it gave one.
        errno: Option<i32>,
    },
    /// A 2xx answer whose body is not what the operation promises.
    #[error("{method} {url}: cannot decode the response: {message}")]
    Decode {
        method: String,
        url: String,
        message: String,
    },
}

/// Why no answer came, for the caller to choose how to report it (and the retry policy
/// whether to try again).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionKind {
    /// Refused, reset, unresolved, broken off: the network or the server.
    Network,
    /// The server's certificate is not trusted here; trying again changes nothing.
    Certificate,
    /// The proxy could not be reached, or it would not open the way to the server.
    Proxy,
    /// The proxy asked for credentials (407) it was not given, or refused them.
    ProxyAuthentication,
}

impl ConnectionKind {
    /// The name the Python side chooses its class by.
    pub fn name(self) -> &'static str {
        match self {
            ConnectionKind::Network => "network",
            ConnectionKind::Certificate => "certificate",
            ConnectionKind::Proxy => "proxy",
            ConnectionKind::ProxyAuthentication => "proxy_authentication",
        }
    }

    /// Whether the same attempt can fare better a moment later.
    pub fn transient(self) -> bool {
        matches!(self, ConnectionKind::Network | ConnectionKind::Proxy)
    }
}

pub type CoreResult<T> = Result<T, CoreError>;
