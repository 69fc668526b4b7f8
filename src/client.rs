//! `CoreClient`: the compiled half of `runai_admin.Client` and `AsyncClient`.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyString, PyTuple};
use serde_json::Value;

use super::convert::{to_value, Path};
use super::decode::json_to_python;
use super::errors::{internal, to_pyerr};
use super::runtime::{awaitable, wait};
use runai_admin_core::api::{bind::bind, CallName, Catalogue, Operation};
use runai_admin_core::client::{CallOptions, Core};
use runai_admin_core::config::{checked_timeout, AuthMethod, ConfigInput, TokenEndpoint, Verify};
use runai_admin_core::error::CoreError;
use runai_admin_core::http::{Request, Response};
use runai_admin_core::secret::Secret;

#[pyclass(frozen, module = "runai_admin._core")]
pub struct CoreClient {
    core: Arc<Core>,
    warnings: Mutex<Vec<String>>,
}

#[pymethods]
impl CoreClient {
    #[new]
    #[pyo3(signature = (*, base_url=None, client_id=None, client_secret=None, token=None, auth=None, timeout=None, max_retries=None, verify=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        base_url: Option<String>,
        client_id: Option<String>,
        client_secret: Option<String>,
        token: Option<String>,
        auth: Option<&Bound<'_, PyDict>>,
        timeout: Option<f64>,
        max_retries: Option<u32>,
        verify: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let input = ConfigInput {
            base_url,
            client_id,
            client_secret: client_secret.map(Secret::new),
            token: token.map(Secret::new),
            auth: auth.map(auth_method).transpose()?,
            timeout,
            max_retries,
            verify: verify.map(verify_setting).transpose()?,
        };
        let resolved = input
            .resolve(&|name| std::env::var(name).ok())
            .map_err(|e| to_pyerr(py, e))?;
        let core = Core::new(resolved.config).map_err(|e| to_pyerr(py, e))?;
        Ok(CoreClient {
            core,
            warnings: Mutex::new(resolved.warnings),
        })
    }

    /// Warnings from the settings (trimmed URL, verify=False), handed over once.
    fn take_warnings(&self) -> Vec<String> {
        self.warnings
            .lock()
            .map(|mut w| std::mem::take(&mut *w))
            .unwrap_or_default()
    }

    #[getter]
    fn base_url(&self) -> String {
        self.core.config().base_url.clone()
    }

    #[getter]
    fn timeout(&self) -> f64 {
        self.core.config().timeout.as_secs_f64()
    }

    #[getter]
    fn max_retries(&self) -> u32 {
        self.core.config().max_retries
    }

    #[getter]
    fn auth_kind(&self) -> &'static str {
        match self.core.config().auth {
            AuthMethod::ClientCredentials { .. } => "client_credentials",
            AuthMethod::KeycloakRealm { .. } => "keycloak_realm",
            AuthMethod::Password { .. } => "password",
            AuthMethod::Bearer(_) => "bearer_token",
        }
    }

    /// How many token requests this client has sent (tests count refreshes with it).
    #[getter]
    fn token_requests(&self) -> u64 {
        self.core.token_fetches()
    }

    /// Call an operation and wait for its result with the GIL released.
    #[pyo3(signature = (operation_id, args, kwargs=None, *, timeout=None, max_retries=None))]
    fn call<'py>(
        &self,
        py: Python<'py>,
        operation_id: &str,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
        timeout: Option<f64>,
        max_retries: Option<u32>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let call = self.prepare(py, operation_id, args, kwargs, timeout, max_retries)?;
        let op = call.op;
        let response = wait(py, call.send())?.map_err(|e| to_pyerr(py, e))?;
        to_python(py, op, &response)
    }

    /// Check and bind the arguments of a call without sending it (list methods check
    /// before handing out a pager, so a mistake surfaces on the line that made it).
    #[pyo3(signature = (operation_id, args, kwargs=None))]
    fn check(
        &self,
        py: Python<'_>,
        operation_id: &str,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<()> {
        bind_arguments(py, operation_id, args, kwargs).map(|_| ())
    }

    /// The same call as an awaitable; cancelling the task cancels the request.
    #[pyo3(signature = (operation_id, args, kwargs=None, *, timeout=None, max_retries=None))]
    fn call_async<'py>(
        &self,
        py: Python<'py>,
        operation_id: &str,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
        timeout: Option<f64>,
        max_retries: Option<u32>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let call = self.prepare(py, operation_id, args, kwargs, timeout, max_retries)?;
        let op = call.op;
        awaitable(py, async move {
            let outcome = call.send().await;
            Python::attach(|py| {
                let response = outcome.map_err(|e| to_pyerr(py, e))?;
                to_python(py, op, &response).map(Bound::unbind)
            })
        })
    }

    fn __repr__(&self) -> String {
        format!(
            "<runai_admin CoreClient base_url={:?} auth={}>",
            self.core.config().base_url,
            self.auth_kind()
        )
    }
}

