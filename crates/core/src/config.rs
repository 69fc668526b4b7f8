//! Client settings: what the caller passed, completed from the environment and checked
//! before any connection is made.

use std::path::PathBuf;
use std::time::Duration;

use crate::error::{CoreError, CoreResult};
use crate::secret::Secret;

pub const ENV_BASE_URL: &str = "RUNAI_BASE_URL";
pub const ENV_CLIENT_ID: &str = "RUNAI_CLIENT_ID";
pub const ENV_CLIENT_SECRET: &str = "RUNAI_CLIENT_SECRET";
pub const ENV_TOKEN: &str = "RUNAI_TOKEN";
/// CA bundles Python users already set (for `requests`, for OpenSSL), taken in this order
/// when `verify` is not given.
pub const ENV_CA_BUNDLES: [&str; 2] = ["REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"];
/// The proxy of an `https://` base URL when `proxy` is not given, the first set of these
/// (lower case first, as curl and `requests` read them).
pub const ENV_HTTPS_PROXY: [&str; 4] = ["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"];
/// The proxy of an `http://` base URL. `HTTP_PROXY` is skipped under CGI (`REQUEST_METHOD`
/// set), where a request's `Proxy:` header arrives as that variable ("httpoxy").
pub const ENV_HTTP_PROXY: [&str; 4] = ["http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"];
/// Hosts reached directly although a proxy variable is set.
pub const ENV_NO_PROXY: [&str; 2] = ["no_proxy", "NO_PROXY"];

/// How the client obtains its bearer token.
#[derive(Debug, Clone)]
pub enum AuthMethod {
    /// An application's or service account's id and secret.
    ClientCredentials {
        client_id: String,
        client_secret: Secret,
        endpoint: TokenEndpoint,
    },
    /// The seed-era Keycloak realm of older self-hosted control planes.
    KeycloakRealm {
        realm: String,
        client_id: String,
        client_secret: Secret,
    },
    /// A user's email and password; `legacy` logs in through `/v1/k8s/auth/login`.
    Password {
        email: String,
        password: Secret,
        legacy: bool,
    },
    /// A ready token: used as is, never refreshed.
    Bearer(Secret),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenEndpoint {
    /// `POST /api/v1/token`, JSON.
    V1,
    /// `POST /api/v2/token`, OAuth2 form.
    V2,
}

#[derive(Debug, Clone)]
pub enum Verify {
    /// The system's trust store.
    System,
    /// The system's trust store plus a PEM file's certificates: as roots (private CAs of
    /// self-hosted planes) and, presented exactly, as the server's own (self-signed) one.
    CaBundle(PathBuf),
    /// No certificate check at all.
    Disabled,
}

/// What the caller said about proxies.
#[derive(Debug, Clone, Default)]
pub enum ProxySetting {
    /// The proxy variables (`ENV_HTTPS_PROXY`, `ENV_HTTP_PROXY`, `ENV_NO_PROXY`), except
    /// for this machine, which is always reached directly.
    #[default]
    Environment,
    /// Straight to the server, whatever the environment says.
    Direct,
    /// Every request through this proxy (`http://[user:password@]host:port`).
    Url(Secret),
}

/// The proxy a client's requests go through. Its URL may carry credentials: only `shown`
/// (without them) ever appears in a message, a repr or a log.
#[derive(Clone)]
pub struct Proxy {
    url: Secret,
    /// `scheme://host:port`, with `***@` when credentials were given.
    pub shown: String,
    /// Where it came from: `proxy=` or the variable's name.
    pub source: String,
}

impl Proxy {
    /// The URL with its credentials, for the transport alone.
    pub fn url(&self) -> &str {
        self.url.expose()
    }

