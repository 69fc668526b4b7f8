"""Settings from arguments and the environment; base URL clean-up."""

from __future__ import annotations

import inspect
import json
import warnings

import pytest

import runai_admin as ra

from .conftest import paths


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


@pytest.mark.parametrize(
    ("settings", "error", "message"),
    [
        ({"timeout": "soon"}, TypeError, "timeout must be a number of seconds, not str"),
        ({"timeout": True}, TypeError, "timeout must be a number of seconds, not bool"),
        ({"timeout": 0}, ValueError, "timeout must be a number of seconds above 0"),
        ({"max_retries": "3"}, TypeError, "max_retries must be an int >= 0, not str"),
        ({"max_retries": -1}, ValueError, "max_retries must be an int from 0"),
        ({"verify": 3}, TypeError, "verify must be a bool or the path of a CA bundle"),
        ({"auth": "secret"}, TypeError, "auth must be a runai_admin.auth object"),
    ],
)
def test_settings_are_checked_once_by_the_core(settings, error, message):
    credentials = {} if "auth" in settings else {"token": "t"}
    with pytest.raises(error, match=message):
        ra.Client(base_url="acme.run.ai", **credentials, **settings)


def test_per_call_options_follow_the_same_rules(client):
    with pytest.raises(TypeError, match="timeout must be a number of seconds, not str"):
        client.clusters.get("c", timeout="soon")
    with pytest.raises(ValueError, match="max_retries must be an int from 0"):
        client.clusters.get("c", max_retries=-1)


def test_signatures_and_help_show_the_real_parameters(client):
    create = inspect.signature(client.projects.create)
    assert list(create.parameters)[:3] == ["name", "cluster_id", "resources"]
    assert create.parameters["parent_id"].default is ra.NOT_GIVEN
    assert create.parameters["description"].default is None
    listing = inspect.signature(client.projects.list).parameters
    assert {"filter_by", "page_size", "max_items", "offset", "timeout"} <= set(listing)
    assert "limit" not in listing
    get = inspect.signature(client.projects.get).parameters["project_id"]
    assert get.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    doc = client.projects.get.__doc__
    assert "GET /api/v1/org-unit/projects/{projectId}" in doc
    assert "project_id (str, required)" in doc and "Returns:" in doc and "Raises:" in doc
    assert "use ``projects.list()`` instead" in client.projects.legacy_list.__doc__


def test_none_leaves_a_field_out_and_null_is_sent_only_when_asked(client, cp):
    project = client.projects.create(
        name="p", cluster_id=cp.cluster_id, resources=[{"gpu": {"deserved": 1}}], description=None
    )
    sent = json.loads(paths(cp, "/api/v1/org-unit/projects", "POST")[-1]["body"])
    assert "description" not in sent and "parentId" not in sent
    client.projects.update(project["id"], resources=[{"gpu": {"deserved": 1}}], node_types=None)
    sent = json.loads(paths(cp, f"/api/v1/org-unit/projects/{project['id']}", "PUT")[-1]["body"])
    assert sent["nodeTypes"] is None and "schedulingRules" not in sent
