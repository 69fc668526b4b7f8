//! Injected misbehaviour: the public `Fault` and the queue of faults waiting for a
//! matching request.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use serde_json::json;

use crate::glob;
use crate::reply::Reply;

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
    /// The answer's JSON body (with `status`).
    pub body: Option<serde_json::Value>,
    /// The answer's body as these very bytes, labelled `content_type` (with `status`): what
    /// no JSON value can be, such as a proxy's HTML error page or JSON broken off midway.
    pub raw_body: Option<Vec<u8>>,
    /// The `Content-Type` of `raw_body`; `text/plain` when not given.
    pub content_type: Option<String>,
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
            raw_body: None,
            content_type: None,
            cut_body_after: None,
        }
    }
}

impl Fault {
    /// The answer of a fault that gives a status: its raw body, its JSON body, or the
    /// control plane's `{code, message}`.
    pub(crate) fn reply(&self, status: u16) -> Reply {
        if let Some(raw) = &self.raw_body {
            let media = self.content_type.as_deref().unwrap_or("text/plain");
            return Reply {
                status,
                ..Reply::file(media, raw.clone())
            };
        }
        match &self.body {
            Some(body) => Reply::json(status, body),
            None => Reply::json(status, &json!({"code": status, "message": reason(status)})),
        }
    }
}

/// Generic message for a status, used when a fault gives a status but no body.
fn reason(status: u16) -> &'static str {
    hyper::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Injected fault")
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

#[cfg(test)]
mod reply_tests {
    use super::*;

    #[test]
    fn a_raw_body_goes_out_as_given_with_its_content_type() {
        let page = b"<html><title>502 Bad Gateway</title></html>".to_vec();
        let fault = Fault {
            raw_body: Some(page.clone()),
            content_type: Some("text/html".into()),
            ..Fault::default()
        };
        let reply = fault.reply(502);
        assert_eq!(reply.status, 502);
        assert_eq!(reply.body.at_hand(), page.as_slice());
        assert!(reply
            .headers
            .contains(&("content-type".to_string(), "text/html".to_string())));
        let plain = Fault::default().reply(503);
        assert_eq!(plain.status, 503);
        assert!(String::from_utf8_lossy(plain.body.at_hand()).contains("Service Unavailable"));
    }
}
