//! How the results of async calls get back to asyncio: in batches, with no GIL on tokio's
//! threads.
//!
//! A call made on an `AsyncClient` creates its asyncio future on the loop's thread and
//! hands its work to the tokio runtime's thread (`runtime::AsyncRuntime::submit`: one
//! wake-up of that thread per batch, not per call). When the work is done, the tokio task pushes the
//! raw outcome (bytes, not Python objects) into its loop's queue, and wakes the loop only
//! when the queue was empty: one byte on a socket pair whose reading end the loop watches
//! (`loop.add_reader`), or, on a loop that cannot watch a socket, one
//! `loop.call_soon_threadsafe` per batch (the one place a tokio thread takes the GIL). The
//! loop then decodes and resolves every queued call in one go, on its own thread.
//!
//! One bridge serves one event loop: found by the loop's identity, and closed when the loop
//! is garbage-collected or, found closed, when the next bridge is made. Cancelling an
//! asyncio future ends its tokio task (its abort sender is dropped), which drops the
//! request in flight.
//!
//! pyo3-async-runtimes still finds the running loop (`get_current_loop`, which also honours
//! the task locals a Rust caller may have scoped); this module replaces its
//! `future_into_py`, which hands each completion to a blocking thread that takes the GIL.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use pyo3::exceptions::PyNotImplementedError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyWeakrefReference};
use tokio::sync::oneshot;

use super::runtime::{async_runtime, AsyncRuntime, ForkAware};

