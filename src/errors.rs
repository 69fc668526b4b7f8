//! Core errors to the exception classes of `runai_admin.errors`. The Python module owns
//! the classes (and the parsing of the control plane's error bodies); this side only
//! hands over what happened.

use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use runai_admin_core::error::CoreError;

const ERRORS_MODULE: &str = "runai_admin.errors";

pub fn to_pyerr(py: Python<'_>, err: CoreError) -> PyErr {
    match build(py, err) {
        Ok(e) | Err(e) => e,
    }
}

fn build(py: Python<'_>, err: CoreError) -> PyResult<PyErr> {
    let module = py.import(ERRORS_MODULE)?;
    let instance = match err {
        CoreError::Api {
            status,
            method,
            url,
            body,
        } => module.call_method1(
            "_from_response",
            (status, method, url, PyBytes::new(py, &body)),
        )?,
        CoreError::Connection {
            method,
            url,
            message,
        } => module.getattr("APIConnectionError")?.call1((
            format!("cannot reach the control plane: {message}"),
            method,
            url,
        ))?,
        CoreError::Timeout {
            method,
            url,
            seconds,
        } => module.getattr("APITimeoutError")?.call1((
            format!("no answer within the {seconds:.1} s timeout"),
            method,
            url,
        ))?,
        CoreError::Decode {
            method,
            url,
            message,
        } => module.getattr("APIConnectionError")?.call1((
            format!("the answer could not be read: {message}"),
            method,
            url,
        ))?,
        CoreError::Configuration(message) => {
            module.getattr("ConfigurationError")?.call1((message,))?
        }
        CoreError::ArgumentType(message) => return Ok(PyTypeError::new_err(message)),
        CoreError::ArgumentValue(message) => return Ok(PyValueError::new_err(message)),
    };
    Ok(PyErr::from_value(instance))
}

/// A failure of the bindings themselves (never expected): still an exception, not a panic.
pub fn internal(message: impl Into<String>) -> PyErr {
    PyRuntimeError::new_err(message.into())
}
