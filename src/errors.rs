//! Core errors to the exception classes of `runai_admin.errors`. The Python module owns
//! the classes (and the parsing of the control plane's error bodies); this side only
//! hands over what happened. Each class is looked up once per process, not per error.

use pyo3::exceptions::{PyOSError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyBytes;

use runai_admin_core::error::CoreError;

const ERRORS_MODULE: &str = "runai_admin.errors";

/// One attribute of `runai_admin.errors`, imported on first use.
struct Lazy {
    name: &'static str,
    cell: PyOnceLock<Py<PyAny>>,
}

impl Lazy {
    const fn new(name: &'static str) -> Self {
        Lazy {
            name,
            cell: PyOnceLock::new(),
        }
    }

    fn get<'py>(&self, py: Python<'py>) -> PyResult<&Bound<'py, PyAny>> {
        self.cell.import(py, ERRORS_MODULE, self.name)
    }
}

static FROM_RESPONSE: Lazy = Lazy::new("_from_response");
static CONNECTION_ERROR: Lazy = Lazy::new("_connection_error");
static REDIRECT_ERROR: Lazy = Lazy::new("RedirectError");
static TIMEOUT_ERROR: Lazy = Lazy::new("APITimeoutError");
static DECODE_ERROR: Lazy = Lazy::new("APIDecodeError");
static CONFIGURATION_ERROR: Lazy = Lazy::new("ConfigurationError");

pub fn to_pyerr(py: Python<'_>, err: CoreError) -> PyErr {
    match build(py, err) {
        Ok(e) | Err(e) => e,
    }
}

fn build(py: Python<'_>, err: CoreError) -> PyResult<PyErr> {
    let instance = match err {
        CoreError::Api {
            status,
            method,
            url,
            body,
        } => FROM_RESPONSE
            .get(py)?
            .call1((status, method, url, PyBytes::new(py, &body)))?,
        // The class follows the kind the core judged from the error's type.
        CoreError::Connection {
            method,
            url,
            message,
            kind,
        } => CONNECTION_ERROR.get(py)?.call1((
            kind.name(),
            format!("cannot reach the control plane: {message}"),
            method,
            url,
        ))?,
        CoreError::Redirect {
            status,
            method,
            url,
            message,
        } => REDIRECT_ERROR
            .get(py)?
            .call1((status, message, method, url))?,
        CoreError::Timeout {
            method,
            url,
            seconds,
        } => TIMEOUT_ERROR.get(py)?.call1((
            format!("no answer within the {seconds:.1} s timeout"),
            method,
            url,
        ))?,
        CoreError::Decode {
            method,
            url,
            message,
        } => DECODE_ERROR.get(py)?.call1((
            format!("the answer could not be decoded: {message}"),
            method,
            url,
        ))?,
        CoreError::Configuration(message) => CONFIGURATION_ERROR.get(py)?.call1((message,))?,
        // OSError(errno, message, path) becomes its subclass (FileNotFoundError, ...).
        CoreError::File {
            path,
            message,
            errno: Some(errno),
        } => return Ok(PyOSError::new_err((errno, message, path))),
        CoreError::File { path, message, .. } => {
            return Ok(PyOSError::new_err(format!("{path}: {message}")))
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
