//! What happened to each request, for whoever watches (the Python face hands it to the
//! `runai_admin` logger). One observer per process, set once; with none set, or with only
//! retries wanted, an attempt costs one atomic load and no clock reading.
//!
//! An event holds only what is safe to log: the method, the path without its query (a
//! query value may be a secret), the status or the kind of failure, the time, the attempt
//! number and the wait before a retry. Never a header, a body or a transport message
//! (reqwest's messages quote the whole URL).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use super::transport::{Attempt, Failure};

/// One attempt at one request.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestEvent<'a> {
    pub method: &'a str,
    /// The path below the base URL, without the query.
    pub path: &'a str,
    /// The HTTP status, or None when no answer came (see `failure`).
    pub status: Option<u16>,
    /// Why no answer came: "connection failed", "connection broken" or "timed out"; or,
    /// with the status, "redirect not followed".
    pub failure: Option<&'static str>,
    pub millis: f64,
    /// 1 for the first attempt, 2 for the first retry, ...
    pub attempt: u32,
    /// Some when the request is sent again after this wait.
    pub retry_in: Option<Duration>,
}

pub type Observer = Arc<dyn Fn(&RequestEvent<'_>) + Send + Sync>;

static OBSERVER: RwLock<Option<Observer>> = RwLock::new(None);
static EVERY_ATTEMPT: AtomicBool = AtomicBool::new(false);

/// Set (or with None, remove) the process's observer.
pub fn set_observer(observer: Option<Observer>) {
    *OBSERVER.write().unwrap_or_else(PoisonError::into_inner) = observer;
}

/// Whether every attempt is reported, or only those followed by a retry (the default:
/// retries are rare and already wait, so reporting them costs nothing that matters).
pub fn report_every_attempt(on: bool) {
    EVERY_ATTEMPT.store(on, Ordering::Relaxed);
}

/// Whether attempts are timed and reported at all.
pub(crate) fn every_attempt() -> bool {
    EVERY_ATTEMPT.load(Ordering::Relaxed)
}

/// Hand an event to the observer, if there is one.
pub(crate) fn emit(event: &RequestEvent<'_>) {
    let observer = OBSERVER
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    if let Some(observer) = observer {
        observer(event);
    }
}

/// The status of an attempt, or the kind of its failure.
pub(crate) fn outcome(attempt: &Attempt) -> (Option<u16>, Option<&'static str>) {
    match attempt {
        Ok(response) => (Some(response.status), None),
        Err(Failure::Connect(_)) => (None, Some("connection failed")),
        Err(Failure::Broken(_)) => (None, Some("connection broken")),
        Err(Failure::TimedOut) => (None, Some("timed out")),
        Err(Failure::Redirected { status, .. }) => (Some(*status), Some("redirect not followed")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Response;
    use bytes::Bytes;

    #[test]
    fn an_outcome_names_the_status_or_only_the_kind_of_failure() {
        let answered: Attempt = Ok(Response {
            url: "https://acme.run.ai/api/v1/x?token=s3cret".into(),
            status: 503,
            content_type: None,
            retry_after: None,
            body: Bytes::from_static(b"secret body"),
            unread: None,
        });
        assert_eq!(outcome(&answered), (Some(503), None));
        let failed: Attempt = Err(Failure::Connect("https://acme.run.ai/?token=s3cret".into()));
        assert_eq!(outcome(&failed), (None, Some("connection failed")));
        assert_eq!(
            outcome(&Err(Failure::Broken("reset".into()))),
            (None, Some("connection broken"))
        );
        assert_eq!(outcome(&Err(Failure::TimedOut)), (None, Some("timed out")));
    }
}
