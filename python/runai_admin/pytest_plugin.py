"""pytest fixtures for code that uses runai_admin. Installing the package registers this
plugin (the ``pytest11`` entry point): nothing to import or configure.

    def test_my_automation(fake_control_plane):
        fake_control_plane.inject("/api/v1/org-unit/projects", status=503, retry_after=0)
        with fake_control_plane.client() as client:
            assert client.projects.list().to_list() == []   # retried, then answered
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .testing import FakeControlPlane


@pytest.fixture
def fake_control_plane() -> Iterator[FakeControlPlane]:
    """A fresh, running :class:`runai_admin.testing.FakeControlPlane` per test, stopped
    after it (its state goes with it)."""
    with FakeControlPlane() as cp:
        yield cp
