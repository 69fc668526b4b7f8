//! The process's tokio runtimes, made again in a forked child, and the interruptible wait
//! of the sync client.
//!
//! Two current-thread runtimes, chosen by measurement (BENCHMARKS.md): a multi-thread one
//! hands every request between threads (the caller, a worker running the connection, the
//! caller again), and those hand-offs cost more than the HTTP work itself.
//!
//! - Sync calls run on a runtime that the calling thread drives itself (`block_on` with
//!   the GIL released): one call, one thread, no hand-off. Threads calling at once take
//!   turns driving it, and each one's I/O is served by whichever drives.
//! - Async calls run on a runtime driven by one thread of its own, so that the event loop
//!   never blocks; their work reaches it through a channel (`AsyncRuntime`), and `bridge`
//!   hands their results back to the loop.
//!
//! A child of `fork()` inherits the parent's runtimes without their threads, and their event
//! queues are shared with the parent: using them would hang the child and corrupt the
//! parent. So each runtime is keyed by process id, and inherited ones are left untouched.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use tokio::sync::{mpsc, oneshot};
use tokio::task::AbortHandle;

use super::bridge::Finish;
use pyo3_async_runtimes::generic::{ContextExt, JoinError, Runtime as GenericRuntime};
use pyo3_async_runtimes::TaskLocals;
use tokio::runtime::Runtime;

/// How often a waiting sync call looks for Ctrl-C.
const SIGNAL_POLL: Duration = Duration::from_millis(50);

type PerProcess<T> = Mutex<Option<(u32, &'static T)>>;

static SYNC_RUNTIME: PerProcess<Runtime> = Mutex::new(None);
static ASYNC_RUNTIME: PerProcess<AsyncRuntime> = Mutex::new(None);

/// This process's value of `slot`, made by `make` and set going by `start` the first time.
fn per_process<T>(
    slot: &PerProcess<T>,
    make: impl FnOnce() -> std::io::Result<T>,
    start: impl FnOnce(&'static T) -> std::io::Result<()>,
) -> PyResult<&'static T> {
    let mut held = slot.lock().unwrap_or_else(PoisonError::into_inner);
    let pid = runai_admin_core::process::id();
    if let Some((owner, value)) = *held {
        if owner == pid {
            return Ok(value);
        }
    }
    let failed =
        |e: std::io::Error| PyRuntimeError::new_err(format!("cannot start the runtime: {e}"));
    // Leaked on purpose: one per process (and per fork), alive until exit.
    let value: &'static T = Box::leak(Box::new(make().map_err(failed)?));
    start(value).map_err(failed)?;
    *held = Some((pid, value));
    Ok(value)
}

/// The runtime of sync calls, driven by the threads that wait on them.
fn sync_runtime() -> PyResult<&'static Runtime> {
    per_process(
        &SYNC_RUNTIME,
        || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .thread_name("runai-admin-blocking")
                .build()
        },
        |_| Ok(()),
    )
}

/// Work handed to the async runtime's thread.
pub type Job = Pin<Box<dyn Future<Output = ()> + Send>>;

/// The runtime of async calls, driven by a thread of its own, and the way work reaches it.
///
/// Work is not spawned from the caller's thread: a spawn from outside a current-thread
/// runtime wakes its thread every time (one write to its wake-up descriptor per call).
/// Jobs go through a channel instead, whose receiver wakes only when it was idle, and the
/// runtime's thread spawns each batch it receives on itself, which wakes nobody. A loop
/// that starts 64 calls in one pass so wakes the I/O thread once, not 64 times.
pub struct AsyncRuntime {
    pub runtime: Runtime,
    jobs: mpsc::UnboundedSender<Job>,
    /// Taken by the runtime's thread when it starts.
    received: Mutex<Option<mpsc::UnboundedReceiver<Job>>>,
}

impl AsyncRuntime {
    /// Run `job` on the runtime's thread.
    pub fn submit(&self, job: Job) -> PyResult<()> {
        self.jobs
            .send(job)
            .map_err(|_| PyRuntimeError::new_err("the async runtime's thread has stopped"))
    }
}

/// The runtime of async calls, driven by a thread of its own.
pub fn async_runtime() -> PyResult<&'static AsyncRuntime> {
    per_process(
        &ASYNC_RUNTIME,
        || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .thread_name("runai-admin-blocking")
                .build()?;
            let (jobs, received) = mpsc::unbounded_channel();
            Ok(AsyncRuntime {
                runtime,
                jobs,
                received: Mutex::new(Some(received)),
            })
        },
        // Only `Runtime::block_on` drives a current-thread runtime's I/O and timers.
        |held| {
            let mut received = held
                .received
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take()
                .ok_or_else(|| std::io::Error::other("the async runtime was started twice"))?;
            std::thread::Builder::new()
                .name("runai-admin-io".into())
                .spawn(move || {
                    held.runtime.block_on(async move {
                        while let Some(job) = received.recv().await {
                            tokio::spawn(job);
                        }
                    });
                })
                .map(drop)
        },
    )
}

/// How long the sync runtime may go undriven before a call first lets it catch up.
const CATCH_UP_AFTER: Duration = Duration::from_millis(50);

/// When a sync call last drove the runtime, in milliseconds since `epoch()`.
static LAST_DRIVEN: AtomicU64 = AtomicU64::new(0);

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

