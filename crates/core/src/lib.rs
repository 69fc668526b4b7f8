//! The client core of runai_admin, usable from plain Rust: settings (`config`), token
//! flows and cache (`auth`), the transport and retry policy (`http`), the call loop
//! (`client`), downloads of files to memory or disk (`download`), and the operation
//! catalogue with argument binding (`api`); this process's id, kept (`process`).

pub mod api;
pub mod auth;
pub mod client;
pub mod config;
pub mod download;
pub mod error;
pub mod http;
pub mod process;
pub mod secret;
