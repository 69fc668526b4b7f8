//! HTTPS end to end in Rust: the fake's certificate made at start, and the core's checks of
//! it (refused by default with advice, accepted with its CA, or with `verify` off).

// A test fails loudly on the first surprise.
#![allow(clippy::expect_used, clippy::panic)]

use runai_admin_core::client::{CallOptions, Core};
use runai_admin_core::config::{ConfigInput, Verify};
use runai_admin_core::error::CoreError;
use runai_admin_core::secret::Secret;
use runai_admin_fake::{FakeConfig, FakeServer};

fn core_for(server: &FakeServer, verify: Verify) -> std::sync::Arc<Core> {
    let input = ConfigInput {
        base_url: Some(server.url()),
        client_id: Some(server.client_id()),
        client_secret: Some(Secret::new(server.client_secret())),
        verify: Some(verify),
        ..ConfigInput::default()
    };
    let resolved = input.resolve(&|_| None).expect("settings");
    Core::new(resolved.config).expect("core")
}

async fn list_projects(core: &Core) -> Result<u16, CoreError> {
    core.call_operation(
        "get_projects",
        vec![],
        Default::default(),
        CallOptions::default(),
    )
    .await
    .map(|r| r.status)
}

#[tokio::test]
async fn the_fake_serves_https_that_its_ca_opens() {
    let server = FakeServer::start(FakeConfig {
        tls: true,
        ..FakeConfig::default()
    })
    .expect("fake");
    assert!(
        server.url().starts_with("https://127.0.0.1:"),
        "{}",
        server.url()
    );
    let ca_pem = server.ca_pem().expect("a CA");
    assert!(ca_pem.starts_with("-----BEGIN CERTIFICATE-----"));

    let refused = list_projects(&core_for(&server, Verify::System)).await;
    match refused {
        Err(CoreError::Connection { message, .. }) => {
            assert!(message.contains("TLS certificate problem"), "{message}");
            assert!(message.contains("verify="), "{message}");
            assert!(!message.contains(&server.client_secret()), "{message}");
        }
        other => panic!("expected a certificate refusal, got {other:?}"),
    }
    // Refused at the handshake: no request reached the fake.
    assert!(server.requests().is_empty());

    let ca_path = std::env::temp_dir().join(format!("runai-fake-ca-{}.pem", server.port()));
    std::fs::write(&ca_path, ca_pem).expect("written");
    let trusted = list_projects(&core_for(&server, Verify::CaBundle(ca_path.clone()))).await;
    let _ = std::fs::remove_file(&ca_path);
    assert_eq!(trusted.expect("accepted with the CA"), 200);

    let unchecked = list_projects(&core_for(&server, Verify::Disabled)).await;
    assert_eq!(unchecked.expect("accepted unchecked"), 200);
}

#[test]
fn plain_http_stays_the_default() {
    let server = FakeServer::start(FakeConfig::default()).expect("fake");
    assert!(server.url().starts_with("http://"));
    assert!(server.ca_pem().is_none());
}
