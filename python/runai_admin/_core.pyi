# The compiled module (src/*.rs), as type checkers see it. `make lint` checks it against
# the built module with `python -m mypy.stubtest runai_admin._core`.

import os
from collections.abc import Awaitable, Callable
from typing import Any, Literal, Optional, Union, final

from .auth import Auth

__all__ = [
    "BASE_URL_VARIABLE",
    "CREDENTIAL_VARIABLES",
    "Background",
    "CoreClient",
    "FakeServer",
    "__version__",
    "catalogue_json",
    "decode_json",
    "normalize_base_url",
    "report_every_attempt",
    "set_request_observer",
]

__version__: str
BASE_URL_VARIABLE: str
CREDENTIAL_VARIABLES: tuple[str, str, str]

def normalize_base_url(raw: str) -> Optional[str]:
    """A base URL as the core normalises it; None when the core would refuse it."""

def decode_json(data: bytes) -> Any:
    """JSON bytes as the core decodes an answer (dicts, lists, str, int, float, bool, None)."""

def catalogue_json() -> str:
    """The operation catalogue as JSON text."""

def set_request_observer(
    callback: Optional[
        Callable[
            [str, str, Optional[int], Optional[str], float, int, Optional[float]],
            object,
        ]
    ],
) -> None:
    """Report each request's ``(method, path, status, failure, millis, attempt,
    retry_in)``; None stops reporting."""

def report_every_attempt(on: bool) -> None:
    """Report every attempt, or (False) only those followed by a retry."""

@final
class CoreClient:
    def __new__(
        cls,
        *,
        base_url: Optional[str] = None,
        client_id: Optional[str] = None,
        client_secret: Optional[str] = None,
        token: Optional[str] = None,
        auth: Optional[Auth] = None,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        verify: Union[bool, str, os.PathLike[str], None] = None,
        proxy: Union[str, Literal[False], None] = None,
        allow_insecure_http: bool = False,
    ) -> CoreClient: ...
    def take_warnings(self) -> list[str]: ...
    @property
    def base_url(self) -> str: ...
    @property
    def timeout(self) -> float: ...
    @property
    def max_retries(self) -> int: ...
    @property
    def proxy(self) -> Optional[str]: ...
    @property
    def auth_kind(self) -> str: ...
    @property
    def token_requests(self) -> int: ...
    def call(
        self,
        operation_id: str,
        args: tuple[Any, ...],
        kwargs: Optional[dict[str, Any]] = None,
        *,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
    ) -> Any: ...
    def call_page(
        self,
        operation_id: str,
        args: tuple[Any, ...],
        kwargs: Optional[dict[str, Any]],
        page: Optional[tuple[int, int]] = None,
        *,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
    ) -> tuple[list[Any], Optional[int]]: ...
    def call_page_async(
        self,
        operation_id: str,
        args: tuple[Any, ...],
        kwargs: Optional[dict[str, Any]],
        page: Optional[tuple[int, int]] = None,
        *,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
    ) -> Awaitable[tuple[list[Any], Optional[int]]]: ...
    def call_start(
        self,
        operation_id: str,
        args: tuple[Any, ...],
        kwargs: Optional[dict[str, Any]] = None,
        *,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
    ) -> Background: ...
    def call_page_start(
        self,
        operation_id: str,
        args: tuple[Any, ...],
        kwargs: Optional[dict[str, Any]],
        page: Optional[tuple[int, int]] = None,
        *,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
    ) -> Background: ...
    def download(
        self,
        operation_id: str,
        args: tuple[Any, ...],
        kwargs: Optional[dict[str, Any]] = None,
        to: Union[str, os.PathLike[str], None] = None,
        *,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
    ) -> Any: ...
    def download_async(
        self,
        operation_id: str,
        args: tuple[Any, ...],
        kwargs: Optional[dict[str, Any]] = None,
        to: Union[str, os.PathLike[str], None] = None,
        *,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
    ) -> Awaitable[Any]: ...
    def check(
        self,
        operation_id: str,
        args: tuple[Any, ...],
        kwargs: Optional[dict[str, Any]] = None,
    ) -> None: ...
    def page_options(
        self,
        operation_id: str,
        page_size: Optional[int] = None,
        max_items: Optional[int] = None,
        offset: Optional[int] = None,
    ) -> tuple[Optional[int], Optional[int], int, Optional[int], Optional[int]]: ...
    def call_async(
        self,
        operation_id: str,
        args: tuple[Any, ...],
        kwargs: Optional[dict[str, Any]] = None,
        *,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
    ) -> Awaitable[Any]: ...

@final
class Background:
    """A call started on the core's own thread; ``wait()`` collects its result once."""

    def wait(self) -> Any: ...
    def cancel(self) -> None: ...

@final
class FakeServer:
    def __new__(
        cls,
        *,
        port: int = 0,
        token_lifetime: Optional[float] = None,
        cli_binary_size: Optional[int] = None,
        record_limit: Optional[int] = None,
        tls: bool = False,
    ) -> FakeServer: ...
    @property
    def url(self) -> str: ...
    @property
    def port(self) -> int: ...
    @property
    def ca_pem(self) -> Optional[str]: ...
    @property
    def client_id(self) -> str: ...
    @property
    def client_secret(self) -> str: ...
    @property
    def cluster_id(self) -> str: ...
    def requests(self) -> list[dict[str, Any]]: ...
    def clear_requests(self) -> None: ...
    def inject(
        self,
        path_glob: str,
        *,
        method: Optional[str] = None,
        status: Optional[int] = None,
        times: int = 1,
        retry_after: Optional[float] = None,
        delay: Optional[float] = None,
        drop_connection: bool = False,
        body: Any = None,
        cut_body_after: Optional[int] = None,
        content_type: Optional[str] = None,
    ) -> None: ...
    def add_users(self, emails: list[str]) -> None: ...
    def expire_tokens(self) -> None: ...
    def set_projects_within_department_quota(self, on: bool) -> None: ...
    def set_token_lifetime(self, lifetime: float) -> None: ...
    def stop(self) -> None: ...
