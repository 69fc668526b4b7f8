"""Settings from arguments and the environment; base URL clean-up."""

from __future__ import annotations

import warnings

import pytest

import runai_admin as ra


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in ("RUNAI_BASE_URL", "RUNAI_CLIENT_ID", "RUNAI_CLIENT_SECRET", "RUNAI_TOKEN"):
        monkeypatch.delenv(name, raising=False)


def test_environment_configures_the_client(monkeypatch, cp):
    monkeypatch.setenv("RUNAI_BASE_URL", cp.url)
    monkeypatch.setenv("RUNAI_CLIENT_ID", cp.client_id)
    monkeypatch.setenv("RUNAI_CLIENT_SECRET", cp.client_secret)
    with ra.Client() as client:
        assert client.base_url == cp.url
        assert client.clusters.list().to_list()


def test_token_from_the_environment(monkeypatch):
    monkeypatch.setenv("RUNAI_TOKEN", "abc")
    client = ra.Client(base_url="acme.run.ai")
    assert "bearer_token" in repr(client) and "abc" not in repr(client)


def test_bare_host_means_https_and_slashes_go_quietly():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ra.Client(base_url="acme.run.ai/", token="t").base_url == "https://acme.run.ai"


@pytest.mark.parametrize(
    "pasted", ["https://acme.run.ai/api/v1/org-unit/projects", "https://acme.run.ai/v1/k8s/"]
)
def test_pasted_api_paths_are_trimmed_with_a_warning(pasted):
    with pytest.warns(ra.ConfigurationWarning, match="dropped the API path"):
        client = ra.Client(base_url=pasted, token="t")
    assert client.base_url == "https://acme.run.ai"


def test_verify_false_warns_and_a_missing_bundle_is_refused(tmp_path):
    with pytest.warns(ra.ConfigurationWarning, match="not checked"):
        ra.Client(base_url="acme.run.ai", token="t", verify=False)
    with pytest.raises(ra.ConfigurationError, match="CA bundle"):
        ra.Client(base_url="acme.run.ai", token="t", verify=tmp_path / "missing.pem")


def test_both_clients_have_the_same_namespaces_and_methods(cp):
    sync, asynchronous = cp.client(), cp.async_client()
    for namespace in ("clusters", "departments", "projects", "users"):
        sync_methods = {m for m in dir(getattr(sync, namespace)) if not m.startswith("_")}
        async_methods = {m for m in dir(getattr(asynchronous, namespace)) if not m.startswith("_")}
        assert sync_methods == async_methods and "list" in sync_methods
    assert callable(asynchronous.legacy.clusters.list)
