//! The hyper loop: one task per connection, and around every request the recording and
//! the fault queue.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::Value;

use super::auth::Authority;
use super::reply::{reason, Reply};
use super::store::Store;
use super::{glob, handlers, Fault, RecordedRequest};

/// Everything the handlers and the public handle share.
pub(crate) struct Shared {
    pub url: String,
    pub seed_cluster_id: String,
    pub authority: Authority,
    pub store: Mutex<Store>,
    pub recorder: Recorder,
    pub faults: FaultQueue,
}

impl Shared {
    pub fn new(url: String, token_lifetime: Duration) -> std::io::Result<Shared> {
        let store = Store::seeded();
        Ok(Shared {
            seed_cluster_id: store.seed_cluster_id(),
            authority: Authority::new(url.clone(), token_lifetime)?,
            url,
            store: Mutex::new(store),
            recorder: Recorder::default(),
            faults: FaultQueue::default(),
        })
    }

    pub fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A request as the handlers see it.
pub(crate) struct Request {
    pub method: String,
    pub path: String,
    pub query: String,
    pub authorization: Option<String>,
    pub body: Bytes,
}

impl Request {
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        form_urlencoded::parse(self.query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }
}

#[derive(Default)]
pub(crate) struct Recorder {
    // (arrival number, request): the number lets the answer's status find its entry even
    // after a `clear_requests` shifted the rest.
    entries: Mutex<(u64, Vec<(u64, RecordedRequest)>)>,
}

impl Recorder {
    fn record(&self, request: RecordedRequest) -> u64 {
        let mut guard = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        guard.0 += 1;
        let seq = guard.0;
        guard.1.push((seq, request));
        seq
    }

    fn answered(&self, seq: u64, status: u16) {
        let mut guard = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, entry)) = guard.1.iter_mut().rev().find(|(s, _)| *s == seq) {
            entry.status = status;
        }
    }

    pub fn snapshot(&self) -> Vec<RecordedRequest> {
        let guard = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        guard.1.iter().map(|(_, r)| r.clone()).collect()
    }

    pub fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .1
            .clear();
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
    fn take(&self, method: &str, path: &str) -> Option<Fault> {
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

/// The error a service returns to make hyper close the connection without answering.
#[derive(Debug)]
struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by an injected fault")
    }
}

impl std::error::Error for DropConnection {}

pub(crate) async fn serve(
    listener: tokio::net::TcpListener,
    shared: Arc<Shared>,
    mut shutdown: tokio::sync::oneshot::Receiver<()>,
) {
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let shared = Arc::clone(&shared);
                    tokio::spawn(async move {
                        let service = service_fn(move |req| answer(Arc::clone(&shared), req));
                        let _ = http1::Builder::new()
                            .serve_connection(TokioIo::new(stream), service)
                            .await;
                    });
                }
                // Out of file descriptors and the like: back off instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            },
        }
    }
}

async fn answer(
    shared: Arc<Shared>,
    req: hyper::Request<Incoming>,
) -> Result<hyper::Response<Full<Bytes>>, DropConnection> {
    let (parts, body) = req.into_parts();
    let body = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return Err(DropConnection),
    };
    let request = Request {
        method: parts.method.as_str().to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or("").to_string(),
        authorization: parts
            .headers
            .get(hyper::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        body,
    };
    let seq = shared.recorder.record(RecordedRequest {
        method: request.method.clone(),
        path: request.path.clone(),
        query: redact_form(&request.query).unwrap_or_else(|| request.query.clone()),
        headers: recorded_headers(&parts.headers),
        body: redact_body(&request.body),
        status: 0,
    });

    let fault = shared.faults.take(&request.method, &request.path);
    if let Some(delay) = fault.as_ref().and_then(|f| f.delay) {
        tokio::time::sleep(delay).await;
    }
    if fault.as_ref().is_some_and(|f| f.drop_connection) {
        return Err(DropConnection);
    }
    let mut reply = match fault.as_ref().and_then(|f| f.status.map(|s| (f, s))) {
        Some((fault, status)) => fault_reply(fault, status),
        None => handlers::handle(&shared, &request),
    };
    if let Some(seconds) = fault.as_ref().and_then(|f| f.retry_after) {
        reply = reply.with_header("retry-after", retry_after_value(seconds));
    }
    shared.recorder.answered(seq, reply.status);
    Ok(to_hyper(reply))
}

