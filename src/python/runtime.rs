//! The process's one tokio runtime, and the interruptible wait of the sync client.

use std::future::Future;
use std::time::Duration;

use pyo3::prelude::*;

/// How often a waiting sync call looks for Ctrl-C.
const SIGNAL_POLL: Duration = Duration::from_millis(50);

pub fn runtime() -> &'static tokio::runtime::Runtime {
    pyo3_async_runtimes::tokio::get_runtime()
}

/// Run `future` to completion with the GIL released, waking every few tens of
/// milliseconds to let Python handle signals. A KeyboardInterrupt drops the future, which
/// cancels the request in flight.
pub fn wait<F>(py: Python<'_>, future: F) -> PyResult<F::Output>
where
    F: Future + Send,
    F::Output: Send,
{
    let mut future = Box::pin(future);
    loop {
        let outcome = py.detach(|| {
            runtime().block_on(async { tokio::time::timeout(SIGNAL_POLL, &mut future).await })
        });
        match outcome {
            Ok(value) => return Ok(value),
            Err(_elapsed) => py.check_signals()?,
        }
    }
}
