//! The client core of runai_admin, usable from plain Rust: settings (`config`), token
//! flows and cache (`auth`), the transport and retry policy (`http`), the call loop
//! (`client`), and the operation catalogue with argument binding (`api`).

pub mod api;
pub mod auth;
pub mod client;
pub mod config;
pub mod error;
pub mod http;
pub mod secret;
