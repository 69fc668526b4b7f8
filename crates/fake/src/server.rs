//! The hyper loop: one task per connection, and around every request the recording and
//! the fault queue.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::{Frame, Incoming, SizeHint};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;

use crate::context::{Request, Shared};
use crate::faults::FaultQueue;
use crate::recorder::{recorded_headers, redact_body, redact_form, RecordedRequest, Recorder};
use crate::reply::{Body, Reply};
use crate::router;

/// One running fake: the state the routes share, and around it what only the server
/// touches (the recording and the fault queue).
pub(crate) struct ServerState {
    pub shared: Shared,
    pub recorder: Recorder,
    pub faults: FaultQueue,
}

impl ServerState {
    pub fn new(
        url: String,
        token_lifetime: Duration,
        cli_binary_size: u64,
    ) -> std::io::Result<ServerState> {
        Ok(ServerState {
            shared: Shared::new(url, token_lifetime, cli_binary_size)?,
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
) -> Result<hyper::Response<WireBody>, DropConnection> {
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
    let cut = fault.as_ref().and_then(|f| {
        f.cut_body_after.map(|after| Cut {
            after,
            stall: Some(f.delay.unwrap_or(CUT_FLUSH)),
        })
    });
    if let Some(delay) = fault
        .as_ref()
        .and_then(|f| f.delay)
        .filter(|_| cut.is_none())
    {
        tokio::time::sleep(delay).await;
    }
    if fault.as_ref().is_some_and(|f| f.drop_connection) {
        return Err(DropConnection);
    }
    let mut reply = match fault.as_ref().and_then(|f| f.status.map(|s| (f, s))) {
        Some((fault, status)) => fault.reply(status),
        None => router::handle(&state.shared, &request),
    };
    if let Some(seconds) = fault.as_ref().and_then(|f| f.retry_after) {
        reply = reply.with_header("retry-after", retry_after_value(seconds));
    }
    state.recorder.answered(seq, reply.status);
    Ok(to_hyper(reply, cut))
}

/// Integer seconds when whole, the decimal otherwise.
fn retry_after_value(seconds: f64) -> String {
    if seconds.fract() == 0.0 && seconds >= 0.0 {
        format!("{}", seconds as u64)
    } else {
        format!("{seconds}")
    }
}

fn to_hyper(reply: Reply, cut: Option<Cut>) -> hyper::Response<WireBody> {
    let mut builder = hyper::Response::builder().status(reply.status);
    for (name, value) in &reply.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    builder
        .body(WireBody::new(reply.body, cut))
        .unwrap_or_else(|_| {
            let mut fallback = hyper::Response::new(WireBody::new(Body::Full(Bytes::new()), None));
            *fallback.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
            fallback
        })
}

/// Where an injected fault breaks a body off, after stalling for `stall`.
struct Cut {
    after: u64,
    stall: Option<Duration>,
}

/// The least pause before a cut.
const CUT_FLUSH: Duration = Duration::from_millis(20);

/// How many bytes of a body go out at once: hyper asks for the next chunk only when the
/// last one is written, so a slow reader holds the fake to one chunk in memory.
const CHUNK: u64 = 64 * 1024;

/// A reply's body on the wire, in chunks, with its exact length announced.
pub(crate) struct WireBody {
    body: Body,
    sent: u64,
    cut: Option<Cut>,
    stalling: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl WireBody {
    fn new(body: Body, cut: Option<Cut>) -> WireBody {
        WireBody {
            body,
            sent: 0,
            cut,
            stalling: None,
        }
    }
}

impl hyper::body::Body for WireBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        let this = self.get_mut();
        let len = this.body.len();
        let mut end = len.min(this.sent.saturating_add(CHUNK));
        if let Some(cut) = this.cut.as_mut() {
            if this.sent >= cut.after {
                // A pause before the break even when none is asked for: hyper writes out
                // what it holds while the body waits, so the client does get the bytes
                // before the cut (a break after the first byte, not a lost answer).
                if let Some(stall) = cut.stall.take() {
                    this.stalling = Some(Box::pin(tokio::time::sleep(stall.max(CUT_FLUSH))));
                }
                if let Some(sleep) = this.stalling.as_mut() {
                    if sleep.as_mut().poll(cx).is_pending() {
                        return Poll::Pending;
                    }
                }
                return Poll::Ready(Some(Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionAborted,
                    "body cut by an injected fault",
                ))));
            }
            end = end.min(cut.after);
        }
        if this.sent >= len {
            return Poll::Ready(None);
        }
        let chunk = this.body.range(this.sent, end);
        this.sent = end;
        Poll::Ready(Some(Ok(Frame::data(chunk))))
    }

    fn is_end_stream(&self) -> bool {
        self.cut.is_none() && self.sent >= self.body.len()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.body.len().saturating_sub(self.sent))
    }
}