/// What turns a finished call's outcome into its Python result, run on the loop's thread.
pub type Finish = Box<dyn FnOnce(Python<'_>) -> PyResult<Py<PyAny>> + Send>;

/// An awaitable for `work`, run on the process's runtime; `finish` makes its Python result
/// on the event loop's thread. Cancelling the awaitable aborts `work`.
pub fn awaitable<'py, F, R, D>(py: Python<'py>, work: F, finish: D) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = R> + Send + 'static,
    R: Send + 'static,
    D: FnOnce(Python<'_>, R) -> PyResult<Py<PyAny>> + Send + 'static,
{
    let event_loop = pyo3_async_runtimes::generic::get_current_loop::<ForkAware>(py)?;
    let bridge = bridge_for(py, &event_loop)?;
    let future = event_loop.call_method0(intern!(py, "create_future"))?;
    let id = bridge.get().next_id.fetch_add(1, Ordering::Relaxed);
    let on_done = Bound::new(
        py,
        Canceller {
            bridge: bridge.clone().unbind(),
            id,
        },
    )?
    .into_any();
    future.call_method1(intern!(py, "add_done_callback"), (&on_done,))?;
    let queue = Arc::clone(&bridge.get().queue);
    // Dropping the sender (the future cancelled, the bridge closed) drops the work, and
    // with it the request in flight; work not started yet is never started.
    let (abort, aborted) = oneshot::channel::<()>();
    bridge.get().runtime.submit(Box::pin(async move {
        tokio::select! {
            biased;
            _ = aborted => {}
            outcome = work => queue.push(id, Box::new(move |py| finish(py, outcome))),
        }
    }))?;
    // No completion can be handled before this: that happens on this thread, later.
    bridge.get().pending().insert(
        id,
        Pending {
            future: future.clone().unbind(),
            on_done: on_done.unbind(),
            _abort: abort,
        },
    );
    Ok(future)
}

/// The tokio side of a bridge: finished calls waiting for the loop, and how to wake it.
struct Queue {
    done: Mutex<Vec<(u64, Finish)>>,
    wake: Wake,
    closed: AtomicBool,
}

enum Wake {
    /// One byte on the socket the loop watches.
    #[cfg(unix)]
    Socket(std::os::unix::net::UnixStream),
    /// `loop.call_soon_threadsafe(drain)`, for loops without `add_reader`: the loop (weakly)
    /// and the drain, set once the bridge exists and cleared when it closes.
    Threadsafe {
        event_loop: Py<PyWeakrefReference>,
        drain: Mutex<Option<Py<PyAny>>>,
    },
}

impl Queue {
    fn push(&self, id: u64, finish: Finish) {
        if self.closed.load(Ordering::Acquire) {
            return;
        }
        let was_empty = {
            let mut done = lock(&self.done);
            let was_empty = done.is_empty();
            done.push((id, finish));
            was_empty
        };
        // A queue that was not empty has a wake-up on its way already.
        if was_empty {
            self.wake();
        }
    }

    fn wake(&self) {
        match &self.wake {
            #[cfg(unix)]
            Wake::Socket(writer) => {
                use std::io::Write;
                // A full socket (WouldBlock) already holds a wake-up; a closed one means the
                // loop is gone and nobody waits.
                let _ = (&*writer).write(&[1]);
            }
            Wake::Threadsafe { event_loop, drain } => Python::attach(|py| {
                let Some(drain) = lock(drain).as_ref().map(|d| d.clone_ref(py)) else {
                    return;
                };
                if let Some(event_loop) = event_loop.bind(py).upgrade() {
                    // A closed loop refuses; its futures have nobody to hand them to.
                    let _ = event_loop.call_method1(intern!(py, "call_soon_threadsafe"), (drain,));
                }
            }),
        }
    }

    fn take(&self) -> Vec<(u64, Finish)> {
        std::mem::take(&mut *lock(&self.done))
    }
}

/// A call handed out and not yet resolved.
struct Pending {
    future: Py<PyAny>,
    on_done: Py<PyAny>,
    /// Dropped, it aborts the call's work (see `awaitable`).
    _abort: oneshot::Sender<()>,
}

/// The bridge of one event loop. Its state is touched on the loop's thread only (the
/// mutexes are never contended; `frozen` classes must be shareable).
#[pyclass(frozen, module = "runai_admin._core")]
pub struct Bridge {
    queue: Arc<Queue>,
    pending: Mutex<HashMap<u64, Pending>>,
    next_id: AtomicU64,
    /// This process's async runtime (a bridge serves the process that made it only).
    runtime: &'static AsyncRuntime,
    /// Weak: the loop holds the bridge (through its reader), never the other way round.
    event_loop: Py<PyWeakrefReference>,
    #[cfg(unix)]
    reader: Mutex<Option<std::os::unix::net::UnixStream>>,
    pid: u32,
}

#[pymethods]
impl Bridge {
    /// Resolve every call that finished since the last drain (the loop calls this when the
    /// socket is readable, or through `call_soon_threadsafe`).
    fn _drain(&self, py: Python<'_>) {
        // The wake-up bytes first, then the queue: a call queued in between sends a byte
        // that wakes the next drain, never one that this drain eats with no call behind it.
        #[cfg(unix)]
        if let Some(reader) = lock(&self.reader).as_ref() {
            use std::io::Read;
            let mut bytes = [0u8; 512];
            // A short read emptied the socket: one call where a loop would make a second
            // only to be told it would block.
            while matches!((&*reader).read(&mut bytes), Ok(n) if n == bytes.len()) {}
        }
        for (id, finish) in self.queue.take() {
            let Some(call) = self.pending().remove(&id) else {
                continue; // cancelled meanwhile
            };
            if let Err(err) = resolve(py, &call, finish) {
                // Only a broken future gets here: reported, and the batch goes on.
                err.write_unraisable(py, Some(call.future.bind(py)));
            }
        }
    }
}

fn resolve(py: Python<'_>, call: &Pending, finish: Finish) -> PyResult<()> {
    let future = call.future.bind(py);
    future.call_method1(intern!(py, "remove_done_callback"), (&call.on_done,))?;
    // A future someone else completed (cancelled) wants nothing.
    if future.call_method0(intern!(py, "done"))?.is_truthy()? {
        return Ok(());
    }
    match finish(py) {
        Ok(value) => future.call_method1(intern!(py, "set_result"), (value,))?,
        Err(err) => future.call_method1(intern!(py, "set_exception"), (err.into_value(py),))?,
    };
    Ok(())
}

impl Bridge {
    fn pending(&self) -> MutexGuard<'_, HashMap<u64, Pending>> {
        lock(&self.pending)
    }

    fn serves(&self, py: Python<'_>, event_loop: &Bound<'_, PyAny>) -> bool {
        self.pid == runai_admin_core::process::id()
            && !self.queue.closed.load(Ordering::Acquire)
            && self
                .event_loop
                .bind(py)
                .upgrade()
                .is_some_and(|l| l.is(event_loop))
    }

    /// Stop: no more wake-ups, the tasks still running aborted, the socket closed.
    fn close(&self, py: Python<'_>) {
        if self.queue.closed.swap(true, Ordering::AcqRel) {
            return;
        }
        #[cfg(unix)]
        if let Some(reader) = lock(&self.reader).take() {
            use std::os::fd::AsRawFd;
            if let Some(event_loop) = self.event_loop.bind(py).upgrade() {
                let _ =
                    event_loop.call_method1(intern!(py, "remove_reader"), (reader.as_raw_fd(),));
            }
        }
        if let Wake::Threadsafe { drain, .. } = &self.queue.wake {
            lock(drain).take();
        }
        drop(self.queue.take());
        // Each call's work ends with its entry (see `awaitable`).
        drop(std::mem::take(&mut *self.pending()));
    }
}

/// The done-callback of each future: runs only when the future finished without the bridge
/// (that is, it was cancelled), and aborts the tokio task.
#[pyclass(frozen, module = "runai_admin._core")]
struct Canceller {
    bridge: Py<Bridge>,
    id: u64,
}

#[pymethods]
impl Canceller {
    fn __call__(&self, _future: &Bound<'_, PyAny>) {
        // Its entry gone, the call's work ends (see `awaitable`).
        let call = self.bridge.get().pending().remove(&self.id);
        drop(call);
    }
}

/// The weak reference callback of a bridge's loop: the loop is gone, so is its bridge.
#[pyclass(frozen, module = "runai_admin._core")]
struct LoopGone {
    key: usize,
}

