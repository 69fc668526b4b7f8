//! What a route answers, before the server turns it into a hyper response.

use bytes::Bytes;
use serde_json::Value;

use crate::error::ApiError;

#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

impl Reply {
    pub fn json(status: u16, value: &Value) -> Reply {
        let body = serde_json::to_vec(value).unwrap_or_default();
        Reply {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: Bytes::from(body),
        }
    }

    pub fn empty(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Bytes::new(),
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
