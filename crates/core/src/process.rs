//! This process's id, read from the system once per process.
//!
//! The client asks on every call whether it still runs in the process that built its
//! connection pool (a forked child must build its own), and `getpid` is a system call each
//! time: at 64 calls in flight the bindings asked three times per call. The id is kept
//! instead, and forgotten in a forked child before `fork` returns there (`pthread_atfork`),
//! so the child reads its own the next time.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Once;

/// The id once read; 0 until then, and again in a child just forked.
static PID: AtomicU32 = AtomicU32::new(0);
/// Whether a fork is sure to clear `PID` (else the id is read every time).
static WATCHING: AtomicBool = AtomicBool::new(false);

#[cfg(unix)]
extern "C" fn forget_in_child() {
    PID.store(0, Ordering::Release);
}

/// `std::process::id()`, without a system call after the first.
pub fn id() -> u32 {
    let known = PID.load(Ordering::Acquire);
    if known != 0 {
        return known;
    }
    static WATCH_FORKS: Once = Once::new();
    WATCH_FORKS.call_once(|| WATCHING.store(watch_forks(), Ordering::Release));
    let read = std::process::id();
    if WATCHING.load(Ordering::Acquire) {
        PID.store(read, Ordering::Release);
    }
    read
}

#[cfg(unix)]
fn watch_forks() -> bool {
    // SAFETY: the handler only stores to an atomic, which a child of a multithreaded
    // process may do before it execs or exits.
    unsafe { libc::pthread_atfork(None, None, Some(forget_in_child)) == 0 }
}

/// No fork here: the id never changes.
#[cfg(not(unix))]
fn watch_forks() -> bool {
    true
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_kept_id_is_the_process_id() {
        assert_eq!(super::id(), std::process::id());
        assert_eq!(super::id(), std::process::id());
    }
}
