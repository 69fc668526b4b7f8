//! What a handler answers, before it becomes a hyper response, and the control plane's
//! error shape.

use bytes::Bytes;
use serde_json::{json, Value};

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

    pub fn text(status: u16, content_type: &str, text: String) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: Bytes::from(text),
        }
    }

    pub fn with_header(mut self, name: &str, value: String) -> Reply {
        self.headers.push((name.to_string(), value));
        self
    }
}

/// An error in the control plane's `{code, message, details}` shape.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub status: u16,
    pub message: String,
    pub details: Option<String>,
}

impl ApiError {
    pub fn new(status: u16, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
            details: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(400, message)
    }

    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(401, message)
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(404, message)
    }

    pub fn conflict(message: impl Into<String>) -> ApiError {
        ApiError::new(409, message)
    }

    pub fn with_details(mut self, details: impl Into<String>) -> ApiError {
        self.details = Some(details.into());
        self
    }

    pub fn body(&self) -> Value {
        let mut body = json!({"code": self.status, "message": self.message});
        if let (Some(details), Some(map)) = (&self.details, body.as_object_mut()) {
            map.insert("details".into(), Value::String(details.clone()));
        }
        body
    }

    pub fn reply(&self) -> Reply {
        Reply::json(self.status, &self.body())
    }
}

impl From<ApiError> for Reply {
    fn from(err: ApiError) -> Reply {
        err.reply()
    }
}

/// Generic message for a status, used when a fault gives a status but no body.
pub(crate) fn reason(status: u16) -> &'static str {
    hyper::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Injected fault")
}
