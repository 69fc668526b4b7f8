//! The client core: one transport, one token cache and one retry policy per `Client`,
//! shared by its sync and async faces and by every thread and task that uses it.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use reqwest::header::HeaderValue;
use serde_json::Value;

use crate::api::bind::bind;
use crate::api::{Catalogue, Operation};
use crate::auth::{parse_token_answer, token_request, BearerToken, FetchedToken, TokenCache};
use crate::config::{AuthMethod, ClientConfig};
use crate::download::{Destination, Downloaded};
use crate::error::{CoreError, CoreResult};
use crate::http::{
    observe, Attempt, Backoff, Reading, Request, Response, RetryDecision, RetryPolicy, Transport,
};

pub struct Core {
    config: ClientConfig,
    /// The pool of the process that made it: a forked child builds its own (the parent's
    /// sockets belong to the parent's event loop).
    transport: Mutex<(u32, Arc<Transport>)>,
    policy: RetryPolicy,
    tokens: TokenCache,
    /// A ready token (`AuthMethod::Bearer`), as its header, built once.
    ready_token: Option<Arc<BearerToken>>,
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
        let ready_token = match &config.auth {
            AuthMethod::Bearer(token) => Some(Arc::new(BearerToken::ready(token)?)),
            _ => None,
        };
        Ok(Arc::new(Core {
            ready_token,
            config,
            transport: Mutex::new((crate::process::id(), Arc::new(transport))),
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

    fn transport(&self) -> CoreResult<Arc<Transport>> {
        let mut held = self
            .transport
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let pid = crate::process::id();
        if held.0 != pid {
            let fresh = Arc::new(Transport::new(&self.config)?);
            let inherited = std::mem::replace(&mut *held, (pid, fresh));
            // Dropping the parent's pool here would unregister its sockets from an event
            // queue the parent still uses: leave it be.
            std::mem::forget(inherited);
        }
        Ok(held.1.clone())
    }

    /// Bind one catalogue operation's arguments (path parameters in order; keywords by
    /// their snake_case names, `body` for a raw wire body) and send it: the entry point
    /// for plain Rust. The Python bindings bind on their side, from Python objects.
    pub async fn call_operation(
        &self,
        operation_id: &str,
        positional: Vec<Value>,
        keywords: Vec<(String, Value)>,
        options: CallOptions,
    ) -> CoreResult<Response> {
        let (op, request) = bound(operation_id, positional, keywords)?;
        self.call(op, request, options).await
    }

    /// `call_operation` for an operation that answers a file: its body in memory, or
    /// streamed into the file `to` names (see `download`).
    pub async fn download_operation(
        &self,
        operation_id: &str,
        positional: Vec<Value>,
        keywords: Vec<(String, Value)>,
        options: CallOptions,
        to: Destination,
    ) -> CoreResult<Downloaded> {
        let (op, request) = bound(operation_id, positional, keywords)?;
        self.download(op, request, options, to).await
    }

    /// Send an operation's request with auth, retries and the call's time budget.
    pub async fn call(
        &self,
        op: &Operation,
        request: Request,
        options: CallOptions,
    ) -> CoreResult<Response> {
        self.exchange(op, &request, options, Reading::Whole).await
    }

    /// The timeout of one call: its own, else the client's.
    pub(crate) fn timeout(&self, options: CallOptions) -> Duration {
        options.timeout.unwrap_or(self.config.timeout)
    }

    /// `call`, reading the body whole or leaving a 2xx body to be streamed. Retries (and
    /// the one token refresh after a 401) happen only here, before any byte of a success
    /// is handed over.
    pub(crate) async fn exchange(
        &self,
        op: &Operation,
        request: &Request,
        options: CallOptions,
        reading: Reading,
    ) -> CoreResult<Response> {
        let deadline = Deadline::new(self.timeout(options));
        let policy = RetryPolicy {
            max_retries: options.max_retries.unwrap_or(self.policy.max_retries),
            ..self.policy
        };
        let transport = self.transport()?;
        let mut refreshed_after_401 = false;
        loop {
            let bearer = if op.signs_in {
                None
            } else {
                self.bearer(&transport, &policy, &deadline).await?
            };
            let token = bearer.as_ref().map(|b| &b.header);
            let attempt = self
                .send_with_retries(
                    &transport,
                    request,
                    token,
                    op.idempotent,
                    (&policy, &deadline),
                    reading,
                )
                .await?;
            if let (Ok(response), Some(used)) = (&attempt, &bearer) {
                // A token can die before its announced expiry (revoked, clock skew): fetch a
                // new one once, then let a second 401 through as the caller's error.
                if response.status == 401 && !refreshed_after_401 && self.refreshable() {
                    refreshed_after_401 = true;
                    self.tokens.invalidate(used.generation).await;
                    continue;
                }
            }
            return finish(&transport, request, attempt, &deadline);
        }
    }

    fn refreshable(&self) -> bool {
        !matches!(self.config.auth, AuthMethod::Bearer(_))
    }

    /// The token for this call. Waiting for another caller's fetch counts against this
    /// call's own budget.
    async fn bearer(
        &self,
        transport: &Transport,
        policy: &RetryPolicy,
        deadline: &Deadline,
    ) -> CoreResult<Option<Arc<BearerToken>>> {
        if let Some(ready) = &self.ready_token {
            return Ok(Some(ready.clone()));
        }
        // The common case, before the token request is even written out (its body is
        // encoded afresh each time, secrets included).
        if let Some(fresh) = self.tokens.fresh() {
            return Ok(Some(fresh));
        }
        let Some(request) = token_request(&self.config.auth)? else {
            return Ok(None);
        };
        let budget = deadline.remaining(transport, &request)?;
        let fetch = self
            .tokens
            .get(|| self.fetch_token(transport, &request, policy, deadline));
        match tokio::time::timeout(budget, fetch).await {
            Ok(token) => token.map(Some),
            Err(_) => Err(deadline.expired(transport, &request)),
        }
    }

    /// Obtaining a token changes nothing on the server, so it is retried like a GET.
    async fn fetch_token(
        &self,
        transport: &Transport,
        request: &Request,
        policy: &RetryPolicy,
        deadline: &Deadline,
    ) -> CoreResult<FetchedToken> {
        let attempt = self
            .send_with_retries(
                transport,
                request,
                None,
                true,
                (policy, deadline),
                Reading::Whole,
            )
            .await?;
        let response = finish(transport, request, attempt, deadline)?;
        parse_token_answer(&response.body).map_err(|message| CoreError::Decode {
            method: request.method.to_string(),
            url: transport.url(&request.path),
            message,
        })
    }

    /// Send until the policy stops retrying or the budget cannot hold another wait.
    async fn send_with_retries(
        &self,
        transport: &Transport,
        request: &Request,
        bearer: Option<&HeaderValue>,
        idempotent: bool,
        (policy, deadline): (&RetryPolicy, &Deadline),
        reading: Reading,
    ) -> CoreResult<Attempt> {
        let mut retry = 0;
        loop {
            let limit = deadline.remaining(transport, request)?;
            // The clock is read only when every attempt is reported.
            let started = observe::every_attempt().then(Instant::now);
            let attempt = transport.send(request, bearer, limit, reading).await;
            let retry_in = match policy.decide(&attempt, idempotent, retry) {
                RetryDecision::RetryAfter(wait) if deadline.has_room_for(wait) => Some(wait),
                _ => None,
            };
            if started.is_some() || retry_in.is_some() {
                let (status, failure) = observe::outcome(&attempt);
                observe::emit(&observe::RequestEvent {
                    method: request.method.as_str(),
                    path: &request.path,
                    status,
                    failure,
                    millis: started.map_or(0.0, |t| t.elapsed().as_secs_f64() * 1000.0),
                    attempt: retry + 1,
                    retry_in,
                });
            }
            match retry_in {
                Some(wait) => {
                    tokio::time::sleep(wait).await;
                    retry += 1;
                }
                None => return Ok(attempt),
            }
        }
    }
}

/// A catalogue operation and its request, bound from plain Rust values.
fn bound(
    operation_id: &str,
    positional: Vec<Value>,
    keywords: Vec<(String, Value)>,
) -> CoreResult<(&'static Operation, Request)> {
    let op = Catalogue::get().operation(operation_id).ok_or_else(|| {
        CoreError::ArgumentValue(format!("no operation {operation_id:?} in the catalogue"))
    })?;
    Ok((op, bind(op, positional, keywords)?))
}

fn finish(
    transport: &Transport,
    request: &Request,
    attempt: Attempt,
    deadline: &Deadline,
) -> CoreResult<Response> {
    // The method and URL are words for errors: a success does not spell them out.
    let method = || request.method.to_string();
    let url = || transport.url(&request.path);
    match attempt {
        Ok(response) if (200..300).contains(&response.status) => Ok(response),
        Ok(response) => Err(CoreError::Api {
            status: response.status,
            method: method(),
            url: url(),
            body: response.body,
        }),
        Err(failure) => {
            Err(failure.into_error(method(), url(), || deadline.expired(transport, request)))
        }
    }
}

/// The time budget of one call, shared by its token request, attempts and back-off.
struct Deadline {
    budget: Duration,
    end: Option<Instant>,
}

impl Deadline {
    fn new(budget: Duration) -> Self {
        Deadline {
            budget,
            end: Instant::now().checked_add(budget),
        }
    }

    fn expired(&self, transport: &Transport, request: &Request) -> CoreError {
        CoreError::Timeout {
            method: request.method.to_string(),
            url: transport.url(&request.path),
            seconds: self.budget.as_secs_f64(),
        }
    }

    fn remaining(&self, transport: &Transport, request: &Request) -> CoreResult<Duration> {
        let Some(end) = self.end else {
            return Ok(self.budget);
        };
        let left = end.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(self.expired(transport, request));
        }
        Ok(left)
    }

    fn has_room_for(&self, wait: Duration) -> bool {
        match (self.end, Instant::now().checked_add(wait)) {
            (Some(end), Some(after_wait)) => after_wait < end,
            (None, _) => true,
            (Some(_), None) => false,
        }
    }
}
