//! `CoreClient`: the compiled half of `runai_admin.Client` and `AsyncClient`.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::Value;

use super::bridge::awaitable;
use super::convert::{to_value, Path};
use super::decode::json_to_python;
use super::errors::{internal, to_pyerr};
use super::runtime::{wait, Background};
use runai_admin_core::api::{bind::bind, Announced, CallName, Catalogue, MediaKind, Operation};
use runai_admin_core::client::{CallOptions, Core};
use runai_admin_core::config::{
    checked_timeout, AuthMethod, ConfigInput, ProxySetting, TokenEndpoint, Verify,
};
use runai_admin_core::download::{Destination, Downloaded};
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
    #[pyo3(signature = (*, base_url=None, client_id=None, client_secret=None, token=None, auth=None, timeout=None, max_retries=None, verify=None, proxy=None, allow_insecure_http=false))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        base_url: Option<String>,
        client_id: Option<String>,
        client_secret: Option<String>,
        token: Option<String>,
        auth: Option<&Bound<'_, PyAny>>,
        timeout: Option<&Bound<'_, PyAny>>,
        max_retries: Option<&Bound<'_, PyAny>>,
        verify: Option<&Bound<'_, PyAny>>,
        proxy: Option<&Bound<'_, PyAny>>,
        allow_insecure_http: bool,
    ) -> PyResult<Self> {
        let input = ConfigInput {
            base_url,
            client_id,
            client_secret: client_secret.map(Secret::new),
            token: token.map(Secret::new),
            auth: auth.map(auth_method).transpose()?,
            timeout: timeout.map(seconds_setting).transpose()?,
            max_retries: max_retries.map(retries_setting).transpose()?,
            verify: verify.map(verify_setting).transpose()?,
            proxy: proxy.map(proxy_setting).transpose()?.unwrap_or_default(),
            allow_insecure_http,
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

    /// The proxy the requests cross, without its credentials; `None` when they go straight.
    #[getter]
    fn proxy(&self) -> Option<String> {
        self.core.config().proxy.as_ref().map(|p| p.shown.clone())
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
        timeout: Option<&Bound<'py, PyAny>>,
        max_retries: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let call = self.prepare(py, operation_id, args, kwargs, timeout, max_retries)?;
        let op = call.op;
        let response = wait(py, call.send(), op.idempotent)?.map_err(|e| to_pyerr(py, e))?;
        to_python(py, op, &response)
    }

    /// One page of a list operation, as `(items, next_offset)`; `page` is `(offset, size)`
    /// for a paginated operation and `None` for a list the operation returns whole. The
    /// paging parameters, the items' place in the answer and the next offset all come from
    /// the catalogue.
    #[pyo3(signature = (operation_id, args, kwargs, page=None, *, timeout=None, max_retries=None))]
    #[allow(clippy::too_many_arguments)]
    fn call_page<'py>(
        &self,
        py: Python<'py>,
        operation_id: &str,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
        page: Option<(u64, u64)>,
        timeout: Option<&Bound<'py, PyAny>>,
        max_retries: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let call = self.prepare_page(py, operation_id, args, kwargs, page, timeout, max_retries)?;
        let op = call.op;
        let response = wait(py, call.send(), op.idempotent)?.map_err(|e| to_pyerr(py, e))?;
        page_to_python(py, op, &response, page)
    }

    /// A call started now in the background (driven by a thread of the core): `wait()`
    /// on the handle returns its result. The sync pager asks for a list's count so,
    /// alongside its first page.
    #[pyo3(signature = (operation_id, args, kwargs=None, *, timeout=None, max_retries=None))]
    fn call_start<'py>(
        &self,
        py: Python<'py>,
        operation_id: &str,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
        timeout: Option<&Bound<'py, PyAny>>,
        max_retries: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Background> {
        let call = self.prepare(py, operation_id, args, kwargs, timeout, max_retries)?;
        let op = call.op;
        Background::start(call.send(), op.idempotent, move |py, outcome| {
            let response = outcome.map_err(|e| to_pyerr(py, e))?;
            to_python(py, op, &response).map(Bound::unbind)
        })
    }

    /// The same page started now in the background (driven by a thread of the core):
    /// `wait()` on the handle returns it. The sync pager fetches the next pages so while
    /// the caller reads the current one.
    #[pyo3(signature = (operation_id, args, kwargs, page=None, *, timeout=None, max_retries=None))]
    #[allow(clippy::too_many_arguments)]
    fn call_page_start<'py>(
        &self,
        py: Python<'py>,
        operation_id: &str,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
        page: Option<(u64, u64)>,
        timeout: Option<&Bound<'py, PyAny>>,
        max_retries: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Background> {
        let call = self.prepare_page(py, operation_id, args, kwargs, page, timeout, max_retries)?;
        let op = call.op;
        Background::start(call.send(), op.idempotent, move |py, outcome| {
            let response = outcome.map_err(|e| to_pyerr(py, e))?;
            page_to_python(py, op, &response, page).map(|t| t.into_any().unbind())
        })
    }

    /// The same page as an awaitable.
    #[pyo3(signature = (operation_id, args, kwargs, page=None, *, timeout=None, max_retries=None))]
    #[allow(clippy::too_many_arguments)]
    fn call_page_async<'py>(
        &self,
        py: Python<'py>,
        operation_id: &str,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
        page: Option<(u64, u64)>,
        timeout: Option<&Bound<'py, PyAny>>,
        max_retries: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let call = self.prepare_page(py, operation_id, args, kwargs, page, timeout, max_retries)?;
        let op = call.op;
        awaitable(py, call.send(), move |py, outcome| {
            let response = outcome.map_err(|e| to_pyerr(py, e))?;
            page_to_python(py, op, &response, page).map(|t| t.into_any().unbind())
        })
    }

    /// Call a download (an operation answering a file) and wait with the GIL released:
    /// `bytes` for a binary file, `str` for text, or with `to` the body streamed into
    /// that file and its `pathlib.Path` returned.
    #[pyo3(signature = (operation_id, args, kwargs=None, to=None, *, timeout=None, max_retries=None))]
    #[allow(clippy::too_many_arguments)]
    fn download<'py>(
        &self,
        py: Python<'py>,
        operation_id: &str,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
        to: Option<&Bound<'py, PyAny>>,
        timeout: Option<&Bound<'py, PyAny>>,
        max_retries: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let call =
            self.prepare_download(py, operation_id, args, kwargs, to, timeout, max_retries)?;
        let kind = call.kind;
        let resendable = call.call.op.idempotent;
        let downloaded = wait(py, call.send(), resendable)?.map_err(|e| to_pyerr(py, e))?;
        downloaded_to_python(py, kind, downloaded)
    }

    /// The same download as an awaitable; cancelling the task stops the transfer (and
    /// removes its temporary file).
    #[pyo3(signature = (operation_id, args, kwargs=None, to=None, *, timeout=None, max_retries=None))]
    #[allow(clippy::too_many_arguments)]
    fn download_async<'py>(
        &self,
        py: Python<'py>,
        operation_id: &str,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
        to: Option<&Bound<'py, PyAny>>,
        timeout: Option<&Bound<'py, PyAny>>,
        max_retries: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let call =
            self.prepare_download(py, operation_id, args, kwargs, to, timeout, max_retries)?;
        let kind = call.kind;
        awaitable(py, call.send(), move |py, outcome| {
            let downloaded = outcome.map_err(|e| to_pyerr(py, e))?;
            downloaded_to_python(py, kind, downloaded).map(Bound::unbind)
        })
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

    /// A list method's pager options, checked and completed: `(page_size, max_items,
    /// offset, walk_size, largest)`. `page_size` is `None` for a list the operation returns whole
    /// (one request, no page size or offset allowed); otherwise it defaults to the core's
    /// preferred page size (one page, a preview) and is bounded by the operation's
    /// page-size maximum. `walk_size` is the page size of a walk through the whole list:
    /// the caller's `page_size`, or else the largest page the operation serves; `largest`
    /// is that largest page (`None`: unbounded).
    #[pyo3(signature = (operation_id, page_size=None, max_items=None, offset=None))]
    fn page_options(
        &self,
        operation_id: &str,
        page_size: Option<&Bound<'_, PyAny>>,
        max_items: Option<&Bound<'_, PyAny>>,
        offset: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PageOptions> {
        let op = operation(operation_id)?;
        let call = CallName(op);
        let max_items = max_items
            .map(|v| count(call, "max_items", v, 0, None))
            .transpose()?;
        let Some(paging) = &op.pagination else {
            if page_size.is_some() || offset.is_some() {
                return Err(PyTypeError::new_err(format!(
                    "{call} is not paginated: it takes no page_size or offset"
                )));
            }
            return Ok((None, max_items, 0, None, None));
        };
        let (page_size, walk_size) = match page_size {
            Some(v) => {
                let chosen = count(call, "page_size", v, 1, paging.max_page_size)?;
                (chosen, chosen)
            }
            None => (paging.preferred_page_size(), paging.walk_page_size()),
        };
        let offset = offset
            .map(|v| count(call, "offset", v, 0, None))
            .transpose()?
            .unwrap_or(0);
        Ok((
            Some(page_size),
            max_items,
            offset,
            Some(walk_size),
            paging.max_page_size,
        ))
    }

    /// The same call as an awaitable; cancelling the task cancels the request.
    #[pyo3(signature = (operation_id, args, kwargs=None, *, timeout=None, max_retries=None))]
    fn call_async<'py>(
        &self,
        py: Python<'py>,
        operation_id: &str,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
        timeout: Option<&Bound<'py, PyAny>>,
        max_retries: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let call = self.prepare(py, operation_id, args, kwargs, timeout, max_retries)?;
        let op = call.op;
        awaitable(py, call.send(), move |py, outcome| {
            let response = outcome.map_err(|e| to_pyerr(py, e))?;
            to_python(py, op, &response).map(Bound::unbind)
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

/// `(page_size, max_items, offset, walk_size, largest)`: see `page_options`.
type PageOptions = (Option<u64>, Option<u64>, u64, Option<u64>, Option<u64>);

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

/// A download checked and bound, ready to send on any thread.
struct PreparedDownload {
    call: PreparedCall,
    kind: MediaKind,
    to: Destination,
}

impl PreparedDownload {
    async fn send(self) -> Result<Downloaded, CoreError> {
        let PreparedCall {
            core,
            op,
            request,
            options,
        } = self.call;
        core.download(op, request, options, self.to).await
    }
}

impl CoreClient {
    #[allow(clippy::too_many_arguments)]
    fn prepare_download(
        &self,
        py: Python<'_>,
        operation_id: &str,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
        to: Option<&Bound<'_, PyAny>>,
        timeout: Option<&Bound<'_, PyAny>>,
        max_retries: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PreparedDownload> {
        let call = self.prepare(py, operation_id, args, kwargs, timeout, max_retries)?;
        let kind = match &call.op.result {
            Some(result) if result.media_kind != MediaKind::Json => result.media_kind,
            _ => {
                return Err(PyTypeError::new_err(format!(
                    "{} answers JSON, not a file: call it, do not download it",
                    CallName(call.op)
                )))
            }
        };
        let to = match to {
            None => Destination::Memory,
            Some(path) if path.is_none() => Destination::Memory,
            Some(path) => Destination::File(path.extract::<PathBuf>().map_err(|_| {
                PyTypeError::new_err(format!(
                    "{}: to must be a path (str or os.PathLike), not {}",
                    CallName(call.op),
                    type_name(path)
                ))
            })?),
        };
        Ok(PreparedDownload { call, kind, to })
    }

    /// A list call for one page: the bound request plus the page's query pairs.
    #[allow(clippy::too_many_arguments)]
    fn prepare_page(
        &self,
        py: Python<'_>,
        operation_id: &str,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
        page: Option<(u64, u64)>,
        timeout: Option<&Bound<'_, PyAny>>,
        max_retries: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PreparedCall> {
        let mut call = self.prepare(py, operation_id, args, kwargs, timeout, max_retries)?;
        if let Some((offset, size)) = page {
            let call_name = CallName(call.op);
            let paging = call
                .op
                .pagination
                .as_ref()
                .ok_or_else(|| PyTypeError::new_err(format!("{call_name} is not paginated")))?;
            paging
                .ask_for_page(&mut call.request.query, offset, size)
                .map_err(|why| PyValueError::new_err(format!("{call_name}: {why}")))?;
        }
        Ok(call)
    }

    fn prepare(
        &self,
        py: Python<'_>,
        operation_id: &str,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
        timeout: Option<&Bound<'_, PyAny>>,
        max_retries: Option<&Bound<'_, PyAny>>,
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
    timeout: Option<&Bound<'_, PyAny>>,
    max_retries: Option<&Bound<'_, PyAny>>,
) -> PyResult<CallOptions> {
    let timeout = timeout
        .map(seconds_setting)
        .transpose()?
        .map(checked_timeout)
        .transpose()
        .map_err(|e| to_pyerr(py, e))?;
    Ok(CallOptions {
        timeout,
        max_retries: max_retries.map(retries_setting).transpose()?,
    })
}

/// `timeout=`, on the client or a call: seconds as an int or a float (not a bool). The
/// range is checked where the settings are resolved.
fn seconds_setting(value: &Bound<'_, PyAny>) -> PyResult<f64> {
    if value.is_instance_of::<PyBool>()
        || !(value.is_instance_of::<PyInt>() || value.is_instance_of::<PyFloat>())
    {
        return Err(PyTypeError::new_err(format!(
            "timeout must be a number of seconds, not {}",
            type_name(value)
        )));
    }
    value.extract()
}

/// `max_retries=`, on the client or a call: an int from 0 (not a bool).
fn retries_setting(value: &Bound<'_, PyAny>) -> PyResult<u32> {
    if value.is_instance_of::<PyBool>() || !value.is_instance_of::<PyInt>() {
        return Err(PyTypeError::new_err(format!(
            "max_retries must be an int >= 0, not {}",
            type_name(value)
        )));
    }
    value.extract().map_err(|_| {
        PyValueError::new_err(format!(
            "max_retries must be an int from 0 to {}, not {value}",
            u32::MAX
        ))
    })
}

/// A pager option: an int (not a bool) within `low..=high`.
fn count(
    call: CallName<'_>,
    name: &str,
    value: &Bound<'_, PyAny>,
    low: u64,
    high: Option<u64>,
) -> PyResult<u64> {
    if value.is_instance_of::<PyBool>() || !value.is_instance_of::<PyInt>() {
        return Err(PyTypeError::new_err(format!(
            "{call}: {name} must be int, not {}",
            type_name(value)
        )));
    }
    let bounds = match high {
        Some(high) => format!("between {low} and {high}"),
        None => format!(">= {low}"),
    };
    let out_of_range =
        || PyValueError::new_err(format!("{call}: {name} must be {bounds}, not {value}"));
    let n: u64 = value.extract().map_err(|_| out_of_range())?;
    if n < low || high.is_some_and(|high| n > high) {
        return Err(out_of_range());
    }
    Ok(n)
}

fn operation(operation_id: &str) -> PyResult<&'static Operation> {
    Catalogue::get()
        .operation(operation_id)
        .ok_or_else(|| PyValueError::new_err(format!("unknown operation {operation_id:?}")))
}

fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map_or_else(|_| "object".to_string(), |n| n.to_string())
}

fn bind_arguments(
    py: Python<'_>,
    operation_id: &str,
    args: &Bound<'_, PyTuple>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<(&'static Operation, Request)> {
    let op = operation(operation_id)?;
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

/// A download for Python: `bytes`, `str` (text, decoded as UTF-8 with replacement of
/// bytes that are not), or the `pathlib.Path` of the file written.
fn downloaded_to_python(
    py: Python<'_>,
    kind: MediaKind,
    downloaded: Downloaded,
) -> PyResult<Bound<'_, PyAny>> {
    match downloaded {
        Downloaded::File(path) => py.import("pathlib")?.getattr("Path")?.call1((path,)),
        Downloaded::Bytes(body) if kind == MediaKind::Text => {
            Ok(PyString::new(py, &String::from_utf8_lossy(&body)).into_any())
        }
        Downloaded::Bytes(body) => Ok(PyBytes::new(py, &body).into_any()),
    }
}

/// A list answer as `(items, next_offset)`: the items found where the catalogue says (an
/// empty list when the answer has none there), and the next page's offset for a paged call.
fn page_to_python<'py>(
    py: Python<'py>,
    op: &Operation,
    response: &Response,
    page: Option<(u64, u64)>,
) -> PyResult<Bound<'py, PyTuple>> {
    let body = to_python(py, op, response)?;
    let paging = op.pagination.as_ref();
    let path = paging.map_or(&[][..], |p| p.items.as_slice());
    let mut node = Some(body.clone());
    for key in path {
        node = node.and_then(|n| member(&n, key));
    }
    let items = match node {
        Some(n) if n.is_instance_of::<PyList>() => n,
        // No content at all: nothing to list.
        _ if body.is_none() => PyList::empty(py).into_any(),
        // A body of another shape (a proxy's page, a changed API) is not an empty list.
        _ => {
            let place = if path.is_empty() {
                "the body".to_string()
            } else {
                path.join(".")
            };
            return Err(to_pyerr(
                py,
                CoreError::Decode {
                    method: op.method.clone(),
                    url: response.url.clone(),
                    message: format!("no list at {place}"),
                },
            ));
        }
    };
    let next = match (paging, page) {
        (Some(paging), Some((offset, size))) => {
            let announced = match paging.next.as_deref().and_then(|key| member(&body, key)) {
                None => Announced::Nothing,
                Some(value) if value.is_none() => Announced::Nothing,
                Some(value) if value.is_instance_of::<PyBool>() => Announced::Unreadable,
                Some(value) => value
                    .extract::<u64>()
                    .map_or(Announced::Unreadable, Announced::Offset),
            };
            paging.next_after(announced, offset, size, items.len()? as u64)
        }
        _ => None,
    };
    PyTuple::new(py, [items, next.into_pyobject(py)?.into_any()])
}

/// `node[key]` when `node` is a dict that has it.
fn member<'py>(node: &Bound<'py, PyAny>, key: &str) -> Option<Bound<'py, PyAny>> {
    node.cast::<PyDict>().ok()?.get_item(key).ok().flatten()
}

