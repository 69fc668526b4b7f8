//! The fake control plane alone in a process of its own, with no Python: what
//! `runai-admin fake-server` serves, so that the fake's own cost can be measured (its CPU
//! time per request from the process's accounting, `perf` on it) apart from any client.
//!
//! ```text
//! runai-admin-bench-fake [PORT]
//! ```
//!
//! Prints the same `export` lines as `runai-admin fake-server`, then serves until the
//! process is stopped (Ctrl-C or a signal).

use std::process::ExitCode;

use runai_admin_fake::{FakeConfig, FakeServer};

fn main() -> ExitCode {
    let port = match std::env::args().nth(1).map(|p| p.parse::<u16>()) {
        None => 0,
        Some(Ok(port)) => port,
        Some(Err(e)) => {
            eprintln!("runai-admin-bench-fake: PORT must be a port number: {e}");
            return ExitCode::FAILURE;
        }
    };
    let server = match FakeServer::start(FakeConfig {
        port,
        ..FakeConfig::default()
    }) {
        Ok(server) => server,
        Err(e) => {
            eprintln!("runai-admin-bench-fake: the fake control plane could not start: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Throwaway credentials of a local fake, printed so another shell can use them.
    println!("export RUNAI_BASE_URL={}", server.url());
    println!("export RUNAI_CLIENT_ID={}", server.client_id());
    println!("export RUNAI_CLIENT_SECRET={}", server.client_secret());
    println!(
        "# cluster: {}; Ctrl-C stops the server (pid {})",
        server.cluster_id(),
        std::process::id()
    );
    loop {
        std::thread::park();
    }
}
