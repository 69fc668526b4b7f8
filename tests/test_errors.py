"""Errors: one class per status, the control plane's fields, and no secret anywhere."""

from __future__ import annotations

import contextlib
import http.server
import threading
import time
import urllib.parse
from collections.abc import Iterator

import pytest

import runai_admin as ra

from .conftest import paths, raw_request, raw_token


def test_not_found_carries_status_code_message_method_and_url(client, cp):
    with pytest.raises(ra.NotFoundError) as caught:
        client.projects.get("424242")
    err = caught.value
    assert isinstance(err, ra.APIError) and isinstance(err, ra.RunaiError)
    assert err.status == 404 and err.code == 404
    assert err.message
    assert err.method == "GET"
    assert err.url == f"{cp.url}/api/v1/org-unit/projects/424242"
    assert isinstance(err.body, dict)
    assert "404" in str(err) and "/api/v1/org-unit/projects/424242" in str(err)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, ra.BadRequestError),
        (401, ra.AuthenticationError),
        (403, ra.PermissionDeniedError),
        (404, ra.NotFoundError),
        (409, ra.ConflictError),
        (422, ra.UnprocessableEntityError),
        (429, ra.RateLimitError),
        (500, ra.InternalServerError),
        (503, ra.InternalServerError),
        (405, ra.APIStatusError),
        (418, ra.APIStatusError),
        (501, ra.InternalServerError),
    ],
)
def test_each_status_has_its_class(cp, status, cls):
    with cp.client(max_retries=0) as client:
        cp.inject(
            "/api/v1/clusters",
            status=status,
            times=2,
            body={"code": status, "message": "injected", "details": "d"},
        )
        with pytest.raises(cls) as caught:
            client.clusters.list().to_list()
    assert type(caught.value) is cls
    assert isinstance(caught.value, ra.APIStatusError)
    assert (caught.value.status, caught.value.message, caught.value.details) == (
        status,
        "injected",
        "d",
    )


@contextlib.contextmanager
def serving(answer: bytes, content_type: str = "application/json") -> Iterator[str]:
    """A plain HTTP server that answers every GET with 200 and ``answer``; yields its URL."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_an_undecodable_answer_says_so_and_names_the_real_url():
    with (
        serving(b'{"uuid": "c1", "name": ') as url,
        ra.Client(base_url=url, token="t", max_retries=0) as client,
        pytest.raises(ra.APIDecodeError) as caught,
    ):
        client.clusters.get("c1")
    assert not isinstance(caught.value, ra.APIConnectionError)
    assert "could not be decoded" in caught.value.message
    assert caught.value.url == f"{url}/api/v1/clusters/c1"


def test_a_token_answer_without_a_token_is_a_decode_error(cp):
    cp.inject("/api/v1/token", status=200, body={"tokenType": "Bearer"})
    with cp.client(max_retries=0) as client, pytest.raises(ra.APIDecodeError) as caught:
        client.clusters.list().to_list()
    assert caught.value.url == f"{cp.url}/api/v1/token"


def test_a_token_no_header_can_carry_is_refused_once_without_retrying(cp):
    cp.inject("/api/v1/token", status=200, body={"accessToken": "a\nb", "expiresIn": 60})
    with cp.client(max_retries=3) as client:
        with pytest.raises(ra.ConfigurationError, match="header"):
            client.clusters.list().to_list()
        assert len(paths(cp, "/api/v1/token")) == 1
        assert paths(cp, "/api/v1/clusters") == []
        # The fault is spent: the next call fetches a good token and goes through.
        assert client.clusters.list().to_list()


def test_unknown_keyword_and_wrong_type_fail_before_any_request(client, cp):
    before = len(cp.requests)
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        client.projects.create(name="p", cluster_id=cp.cluster_id, resources=[], colour="red")
    with pytest.raises(TypeError, match="cluster_id must be str, not int"):
        client.projects.create(name="p", cluster_id=7, resources=[])
    with pytest.raises(TypeError, match="missing required argument: 'cluster_id'"):
        client.projects.create(name="p", resources=[])
    with pytest.raises(ValueError, match="sort_order"):
        client.projects.list(sort_order="sideways").to_list()
    with pytest.raises(TypeError, match="cannot send object"):
        client.projects.create(name="p", cluster_id=cp.cluster_id, resources=[object()])
    with pytest.raises(TypeError, match="positional argument"):
        client.projects.get()
    assert len(cp.requests) == before


def test_unreachable_host_is_a_connection_error_within_the_timeout():
    started = time.monotonic()
    with (
        ra.Client(
            base_url="http://127.0.0.1:9", client_id="a", client_secret="b", timeout=2
        ) as client,
        pytest.raises(ra.APIConnectionError) as caught,
    ):
        client.clusters.list().to_list()
    assert time.monotonic() - started < 2.5
    assert "refused" in caught.value.message.lower()
    assert caught.value.url == "http://127.0.0.1:9/api/v1/token"


def test_slow_answers_time_out(cp):
    cp.inject("/api/v1/clusters", delay=5)
    with cp.client(timeout=0.5, max_retries=0) as client:
        client.clusters.get(cp.cluster_id)  # obtains the token first
        started = time.monotonic()
        with pytest.raises(ra.APITimeoutError):
            client.clusters.list().to_list()
    assert time.monotonic() - started < 2


def test_per_call_timeout_overrides_the_client(cp):
    with cp.client(timeout=30) as client:
        client.clusters.get(cp.cluster_id)
        cp.inject("/api/v1/clusters", delay=5)
        with pytest.raises(ra.APITimeoutError):
            client.clusters.list(timeout=0.3, max_retries=0).to_list()


def test_reprs_and_messages_never_show_credentials(cp):
    secret = cp.client_secret
    client = cp.client()
    auth = ra.auth.ClientCredentials("app", "hunter2-secret")
    password = ra.auth.Password("me@example.com", "hunter2-password")
    for text in (repr(client), str(client), repr(auth), repr(password)):
        assert secret not in text and "hunter2" not in text
    client.close()
    with pytest.raises(ra.ConfigurationError, match="closed"):
        client.clusters.list()


def test_missing_configuration_is_explained(monkeypatch):
    for name in ("RUNAI_BASE_URL", "RUNAI_CLIENT_ID", "RUNAI_CLIENT_SECRET", "RUNAI_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ra.ConfigurationError, match="RUNAI_BASE_URL"):
        ra.Client()
    with pytest.raises(ra.ConfigurationError, match="RUNAI_CLIENT_SECRET"):
        ra.Client(base_url="acme.run.ai", client_id="app")
    with pytest.raises(TypeError, match="timeout"):
        ra.Client(base_url="acme.run.ai", token="t", timeout="soon")
    with pytest.raises(ValueError, match="max_retries"):
        ra.Client(base_url="acme.run.ai", token="t", max_retries=-1)


def test_filter_expressions_are_checked_against_the_spec_before_sending(client, cp):
    before = len(cp.requests)
    with pytest.raises(ValueError, match="filterable fields: username"):
        client.users.list(filter_by=["email==a@example.com"]).to_list()
    with pytest.raises(ValueError, match="must be followed by one of == <= >= =@"):
        client.users.count(filter_by="username!=admin")
    assert len(cp.requests) == before


def test_the_fake_refuses_what_the_spec_does_not_allow(cp):
    query = urllib.parse.urlencode({"filterBy": "username!=admin"})
    status, answer = raw_request(f"{cp.url}/api/v1/users?{query}", token=raw_token(cp))
    assert status == 400 and "username!=admin" in answer["message"]
