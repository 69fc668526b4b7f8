//! One attempt at one HTTP request, through a pooled client built from the settings.

use std::sync::{Arc, Once};
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{
    HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, LOCATION, RETRY_AFTER,
};

use crate::config::{ClientConfig, Proxy, Verify};
use crate::error::{ConnectionKind, CoreError, CoreResult};

/// A request ready to send: everything but the bearer token, which is added per attempt
/// so that a refreshed token is picked up on retry.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: reqwest::Method,
    /// Path below the base URL, already percent-encoded (`/api/v1/org-unit/projects/42`).
    pub path: String,
    pub query: Vec<(String, String)>,
    pub body: Option<RequestBody>,
}

#[derive(Clone)]
pub enum RequestBody {
    Json(Bytes),
    /// Form fields; token requests carry secrets here, so Debug shows only the names.
    Form(Vec<(String, String)>),
}

impl std::fmt::Debug for RequestBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RequestBody::Json(b) => write!(f, "Json({} bytes)", b.len()),
            RequestBody::Form(fields) => {
                let names: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
                write!(f, "Form({names:?})")
            }
        }
    }
}

#[derive(Debug)]
pub struct Response {
    /// The URL that answered, for errors about the answer.
    pub url: String,
    pub status: u16,
    pub content_type: Option<String>,
    pub retry_after: Option<Duration>,
    /// The whole body; empty when it is still `unread`.
    pub body: Bytes,
    /// A streamed 2xx answer's body, not read yet (`Reading::Streamed`).
    pub unread: Option<Unread>,
}

/// How much of an answer an attempt reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// The whole body, within the attempt's time limit.
    Whole,
    /// Only the head of a 2xx answer, within the limit: its body is left to be read chunk
    /// by chunk (a download). Error answers are still read whole, to be reported.
    Streamed,
}

/// A body still on the wire.
#[derive(Debug)]
pub struct Unread(reqwest::Response);

impl Unread {
    /// The next chunk, `None` at the end. Each wait is bounded by `gap`.
    pub async fn chunk(&mut self, gap: Duration) -> Result<Option<Bytes>, Failure> {
        match tokio::time::timeout(gap, self.0.chunk()).await {
            Ok(chunk) => chunk.map_err(|e| classify(e, None)),
            Err(_) => Err(Failure::TimedOut),
        }
    }

    /// The length the server announced, if any.
    pub fn announced_length(&self) -> Option<u64> {
        self.0.content_length()
    }
}

/// Why an attempt got no usable HTTP answer.
#[derive(Debug)]
pub enum Failure {
    /// The connection could not be made: the request provably never reached the server.
    Connect(Cause),
    /// The connection broke or the answer was garbled: the server may have acted on it.
    Broken(Cause),
    /// This attempt's share of the time budget ran out.
    TimedOut,
    /// The server answered with a redirect the client does not follow (see
    /// `redirect_policy`); `message` says where to and why not.
    Redirected { status: u16, message: String },
}

/// What failed, and the words for it (no URL query, no header, no proxy credentials).
#[derive(Debug)]
pub struct Cause {
    pub kind: ConnectionKind,
    pub message: String,
}

impl From<&str> for Cause {
    /// A network failure with these words.
    fn from(message: &str) -> Self {
        Cause {
            kind: ConnectionKind::Network,
            message: message.to_string(),
        }
    }
}

impl Failure {
    /// The caller's error for this failure of `method url`; `timed_out` words a timeout,
    /// whose budget only the caller knows.
    pub fn into_error(
        self,
        method: String,
        url: String,
        timed_out: impl FnOnce() -> CoreError,
    ) -> CoreError {
        match self {
            Failure::Connect(cause) | Failure::Broken(cause) => CoreError::Connection {
                method,
                url,
                message: cause.message,
                kind: cause.kind,
            },
            Failure::TimedOut => timed_out(),
            Failure::Redirected { status, message } => CoreError::Redirect {
                status,
                method,
                url,
                message,
            },
        }
    }
}

/// The most redirects one request follows (307 and 308 within the base URL's origin; no
/// other redirect is followed at all): a loop ends after this many in `Failure::Redirected`.
pub const MAX_REDIRECTS: usize = 10;

pub type Attempt = Result<Response, Failure>;

