//! The client core: one transport, one token cache and one retry policy per `Client`,
//! shared by its sync and async faces and by every thread and task that uses it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::api::Operation;
use crate::auth::{parse_token_answer, token_request, BearerToken, FetchedToken, TokenCache};
use crate::config::{AuthMethod, ClientConfig};
use crate::error::{CoreError, CoreResult};
use crate::http::{
    Attempt, Backoff, Failure, Request, Response, RetryDecision, RetryPolicy, Transport,
};

pub struct Core {
    config: ClientConfig,
    transport: Transport,
    policy: RetryPolicy,
    tokens: TokenCache,
}

/// Per-call overrides of the client's settings.
#[derive(Debug, Default, Clone, Copy)]
pub struct CallOptions {
    pub timeout: Option<Duration>,
    pub max_retries: Option<u32>,
}

impl Core {
    pub fn new(config: ClientConfig) -> CoreResult<Arc<Core>> {
        let transport = Transport::new(&config)?;
        let policy = RetryPolicy {
            max_retries: config.max_retries,
            backoff: Backoff::default(),
        };
        Ok(Arc::new(Core {
            config,
            transport,
            policy,
            tokens: TokenCache::new(),
        }))
    }

    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// How many token requests this client has made.
    pub fn token_fetches(&self) -> u64 {
        self.tokens.fetches()
    }

    /// Send an operation's request with auth, retries and the call's time budget.
    pub async fn call(
        &self,
        op: &Operation,
        request: Request,
        options: CallOptions,
    ) -> CoreResult<Response> {
        let deadline = Deadline::new(options.timeout.unwrap_or(self.config.timeout));
        let policy = RetryPolicy {
            max_retries: options.max_retries.unwrap_or(self.policy.max_retries),
            ..self.policy
        };
        let mut retry = 0;
        let mut refreshed_after_401 = false;
        loop {
            let bearer = self.bearer(&deadline).await?;
            let attempt = self
                .transport
                .send(
                    &request,
                    bearer.as_ref().map(|b| &b.value),
                    deadline.remaining(&request, &self.transport)?,
                )
                .await;
            if let (Ok(response), Some(token)) = (&attempt, &bearer) {
                // A token can die before its announced expiry (revoked, clock skew): fetch a
                // new one once, then let a second 401 through as the caller's error.
                if response.status == 401 && !refreshed_after_401 && self.refreshable() {
                    refreshed_after_401 = true;
                    self.tokens.invalidate(token.generation).await;
                    continue;
                }
            }
            if !self
                .wait_for_retry(&policy, &attempt, op.idempotent, retry, &deadline)
                .await
            {
                return self.finish(&request, attempt, &deadline);
            }
            retry += 1;
        }
    }

    fn refreshable(&self) -> bool {
        !matches!(self.config.auth, AuthMethod::Bearer(_))
    }

    async fn bearer(&self, deadline: &Deadline) -> CoreResult<Option<Arc<BearerToken>>> {
        match &self.config.auth {
            AuthMethod::Bearer(token) => Ok(Some(Arc::new(BearerToken {
                value: token.clone(),
                generation: 0,
            }))),
            auth => {
                let Some(request) = token_request(auth)? else {
                    return Ok(None);
                };
                let token = self
                    .tokens
                    .get(|| self.fetch_token(request, deadline))
                    .await?;
                Ok(Some(token))
            }
        }
    }

    /// Obtaining a token changes nothing on the server, so it is retried like a GET.
    async fn fetch_token(&self, request: Request, deadline: &Deadline) -> CoreResult<FetchedToken> {
        let mut retry = 0;
        loop {
            let attempt = self
                .transport
                .send(
                    &request,
                    None,
                    deadline.remaining(&request, &self.transport)?,
                )
                .await;
            if !self
                .wait_for_retry(&self.policy, &attempt, true, retry, deadline)
                .await
            {
                let response = self.finish(&request, attempt, deadline)?;
                return parse_token_answer(&response.body).map_err(|message| CoreError::Decode {
                    method: request.method.to_string(),
                    url: self.transport.url(&request.path),
                    message,
                });
            }
            retry += 1;
        }
    }

    /// Sleep before a retry when the policy allows one and the budget has room for the wait.
    async fn wait_for_retry(
        &self,
        policy: &RetryPolicy,
        attempt: &Attempt,
        idempotent: bool,
        retry: u32,
        deadline: &Deadline,
    ) -> bool {
        match policy.decide(attempt, idempotent, retry) {
            RetryDecision::Stop => false,
            RetryDecision::RetryAfter(wait) => {
                if !deadline.has_room_for(wait) {
                    return false;
                }
                tokio::time::sleep(wait).await;
                true
            }
        }
    }

    fn finish(
        &self,
        request: &Request,
        attempt: Attempt,
        deadline: &Deadline,
    ) -> CoreResult<Response> {
        let method = request.method.to_string();
        let url = self.transport.url(&request.path);
        match attempt {
            Ok(response) if (200..300).contains(&response.status) => Ok(response),
            Ok(response) => Err(CoreError::Api {
                status: response.status,
                method,
                url,
                body: response.body,
            }),
            Err(Failure::Connect(message)) | Err(Failure::Broken(message)) => {
                Err(CoreError::Connection {
                    method,
                    url,
                    message,
                })
            }
            Err(Failure::TimedOut) => Err(CoreError::Timeout {
                method,
                url,
                seconds: deadline.budget.as_secs_f64(),
            }),
        }
    }
}

/// The time budget of one call, shared by its token request, attempts and back-off.
struct Deadline {
    budget: Duration,
    end: Instant,
}

impl Deadline {
    fn new(budget: Duration) -> Self {
        Deadline {
            budget,
            end: Instant::now() + budget,
        }
    }

    fn remaining(&self, request: &Request, transport: &Transport) -> CoreResult<Duration> {
        let left = self.end.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(CoreError::Timeout {
                method: request.method.to_string(),
                url: transport.url(&request.path),
                seconds: self.budget.as_secs_f64(),
            });
        }
        Ok(left)
    }

    fn has_room_for(&self, wait: Duration) -> bool {
        Instant::now() + wait < self.end
    }
}