fn fault_reply(fault: &Fault, status: u16) -> Reply {
    match &fault.body {
        Some(body) => Reply::json(status, body),
        None => Reply::json(
            status,
            &serde_json::json!({"code": status, "message": reason(status)}),
        ),
    }
}

/// Integer seconds when whole, the decimal otherwise.
fn retry_after_value(seconds: f64) -> String {
    if seconds.fract() == 0.0 && seconds >= 0.0 {
        format!("{}", seconds as u64)
    } else {
        format!("{seconds}")
    }
}

fn to_hyper(reply: Reply) -> hyper::Response<Full<Bytes>> {
    let mut builder = hyper::Response::builder().status(reply.status);
    for (name, value) in &reply.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    builder.body(Full::new(reply.body)).unwrap_or_else(|_| {
        let mut fallback = hyper::Response::new(Full::new(Bytes::new()));
        *fallback.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
        fallback
    })
}

fn recorded_headers(headers: &hyper::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            let value = if name == hyper::header::AUTHORIZATION {
                redact_authorization(value.to_str().unwrap_or(""))
            } else {
                String::from_utf8_lossy(value.as_bytes()).into_owned()
            };
            (name.as_str().to_ascii_lowercase(), value)
        })
        .collect()
}

fn redact_authorization(value: &str) -> String {
    match value.split_once(' ') {
        Some((scheme, _)) if !scheme.eq_ignore_ascii_case("bearer") => format!("{scheme} ***"),
        _ => "Bearer ***".to_string(),
    }
}

/// Whether a body field (or any text) names a secret: passwords, client/app secrets, refresh and
/// external tokens.
fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    key.contains("secret") || key.contains("password") || key.contains("token")
}

/// Token requests carry secrets in JSON or form bodies; replace their values by `***`
/// so that recordings can be printed and shared. A body that parses as neither yet
/// mentions a secret is withheld whole.
fn redact_body(body: &Bytes) -> Bytes {
    if body.is_empty() {
        return body.clone();
    }
    if let Ok(mut value) = serde_json::from_slice::<Value>(body) {
        if redact_json(&mut value) {
            return Bytes::from(serde_json::to_vec(&value).unwrap_or_default());
        }
        return body.clone();
    }
    let text = String::from_utf8_lossy(body);
    let looks_like_form = text.contains('=') && !text.contains(char::is_whitespace);
    if looks_like_form {
        if let Some(redacted) = redact_form(&text) {
            return Bytes::from(redacted);
        }
    }
    if is_secret_key(&text) {
        return Bytes::from_static(b"<withheld: an unparsed body that may hold a secret>");
    }
    body.clone()
}

/// `a=1&client_secret=x` with the secret values replaced; `None` when there are none.
fn redact_form(text: &str) -> Option<String> {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(text.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if !pairs.iter().any(|(k, _)| is_secret_key(k)) {
        return None;
    }
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (k, v) in &pairs {
        out.append_pair(k, if is_secret_key(k) { "***" } else { v });
    }
    Some(out.finish())
}

fn redact_json(value: &mut Value) -> bool {
    let mut changed = false;
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if is_secret_key(key) && !v.is_null() {
                    *v = Value::String("***".into());
                    changed = true;
                } else {
                    changed |= redact_json(v);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                changed |= redact_json(item);
            }
        }
        _ => {}
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_that_parse_as_nothing_but_mention_secrets_are_withheld() {
        let raw = Bytes::from_static(br#"{"password": "hunter2""#);
        let recorded = redact_body(&raw);
        assert!(!String::from_utf8_lossy(&recorded).contains("hunter2"));
        let plain = Bytes::from_static(b"just some text");
        assert_eq!(redact_body(&plain), plain);
    }

    #[test]
    fn secret_query_parameters_are_redacted() {
        assert_eq!(
            redact_form("a=1&client_secret=hunter2").as_deref(),
            Some("a=1&client_secret=***")
        );
        assert_eq!(redact_form("filterBy=name%3D%3Dx"), None);
    }
}
