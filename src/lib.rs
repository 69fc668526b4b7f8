//! runai_admin's Rust core: the operation catalogue, the transport and auth of the client,
//! the embedded fake control plane, and (with the `python` feature) the bindings.

pub mod api;
pub mod auth;
pub mod client;
pub mod config;
pub mod error;
pub mod fake;
pub mod http;
pub mod secret;

#[cfg(feature = "python")]
mod python;
