//! The Python bindings: the compiled module `runai_admin._core`. Everything here is thin:
//! conversion at the boundary, the GIL released while the core works.

mod client;
mod convert;
mod decode;
mod errors;
mod fake;
mod runtime;

use pyo3::prelude::*;

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(catalogue_json, m)?)?;
    m.add_class::<client::CoreClient>()?;
    m.add_class::<fake::FakeServer>()?;
    Ok(())
}

/// The operation catalogue as JSON text; the Python face builds its methods from it.
#[pyfunction]
fn catalogue_json() -> &'static str {
    crate::api::catalogue_text()
}
