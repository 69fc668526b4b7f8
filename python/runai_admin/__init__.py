"""runai_admin: drive the Run:ai Administrator REST API from Python.

import runai_admin as ra

with ra.Client(base_url="https://acme.run.ai", client_id="...", client_secret="...") as c:
    for project in c.projects.list(filter_by=["name=@team"]):
        print(project["name"])
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
    ConfigurationError,
    ConfigurationWarning,
    ConflictError,
    InsecureTLSWarning,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
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
    "RateLimitError",
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
