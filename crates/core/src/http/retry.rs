//! Which failures are sent again, and how long to wait first.
//!
//! Idempotent methods (GET, PUT, DELETE) retry on connection failures and on 429, 502,
//! 503 and 504. POST and PATCH are retried only when the request provably never reached
//! the server (the connection could not be made): the control plane may have acted on a
//! request whose answer was lost, and creating a project twice is worse than an error.

use std::time::Duration;

use rand::Rng;

use super::transport::{Attempt, Failure};

pub const RETRYABLE_STATUSES: [u16; 4] = [429, 502, 503, 504];

#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub max_retries: u32,
    pub backoff: Backoff,
}

/// Exponential back-off with full jitter: the wait before retry n is uniform in
/// `[0, min(cap, base * 2^n)]`, which spreads a crowd of clients that failed together.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub base: Duration,
    pub cap: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            base: Duration::from_millis(250),
            cap: Duration::from_secs(8),
        }
    }
}

impl Backoff {
    pub fn ceiling(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.min(16));
        self.base.saturating_mul(factor).min(self.cap)
    }

    pub fn delay(&self, retry: u32) -> Duration {
        let ceiling = self.ceiling(retry).as_secs_f64();
        Duration::from_secs_f64(rand::rng().random_range(0.0..=ceiling))
    }
}

#[derive(Debug, PartialEq)]
pub enum RetryDecision {
    /// Hand the attempt's outcome to the caller.
    Stop,
    /// Wait this long, then send again.
    RetryAfter(Duration),
}

impl RetryPolicy {
    /// `retry` counts the retries made so far (0 after the first attempt).
    pub fn decide(&self, attempt: &Attempt, idempotent: bool, retry: u32) -> RetryDecision {
        if retry >= self.max_retries {
            return RetryDecision::Stop;
        }
        let retryable = match attempt {
            Ok(response) => idempotent && RETRYABLE_STATUSES.contains(&response.status),
            // A refused certificate (or proxy credentials) is refused again: say so at once.
            Err(Failure::Connect(cause)) => cause.kind.transient(),
            Err(Failure::Broken(_)) | Err(Failure::TimedOut) => idempotent,
            // The same request gets the same redirect.
            Err(Failure::Redirected { .. }) => false,
        };
        if !retryable {
            return RetryDecision::Stop;
        }
        let server_asked = match attempt {
            Ok(response) => response.retry_after,
            Err(_) => None,
        };
        RetryDecision::RetryAfter(server_asked.unwrap_or_else(|| self.backoff.delay(retry)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ConnectionKind;
    use crate::http::{Cause, Response};
    use bytes::Bytes;
    use proptest::prelude::*;

    fn answer(status: u16, retry_after: Option<Duration>) -> Attempt {
        Ok(Response {
            url: String::new(),
            status,
            content_type: None,
            retry_after,
            body: Bytes::new(),
            unread: None,
        })
    }

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_retries: 3,
            backoff: Backoff::default(),
        }
    }

    #[test]
    fn idempotent_calls_retry_on_the_transient_statuses_only() {
        for status in RETRYABLE_STATUSES {
            assert_ne!(
                policy().decide(&answer(status, None), true, 0),
                RetryDecision::Stop
            );
        }
        for status in [200, 400, 401, 404, 409, 500, 501] {
            assert_eq!(
                policy().decide(&answer(status, None), true, 0),
                RetryDecision::Stop
            );
        }
    }

    #[test]
    fn post_and_patch_are_never_retried_once_the_server_may_have_seen_them() {
        assert_eq!(
            policy().decide(&answer(503, None), false, 0),
            RetryDecision::Stop
        );
        assert_eq!(
            policy().decide(&Err(Failure::Broken("reset".into())), false, 0),
            RetryDecision::Stop
        );
        assert_eq!(
            policy().decide(&Err(Failure::TimedOut), false, 0),
            RetryDecision::Stop
        );
        assert_ne!(
            policy().decide(&Err(Failure::Connect("refused".into())), false, 0),
            RetryDecision::Stop
        );
    }

    #[test]
    fn what_fails_the_same_way_again_is_not_retried() {
        for kind in [
            ConnectionKind::Certificate,
            ConnectionKind::ProxyAuthentication,
        ] {
            let failure = Failure::Connect(Cause {
                kind,
                message: String::new(),
            });
            assert_eq!(policy().decide(&Err(failure), true, 0), RetryDecision::Stop);
        }
        let unreachable_proxy = Failure::Connect(Cause {
            kind: ConnectionKind::Proxy,
            message: String::new(),
        });
        assert_ne!(
            policy().decide(&Err(unreachable_proxy), false, 0),
            RetryDecision::Stop
        );
        let redirected = Failure::Redirected {
            status: 307,
            message: String::new(),
        };
        assert_eq!(
            policy().decide(&Err(redirected), true, 0),
            RetryDecision::Stop
        );
    }

    #[test]
    fn retry_after_is_honoured_exactly() {
        let wait = Duration::from_millis(1500);
        assert_eq!(
            policy().decide(&answer(429, Some(wait)), true, 0),
            RetryDecision::RetryAfter(wait)
        );
    }

    #[test]
    fn retries_stop_at_the_limit() {
        assert_eq!(
            policy().decide(&answer(503, None), true, 3),
            RetryDecision::Stop
        );
    }

    proptest! {
        #[test]
        fn jittered_delay_stays_under_the_ceiling(retry in 0u32..40) {
            let backoff = Backoff::default();
            let delay = backoff.delay(retry);
            prop_assert!(delay <= backoff.ceiling(retry));
            prop_assert!(backoff.ceiling(retry) <= backoff.cap);
        }
    }
}