pub struct Transport {
    client: reqwest::Client,
    base_url: String,
    /// The base URL parsed once, and its path (empty at the root): a request's URL is its
    /// path resolved against it, which does not parse the host again.
    base: Option<(reqwest::Url, String)>,
    /// The proxy every request crosses, for the words of its errors.
    proxy: Option<Proxy>,
}

fn install_crypto_provider() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Err only means another library of the process installed one first; that one serves.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

impl Transport {
    pub fn new(config: &ClientConfig) -> CoreResult<Self> {
        install_crypto_provider();
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        let mut builder = reqwest::Client::builder()
            .user_agent(config.user_agent.clone())
            .default_headers(headers)
            .connect_timeout(config.connect_timeout)
            .pool_idle_timeout(Duration::from_secs(60))
            .tcp_nodelay(true)
            .redirect(redirect_policy());
        // The proxy was chosen with the settings (`config::resolve_proxy`), the environment
        // included: reqwest must not read the variables again on its own.
        builder = match &config.proxy {
            None => builder.no_proxy(),
            Some(proxy) => builder.proxy(reqwest::Proxy::all(proxy.url()).map_err(|_| {
                CoreError::Configuration(format!(
                    "{}: not a usable proxy URL: {}",
                    proxy.source, proxy.shown
                ))
            })?),
        };
        match &config.verify {
            Verify::System => {}
            Verify::Disabled => builder = builder.tls_danger_accept_invalid_certs(true),
            Verify::CaBundle(path) => {
                // The file's certificates are roots (a private CA) and, presented exactly,
                // the server's own certificate (a self-signed one); see `tls`.
                let pinned = super::tls::read_pem_certificates(path)?;
                let provider = rustls::crypto::CryptoProvider::get_default()
                    .map(Arc::clone)
                    .unwrap_or_else(|| Arc::new(rustls::crypto::ring::default_provider()));
                builder = builder
                    .tls_backend_preconfigured(super::tls::pinned_client_config(pinned, provider)?);
            }
        }
        let client = builder
            .build()
            .map_err(|e| CoreError::Configuration(format!("cannot build the HTTP client: {e}")))?;
        Ok(Transport {
            client,
            base_url: config.base_url.clone(),
            base: reqwest::Url::parse(&config.base_url).ok().map(|base| {
                let prefix = base.path().trim_end_matches('/').to_string();
                (base, prefix)
            }),
            proxy: config.proxy.clone(),
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    /// `url(path)` parsed, resolved against the parsed base: the same URL without parsing
    /// the scheme and host (with their IDNA mapping) again. `None` where resolving could
    /// read the path otherwise (one that does not start with a single `/`).
    fn parsed_url(&self, path: &str) -> Option<reqwest::Url> {
        let (base, prefix) = self.base.as_ref()?;
        if !path.starts_with('/') || path.starts_with("//") {
            return None;
        }
        base.join(&format!("{prefix}{path}")).ok()
    }

    /// Send once. `limit` bounds this attempt (the call's remaining budget): the whole
    /// exchange, or for `Reading::Streamed` the wait for the answer's head (and the
    /// reading of an error answer's body).
    pub async fn send(
        &self,
        request: &Request,
        bearer: Option<&HeaderValue>,
        limit: Duration,
        reading: Reading,
    ) -> Attempt {
        match reading {
            // One timer for the whole exchange, redirects and body included.
            Reading::Whole => tokio::time::timeout(limit, self.exchange(request, bearer, None))
                .await
                .unwrap_or(Err(Failure::TimedOut)),
            Reading::Streamed => self.exchange(request, bearer, Some(limit)).await,
        }
    }

    /// The exchange of `send`. `streamed`: a 2xx body is left unread, and each wait
    /// (for the head, for an error's body) is bounded by the limit given; otherwise the
    /// caller bounds the whole.
    async fn exchange(
        &self,
        request: &Request,
        bearer: Option<&HeaderValue>,
        streamed: Option<Duration>,
    ) -> Attempt {
        let url = self.url(&request.path);
        let mut builder = match self.parsed_url(&request.path) {
            Some(parsed) => self.client.request(request.method.clone(), parsed),
            None => self.client.request(request.method.clone(), url.as_str()),
        };
        if !request.query.is_empty() {
            builder = builder.query(&request.query);
        }
        if let Some(header) = bearer {
            builder = builder.header(AUTHORIZATION, header.clone());
        }
        builder = match &request.body {
            Some(RequestBody::Json(bytes)) => builder
                .header(CONTENT_TYPE, "application/json")
                .body(bytes.clone()),
            Some(RequestBody::Form(fields)) => builder.form(fields),
            None => builder,
        };
        let response = bounded(streamed, builder.send())
            .await?
            .map_err(|e| classify(e, self.proxy.as_ref()))?;
        let status = response.status().as_u16();
        let headers = response.headers();
        if let Some(proxy) = self.proxy.as_ref().filter(|_| status == 407) {
            // A forwarding proxy's own answer (a tunnel's 407 fails the connection instead):
            // the request never went further.
            return Err(Failure::Connect(Cause {
                kind: ConnectionKind::ProxyAuthentication,
                message: format!(
                    "the proxy {} ({}) asks for credentials (407): give them in its URL, \
                     http://user:password@host:port",
                    proxy.shown, proxy.source
                ),
            }));
        }
        if (300..400).contains(&status) && status != 304 {
            let location = headers.get(LOCATION).and_then(|v| v.to_str().ok());
            return Err(Failure::Redirected {
                status,
                message: unfollowed_redirect(status, response.url(), location),
            });
        }
        let content_type = headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let retry_after = headers
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        if streamed.is_some() && (200..300).contains(&status) {
            return Ok(Response {
                url,
                status,
                content_type,
                retry_after,
                body: Bytes::new(),
                unread: Some(Unread(response)),
            });
        }
        let body = bounded(streamed, response.bytes())
            .await?
            .map_err(|e| classify(e, self.proxy.as_ref()))?;
        Ok(Response {
            url,
            status,
            content_type,
            retry_after,
            body,
            unread: None,
        })
    }
}

/// `work`, within `limit` when there is one (`Failure::TimedOut` past it).
async fn bounded<T>(
    limit: Option<Duration>,
    work: impl std::future::Future<Output = T>,
) -> Result<T, Failure> {
    match limit {
        Some(limit) => tokio::time::timeout(limit, work)
            .await
            .map_err(|_| Failure::TimedOut),
        None => Ok(work.await),
    }
}

/// Which redirects reqwest follows: 307 and 308 (they keep the method and the body) to
/// the origin the request went to, at most `MAX_REDIRECTS` of them. Any other is handed
/// back and reported (`unfollowed_redirect`): another host, port or scheme would receive
/// the bearer token's replacement nowhere but also the body, which for a token request
/// holds the client secret or password (reqwest drops only the headers across hosts);
/// https to http would send them in clear; and 301, 302 and 303 turn the request into a
/// GET, which would answer a delete or a create with a read.
fn redirect_policy() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let keeps_method = matches!(attempt.status().as_u16(), 307 | 308);
        let same_origin = attempt
            .previous()
            .last()
            .is_some_and(|previous| previous.origin() == attempt.url().origin());
        if keeps_method && same_origin && attempt.previous().len() <= MAX_REDIRECTS {
            attempt.follow()
        } else {
            attempt.stop()
        }
    })
}

