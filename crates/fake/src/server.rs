//! The hyper loop: one task per connection, and around every request the recording and
//! the fault queue.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;

use crate::context::{Request, Shared};
use crate::faults::{Fault, FaultQueue};
use crate::recorder::{recorded_headers, redact_body, redact_form, RecordedRequest, Recorder};
use crate::reply::Reply;
use crate::router;

/// One running fake: the state the routes share, and around it what only the server
/// touches (the recording and the fault queue).
pub(crate) struct ServerState {
    pub shared: Shared,
    pub recorder: Recorder,
    pub faults: FaultQueue,
}

impl ServerState {
    pub fn new(url: String, token_lifetime: Duration) -> std::io::Result<ServerState> {
        Ok(ServerState {
            shared: Shared::new(url, token_lifetime)?,
            recorder: Recorder::default(),
            faults: FaultQueue::default(),
        })
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
    state: Arc<ServerState>,
    mut shutdown: tokio::sync::oneshot::Receiver<()>,
) {
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let state = Arc::clone(&state);
                    tokio::spawn(async move {
                        let service = service_fn(move |req| answer(Arc::clone(&state), req));
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
    state: Arc<ServerState>,
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
    let seq = state.recorder.record(RecordedRequest {
        method: request.method.clone(),
        path: request.path.clone(),
        query: redact_form(&request.query).unwrap_or_else(|| request.query.clone()),
        headers: recorded_headers(&parts.headers),
        body: redact_body(&request.body),
        status: 0,
    });

    let fault = state.faults.take(&request.method, &request.path);
    if let Some(delay) = fault.as_ref().and_then(|f| f.delay) {
        tokio::time::sleep(delay).await;
    }
    if fault.as_ref().is_some_and(|f| f.drop_connection) {
        return Err(DropConnection);
    }
    let mut reply = match fault.as_ref().and_then(|f| f.status.map(|s| (f, s))) {
        Some((fault, status)) => fault_reply(fault, status),
        None => router::handle(&state.shared, &request),
    };
    if let Some(seconds) = fault.as_ref().and_then(|f| f.retry_after) {
        reply = reply.with_header("retry-after", retry_after_value(seconds));
    }
    state.recorder.answered(seq, reply.status);
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

/// Generic message for a status, used when a fault gives a status but no body.
fn reason(status: u16) -> &'static str {
    hyper::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Injected fault")
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
