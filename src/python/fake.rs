//! The fake control plane, for Python (written when the fake lands).
use pyo3::prelude::*;
#[pyclass(frozen, module = "runai_admin._core")]
pub struct FakeServer {}
