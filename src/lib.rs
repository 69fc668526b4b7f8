//! The Python bindings: the compiled module `runai_admin._core`. Everything here is thin:
//! conversion at the boundary, the GIL released while the core works. The client itself
//! is `runai_admin_core`; the fake control plane is `runai_admin_fake`.
//!
//! Without the `python` feature this crate is empty, so that `cargo test --workspace`
//! needs no libpython.
#![cfg(feature = "python")]

mod bridge;
mod client;
mod convert;
mod decode;
mod errors;
#[cfg(feature = "fake")]
mod fake;
mod observe;
mod runtime;

use pyo3::prelude::*;

use runai_admin_core::config;

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(catalogue_json, m)?)?;
    m.add_function(wrap_pyfunction!(normalize_base_url, m)?)?;
    m.add_function(wrap_pyfunction!(decode::decode_json, m)?)?;
    m.add("BASE_URL_VARIABLE", config::ENV_BASE_URL)?;
    m.add(
        "CREDENTIAL_VARIABLES",
        (
            config::ENV_CLIENT_ID,
            config::ENV_CLIENT_SECRET,
            config::ENV_TOKEN,
        ),
    )?;
    m.add_class::<client::CoreClient>()?;
    m.add_class::<runtime::Background>()?;
    m.add_function(wrap_pyfunction!(observe::set_request_observer, m)?)?;
    m.add_function(wrap_pyfunction!(observe::report_every_attempt, m)?)?;
    #[cfg(feature = "fake")]
    m.add_class::<fake::FakeServer>()?;
    Ok(())
}

/// A base URL as the core normalises it (scheme added, API path trimmed), so that two can
/// be compared; `None` when it is not one the core would take.
#[pyfunction]
fn normalize_base_url(raw: &str) -> Option<String> {
    config::normalize_base_url(raw).ok().map(|(url, _)| url)
}

/// The operation catalogue as JSON text; the Python face builds its methods from it.
#[pyfunction]
fn catalogue_json() -> &'static str {
    runai_admin_core::api::catalogue_text()
}
