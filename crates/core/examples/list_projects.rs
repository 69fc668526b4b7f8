//! The client core from plain Rust, no Python: list a tenant's projects.
//!
//! ```sh
//! RUNAI_BASE_URL=https://acme.run.ai RUNAI_CLIENT_ID=... RUNAI_CLIENT_SECRET=... \
//!     cargo run -p runai-admin-core --example list_projects
//! ```
//!
//! `runai-admin fake-server` prints settings for its embedded fake control plane that this
//! example takes as they are.

use runai_admin_core::client::{CallOptions, Core};
use runai_admin_core::config::ConfigInput;
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let resolved = ConfigInput::default().resolve(&|name| std::env::var(name).ok())?;
    for warning in &resolved.warnings {
        eprintln!("warning: {warning}");
    }
    let core = Core::new(resolved.config)?;
    let keywords = vec![("sort_by".to_string(), Value::from("name"))];
    let response = core
        .call_operation("get_projects", vec![], keywords, CallOptions::default())
        .await?;
    let body: Value = serde_json::from_slice(&response.body)?;
    let projects = body
        .get("projects")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    for project in projects {
        let field = |key: &str| project.get(key).cloned().unwrap_or(Value::Null);
        println!("{}\t{}\t{}", field("id"), field("name"), field("clusterId"));
    }
    eprintln!("{} projects", projects.len());
    Ok(())
}
