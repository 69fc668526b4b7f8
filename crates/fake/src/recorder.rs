//! What the fake received: the public `RecordedRequest`, the log of them, and the
//! redaction that keeps secrets out of it.

use std::sync::{Mutex, PoisonError};

use bytes::Bytes;
use serde_json::Value;

/// One request the fake received.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    /// Without the leading `?`.
    pub query: String,
    /// Lower-case names; the Authorization value is redacted to `Bearer ***`.
    pub headers: Vec<(String, String)>,
    /// Secret values (passwords, client secrets, refresh tokens) are replaced by `***`.
    pub body: bytes::Bytes,
    /// What the fake answered; 0 when it dropped the connection (or has not answered yet).
    pub status: u16,
}

#[derive(Default)]
pub(crate) struct Recorder {
    // (arrival number, request): the number lets the answer's status find its entry even
    // after a `clear_requests` shifted the rest.
    entries: Mutex<(u64, Vec<(u64, RecordedRequest)>)>,
}

impl Recorder {
    pub fn record(&self, request: RecordedRequest) -> u64 {
        let mut guard = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        guard.0 += 1;
        let seq = guard.0;
        guard.1.push((seq, request));
        seq
    }

    pub fn answered(&self, seq: u64, status: u16) {
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

pub(crate) fn recorded_headers(headers: &hyper::HeaderMap) -> Vec<(String, String)> {
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
pub(crate) fn redact_body(body: &Bytes) -> Bytes {
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
pub(crate) fn redact_form(text: &str) -> Option<String> {
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
