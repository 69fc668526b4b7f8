//! The core's request events to a Python callable (`runai_admin._logging` sets it once at
//! import). The GIL is taken only when an event is reported: retries always, every
//! attempt only after `report_every_attempt(True)`, which the Python side asks for while
//! the `runai_admin` logger is enabled for DEBUG.

use std::sync::Arc;

use pyo3::prelude::*;

use runai_admin_core::http::observe::{self, RequestEvent};

/// Report request events to `callback(method, path, status, failure, millis, attempt,
/// retry_in)`; None stops reporting. An exception in the callback is reported as
/// unraisable and never breaks the call.
#[pyfunction]
#[pyo3(signature = (callback))]
pub fn set_request_observer(callback: Option<Py<PyAny>>) {
    let Some(callback) = callback else {
        observe::set_observer(None);
        return;
    };
    observe::set_observer(Some(Arc::new(move |event: &RequestEvent<'_>| {
        // An event of a call still running while the interpreter shuts down is dropped.
        Python::try_attach(|py| {
            let retry_in = event.retry_in.map(|wait| wait.as_secs_f64());
            let args = (
                event.method,
                event.path,
                event.status,
                event.failure,
                event.millis,
                event.attempt,
                retry_in,
            );
            if let Err(error) = callback.call1(py, args) {
                error.write_unraisable(py, None);
            }
        });
    })));
}

/// Report every attempt (True) or only those followed by a retry (False).
#[pyfunction]
pub fn report_every_attempt(on: bool) {
    observe::report_every_attempt(on);
}
