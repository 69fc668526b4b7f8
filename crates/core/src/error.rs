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
    /// No HTTP answer: refused, reset, DNS, TLS.
    #[error("{method} {url}: {message}")]
    Connection {
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

pub type CoreResult<T> = Result<T, CoreError>;
