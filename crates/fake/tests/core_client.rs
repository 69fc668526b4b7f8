//! The client core, used from plain Rust as `crates/core/examples/list_projects.rs` does,
//! against the fake control plane: auth, binding, transport and errors without Python.

// A test fails loudly on the first surprise.
#![allow(clippy::expect_used, clippy::indexing_slicing)]

use runai_admin_core::client::{CallOptions, Core};
use runai_admin_core::config::ConfigInput;
use runai_admin_core::download::{Destination, Downloaded};
use runai_admin_core::error::CoreError;
use runai_admin_core::secret::Secret;
use runai_admin_fake::{FakeConfig, FakeServer};
use serde_json::{json, Value};

fn core_for(server: &FakeServer) -> std::sync::Arc<Core> {
    let input = ConfigInput {
        base_url: Some(server.url()),
        client_id: Some(server.client_id()),
        client_secret: Some(Secret::new(server.client_secret())),
        ..ConfigInput::default()
    };
    let resolved = input.resolve(&|_| None).expect("settings");
    Core::new(resolved.config).expect("core")
}

async fn call(core: &Core, id: &str, positional: Vec<Value>, keywords: Value) -> Value {
    let keywords = keywords
        .as_object()
        .expect("keywords")
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let response = core
        .call_operation(id, positional, keywords, CallOptions::default())
        .await
        .expect("call");
    serde_json::from_slice(&response.body).expect("json")
}

#[tokio::test]
async fn a_plain_rust_caller_creates_and_lists_projects() {
    let server = FakeServer::start(FakeConfig::default()).expect("fake");
    let core = core_for(&server);
    let created = call(
        &core,
        "create_project",
        vec![],
        json!({"name": "team-a", "cluster_id": server.cluster_id(),
               "resources": [{"gpu": {"deserved": 2}}]}),
    )
    .await;
    let listed = call(&core, "get_projects", vec![], json!({"sort_by": "name"})).await;
    let names: Vec<&str> = listed["projects"]
        .as_array()
        .expect("projects")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert!(names.contains(&"team-a"), "{names:?}");
    let id = created["id"].as_str().expect("id").to_string();
    let fetched = call(&core, "get_project", vec![Value::from(id)], json!({})).await;
    assert_eq!(fetched["name"], "team-a");
    assert_eq!(core.token_fetches(), 1);
}

#[tokio::test]
async fn errors_name_the_status_and_unknown_operations_are_refused() {
    let server = FakeServer::start(FakeConfig::default()).expect("fake");
    let core = core_for(&server);
    let missing = core
        .call_operation(
            "get_project",
            vec![Value::from("424242")],
            vec![],
            CallOptions::default(),
        )
        .await;
    assert!(matches!(missing, Err(CoreError::Api { status: 404, .. })));
    let unknown = core
        .call_operation("no_such_operation", vec![], vec![], CallOptions::default())
        .await;
    assert!(matches!(unknown, Err(CoreError::ArgumentValue(m)) if m.contains("no_such_operation")));
}

#[tokio::test]
async fn a_plain_rust_caller_downloads_into_memory_or_a_file() {
    let server = FakeServer::start(FakeConfig {
        cli_binary_size: 3 * 1024 * 1024 + 5,
        ..FakeConfig::default()
    })
    .expect("fake");
    let core = core_for(&server);
    let args = || vec![Value::from("linux"), Value::from("arm64")];
    let Downloaded::Bytes(program) = core
        .download_operation(
            "get_binary",
            args(),
            vec![],
            CallOptions::default(),
            Destination::Memory,
        )
        .await
        .expect("downloaded")
    else {
        unreachable!("into memory")
    };
    assert_eq!(program.len(), 3 * 1024 * 1024 + 5);

    let folder = std::env::temp_dir().join(format!("runai-core-download-{}", std::process::id()));
    std::fs::create_dir_all(&folder).expect("a folder");
    let target = folder.join("runai");
    let written = core
        .download_operation(
            "get_binary",
            args(),
            vec![],
            CallOptions::default(),
            Destination::File(target.clone()),
        )
        .await
        .expect("downloaded");
    assert!(matches!(written, Downloaded::File(ref path) if *path == target));
    assert_eq!(std::fs::read(&target).expect("read"), program);
    let names: Vec<_> = std::fs::read_dir(&folder)
        .expect("listed")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("runai")]);
    std::fs::remove_dir_all(&folder).expect("cleaned");
}