/// The words for a redirect `redirect_policy` did not follow, answered by `from`.
fn unfollowed_redirect(status: u16, from: &reqwest::Url, location: Option<&str>) -> String {
    let Some(target) = location.and_then(|l| from.join(l).ok()) else {
        return format!("the server answered {status} (a redirect) without a usable Location");
    };
    // Where to, without a query or credentials that may be in it.
    let mut shown = target.clone();
    shown.set_query(None);
    shown.set_fragment(None);
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    if target.origin() != from.origin() {
        format!(
            "the server redirected ({status}) to {shown}, another host, port or scheme: not \
             followed, so that the credentials stay with the base URL. If the control plane \
             moved, make that address the base_url"
        )
    } else if matches!(status, 307 | 308) {
        format!(
            "more than {MAX_REDIRECTS} redirects, the last to {shown}: not followed further \
             (a redirect loop?)"
        )
    } else {
        format!(
            "the server redirected ({status}) to {shown}: not followed, as a {status} would \
             turn the request into a GET. Check the base_url"
        )
    }
}

/// Map reqwest's error onto what the retry policy and the caller need to know: the kind
/// from the error's types, the message from its causes (refused, reset, certificate)
/// but never the URL's query, any header or the proxy's credentials.
fn classify(err: reqwest::Error, proxy: Option<&Proxy>) -> Failure {
    // A connect timeout is a connect failure first: the request never left.
    if err.is_connect() {
        let chain = error_chain(&err);
        if refused_certificate(&err) {
            return Failure::Connect(Cause {
                kind: ConnectionKind::Certificate,
                message: format!("{chain}{CERTIFICATE_ADVICE}"),
            });
        }
        return Failure::Connect(match proxy {
            // With a proxy, the only connection the client makes is to it: the tunnel
            // through it to the server is part of that connection.
            Some(proxy) => Cause {
                kind: ConnectionKind::Proxy,
                message: format!(
                    "through the proxy {} ({}): {chain}",
                    proxy.shown, proxy.source
                ),
            },
            None => Cause {
                kind: ConnectionKind::Network,
                message: chain,
            },
        });
    }
    if err.is_timeout() {
        return Failure::TimedOut;
    }
    Failure::Broken(Cause {
        kind: ConnectionKind::Network,
        message: error_chain(&err),
    })
}

