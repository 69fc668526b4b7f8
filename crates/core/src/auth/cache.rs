//! The per-client token cache. However many threads and asyncio tasks need a token at
//! once, one request fetches it: the first caller takes the write lock and fetches, the
//! others wait on the lock and find the fresh token when they get it, or the error of
//! that one fetch when it failed.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderValue;
use tokio::sync::RwLock;

use super::flows::{FetchedToken, MAX_LIFETIME};
use super::jwt::expiry_from_jwt;
use crate::error::{CoreError, CoreResult};
use crate::secret::Secret;

/// A token handed to one request, as the `Authorization` header it travels in (built once
/// per token, marked sensitive so that no debug output shows it); `generation` lets a 401
/// invalidate exactly the token that was refused, not one a concurrent caller has already
/// refreshed.
#[derive(Debug)]
pub struct BearerToken {
    pub header: HeaderValue,
    pub generation: u64,
}

impl BearerToken {
    /// A ready token (one the caller passed rather than one fetched).
    pub fn ready(token: &Secret) -> CoreResult<Self> {
        Ok(BearerToken {
            header: authorization(token)?,
            generation: 0,
        })
    }
}

/// The `Authorization` header for a token. A token that a header cannot carry can never
/// be sent: that is a configuration problem to report once, not a connection failure to
/// retry.
fn authorization(token: &Secret) -> CoreResult<HeaderValue> {
    let mut header =
        HeaderValue::from_str(&format!("Bearer {}", token.expose())).map_err(|_| {
            CoreError::Configuration(
                "the token holds characters an HTTP header cannot carry".into(),
            )
        })?;
    header.set_sensitive(true);
    Ok(header)
}

struct Cached {
    token: Arc<BearerToken>,
    refresh_at: Option<Instant>,
}

impl Cached {
    fn fresh(&self) -> bool {
        self.refresh_at.is_none_or(|at| Instant::now() < at)
    }
}

#[derive(Default)]
struct State {
    cached: Option<Cached>,
    /// The last fetch's error, with the number of fetches finished once it had.
    failure: Option<(u64, CoreError)>,
}

#[derive(Default)]
pub struct TokenCache {
    state: RwLock<State>,
    /// Tokens obtained so far; each one's number is its generation.
    generation: AtomicU64,
    /// Fetches finished so far, successful or not.
    finished: AtomicU64,
}

/// Refresh ahead of expiry by a tenth of the lifetime, at most 30 s, so a request never
/// leaves with a token that dies on the way.
fn refresh_margin(lifetime: Duration) -> Duration {
    (lifetime / 10).min(Duration::from_secs(30))
}

