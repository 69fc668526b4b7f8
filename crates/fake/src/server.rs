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

/// HTTPS for the fake: a CA made at start and a leaf it signed for `127.0.0.1` and
/// `localhost`, both valid for a week; the CA's PEM is what a client is told to trust.
pub(crate) struct Tls {
    pub acceptor: tokio_rustls::TlsAcceptor,
    pub ca_pem: String,
}

impl Tls {
    pub fn generate() -> std::io::Result<Tls> {
        use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};
        let invalid = |e: rcgen::Error| std::io::Error::other(format!("TLS certificate: {e}"));
        let now = time::OffsetDateTime::now_utc();
        let (not_before, not_after) = (
            now - time::Duration::hours(1),
            now + time::Duration::days(7),
        );

        let mut ca_params = CertificateParams::default();
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "runai_admin fake control plane CA");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        ca_params.not_before = not_before;
        ca_params.not_after = not_after;
        let ca_key = KeyPair::generate().map_err(invalid)?;
        let ca = ca_params.self_signed(&ca_key).map_err(invalid)?;

        let mut leaf_params =
            CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()])
                .map_err(invalid)?;
        leaf_params
            .distinguished_name
            .push(DnType::CommonName, "runai_admin fake control plane");
        leaf_params.not_before = not_before;
        leaf_params.not_after = not_after;
        let leaf_key = KeyPair::generate().map_err(invalid)?;
        let issuer = rcgen::Issuer::new(ca_params, ca_key);
        let leaf = leaf_params.signed_by(&leaf_key, &issuer).map_err(invalid)?;

        let key = rustls::pki_types::PrivateKeyDer::try_from(leaf_key.serialize_der())
            .map_err(std::io::Error::other)?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(std::io::Error::other)?
            .with_no_client_auth()
            .with_single_cert(vec![leaf.der().clone(), ca.der().clone()], key)
            .map_err(std::io::Error::other)?;
        Ok(Tls {
            acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(config)),
            ca_pem: ca.pem(),
        })
    }
}

pub(crate) async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<ServerState>,
    tls: Option<tokio_rustls::TlsAcceptor>,
    mut shutdown: tokio::sync::oneshot::Receiver<()>,
) {
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let state = Arc::clone(&state);
                    let tls = tls.clone();
                    tokio::spawn(async move {
                        match tls {
                            None => serve_connection(stream, state).await,
                            // A client that refuses the certificate ends the handshake:
                            // nothing to serve, nothing to record.
                            Some(acceptor) => {
                                if let Ok(stream) = acceptor.accept(stream).await {
                                    serve_connection(stream, state).await;
                                }
                            }
                        }
                    });
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            },
        }
    }
}

async fn serve_connection<S>(stream: S, state: Arc<ServerState>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = service_fn(move |req| answer(Arc::clone(&state), req));
    let _ = http1::Builder::new()
        .serve_connection(TokioIo::new(stream), service)
        .await;
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