#[pymethods]
impl LoopGone {
    fn __call__(&self, py: Python<'_>, gone: &Bound<'_, PyAny>) -> PyResult<()> {
        let registry = registry(py);
        if let Some(found) = registry.get_item(self.key)? {
            let bridge = found.cast_into::<Bridge>()?;
            // The key is the loop's address: only the bridge of THIS loop goes.
            if bridge.get().event_loop.bind(py).is(gone) {
                forget(registry, self.key, bridge.get())?;
            }
        }
        Ok(())
    }
}

static BRIDGES: PyOnceLock<Py<PyDict>> = PyOnceLock::new();

/// Bridges by their loop's address (guarded by the GIL).
fn registry(py: Python<'_>) -> &Bound<'_, PyDict> {
    BRIDGES
        .get_or_init(py, || PyDict::new(py).unbind())
        .bind(py)
}

fn bridge_for<'py>(
    py: Python<'py>,
    event_loop: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, Bridge>> {
    let registry = registry(py);
    let key = event_loop.as_ptr() as usize;
    if let Some(found) = registry.get_item(key)? {
        let bridge = found.cast_into::<Bridge>()?;
        if bridge.get().serves(py, event_loop) {
            return Ok(bridge);
        }
        forget(registry, key, bridge.get())?;
    }
    sweep(py, registry)?;
    let bridge = open(py, event_loop, key)?;
    registry.set_item(key, &bridge)?;
    Ok(bridge)
}

/// Close the bridges of loops that were closed (or belong to the parent of a fork) but are
/// still alive: nothing will run on them again.
fn sweep(py: Python<'_>, registry: &Bound<'_, PyDict>) -> PyResult<()> {
    let entries: Vec<_> = registry.iter().collect();
    for (key, bridge) in entries {
        let bridge = bridge.cast_into::<Bridge>()?;
        let closed = match bridge.get().event_loop.bind(py).upgrade() {
            Some(event_loop) if bridge.get().pid == runai_admin_core::process::id() => event_loop
                .call_method0(intern!(py, "is_closed"))?
                .is_truthy()?,
            _ => true,
        };
        if closed {
            forget(registry, key.extract()?, bridge.get())?;
        }
    }
    Ok(())
}

/// Take a bridge out of the registry, then close it. Closing can run the garbage collector,
/// which can fire another loop's `LoopGone` and take that entry out first: so the entry is
/// removed only if it is still there (and before the close, so its own callback finds
/// nothing to do).
fn forget(registry: &Bound<'_, PyDict>, key: usize, bridge: &Bridge) -> PyResult<()> {
    if registry.contains(key)? {
        registry.del_item(key)?;
    }
    bridge.close(registry.py());
    Ok(())
}

fn open<'py>(
    py: Python<'py>,
    event_loop: &Bound<'py, PyAny>,
    key: usize,
) -> PyResult<Bound<'py, Bridge>> {
    let runtime = async_runtime()?;
    let weak = || PyWeakrefReference::new_with(event_loop, LoopGone { key });
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        let (reader, writer) = std::os::unix::net::UnixStream::pair()?;
        reader.set_nonblocking(true)?;
        writer.set_nonblocking(true)?;
        let fd = reader.as_raw_fd();
        let bridge = Bound::new(
            py,
            Bridge {
                queue: Arc::new(Queue {
                    done: Mutex::new(Vec::new()),
                    wake: Wake::Socket(writer),
                    closed: AtomicBool::new(false),
                }),
                pending: Mutex::new(HashMap::new()),
                next_id: AtomicU64::new(0),
                runtime,
                event_loop: weak()?.unbind(),
                reader: Mutex::new(Some(reader)),
                pid: runai_admin_core::process::id(),
            },
        )?;
        let drain = bridge.getattr(intern!(py, "_drain"))?;
        match event_loop.call_method1(intern!(py, "add_reader"), (fd, drain)) {
            Ok(_) => return Ok(bridge),
            Err(err) if err.is_instance_of::<PyNotImplementedError>(py) => {
                // Without add_reader the socket is of no use; the fallback below serves.
                lock(&bridge.get().reader).take();
                bridge.get().queue.closed.store(true, Ordering::Release);
            }
            Err(err) => return Err(err),
        }
    }
    let weak = weak()?;
    let bridge = Bound::new(
        py,
        Bridge {
            queue: Arc::new(Queue {
                done: Mutex::new(Vec::new()),
                wake: Wake::Threadsafe {
                    event_loop: weak.clone().unbind(),
                    drain: Mutex::new(None),
                },
                closed: AtomicBool::new(false),
            }),
            pending: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(0),
            runtime,
            event_loop: weak.unbind(),
            #[cfg(unix)]
            reader: Mutex::new(None),
            pid: runai_admin_core::process::id(),
        },
    )?;
    if let Wake::Threadsafe { drain, .. } = &bridge.get().queue.wake {
        *lock(drain) = Some(bridge.getattr(intern!(py, "_drain"))?.unbind());
    }
    Ok(bridge)
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