    /// `raw` as a proxy URL: http:// or https:// (the scheme may be left out, as curl
    /// allows), a host, perhaps credentials; nothing echoed back in errors but its source.
    fn parse(raw: &str, source: &str) -> CoreResult<Proxy> {
        let trimmed = raw.trim();
        let with_scheme = if trimmed.contains("://") {
            trimmed.to_string()
        } else {
            format!("http://{trimmed}")
        };
        let refused = |why: &str| {
            CoreError::Configuration(format!(
                "{source}: {why} (expected http://[user:password@]host:port)"
            ))
        };
        let url = url::Url::parse(&with_scheme).map_err(|_| refused("not a proxy URL"))?;
        if !matches!(url.scheme(), "http" | "https") {
            let scheme = url.scheme().to_string();
            return Err(refused(&format!(
                "{scheme}:// proxies are not supported, only http:// and https://"
            )));
        }
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| refused("the proxy URL has no host"))?;
        let credentials = !url.username().is_empty() || url.password().is_some();
        let port = url.port_or_known_default().unwrap_or(80);
        let shown = format!(
            "{}://{}{host}:{port}",
            url.scheme(),
            if credentials { "***@" } else { "" }
        );
        Ok(Proxy {
            url: Secret::new(url.as_str()),
            shown,
            source: source.to_string(),
        })
    }
}

impl std::fmt::Debug for Proxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Proxy({} from {})", self.shown, self.source)
    }
}

#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub base_url: String,
    pub auth: AuthMethod,
    /// Budget for one method call, all attempts and back-off included.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub max_retries: u32,
    pub verify: Verify,
    /// `None`: straight to the server.
    pub proxy: Option<Proxy>,
    pub user_agent: String,
}

/// What the caller passed; `None` means "take it from the environment".
#[derive(Debug, Default)]
pub struct ConfigInput {
    pub base_url: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<Secret>,
    pub token: Option<Secret>,
    pub auth: Option<AuthMethod>,
    pub timeout: Option<f64>,
    pub max_retries: Option<u32>,
    pub verify: Option<Verify>,
    pub proxy: ProxySetting,
    /// Send credentials over `http://` to a host that is not this machine. Off by default:
    /// anyone on the path could read the secret, the password or the token.
    pub allow_insecure_http: bool,
}

/// A finished configuration and the warnings the caller should see.
#[derive(Debug)]
pub struct Resolved {
    pub config: ClientConfig,
    pub warnings: Vec<String>,
}

const DEFAULT_TIMEOUT: f64 = 30.0;
const MAX_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// A week: longer budgets are surely mistakes (and would overflow clocks).
pub const MAX_TIMEOUT: f64 = 7.0 * 24.0 * 3600.0;

