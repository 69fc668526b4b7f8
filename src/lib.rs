//! runai_admin's Rust core: the operation catalogue, the transport and auth of the client,
//! the embedded fake control plane, and (with the `python` feature) the bindings.

pub mod api;
pub mod fake;

#[cfg(feature = "python")]
mod python;
