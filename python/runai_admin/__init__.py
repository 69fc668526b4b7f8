"""runai_admin: drive the Run:ai Administrator REST API from Python.

import runai_admin as ra

with ra.Client(base_url="https://acme.run.ai", client_id="...", client_secret="...") as c:
    for project in c.projects.list(filter_by=["name=@team"]):
        print(project["name"])
"""

from . import auth, errors, org
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
