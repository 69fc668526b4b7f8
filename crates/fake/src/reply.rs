//! What a route answers, before the server turns it into a hyper response.

use bytes::Bytes;
use serde::Serialize;

use crate::error::ApiError;

#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Body,
}

/// A reply's body: bytes at hand, or bytes made as the client reads them.
#[derive(Debug, Clone)]
pub(crate) enum Body {
    Full(Bytes),
    /// A large file (the researcher CLI's placeholder program), made chunk by chunk while
    /// it is sent, so that the fake never holds it whole.
    Generated(Generated),
}

/// `len` deterministic bytes that look random: the same `seed` always makes the same file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Generated {
    pub len: u64,
    pub seed: u64,
}

impl Generated {
    /// The bytes from `start` to `end` (within the file).
    pub fn range(&self, start: u64, end: u64) -> Bytes {
        let end = end.min(self.len);
        if start >= end {
            return Bytes::new();
        }
        // Whole words from the one holding `start` to the one holding `end - 1`, then the
        // ends trimmed: byte `i` is byte `i % 8` of word `i / 8`.
        let (first, last) = (start / 8, (end - 1) / 8);
        let words = usize::try_from(last - first + 1).unwrap_or(0);
        let mut out = Vec::with_capacity(words * 8);
        for word in first..=last {
            out.extend_from_slice(&splitmix64(self.seed ^ word).to_le_bytes());
        }
        let skip = usize::try_from(start - first * 8).unwrap_or(0);
        let len = usize::try_from(end - start).unwrap_or(0);
        Bytes::from(out).slice(skip..skip + len)
    }
}

/// A well-mixed 64-bit hash (Steele, Lea and Flood's SplitMix64 finaliser).
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Body {
    pub fn len(&self) -> u64 {
        match self {
            Body::Full(bytes) => bytes.len() as u64,
            Body::Generated(generated) => generated.len,
        }
    }

    /// The bytes from `start` to `end`.
    pub fn range(&self, start: u64, end: u64) -> Bytes {
        match self {
            Body::Full(bytes) => {
                let at = |n: u64| usize::try_from(n.min(bytes.len() as u64)).unwrap_or(0);
                bytes.slice(at(start)..at(end.max(start)))
            }
            Body::Generated(generated) => generated.range(start, end),
        }
    }

    /// The body when it is at hand (what the audit log and the recorder look into); a
    /// generated file is never JSON.
    pub fn at_hand(&self) -> &[u8] {
        match self {
            Body::Full(bytes) => bytes,
            Body::Generated(_) => &[],
        }
    }
}

impl From<Bytes> for Body {
    fn from(bytes: Bytes) -> Body {
        Body::Full(bytes)
    }
}

impl From<Vec<u8>> for Body {
    fn from(bytes: Vec<u8>) -> Body {
        Body::Full(Bytes::from(bytes))
    }
}

impl Reply {
    pub fn json(status: u16, value: &(impl Serialize + ?Sized)) -> Reply {
        // Most answers (one project, a page of them) are kilobytes: starting there spares
        // the buffer its first doublings.
        let mut body = Vec::with_capacity(4096);
        if serde_json::to_writer(&mut body, value).is_err() {
            body.clear();
        }
        Reply {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.into(),
        }
    }

    pub fn empty(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Body::Full(Bytes::new()),
        }
    }

    /// A 200 with a file of the given media type.
    pub fn file(media: &str, body: impl Into<Body>) -> Reply {
        Reply {
            status: 200,
            headers: vec![("content-type".into(), media.to_string())],
            body: body.into(),
        }
    }

    pub fn with_header(mut self, name: &str, value: String) -> Reply {
        self.headers.push((name.to_string(), value));
        self
    }
}

impl From<&ApiError> for Reply {
    fn from(err: &ApiError) -> Reply {
        Reply::json(err.status, &err.body())
    }
}

impl From<ApiError> for Reply {
    fn from(err: ApiError) -> Reply {
        Reply::from(&err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_file_is_the_same_however_it_is_cut() {
        let file = Generated { len: 1000, seed: 7 };
        let whole = file.range(0, 1000);
        assert_eq!(whole.len(), 1000);
        let mut pieces = Vec::new();
        for (start, end) in [(0, 3), (3, 17), (17, 512), (512, 999), (999, 1000)] {
            pieces.extend_from_slice(&file.range(start, end));
        }
        assert_eq!(pieces, whole.to_vec());
        assert_eq!(file.range(990, 5000).len(), 10);
        assert_ne!(Generated { len: 1000, seed: 8 }.range(0, 1000), whole);
    }
}