impl TokenCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// How many tokens this cache has fetched.
    pub fn fetches(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// The cached token while it is fresh, without waiting: `None` when there is none, it
    /// is due for refresh, or a fetch holds the cache (then `get` is the way).
    pub fn fresh(&self) -> Option<Arc<BearerToken>> {
        let state = self.state.try_read().ok()?;
        let cached = state.cached.as_ref().filter(|c| c.fresh())?;
        Some(cached.token.clone())
    }

    pub async fn get<F, Fut>(&self, fetch: F) -> CoreResult<Arc<BearerToken>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = CoreResult<FetchedToken>>,
    {
        // Read before any lock: a fetch that finishes while this caller waits on the lock
        // counts as one this caller waited for.
        let finished_before_waiting = self.finished.load(Ordering::SeqCst);
        if let Some(cached) = self
            .state
            .read()
            .await
            .cached
            .as_ref()
            .filter(|c| c.fresh())
        {
            return Ok(cached.token.clone());
        }
        let mut state = self.state.write().await;
        if let Some(cached) = state.cached.as_ref().filter(|c| c.fresh()) {
            return Ok(cached.token.clone());
        }
        // A fetch that finished while this caller waited failed: share its answer rather
        // than send one more request per waiter.
        if let Some((finished, error)) = &state.failure {
            if *finished > finished_before_waiting {
                return Err(error.clone());
            }
        }
        let outcome = fetch()
            .await
            .and_then(|fetched| Ok((authorization(&fetched.token)?, fetched)));
        let finished = self.finished.fetch_add(1, Ordering::SeqCst) + 1;
        let (header, fetched) = match outcome {
            Ok(both) => both,
            Err(error) => {
                state.failure = Some((finished, error.clone()));
                return Err(error);
            }
        };
        let fetched_at = Instant::now();
        let lifetime = fetched
            .expires_in
            .or_else(|| lifetime_from_jwt(&fetched.token));
        let token = Arc::new(BearerToken {
            header,
            generation: self.generation.fetch_add(1, Ordering::SeqCst) + 1,
        });
        state.failure = None;
        state.cached = Some(Cached {
            token: token.clone(),
            refresh_at: lifetime
                .map(|l| l.min(MAX_LIFETIME))
                .and_then(|l| fetched_at.checked_add(l - refresh_margin(l))),
        });
        Ok(token)
    }

    /// The control plane refused `generation`: drop it unless it was already replaced.
    pub async fn invalidate(&self, generation: u64) {
        let mut state = self.state.write().await;
        if state
            .cached
            .as_ref()
            .is_some_and(|c| c.token.generation == generation)
        {
            state.cached = None;
        }
    }
}

fn lifetime_from_jwt(token: &Secret) -> Option<Duration> {
    let exp = expiry_from_jwt(token.expose())?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs();
    Some(Duration::from_secs(exp.saturating_sub(now)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    fn token(expires_in: Option<Duration>) -> FetchedToken {
        FetchedToken {
            token: Secret::new("t"),
            expires_in,
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_callers_share_one_fetch() {
        let cache = Arc::new(TokenCache::new());
        let calls = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..32 {
            let cache = cache.clone();
            let calls = calls.clone();
            tasks.push(tokio::spawn(async move {
                cache
                    .get(|| async {
                        calls.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        Ok(token(Some(Duration::from_secs(3600))))
                    })
                    .await
                    .map(|t| t.generation)
            }));
        }
        for task in tasks {
            assert_eq!(task.await.expect("joined").expect("token"), 1);
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn waiters_share_the_error_of_the_fetch_they_waited_for() {
        let cache = Arc::new(TokenCache::new());
        let calls = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let cache = cache.clone();
            let calls = calls.clone();
            tasks.push(tokio::spawn(async move {
                cache
                    .get(|| async {
                        calls.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        Err(CoreError::Configuration("refused".into()))
                    })
                    .await
                    .is_err()
            }));
        }
        for task in tasks {
            assert!(task.await.expect("joined"));
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        // A later caller tries again.
        let later = cache.get(|| async { Ok(token(None)) }).await;
        assert!(later.is_ok());
    }

    #[tokio::test]
    async fn a_token_near_expiry_is_refreshed() {
        let cache = TokenCache::new();
        let first = cache
            .get(|| async { Ok(token(Some(Duration::from_millis(100)))) })
            .await
            .expect("t");
        tokio::time::sleep(Duration::from_millis(120)).await;
        let second = cache
            .get(|| async { Ok(token(Some(Duration::from_secs(60)))) })
            .await
            .expect("t");
        assert_eq!((first.generation, second.generation), (1, 2));
    }

    #[tokio::test]
    async fn invalidating_a_replaced_token_keeps_the_new_one() {
        let cache = TokenCache::new();
        let first = cache.get(|| async { Ok(token(None)) }).await.expect("t");
        cache.invalidate(first.generation).await;
        let second = cache.get(|| async { Ok(token(None)) }).await.expect("t");
        cache.invalidate(first.generation).await;
        let third = cache.get(|| async { Ok(token(None)) }).await.expect("t");
        assert_eq!(second.generation, third.generation);
        assert_eq!(cache.fetches(), 2);
    }
}
