"""runai_admin: drive the Run:ai Administrator REST API from Python.

    import runai_admin as ra

    with ra.Client(base_url="https://acme.run.ai", client_id="...", client_secret="...") as c:
        for project in c.projects.list(filter_by=["name=@team"]):
            print(project["name"])

:class:`Client` blocks and :class:`AsyncClient` awaits; both have one namespace per area
of the API (``client.projects``, ``client.access_rules``, ...) with one method per
operation. Lists answer a pager (:class:`SyncPager`, :class:`AsyncPager`), errors are
the classes of :mod:`runai_admin.errors`, other ways to sign in are in
:mod:`runai_admin.auth`, and :mod:`runai_admin.testing` has the fake control plane to
run and test against.
"""

from typing import TYPE_CHECKING, Any

from . import auth, errors
from ._base import NOT_GIVEN, NotGiven
from ._client import AsyncClient, Client
from ._core import __version__
from .errors import (
    APIConnectionError,
    APIDecodeError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    CertificateError,
    ConfigurationError,
    ConfigurationWarning,
    ConflictError,
    InsecureTLSWarning,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    ProxyError,
    RateLimitError,
    RedirectError,
    RunaiError,
    UnprocessableEntityError,
)
from .frames import metrics_frame
from .pagination import AsyncPager, Items, Page, SyncPager

__all__ = [
    "NOT_GIVEN",
    "APIConnectionError",
    "APIDecodeError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncClient",
    "AsyncPager",
    "AuthenticationError",
    "BadRequestError",
    "CertificateError",
    "Client",
    "ConfigurationError",
    "ConfigurationWarning",
    "ConflictError",
    "InsecureTLSWarning",
    "InternalServerError",
    "Items",
    "NotFoundError",
    "NotGiven",
    "Page",
    "PermissionDeniedError",
    "ProxyError",
    "RateLimitError",
    "RedirectError",
    "RunaiError",
    "SyncPager",
    "UnprocessableEntityError",
    "__version__",
    "auth",
    "errors",
    "metrics_frame",
    "org",
]

if TYPE_CHECKING:
    from . import org


def __getattr__(name: str) -> Any:
    # `ra.org` (the organisation sync) is imported on first use: most programs never
    # need it, and it should not cost every `import runai_admin`.
    if name == "org":
        import importlib

        return importlib.import_module(".org", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