/// A call checked and bound, ready to send on any thread.
struct PreparedCall {
    core: Arc<Core>,
    op: &'static Operation,
    request: Request,
    options: CallOptions,
}

impl PreparedCall {
    async fn send(self) -> Result<Response, CoreError> {
        self.core.call(self.op, self.request, self.options).await
    }
}

impl CoreClient {
    fn prepare(
        &self,
        py: Python<'_>,
        operation_id: &str,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
        timeout: Option<f64>,
        max_retries: Option<u32>,
    ) -> PyResult<PreparedCall> {
        let (op, request) = bind_arguments(py, operation_id, args, kwargs)?;
        Ok(PreparedCall {
            core: self.core.clone(),
            op,
            request,
            options: call_options(py, timeout, max_retries)?,
        })
    }
}

fn call_options(
    py: Python<'_>,
    timeout: Option<f64>,
    max_retries: Option<u32>,
) -> PyResult<CallOptions> {
    let timeout = timeout
        .map(checked_timeout)
        .transpose()
        .map_err(|e| to_pyerr(py, e))?;
    Ok(CallOptions {
        timeout,
        max_retries,
    })
}

fn bind_arguments(
    py: Python<'_>,
    operation_id: &str,
    args: &Bound<'_, PyTuple>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<(&'static Operation, Request)> {
    let op = Catalogue::get()
        .operation(operation_id)
        .ok_or_else(|| PyValueError::new_err(format!("unknown operation {operation_id:?}")))?;
    let call = CallName(op);
    let mut positional = Vec::with_capacity(args.len());
    for (i, arg) in args.iter().enumerate() {
        let name = op.path_params.get(i).map_or("argument", |p| p.py.as_str());
        positional.push(to_value(&arg, &Path::Argument(&call, name))?);
    }
    let mut keywords: Vec<(String, Value)> = Vec::new();
    if let Some(kwargs) = kwargs {
        for (key, value) in kwargs.iter() {
            let key: String = key.extract()?;
            let value = to_value(&value, &Path::Argument(&call, &key))?;
            keywords.push((key, value));
        }
    }
    let request = bind(op, positional, keywords).map_err(|e| to_pyerr(py, e))?;
    Ok((op, request))
}

/// 204 and empty bodies are `None`; JSON becomes dicts and lists; anything else is text.
fn to_python<'py>(
    py: Python<'py>,
    op: &Operation,
    response: &Response,
) -> PyResult<Bound<'py, PyAny>> {
    if response.status == 204 || response.body.is_empty() {
        return Ok(py.None().into_bound(py));
    }
    let is_json = response
        .content_type
        .as_deref()
        .is_none_or(|ct| ct.contains("json"));
    if !is_json {
        let text = String::from_utf8_lossy(&response.body);
        return Ok(PyString::new(py, &text).into_any());
    }
    json_to_python(py, &response.body).map_err(|message| {
        to_pyerr(
            py,
            CoreError::Decode {
                method: op.method.clone(),
                url: response.url.clone(),
                message,
            },
        )
    })
}

/// `ra.auth` objects describe themselves as a dict: `{"kind": ..., fields...}`.
fn auth_method(spec: &Bound<'_, PyDict>) -> PyResult<AuthMethod> {
    let text = |key: &str| -> PyResult<String> {
        spec.get_item(key)?
            .ok_or_else(|| PyTypeError::new_err(format!("auth: missing {key}")))?
            .extract::<String>()
    };
    let kind = text("kind")?;
    Ok(match kind.as_str() {
        "client_credentials" => AuthMethod::ClientCredentials {
            client_id: text("client_id")?,
            client_secret: Secret::new(text("client_secret")?),
            endpoint: match text("endpoint")?.as_str() {
                "v1" => TokenEndpoint::V1,
                "v2" => TokenEndpoint::V2,
                other => {
                    return Err(PyValueError::new_err(format!(
                        "auth: endpoint must be 'v1' or 'v2', not {other:?}"
                    )))
                }
            },
        },
        "keycloak_realm" => AuthMethod::KeycloakRealm {
            realm: text("realm")?,
            client_id: text("client_id")?,
            client_secret: Secret::new(text("client_secret")?),
        },
        "password" => AuthMethod::Password {
            email: text("email")?,
            password: Secret::new(text("password")?),
            legacy: spec
                .get_item("legacy")?
                .map(|v| v.is_truthy())
                .transpose()?
                .unwrap_or(false),
        },
        "bearer_token" => AuthMethod::Bearer(Secret::new(text("token")?)),
        other => return Err(internal(format!("auth: unknown kind {other:?}"))),
    })
}

fn verify_setting(value: &Bound<'_, PyAny>) -> PyResult<Verify> {
    if let Ok(flag) = value.cast::<PyBool>() {
        return Ok(if flag.is_true() {
            Verify::System
        } else {
            Verify::Disabled
        });
    }
    let path: PathBuf = value
        .extract()
        .map_err(|_| PyTypeError::new_err("verify must be a bool or the path of a CA bundle"))?;
    Ok(Verify::CaBundle(path))
}