/// Appended to a connection failure whose cause is the server's certificate.
const CERTIFICATE_ADVICE: &str = ": TLS certificate problem: the server's certificate is not \
    trusted here. Pass verify= the path of a PEM file with the CA that signed it, or with \
    the server's own certificate if it is self-signed (or set REQUESTS_CA_BUNDLE or \
    SSL_CERT_FILE)";

/// Whether rustls refused the server's certificate somewhere in the chain of causes (an
/// `io::Error` hides the error it wraps from `source()`, so look inside those too).
fn refused_certificate(err: &(dyn std::error::Error + 'static)) -> bool {
    let is_certificate = |e: &(dyn std::error::Error + 'static)| {
        matches!(
            e.downcast_ref::<rustls::Error>(),
            Some(rustls::Error::InvalidCertificate(_))
        )
    };
    let mut current = Some(err);
    while let Some(cause) = current {
        if is_certificate(cause) {
            return true;
        }
        if let Some(inner) = cause
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
        {
            if is_certificate(inner) || refused_certificate(inner) {
                return true;
            }
        }
        current = cause.source();
    }
    false
}

fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = Vec::new();
    let mut current = err.source();
    while let Some(cause) = current {
        parts.push(cause.to_string());
        current = cause.source();
    }
    if parts.is_empty() {
        // reqwest's own text names the URL; the causes alone say what went wrong.
        parts.push(err.to_string());
    }
    parts.dedup();
    parts.join(": ")
}

/// The longest `Retry-After` taken at its word; the call's budget bounds it anyway.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// `Retry-After` in seconds (decimals accepted); HTTP dates are rare for this API and are
/// treated as absent.
fn parse_retry_after(value: &str) -> Option<Duration> {
    let seconds: f64 = value.trim().parse().ok()?;
    if !(seconds.is_finite() && seconds >= 0.0) {
        return None;
    }
    Some(Duration::try_from_secs_f64(seconds).map_or(MAX_RETRY_AFTER, |d| d.min(MAX_RETRY_AFTER)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_takes_seconds_and_ignores_dates() {
        assert_eq!(parse_retry_after("2"), Some(Duration::from_secs(2)));
        assert_eq!(parse_retry_after("0.25"), Some(Duration::from_millis(250)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("-1"), None);
        assert_eq!(parse_retry_after("1e300"), Some(MAX_RETRY_AFTER));
    }

    #[test]
    fn a_resolved_url_is_the_url_parsed_whole() {
        let paths = [
            "/api/v1/org-unit/projects/42",
            "/api/v1/a%20b/c%2Fd",
            "/v1/k8s/clusters/x/projects?q=1",
            "/api/x#frag",
            "/api/caf\u{e9}/\u{1F600}",
            "/api/../x/./y",
        ];
        for base_url in [
            "https://acme.run.ai",
            "http://127.0.0.1:8080",
            "https://acme.run.ai/prefix",
            "https://b\u{fc}cher.example/a/b",
        ] {
            let base = reqwest::Url::parse(base_url).expect("a base URL");
            let prefix = base.path().trim_end_matches('/').to_string();
            for path in paths {
                let resolved = base.join(&format!("{prefix}{path}")).expect("resolved");
                let whole = reqwest::Url::parse(&format!("{base_url}{path}")).expect("parsed");
                assert_eq!(resolved, whole, "{base_url} + {path}");
            }
        }
    }

    #[test]
    fn form_bodies_do_not_show_their_values() {
        let body = RequestBody::Form(vec![("client_secret".into(), "hunter2".into())]);
        assert!(!format!("{body:?}").contains("hunter2"));
    }
}