/// `auth=`: a `runai_admin.auth` object, which describes itself as a dict
/// (`{"kind": ..., fields...}`).
fn auth_method(auth: &Bound<'_, PyAny>) -> PyResult<AuthMethod> {
    let py = auth.py();
    let base = py.import("runai_admin.auth")?.getattr("Auth")?;
    if !auth.is_instance(&base)? {
        return Err(PyTypeError::new_err(format!(
            "auth must be a runai_admin.auth object (ClientCredentials, KeycloakRealm, \
             Password or BearerToken), not {}",
            type_name(auth)
        )));
    }
    let spec = auth.call_method0("_spec")?;
    let spec = spec
        .cast::<PyDict>()
        .map_err(|_| internal("auth: _spec() must return a dict"))?;
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

/// `proxy=`: a URL, or `False` for none whatever the environment says.
fn proxy_setting(value: &Bound<'_, PyAny>) -> PyResult<ProxySetting> {
    if let Ok(flag) = value.cast::<PyBool>() {
        if flag.is_true() {
            return Err(PyValueError::new_err(
                "proxy=True: pass the proxy's URL, False for none, or leave it out to use \
                 HTTPS_PROXY/HTTP_PROXY",
            ));
        }
        return Ok(ProxySetting::Direct);
    }
    let url: String = value
        .extract()
        .map_err(|_| PyTypeError::new_err("proxy must be a URL (str), False or None"))?;
    Ok(ProxySetting::Url(Secret::new(url)))
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