/// A time budget in seconds, checked: positive, finite, at most a week.
pub fn checked_timeout(seconds: f64) -> CoreResult<Duration> {
    if !(seconds.is_finite() && seconds > 0.0 && seconds <= MAX_TIMEOUT) {
        return Err(CoreError::ArgumentValue(format!(
            "timeout must be a number of seconds above 0 and at most {MAX_TIMEOUT}, not {seconds}"
        )));
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// A ready token must fit in an HTTP header; say so now rather than at the first call.
fn check_token(token: &Secret) -> CoreResult<()> {
    let value = token.expose();
    if value.is_empty() || !value.bytes().all(|b| (0x21..0x7f).contains(&b)) {
        return Err(CoreError::Configuration(
            "token must be non-empty printable ASCII without spaces (it is sent in a header)"
                .to_string(),
        ));
    }
    Ok(())
}

impl ConfigInput {
    pub fn resolve(self, env: &dyn Fn(&str) -> Option<String>) -> CoreResult<Resolved> {
        let mut warnings = Vec::new();
        let raw_url = self
            .base_url
            .or_else(|| env(ENV_BASE_URL))
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| {
                CoreError::Configuration(format!(
                    "no base_url: pass base_url= or set {ENV_BASE_URL} (e.g. https://acme.run.ai)"
                ))
            })?;
        let (base_url, url_warnings) = normalize_base_url(&raw_url)?;
        warnings.extend(url_warnings);
        if let Some(host) = unencrypted_remote_host(&base_url) {
            if !self.allow_insecure_http {
                return Err(CoreError::Configuration(format!(
                    "base_url {base_url} is plain http:// to {host}, which is not this machine: \
                     the credentials would cross the network unencrypted. Use https://, or \
                     opt in on a network you trust: allow_insecure_http=True \
                     (runai-admin --allow-insecure-http)"
                )));
            }
            warnings.push(format!(
                "allow_insecure_http=True: credentials go to {host} over unencrypted http://"
            ));
        }

        let explicit = [
            self.auth.is_some(),
            self.token.is_some(),
            self.client_id.is_some() || self.client_secret.is_some(),
        ];
        if explicit.iter().filter(|&&given| given).count() > 1 {
            return Err(CoreError::Configuration(
                "pass only one way to authenticate: auth=, token=, or client_id= with client_secret="
                    .to_string(),
            ));
        }
        let auth = match self.auth {
            Some(auth) => auth,
            None => default_auth(self.client_id, self.client_secret, self.token, env)?,
        };
        if let AuthMethod::Bearer(token) = &auth {
            check_token(token)?;
        }
        let proxy = resolve_proxy(self.proxy, &base_url, env)?;
        let timeout = checked_timeout(self.timeout.unwrap_or(DEFAULT_TIMEOUT))?;
        let verify = match self.verify {
            Some(verify) => verify,
            None => ca_bundle_from_env(env)?,
        };
        if let Verify::CaBundle(path) = &verify {
            if !path.is_file() {
                return Err(CoreError::Configuration(format!(
                    "verify: CA bundle {} is not a readable file",
                    path.display()
                )));
            }
        }
        if matches!(verify, Verify::Disabled) {
            warnings.push(
                "verify=False: TLS certificates are not checked; use it only against a test control plane"
                    .to_string(),
            );
        }
        Ok(Resolved {
            config: ClientConfig {
                base_url,
                auth,
                timeout,
                connect_timeout: timeout.min(MAX_CONNECT_TIMEOUT),
                max_retries: self.max_retries.unwrap_or(3),
                verify,
                proxy,
                user_agent: format!("runai-admin/{}", env!("CARGO_PKG_VERSION")),
            },
            warnings,
        })
    }
}

/// The proxy of a client of `base_url`. The client talks to that one origin only, so the
/// choice is made once here: the argument wins; the environment is read only without it,
/// and never sends this machine's traffic (the fake, a port-forward) through a proxy.
fn resolve_proxy(
    setting: ProxySetting,
    base_url: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> CoreResult<Option<Proxy>> {
    let target = match setting {
        ProxySetting::Direct => return Ok(None),
        ProxySetting::Url(url) => return Proxy::parse(url.expose(), "proxy=").map(Some),
        ProxySetting::Environment => url::Url::parse(base_url).map_err(|e| {
            CoreError::Configuration(format!("base_url {base_url:?} is not a URL: {e}"))
        })?,
    };
    let Some(host) = target.host() else {
        return Ok(None);
    };
    if is_loopback(&host) {
        return Ok(None);
    }
    let names = if target.scheme() == "https" {
        ENV_HTTPS_PROXY
    } else {
        ENV_HTTP_PROXY
    };
    let cgi = env("REQUEST_METHOD").is_some();
    let set = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    let Some((name, value)) = names
        .iter()
        .filter(|name| !(cgi && **name == "HTTP_PROXY"))
        .find_map(|name| set(name).map(|value| (*name, value)))
    else {
        return Ok(None);
    };
    let bypassed = ENV_NO_PROXY
        .iter()
        .find_map(|name| set(name))
        .is_some_and(|list| no_proxy_matches(&list, &host));
    if bypassed {
        return Ok(None);
    }
    Proxy::parse(&value, name).map(Some)
}

/// Whether a `NO_PROXY` list names `host`: `*`; a domain, which covers its subdomains (a
/// leading dot changes nothing); an IP address, or a network in CIDR notation. Ports in
/// entries are ignored, as curl does.
pub fn no_proxy_matches(list: &str, host: &url::Host<&str>) -> bool {
    list.split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .any(|entry| {
            if entry == "*" {
                return true;
            }
            match host {
                url::Host::Domain(name) => domain_matches(entry, name),
                url::Host::Ipv4(address) => address_matches(entry, std::net::IpAddr::V4(*address)),
                url::Host::Ipv6(address) => address_matches(entry, std::net::IpAddr::V6(*address)),
            }
        })
}

fn domain_matches(entry: &str, name: &str) -> bool {
    let entry = entry.rsplit_once(':').map_or(entry, |(host, port)| {
        if port.bytes().all(|b| b.is_ascii_digit()) {
            host
        } else {
            entry
        }
    });
    let entry = entry
        .trim_start_matches('.')
        .trim_end_matches('.')
        .to_ascii_lowercase();
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    !entry.is_empty()
        && (name == entry
            || name
                .strip_suffix(entry.as_str())
                .is_some_and(|head| head.ends_with('.')))
}

fn address_matches(entry: &str, address: std::net::IpAddr) -> bool {
    use std::net::IpAddr;
    let (network, prefix) = match entry.split_once('/') {
        Some((network, prefix)) => match prefix.parse::<u32>() {
            Ok(prefix) => (network, Some(prefix)),
            Err(_) => return false,
        },
        None => (entry, None),
    };
    let network = network.trim_start_matches('[').trim_end_matches(']');
    let Ok(network) = network.parse::<IpAddr>() else {
        // `10.0.0.1:8080` or `[::1]:8080`: the address with a port.
        return entry
            .rsplit_once(':')
            .and_then(|(host, _)| {
                host.trim_start_matches('[')
                    .trim_end_matches(']')
                    .parse()
                    .ok()
            })
            .is_some_and(|host: IpAddr| host == address);
    };
    let (wanted, given, width) = match (network, address) {
        (IpAddr::V4(n), IpAddr::V4(a)) => (u128::from(u32::from(n)), u128::from(u32::from(a)), 32),
        (IpAddr::V6(n), IpAddr::V6(a)) => (u128::from(n), u128::from(a), 128),
        _ => return false,
    };
    let prefix = prefix.unwrap_or(width).min(width);
    let shift = width - prefix;
    // A shift of 128 (a /0) matches everything; checked_shr says None there.
    wanted.checked_shr(shift).unwrap_or(0) == given.checked_shr(shift).unwrap_or(0)
}

/// This machine: 127.0.0.0/8, `::1` (also as `::ffff:127.x`), `localhost`.
fn is_loopback(host: &url::Host<&str>) -> bool {
    match host {
        url::Host::Ipv4(address) => address.is_loopback(),
        url::Host::Ipv6(address) => {
            address.is_loopback() || address.to_ipv4_mapped().is_some_and(|a| a.is_loopback())
        }
        url::Host::Domain(name) => name.trim_end_matches('.').eq_ignore_ascii_case("localhost"),
    }
}

/// `verify` not given: the first of `ENV_CA_BUNDLES` that is set and not empty, else the
/// system's trust store. A variable naming a missing file is an error naming the variable.
fn ca_bundle_from_env(env: &dyn Fn(&str) -> Option<String>) -> CoreResult<Verify> {
    for name in ENV_CA_BUNDLES {
        if let Some(value) = env(name).filter(|v| !v.trim().is_empty()) {
            let path = PathBuf::from(value);
            if !path.is_file() {
                return Err(CoreError::Configuration(format!(
                    "{name}={} is not a readable file: fix or unset it, or pass verify=",
                    path.display()
                )));
            }
            return Ok(Verify::CaBundle(path));
        }
    }
    Ok(Verify::System)
}

/// Explicit arguments win over the environment; a token wins over client credentials only
/// when no credentials were passed explicitly.
fn default_auth(
    client_id: Option<String>,
    client_secret: Option<Secret>,
    token: Option<Secret>,
    env: &dyn Fn(&str) -> Option<String>,
) -> CoreResult<AuthMethod> {
    if let Some(token) = token {
        return Ok(AuthMethod::Bearer(token));
    }
    if client_id.is_none() && client_secret.is_none() {
        if let Some(token) = env(ENV_TOKEN).filter(|t| !t.is_empty()) {
            return Ok(AuthMethod::Bearer(Secret::new(token)));
        }
    }
    let client_id = client_id.or_else(|| env(ENV_CLIENT_ID));
    let client_secret = client_secret.or_else(|| env(ENV_CLIENT_SECRET).map(Secret::new));
    match (client_id, client_secret) {
        (Some(client_id), Some(client_secret)) => Ok(AuthMethod::ClientCredentials {
            client_id,
            client_secret,
            endpoint: TokenEndpoint::V1,
        }),
        (Some(_), None) => Err(CoreError::Configuration(format!(
            "client_id is set but client_secret is not: pass client_secret= or set {ENV_CLIENT_SECRET}"
        ))),
        (None, Some(_)) => Err(CoreError::Configuration(format!(
            "client_secret is set but client_id is not: pass client_id= or set {ENV_CLIENT_ID}"
        ))),
        (None, None) => Err(CoreError::Configuration(format!(
            "no credentials: pass client_id= and client_secret=, token=, or auth=, \
             or set {ENV_CLIENT_ID} and {ENV_CLIENT_SECRET} (or {ENV_TOKEN})"
        ))),
    }
}

/// `acme.run.ai` → `https://acme.run.ai`; trailing slashes and a pasted API path
/// (`/api/v1/...`, `/v1/k8s/...`) are trimmed, with a warning saying what was dropped.
pub fn normalize_base_url(raw: &str) -> CoreResult<(String, Vec<String>)> {
    let mut warnings = Vec::new();
    let trimmed = raw.trim();
    let with_scheme = if trimmed.contains("://") {
        trimmed.to_string()
    } else {
        format!("https://{trimmed}")
    };
    let mut url = url::Url::parse(&with_scheme)
        .map_err(|e| CoreError::Configuration(format!("base_url {trimmed:?} is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(CoreError::Configuration(format!(
            "base_url must be http:// or https://, not {}://",
            url.scheme()
        )));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(CoreError::Configuration(format!(
            "base_url {trimmed:?} has no host"
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        // Never echo them back: they may be credentials.
        return Err(CoreError::Configuration(
            "base_url must not carry a user name or password; pass credentials separately"
                .to_string(),
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        warnings.push("base_url: the query string and fragment were dropped".to_string());
        url.set_query(None);
        url.set_fragment(None);
    }
    let path = url.path().trim_end_matches('/').to_string();
    let kept = api_suffix_start(&path).map_or(path.as_str(), |i| &path[..i]);
    if kept.len() != path.len() {
        warnings.push(format!(
            "base_url: dropped the API path {:?}; the base URL is the admin UI's address",
            &path[kept.len()..]
        ));
    }
    let kept = kept.to_string();
    url.set_path(&kept);
    let text = url.as_str().trim_end_matches('/').to_string();
    Ok((text, warnings))
}

/// The host of an `http://` base URL that is not a loopback address (127.0.0.0/8, ::1,
/// `localhost`); `None` for https and for this machine. Every request carries a secret (a
/// client secret or password to get the token, then the token), so the check is on the
/// base URL alone: it is the target whatever proxy the requests cross, and the client
/// follows no redirect to another origin.
fn unencrypted_remote_host(base_url: &str) -> Option<String> {
    let url = url::Url::parse(base_url).ok()?;
    if url.scheme() != "http" {
        return None;
    }
    (!is_loopback(&url.host()?)).then(|| url.host_str().unwrap_or_default().to_string())
}

/// Where a pasted `/api/...` or `/v1/k8s...` suffix starts, if there is one.
fn api_suffix_start(path: &str) -> Option<usize> {
    ["/api/", "/v1/k8s"]
        .iter()
        .filter_map(|marker| {
            path.find(marker)
                .or_else(|| (path.ends_with("/api")).then(|| path.len() - 4))
        })
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> (String, usize) {
        let (url, warnings) = normalize_base_url(s).expect("valid");
        (url, warnings.len())
    }

    #[test]
    fn bare_host_means_https() {
        assert_eq!(norm("acme.run.ai"), ("https://acme.run.ai".into(), 0));
    }

    #[test]
    fn trailing_slashes_go_silently() {
        assert_eq!(
            norm("https://acme.run.ai///"),
            ("https://acme.run.ai".into(), 0)
        );
        assert_eq!(
            norm("http://127.0.0.1:8080/"),
            ("http://127.0.0.1:8080".into(), 0)
        );
    }

    #[test]
    fn pasted_api_paths_are_trimmed_with_a_warning() {
        assert_eq!(
            norm("https://acme.run.ai/api/v1/org-unit/projects"),
            ("https://acme.run.ai".into(), 1)
        );
        assert_eq!(
            norm("https://app.run.ai/v1/k8s/clusters"),
            ("https://app.run.ai".into(), 1)
        );
        assert_eq!(
            norm("https://host/runai/api"),
            ("https://host/runai".into(), 1)
        );
        assert_eq!(norm("https://host/runai"), ("https://host/runai".into(), 0));
    }

    #[test]
    fn other_schemes_and_credentials_in_urls_are_refused() {
        assert!(normalize_base_url("ftp://x").is_err());
        let err = normalize_base_url("https://me:pw@acme.run.ai").expect_err("refused");
        assert!(!err.to_string().contains("pw"));
    }

    #[test]
    fn environment_fills_what_arguments_leave_out() {
        let env = |k: &str| match k {
            ENV_BASE_URL => Some("acme.run.ai".to_string()),
            ENV_CLIENT_ID => Some("app".to_string()),
            ENV_CLIENT_SECRET => Some("s3cret".to_string()),
            _ => None,
        };
        let r = ConfigInput::default().resolve(&env).expect("resolves");
        assert_eq!(r.config.base_url, "https://acme.run.ai");
        match r.config.auth {
            AuthMethod::ClientCredentials { client_id, .. } => assert_eq!(client_id, "app"),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn two_ways_to_authenticate_are_refused() {
        let input = ConfigInput {
            base_url: Some("x.run.ai".into()),
            token: Some(Secret::new("t")),
            client_id: Some("app".into()),
            client_secret: Some(Secret::new("s")),
            ..Default::default()
        };
        let err = input.resolve(&|_| None).expect_err("refused");
        assert!(err.to_string().contains("only one way"), "{err}");
    }

    #[test]
    fn tokens_that_cannot_be_sent_are_refused_without_echo() {
        let input = ConfigInput {
            base_url: Some("x.run.ai".into()),
            token: Some(Secret::new("bad\nsecret-token")),
            ..Default::default()
        };
        let err = input.resolve(&|_| None).expect_err("refused");
        assert!(!err.to_string().contains("secret-token"));
        assert!(checked_timeout(1e300).is_err() && checked_timeout(0.0).is_err());
        assert!(checked_timeout(2.5).is_ok());
    }

    fn with_url(url: &str, allow_insecure_http: bool) -> CoreResult<Resolved> {
        ConfigInput {
            base_url: Some(url.into()),
            client_id: Some("app".into()),
            client_secret: Some(Secret::new("canary-secret")),
            allow_insecure_http,
            ..Default::default()
        }
        .resolve(&|_| None)
    }

    #[test]
    fn plain_http_to_another_host_is_refused_unless_opted_in() {
        for url in [
            "http://acme.example.com",
            "http://10.0.0.5:8080",
            "http://[fe80::1]",
        ] {
            let err = with_url(url, false).expect_err("refused").to_string();
            let host = url::Url::parse(url)
                .expect("url")
                .host_str()
                .expect("host")
                .to_string();
            assert!(err.contains(&host), "{err}");
            assert!(err.contains("allow_insecure_http=True"), "{err}");
            assert!(!err.contains("canary-secret"), "{err}");
            let allowed = with_url(url, true).expect("opted in");
            assert!(allowed.warnings.iter().any(|w| w.contains(&host)));
        }
    }

    #[test]
    fn loopback_and_https_need_no_opt_in() {
        for url in [
            "http://127.0.0.1:8080",
            "http://127.10.0.3",
            "http://localhost:9000",
            "http://LOCALHOST./x",
            "http://[::1]:8080",
            "http://[::ffff:127.0.0.1]",
            "https://acme.example.com",
            "acme.example.com",
        ] {
            let resolved = with_url(url, false).expect("allowed");
            assert!(
                resolved.warnings.is_empty(),
                "{url}: {:?}",
                resolved.warnings
            );
        }
        // A name that merely starts like one is another machine.
        assert!(with_url("http://localhost.example.com", false).is_err());
        assert!(with_url("http://127.0.0.1.example.com", false).is_err());
    }

    #[test]
    fn ca_bundle_variables_apply_in_order_when_verify_is_not_given() {
        let dir = std::env::temp_dir();
        let bundle = dir.join(format!("runai-core-test-{}.pem", std::process::id()));
        std::fs::write(&bundle, "x").expect("written");
        let given = bundle.display().to_string();
        let resolve = |verify: Option<Verify>, vars: &[(&str, &str)]| {
            let vars: Vec<(String, String)> = vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            ConfigInput {
                base_url: Some("x.run.ai".into()),
                token: Some(Secret::new("t")),
                verify,
                ..Default::default()
            }
            .resolve(&|k| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
        };
        let missing = "/nonexistent/ca.pem";
        let chosen = resolve(
            None,
            &[("REQUESTS_CA_BUNDLE", &given), ("SSL_CERT_FILE", missing)],
        )
        .expect("resolves")
        .config
        .verify;
        assert!(matches!(chosen, Verify::CaBundle(p) if p == bundle));
        let chosen = resolve(None, &[("SSL_CERT_FILE", &given)])
            .expect("resolves")
            .config
            .verify;
        assert!(matches!(chosen, Verify::CaBundle(p) if p == bundle));
        let err = resolve(None, &[("SSL_CERT_FILE", missing)]).expect_err("refused");
        assert!(err.to_string().contains("SSL_CERT_FILE"), "{err}");
        // An explicit verify= wins over the variables.
        let chosen = resolve(Some(Verify::System), &[("SSL_CERT_FILE", missing)])
            .expect("resolves")
            .config
            .verify;
        assert!(matches!(chosen, Verify::System));
        assert!(matches!(
            resolve(None, &[]).expect("resolves").config.verify,
            Verify::System
        ));
        let _ = std::fs::remove_file(&bundle);
    }

    #[test]
    fn missing_secret_is_a_configuration_error_that_names_the_variable() {
        let env = |k: &str| (k == ENV_CLIENT_ID).then(|| "app".to_string());
        let input = ConfigInput {
            base_url: Some("x.run.ai".into()),
            ..Default::default()
        };
        let err = input.resolve(&env).expect_err("error");
        assert!(err.to_string().contains(ENV_CLIENT_SECRET));
    }

    fn proxy_of(
        url: &str,
        setting: ProxySetting,
        vars: &[(&str, &str)],
    ) -> CoreResult<Option<Proxy>> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        ConfigInput {
            base_url: Some(url.into()),
            token: Some(Secret::new("t")),
            proxy: setting,
            allow_insecure_http: true,
            ..Default::default()
        }
        .resolve(&|k| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
        .map(|r| r.config.proxy)
    }

    fn shown(proxy: CoreResult<Option<Proxy>>) -> Option<(String, String)> {
        proxy.expect("resolves").map(|p| (p.shown, p.source))
    }

    #[test]
    fn the_proxy_variable_of_the_base_urls_scheme_applies() {
        let vars = [
            ("HTTPS_PROXY", "http://secure.proxy:3128"),
            ("http_proxy", "plain.proxy:8080"),
        ];
        assert_eq!(
            shown(proxy_of(
                "https://acme.run.ai",
                ProxySetting::Environment,
                &vars
            )),
            Some(("http://secure.proxy:3128".into(), "HTTPS_PROXY".into()))
        );
        assert_eq!(
            shown(proxy_of(
                "http://acme.lan",
                ProxySetting::Environment,
                &vars
            )),
            Some(("http://plain.proxy:8080".into(), "http_proxy".into()))
        );
        // Lower case first, as curl and requests read them; ALL_PROXY last; empty is unset.
        let vars = [
            ("https_proxy", ""),
            ("HTTPS_PROXY", "http://upper:1"),
            ("ALL_PROXY", "http://all:2"),
        ];
        assert_eq!(
            shown(proxy_of(
                "https://acme.run.ai",
                ProxySetting::Environment,
                &vars
            )),
            Some(("http://upper:1".into(), "HTTPS_PROXY".into()))
        );
        assert_eq!(
            shown(proxy_of(
                "http://acme.lan",
                ProxySetting::Environment,
                &vars
            )),
            Some(("http://all:2".into(), "ALL_PROXY".into()))
        );
        // Under CGI, HTTP_PROXY may come from a request's header: never read.
        let cgi = [("REQUEST_METHOD", "GET"), ("HTTP_PROXY", "http://evil:1")];
        assert_eq!(
            shown(proxy_of("http://acme.lan", ProxySetting::Environment, &cgi)),
            None
        );
    }

    #[test]
    fn this_machine_and_no_proxy_hosts_are_reached_directly() {
        let proxied = |url: &str, no_proxy: &str| {
            shown(proxy_of(
                url,
                ProxySetting::Environment,
                &[
                    ("HTTPS_PROXY", "http://p:1"),
                    ("HTTP_PROXY", "http://p:1"),
                    ("NO_PROXY", no_proxy),
                ],
            ))
            .is_some()
        };
        for url in [
            "http://127.0.0.1:9",
            "https://localhost",
            "http://[::1]:8080",
        ] {
            assert!(!proxied(url, ""), "{url}");
        }
        assert!(proxied("https://acme.run.ai", ""));
        assert!(proxied("https://acme.run.ai", "run.ai.example, other.org"));
        for list in [
            "run.ai",
            ".run.ai",
            "acme.run.ai",
            "ACME.RUN.AI",
            "x.org,run.ai:443",
            "*",
        ] {
            assert!(!proxied("https://acme.run.ai", list), "{list}");
        }
        assert!(proxied("https://notrun.ai", "run.ai"));
        assert!(!proxied("http://10.1.2.3", "10.0.0.0/8"));
        assert!(!proxied("http://10.1.2.3", "10.1.2.3"));
        assert!(proxied("http://11.1.2.3", "10.0.0.0/8"));
        assert!(!proxied("http://[fd00::5]", "fd00::/8"));
        assert!(proxied("http://[fe80::5]", "fd00::/8"));
        assert!(!proxied("http://10.1.2.3", "0.0.0.0/0"));
    }

    #[test]
    fn the_argument_wins_and_false_means_direct() {
        let vars = [("HTTPS_PROXY", "http://env:1"), ("NO_PROXY", "*")];
        let given = ProxySetting::Url(Secret::new("https://me:pa55@arg.proxy"));
        assert_eq!(
            shown(proxy_of("https://acme.run.ai", given.clone(), &vars)),
            Some(("https://***@arg.proxy:443".into(), "proxy=".into()))
        );
        // Even for this machine: it was asked for.
        assert!(shown(proxy_of("http://127.0.0.1:9", given, &vars)).is_some());
        assert_eq!(
            shown(proxy_of("https://acme.run.ai", ProxySetting::Direct, &vars)),
            None
        );
    }

    #[test]
    fn bad_proxy_urls_are_refused_without_their_credentials() {
        for (raw, why) in [
            ("socks5://me:pa55@p:1080", "socks5://"),
            ("http://me:pa55@", "not a proxy URL"),
            ("http://me:pa55@[bad", "not a proxy URL"),
        ] {
            let setting = ProxySetting::Url(Secret::new(raw));
            let err = proxy_of("https://acme.run.ai", setting, &[])
                .expect_err("refused")
                .to_string();
            assert!(err.contains("proxy=") && err.contains(why), "{err}");
            assert!(!err.contains("pa55"), "{err}");
            let err = proxy_of(
                "https://acme.run.ai",
                ProxySetting::Environment,
                &[("HTTPS_PROXY", raw)],
            )
            .expect_err("refused")
            .to_string();
            assert!(
                err.contains("HTTPS_PROXY") && !err.contains("pa55"),
                "{err}"
            );
        }
        let proxy = proxy_of(
            "https://acme.run.ai",
            ProxySetting::Url(Secret::new("http://me:pa55@p:3128")),
            &[],
        )
        .expect("resolves")
        .expect("a proxy");
        assert!(!format!("{proxy:?}").contains("pa55"));
        assert_eq!(proxy.url(), "http://me:pa55@p:3128/");
    }

    #[test]
    fn plain_http_is_judged_by_the_target_not_the_proxy() {
        let through_local_proxy = ConfigInput {
            base_url: Some("http://acme.example.com".into()),
            token: Some(Secret::new("t")),
            proxy: ProxySetting::Url(Secret::new("http://127.0.0.1:3128")),
            ..Default::default()
        };
        assert!(through_local_proxy.resolve(&|_| None).is_err());
        let to_this_machine_through_a_remote_proxy = ConfigInput {
            base_url: Some("http://127.0.0.1:8080".into()),
            token: Some(Secret::new("t")),
            proxy: ProxySetting::Url(Secret::new("http://proxy.example.com:3128")),
            ..Default::default()
        };
        assert!(to_this_machine_through_a_remote_proxy
            .resolve(&|_| None)
            .is_ok());
    }
}
