//! Injected misbehaviour: the public `Fault` and the queue of faults waiting for a
//! matching request.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use crate::glob;

/// A queued misbehaviour. Each request consumes at most one matching fault, the first
/// queued one that matches.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    /// Matched against the path only: `*` within one segment, `**` across segments.
    pub path_glob: String,
    /// `None` matches any method.
    pub method: Option<String>,
    /// Answer with this status (a `{code, message}` body unless `body` is given).
    pub status: Option<u16>,
    /// How many matching requests the fault applies to before it is used up (0: none).
    pub times: u32,
    /// Seconds, sent as a `Retry-After` header.
    pub retry_after: Option<f64>,
    /// Sleep before answering (then answer normally, or with `status`); with
    /// `cut_body_after`, sleep at the cut instead (a transfer that stalls, then breaks).
    pub delay: Option<Duration>,
    /// Close the connection without any response.
    pub drop_connection: bool,
    pub body: Option<serde_json::Value>,
    /// Answer, but close the connection after this many bytes of the body.
    pub cut_body_after: Option<u64>,
}

impl Default for Fault {
    /// Applies once to any request; set at least one of `status`, `delay`,
    /// `drop_connection`, `cut_body_after`.
    fn default() -> Self {
        Fault {
            path_glob: "**".into(),
            method: None,
            status: None,
            times: 1,
            retry_after: None,
            delay: None,
            drop_connection: false,
            body: None,
            cut_body_after: None,
        }
    }
}

#[derive(Default)]
pub(crate) struct FaultQueue {
    queue: Mutex<Vec<Fault>>,
}

impl FaultQueue {
    pub fn push(&self, fault: Fault) {
        if fault.times > 0 {
            self.queue
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(fault);
        }
    }

    /// The first queued fault that matches, with one use taken from it.
    pub fn take(&self, method: &str, path: &str) -> Option<Fault> {
        let mut queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
        let index = queue.iter().position(|f| {
            f.method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
                && glob::matches(&f.path_glob, path)
        })?;
        let fault = queue.get_mut(index)?;
        fault.times = fault.times.saturating_sub(1);
        let taken = fault.clone();
        if fault.times == 0 {
            queue.remove(index);
        }
        Some(taken)
    }
}
