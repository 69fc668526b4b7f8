//! The process's tokio runtime, made again in a forked child, and the interruptible wait
//! of the sync client.
//!
//! A child of `fork()` inherits the parent's runtime without its threads, and its event
//! queue is shared with the parent: using it would hang the child and corrupt the parent.
//! So the runtime is keyed by process id, and the inherited one is left untouched.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use pyo3::prelude::*;
use pyo3_async_runtimes::generic::{ContextExt, JoinError, Runtime as GenericRuntime};
use pyo3_async_runtimes::TaskLocals;
use tokio::runtime::Runtime;

/// How often a waiting sync call looks for Ctrl-C.
const SIGNAL_POLL: Duration = Duration::from_millis(50);

static RUNTIME: Mutex<Option<(u32, &'static Runtime)>> = Mutex::new(None);

pub fn runtime() -> PyResult<&'static Runtime> {
    let mut held = RUNTIME.lock().unwrap_or_else(PoisonError::into_inner);
    let pid = std::process::id();
    if let Some((owner, runtime)) = *held {
        if owner == pid {
            return Ok(runtime);
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("runai-admin")
        .build()
        .map_err(|e| {
            pyo3::exceptions::PyRuntimeError::new_err(format!("cannot start the runtime: {e}"))
        })?;
    // Leaked on purpose: one per process (and per fork), alive until exit.
    let runtime: &'static Runtime = Box::leak(Box::new(runtime));
    *held = Some((pid, runtime));
    Ok(runtime)
}

/// Run `future` to completion with the GIL released, waking every few tens of
/// milliseconds to let Python handle signals. A KeyboardInterrupt drops the future, which
/// cancels the request in flight.
pub fn wait<F>(py: Python<'_>, future: F) -> PyResult<F::Output>
where
    F: Future + Send,
    F::Output: Send,
{
    let runtime = runtime()?;
    let mut future = Box::pin(future);
    loop {
        let outcome = py.detach(|| {
            runtime.block_on(async { tokio::time::timeout(SIGNAL_POLL, &mut future).await })
        });
        match outcome {
            Ok(value) => return Ok(value),
            Err(_elapsed) => py.check_signals()?,
        }
    }
}

/// The fork-aware runtime above as pyo3-async-runtimes sees it: `bridge` asks it for the
/// running loop (`get_current_loop`), which honours task locals a Rust caller scoped.
pub struct ForkAware;

pub struct TaskJoinError(tokio::task::JoinError);

impl JoinError for TaskJoinError {
    fn is_panic(&self) -> bool {
        self.0.is_panic()
    }
    fn into_panic(self) -> Box<dyn std::any::Any + Send + 'static> {
        self.0.into_panic()
    }
}

tokio::task_local! {
    static TASK_LOCALS: std::cell::OnceCell<TaskLocals>;
}

pub type JoinFuture = Pin<Box<dyn Future<Output = Result<(), TaskJoinError>> + Send>>;

impl GenericRuntime for ForkAware {
    type JoinError = TaskJoinError;
    type JoinHandle = JoinFuture;

    fn spawn<F>(fut: F) -> Self::JoinHandle
    where
        F: Future<Output = ()> + Send + 'static,
    {
        match runtime() {
            Ok(rt) => {
                let handle = rt.spawn(fut);
                Box::pin(async move { handle.await.map_err(TaskJoinError) })
            }
            // `awaitable` made sure the runtime exists; nothing to run on otherwise.
            Err(_) => Box::pin(async { Ok(()) }),
        }
    }

    fn spawn_blocking<F>(f: F) -> Self::JoinHandle
    where
        F: FnOnce() + Send + 'static,
    {
        match runtime() {
            Ok(rt) => {
                let handle = rt.spawn_blocking(f);
                Box::pin(async move { handle.await.map_err(TaskJoinError) })
            }
            Err(_) => Box::pin(async { Ok(()) }),
        }
    }
}

impl ContextExt for ForkAware {
    fn scope<F, R>(locals: TaskLocals, fut: F) -> Pin<Box<dyn Future<Output = R> + Send>>
    where
        F: Future<Output = R> + Send + 'static,
    {
        let cell = std::cell::OnceCell::new();
        let _ = cell.set(locals);
        Box::pin(TASK_LOCALS.scope(cell, fut))
    }

    fn get_task_locals() -> Option<TaskLocals> {
        TASK_LOCALS
            .try_with(|c| c.get().cloned())
            .unwrap_or_default()
    }
}