fn millis_since_epoch() -> u64 {
    u64::try_from(epoch().elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// Run `future` to completion with the GIL released, waking every few tens of
/// milliseconds to let Python handle signals. A KeyboardInterrupt drops the future, which
/// cancels the request in flight.
///
/// Nobody drives the runtime between sync calls, so a pooled connection the server closed
/// meanwhile still looks open; sent a request, it breaks. A call that may be sent again
/// (`resendable`: idempotent methods, which the retry policy retries on a broken
/// connection) skips the catch-up after a short pause, as in a loop of calls, where it
/// would cost two passes over the I/O driver and three wake-ups per call; a POST or
/// PATCH, which is never sent twice, always catches up first.
pub fn wait<F>(py: Python<'_>, future: F, resendable: bool) -> PyResult<F::Output>
where
    F: Future + Send,
    F::Output: Send,
{
    let runtime = sync_runtime()?;
    let mut future = Box::pin(future);
    let mut first = catch_up_first(resendable);
    loop {
        let this_slice = std::mem::take(&mut first);
        let outcome = py.detach(|| {
            runtime.block_on(async {
                if this_slice {
                    catch_up().await;
                }
                tokio::time::timeout(SIGNAL_POLL, &mut future).await
            })
        });
        LAST_DRIVEN.store(millis_since_epoch(), Ordering::Relaxed);
        match outcome {
            Ok(value) => return Ok(value),
            Err(_elapsed) => py.check_signals()?,
        }
    }
}

/// Whether a call should let the runtime catch up before it sends (see `wait`).
fn catch_up_first(resendable: bool) -> bool {
    let idle = millis_since_epoch().saturating_sub(LAST_DRIVEN.load(Ordering::Relaxed));
    !resendable || Duration::from_millis(idle) >= CATCH_UP_AFTER
}

/// Within the same drive as the call: the first yield polls the I/O driver (waking
/// connection tasks), the second lets them run and drop what closed.
async fn catch_up() {
    tokio::task::yield_now().await;
    tokio::task::yield_now().await;
}

/// Work started now on the sync runtime, driven by a thread of ours (no GIL, no Python
/// thread) so that it goes on while Python does something else, whose result a blocking
/// caller collects later with `wait()`: the sync pager fetches the next pages this way
/// while the caller reads the current one. Dropped uncollected, it aborts the work.
#[pyclass(frozen, module = "runai_admin._core")]
pub struct Background {
    outcome: Mutex<Option<oneshot::Receiver<Finish>>>,
    abort: AbortHandle,
}

impl Background {
    /// Start `work` now; `finish` makes its Python result on the thread that waits.
    /// `resendable` as for `wait`: the work catches up on closed connections first when
    /// it could not be sent again, or when the runtime sat undriven.
    pub fn start<F, R, D>(work: F, resendable: bool, finish: D) -> PyResult<Self>
    where
        F: Future<Output = R> + Send + 'static,
        R: Send + 'static,
        D: FnOnce(Python<'_>, R) -> PyResult<Py<PyAny>> + Send + 'static,
    {
        let runtime = sync_runtime()?;
        let (sender, receiver) = oneshot::channel::<Finish>();
        let first = catch_up_first(resendable);
        let task = runtime.spawn(async move {
            if first {
                catch_up().await;
            }
            let outcome = work.await;
            // A receiver that is gone was dropped uncollected: nobody wants the result.
            let _ = sender.send(Box::new(move |py| finish(py, outcome)));
        });
        let abort = task.abort_handle();
        // The sync runtime goes only while a thread drives it, and the caller is busy in
        // Python meanwhile: a thread of our own drives it until this work is done. (The
        // work stays on the sync runtime because the connections it may reuse from the
        // pool belong to that runtime: on another, a request on one would wait for the
        // next sync call to drive it.) Threads driving at once take turns.
        std::thread::Builder::new()
            .name("runai-admin-ahead".into())
            .spawn(move || {
                let _ = runtime.block_on(task);
                LAST_DRIVEN.store(millis_since_epoch(), Ordering::Relaxed);
            })
            .map_err(|e| PyRuntimeError::new_err(format!("cannot start a fetch: {e}")))?;
        Ok(Background {
            outcome: Mutex::new(Some(receiver)),
            abort,
        })
    }
}

#[pymethods]
impl Background {
    /// The result, waiting for it with the GIL released (Ctrl-C interrupts, as any call).
    fn wait(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let receiver = self
            .outcome
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
            .ok_or_else(|| PyRuntimeError::new_err("this result was collected already"))?;
        // Nothing is sent from this drive (the work went out on its own thread), so there
        // is no stale connection to catch up on first: as for a call that may be resent.
        match wait(py, receiver, true) {
            Ok(Ok(finish)) => finish(py),
            Ok(Err(_)) => Err(PyRuntimeError::new_err("the call was cancelled")),
            Err(interrupted) => {
                self.abort.abort();
                Err(interrupted)
            }
        }
    }

    /// Stop the work (the request in flight is dropped); `wait()` then raises.
    fn cancel(&self) {
        self.abort.abort();
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        self.abort.abort();
    }
}

/// The fork-aware async runtime above as pyo3-async-runtimes sees it: `bridge` asks it for the
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
        match async_runtime() {
            Ok(rt) => {
                let handle = rt.runtime.spawn(fut);
                Box::pin(async move { handle.await.map_err(TaskJoinError) })
            }
            Err(_) => Box::pin(async { Ok(()) }),
        }
    }

    fn spawn_blocking<F>(f: F) -> Self::JoinHandle
    where
        F: FnOnce() + Send + 'static,
    {
        match async_runtime() {
            Ok(rt) => {
                let handle = rt.runtime.spawn_blocking(f);
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
