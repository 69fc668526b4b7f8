//! `FakeServer`: the compiled half of `runai_admin.testing.FakeControlPlane`.

use std::time::Duration;

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use super::convert::{to_value, Path};
use runai_admin_fake::{FakeConfig, FakeServer as Server, Fault};

#[pyclass(frozen, module = "runai_admin._core")]
pub struct FakeServer {
    server: Server,
}

fn seconds(name: &str, value: f64) -> PyResult<Duration> {
    // A day bounds every wait of the fake; more is surely a slip.
    if value.is_finite() && (0.0..=86_400.0).contains(&value) {
        Ok(Duration::from_secs_f64(value))
    } else {
        Err(PyValueError::new_err(format!(
            "{name} must be a number of seconds from 0 to 86400, not {value}"
        )))
    }
}

#[pymethods]
impl FakeServer {
    #[new]
    /// `token_lifetime` in seconds; `None` keeps the fake's own default, and so does
    /// `cli_binary_size` (bytes of each researcher CLI program) and `record_limit` (how
    /// many of the latest requests `requests()` keeps). `tls` serves HTTPS with a
    /// certificate made at start (`ca_pem` is its CA).
    #[pyo3(signature = (*, port=0, token_lifetime=None, cli_binary_size=None, record_limit=None, tls=false))]
    fn new(
        py: Python<'_>,
        port: u16,
        token_lifetime: Option<f64>,
        cli_binary_size: Option<u64>,
        record_limit: Option<usize>,
        tls: bool,
    ) -> PyResult<Self> {
        let defaults = FakeConfig::default();
        let config = FakeConfig {
            port,
            token_lifetime: match token_lifetime {
                Some(value) => seconds("token_lifetime", value)?,
                None => defaults.token_lifetime,
            },
            cli_binary_size: cli_binary_size.unwrap_or(defaults.cli_binary_size),
            record_limit: record_limit.unwrap_or(defaults.record_limit),
            tls,
        };
        let server = py.detach(|| Server::start(config)).map_err(|e| {
            PyRuntimeError::new_err(format!("the fake control plane could not start: {e}"))
        })?;
        Ok(FakeServer { server })
    }

    #[getter]
    fn url(&self) -> String {
        self.server.url()
    }

    #[getter]
    fn port(&self) -> u16 {
        self.server.port()
    }

    /// The PEM of the CA that signed the HTTPS certificate; `None` over plain HTTP.
    #[getter]
    fn ca_pem(&self) -> Option<String> {
        self.server.ca_pem()
    }

    #[getter]
    fn client_id(&self) -> String {
        self.server.client_id()
    }

    #[getter]
    fn client_secret(&self) -> String {
        self.server.client_secret()
    }

    #[getter]
    fn cluster_id(&self) -> String {
        self.server.cluster_id()
    }

    /// The latest requests the server received, oldest first, as dicts (the Authorization value redacted).
    fn requests<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        self.server
            .requests()
            .into_iter()
            .map(|r| {
                let d = PyDict::new(py);
                d.set_item("method", r.method)?;
                d.set_item("path", r.path)?;
                d.set_item("query", r.query)?;
                d.set_item("headers", r.headers)?;
                d.set_item("body", PyBytes::new(py, &r.body))?;
                d.set_item("status", r.status)?;
                Ok(d)
            })
            .collect()
    }

    fn clear_requests(&self) {
        self.server.clear_requests();
    }

    /// `body`: a JSON value, or `bytes` sent as they are, labelled `content_type`.
    #[pyo3(signature = (path_glob, *, method=None, status=None, times=1, retry_after=None, delay=None, drop_connection=false, body=None, cut_body_after=None, content_type=None))]
    #[allow(clippy::too_many_arguments)]
    fn inject(
        &self,
        path_glob: String,
        method: Option<String>,
        status: Option<u16>,
        times: u32,
        retry_after: Option<f64>,
        delay: Option<f64>,
        drop_connection: bool,
        body: Option<&Bound<'_, PyAny>>,
        cut_body_after: Option<u64>,
        content_type: Option<String>,
    ) -> PyResult<()> {
        if status.is_none() && delay.is_none() && !drop_connection && cut_body_after.is_none() {
            return Err(PyValueError::new_err(
                "inject: give a status, a delay, drop_connection=True or cut_body_after",
            ));
        }
        if let Some(s) = status {
            if !(100..=599).contains(&s) {
                return Err(PyValueError::new_err(format!(
                    "inject: status must be 100..599, not {s}"
                )));
            }
        }
        if let Some(r) = retry_after {
            seconds("retry_after", r)?;
        }
        let raw_body = body
            .and_then(|b| b.cast::<PyBytes>().ok())
            .map(|b| b.as_bytes().to_vec());
        let json_body = body.filter(|_| raw_body.is_none());
        self.server.inject(Fault {
            path_glob,
            method: method.map(|m| m.to_ascii_uppercase()),
            status,
            times,
            retry_after,
            delay: delay.map(|d| seconds("delay", d)).transpose()?,
            drop_connection,
            body: json_body
                .map(|b| to_value(b, &Path::Argument(&"inject()", "body")))
                .transpose()?,
            raw_body,
            content_type,
            cut_body_after,
        });
        Ok(())
    }

    /// Local users with these e-mails, without a request each; a taken or repeated
    /// e-mail is a ValueError and adds none.
    fn add_users(&self, py: Python<'_>, emails: Vec<String>) -> PyResult<()> {
        py.detach(|| self.server.add_users(emails))
            .map_err(PyValueError::new_err)
    }

    fn expire_tokens(&self) {
        self.server.expire_tokens();
    }

    fn set_projects_within_department_quota(&self, on: bool) {
        self.server.set_projects_within_department_quota(on);
    }

    fn set_token_lifetime(&self, lifetime: f64) -> PyResult<()> {
        self.server
            .set_token_lifetime(seconds("lifetime", lifetime)?);
        Ok(())
    }

    fn stop(&self, py: Python<'_>) {
        py.detach(|| self.server.stop());
    }

    fn __repr__(&self) -> String {
        format!("<FakeServer {}>", self.server.url())
    }
}
