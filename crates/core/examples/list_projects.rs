//! The client core from plain Rust, no Python: list every project of a tenant, page by
//! page, as the catalogue says the operation pages.
//!
//! ```sh
//! RUNAI_BASE_URL=https://acme.run.ai RUNAI_CLIENT_ID=... RUNAI_CLIENT_SECRET=... \
//!     cargo run -p runai-admin-core --example list_projects
//! ```
//!
//! `runai-admin fake-server` prints settings for its embedded fake control plane that this
//! example takes as they are.

use runai_admin_core::api::bind::bind;
use runai_admin_core::api::Catalogue;
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
    let op = Catalogue::get()
        .operation("get_projects")
        .ok_or("the catalogue has no get_projects")?;
    let paging = op.pagination.as_ref().ok_or("get_projects is not paged")?;
    let size = paging.preferred_page_size();
    let (mut offset, mut listed) = (Some(0), 0);
    while let Some(at) = offset {
        let keywords = vec![("sort_by".to_string(), Value::from("name"))];
        let mut request = bind(op, vec![], keywords)?;
        paging.ask_for_page(&mut request.query, at, size)?;
        let response = core.call(op, request, CallOptions::default()).await?;
        let body: Value = serde_json::from_slice(&response.body)?;
        for project in paging.items(&body) {
            let field = |key: &str| match project.get(key) {
                Some(Value::String(text)) => text.clone(),
                Some(other) => other.to_string(),
                None => String::new(),
            };
            println!("{}\t{}\t{}", field("id"), field("name"), field("clusterId"));
            listed += 1;
        }
        offset = paging.next_offset(&body, at, size);
    }
    eprintln!("{listed} projects");
    Ok(())
}
