//! What the fake received: the public `RecordedRequest`, the log of them, and the
//! redaction that keeps secrets out of it.

use std::collections::VecDeque;
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

/// How many requests a fake keeps unless told otherwise: enough for any test to look back
/// over, small enough (a few megabytes) for a fake that serves load for days.
pub const DEFAULT_RECORD_LIMIT: usize = 10_000;

/// The last `limit` requests received, oldest first; older ones are dropped as new ones
/// arrive, so that the record's memory stays bounded however long the fake serves.
pub(crate) struct Recorder {
    entries: Mutex<Entries>,
}

struct Entries {
    /// Arrivals so far: the number lets the answer's status find its entry even after a
    /// `clear_requests` or the bound shifted the rest.
    arrivals: u64,
    limit: usize,
    kept: VecDeque<(u64, RecordedRequest)>,
}

impl Default for Recorder {
    fn default() -> Self {
        Recorder::new(DEFAULT_RECORD_LIMIT)
    }
}

impl Recorder {
    pub fn new(limit: usize) -> Self {
        Recorder {
            entries: Mutex::new(Entries {
                arrivals: 0,
                limit,
                kept: VecDeque::new(),
            }),
        }
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Keep at most `limit` requests from now on (0 keeps none), dropping the oldest.
    pub fn set_limit(&self, limit: usize) {
        let mut entries = self.entries();
        entries.limit = limit;
        entries.trim();
    }

    pub fn record(&self, request: RecordedRequest) -> u64 {
        let mut entries = self.entries();
        entries.arrivals += 1;
        let seq = entries.arrivals;
        if entries.limit > 0 {
            entries.kept.push_back((seq, request));
            entries.trim();
        }
        seq
    }

    pub fn answered(&self, seq: u64, status: u16) {
        let mut entries = self.entries();
        if let Some((_, entry)) = entries.kept.iter_mut().rev().find(|(s, _)| *s == seq) {
            entry.status = status;
        }
    }

    pub fn snapshot(&self) -> Vec<RecordedRequest> {
        self.entries().kept.iter().map(|(_, r)| r.clone()).collect()
    }

    pub fn clear(&self) {
        let mut entries = self.entries();
        entries.kept.clear();
        entries.kept.shrink_to_fit();
    }
}

impl Entries {
    fn trim(&mut self) {
        while self.kept.len() > self.limit {
            self.kept.pop_front();
        }
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

    fn request(path: &str) -> RecordedRequest {
        RecordedRequest {
            method: "GET".into(),
            path: path.into(),
            query: String::new(),
            headers: Vec::new(),
            body: Bytes::new(),
            status: 0,
        }
    }

    fn paths(recorder: &Recorder) -> Vec<String> {
        recorder.snapshot().into_iter().map(|r| r.path).collect()
    }

    #[test]
    fn the_record_keeps_the_last_requests_and_drops_the_oldest() {
        let recorder = Recorder::new(3);
        let seqs: Vec<u64> = (1..=5)
            .map(|i| recorder.record(request(&format!("/{i}"))))
            .collect();
        assert_eq!(paths(&recorder), ["/3", "/4", "/5"]);
        // Answers find their entry by arrival number; a dropped one is simply gone.
        for (seq, status) in seqs.iter().zip([200, 201, 202, 203, 204]) {
            recorder.answered(*seq, status);
        }
        let statuses: Vec<u16> = recorder.snapshot().iter().map(|r| r.status).collect();
        assert_eq!(statuses, [202, 203, 204]);
        recorder.set_limit(1);
        assert_eq!(paths(&recorder), ["/5"]);
        recorder.clear();
        assert!(paths(&recorder).is_empty());
        recorder.record(request("/6"));
        assert_eq!(paths(&recorder), ["/6"]);
    }

    #[test]
    fn a_limit_of_zero_records_nothing() {
        let recorder = Recorder::new(0);
        let seq = recorder.record(request("/"));
        recorder.answered(seq, 200);
        assert!(recorder.snapshot().is_empty());
        assert_eq!(Recorder::default().entries().limit, DEFAULT_RECORD_LIMIT);
    }

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
