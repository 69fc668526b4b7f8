//! The transport: one pooled reqwest client per `Client`, and the retry policy that
//! decides what may be sent again.

pub mod observe;
mod retry;
mod tls;
mod transport;

pub use retry::{Backoff, RetryDecision, RetryPolicy};
pub use transport::{
    Attempt, Cause, Failure, Reading, Request, RequestBody, Response, Transport, Unread,
    MAX_REDIRECTS,
};
